// The in-memory file index: one record per file, keyed by root + path, with the aggregates kept
// current by subtracting a file's old record and adding its new one. Nothing is recomputed from
// the records on an update; `applyBatch` reports what moved so views refresh only those nodes.

import { Aggregates, folderKey, parentFolders } from './aggregate';
import type { AggregateSnapshot } from './aggregate';
import type { Category, FileRecord, FolderTotals, LanguageTotals, Totals } from './types';

/** A file's identity in the index. */
export interface FileKey {
	root: number;
	/** Root-relative, '/' separators. */
	path: string;
}

/** One batch of changes: records to insert or replace, files to drop. */
export interface IndexChanges {
	upserts: FileRecord[];
	deletes: FileKey[];
}

/** Before and after of one aggregate entry; `null` where the entry does not exist (no files). */
export interface EntryDelta<T> {
	before: T | null;
	after: T | null;
}

/**
 * What a batch changed in the aggregates: the totals before and after, and only the languages,
 * categories and folders whose numbers moved.
 */
export interface AggregateDelta {
	totals: { before: Totals; after: Totals };
	languages: EntryDelta<LanguageTotals>[];
	categories: EntryDelta<LanguageTotals>[];
	folders: EntryDelta<FolderTotals>[];
}

/** A file the batch touched, and how. */
export interface ChangedFile extends FileKey {
	kind: 'added' | 'changed' | 'removed';
}

export interface BatchDelta {
	/** Files whose record was added, replaced by a different one, or removed. */
	changed: ChangedFile[];
	aggregates: AggregateDelta;
}

/** Map key of a file: root index and root-relative path. */
export function fileKey(root: number, path: string): string {
	return `${root}\u0000${path}`;
}

/** True when two records describe the same analysis of the same file (every stored field equal). */
export function sameRecord(a: FileRecord, b: FileRecord): boolean {
	if (
		a.path !== b.path || a.root !== b.root || a.language !== b.language || a.category !== b.category ||
		a.size !== b.size || a.mtimeMs !== b.mtimeMs || a.bytes !== b.bytes || a.lines !== b.lines ||
		a.code !== b.code || a.comment !== b.comment || a.blank !== b.blank || !a.unknown !== !b.unknown ||
		a.imports.length !== b.imports.length || a.classes.length !== b.classes.length ||
		a.functions.length !== b.functions.length
	) return false;
	for (let i = 0; i < a.imports.length; i++) if (a.imports[i] !== b.imports[i]) return false;
	for (let i = 0; i < a.classes.length; i++) {
		if (a.classes[i].name !== b.classes[i].name || a.classes[i].line !== b.classes[i].line) return false;
	}
	for (let i = 0; i < a.functions.length; i++) {
		if (a.functions[i].name !== b.functions[i].name || a.functions[i].line !== b.functions[i].line) return false;
	}
	return true;
}

function sameTotals(a: Totals | null, b: Totals | null): boolean {
	if (!a || !b) return a === b;
	return a.files === b.files && a.lines === b.lines && a.code === b.code && a.comment === b.comment &&
		a.blank === b.blank && a.bytes === b.bytes &&
		(a as LanguageTotals).imports === (b as LanguageTotals).imports &&
		(a as LanguageTotals).classes === (b as LanguageTotals).classes &&
		(a as LanguageTotals).functions === (b as LanguageTotals).functions;
}

/**
 * Records the aggregate entries a batch may touch, with a copy of each before the batch, so the
 * delta can be read off the live aggregates afterwards (cost: proportional to the batch, not to
 * the index).
 */
class DeltaTracker {
	private readonly languages = new Map<string, LanguageTotals | null>();
	private readonly categories = new Map<Category, LanguageTotals | null>();
	private readonly folders = new Map<string, FolderTotals | null>();
	private readonly totalsBefore: Totals;

	constructor(private readonly agg: Aggregates) {
		this.totalsBefore = { ...agg.totals };
	}

	touch(r: FileRecord): void {
		if (!this.languages.has(r.language)) {
			const l = this.agg.languages.get(r.language);
			this.languages.set(r.language, l ? { ...l } : null);
		}
		if (!this.categories.has(r.category)) {
			const c = this.agg.categories.get(r.category);
			this.categories.set(r.category, c ? { ...c } : null);
		}
		for (const p of parentFolders(r.path)) {
			const key = folderKey(r.root, p);
			if (this.folders.has(key)) continue;
			const f = this.agg.folders.get(key);
			this.folders.set(key, f ? { ...f } : null);
		}
	}

	finish(): AggregateDelta {
		const diff = <K, T extends Totals>(before: Map<K, T | null>, live: Map<K, T>): EntryDelta<T>[] => {
			const out: EntryDelta<T>[] = [];
			for (const [k, b] of before) {
				const a = live.get(k);
				const after = a ? { ...a } : null;
				if (!sameTotals(b, after)) out.push({ before: b, after });
			}
			return out;
		};
		return {
			totals: { before: this.totalsBefore, after: { ...this.agg.totals } },
			languages: diff(this.languages, this.agg.languages),
			categories: diff(this.categories, this.agg.categories),
			folders: diff(this.folders, this.agg.folders),
		};
	}
}

export class FileIndex {
	readonly aggregates = new Aggregates();
	private readonly records = new Map<string, FileRecord>();

	/**
	 * @param roots Absolute root folders; a record's `root` is an index into this array.
	 * @param records Initial records (e.g. from the store); later duplicates of a key replace earlier ones.
	 */
	constructor(readonly roots: string[] = [], records?: Iterable<FileRecord>) {
		if (records) for (const r of records) this.upsert(r);
	}

	get size(): number {
		return this.records.size;
	}

	get(root: number, path: string): FileRecord | undefined {
		return this.records.get(fileKey(root, path));
	}

	has(root: number, path: string): boolean {
		return this.records.has(fileKey(root, path));
	}

	values(): IterableIterator<FileRecord> {
		return this.records.values();
	}

	/** Records under a folder (root-relative, '' for the whole root), in insertion order. */
	*under(root: number, folder: string): Generator<FileRecord> {
		const prefix = folder === '' ? '' : folder.endsWith('/') ? folder : folder + '/';
		for (const r of this.records.values()) {
			if (r.root === root && (prefix === '' || r.path.startsWith(prefix))) yield r;
		}
	}

	/** Inserts or replaces one record; returns the record it replaced. */
	upsert(r: FileRecord): FileRecord | undefined {
		const key = fileKey(r.root, r.path);
		const old = this.records.get(key);
		if (old) this.aggregates.remove(old);
		this.records.set(key, r);
		this.aggregates.add(r);
		return old;
	}

	/** Removes one record; returns it, or undefined when there was none. */
	delete(root: number, path: string): FileRecord | undefined {
		const key = fileKey(root, path);
		const old = this.records.get(key);
		if (!old) return undefined;
		this.records.delete(key);
		this.aggregates.remove(old);
		return old;
	}

	/**
	 * Applies a batch: deletes first, then upserts (so a path both deleted and upserted ends up
	 * present). An upsert equal to the stored record is a no-op and is not reported.
	 */
	applyBatch(changes: IndexChanges): BatchDelta {
		const tracker = new DeltaTracker(this.aggregates);
		const kinds = new Map<string, ChangedFile>();
		for (const d of changes.deletes) {
			const old = this.records.get(fileKey(d.root, d.path));
			if (!old) continue;
			tracker.touch(old);
			this.delete(d.root, d.path);
			kinds.set(fileKey(d.root, d.path), { root: d.root, path: d.path, kind: 'removed' });
		}
		for (const r of changes.upserts) {
			const key = fileKey(r.root, r.path);
			const old = this.records.get(key);
			if (old && sameRecord(old, r)) continue;
			if (old) tracker.touch(old);
			tracker.touch(r);
			this.upsert(r);
			const prev = kinds.get(key);
			// Removed then re-added in the same batch is a change; added then changed stays an add.
			const kind = prev?.kind === 'added' ? 'added' : old || prev ? 'changed' : 'added';
			kinds.set(key, { root: r.root, path: r.path, kind });
		}
		return { changed: [...kinds.values()], aggregates: tracker.finish() };
	}

	snapshot(): AggregateSnapshot {
		return this.aggregates.snapshot();
	}
}
