// The in-memory file index: one record per file, keyed by root + path, with the aggregates kept
// current by subtracting a file's old record and adding its new one. Nothing is recomputed from
// the records on an update; `applyBatch` reports what moved so views refresh only those nodes.

import { Aggregates, BatchSums, sameEntry } from './aggregate';
import type { AggregateSnapshot, BulkLanguage, EntryChange, SumsApplied } from './aggregate';
import type { FileRecord, FolderTotals, LanguageTotals, SymbolRef, Totals } from './types';

// --- records whose structure is decoded on first use ------------------------------------------
//
// Decoding every record's imports, classes and functions at load allocates ~15 small objects per
// file (1.5M for 100k files), most of which nobody reads: the aggregates need only their counts,
// the views one file's structure at a time. So the store hands over *pending* records: plain
// objects whose `imports` holds the structure's stored text (a string) and whose `classes` and
// `functions` are null until decoded (a FileIndex puts the record's position in the load's counts
// table in `classes`, so a record replaced undecoded is subtracted by its stored counts).
//
// The analysis pool makes pending records too, when asked (`AnalyzerPool.analyze(jobs,
// { structure: 'text' })`: the worker writes the text): a storm's tens of thousands of new
// records then stay alive as two objects each (record and text) instead of ~15, which is what
// the young generation's collections copy. Their `classes` is null and their `functions` holds
// their counts packed in one small integer (`packCounts`; null when a count is too big, and the
// counts are then read off the text, `countStructure`).
//
// Outside this module pending records are only passed along (the processor's batches and cache)
// or written as they are (the store's save copies the text). Every FileIndex method that returns
// a record decodes it first, in place (same object, same key order as a record built eagerly, so
// JSON, spread, structured clone and deep equality see no difference).

/**
 * A store's records before their structure is decoded, with the structure counts that the
 * aggregates need: `counts[3 * i]`, `[3 * i + 1]`, `[3 * i + 2]` are record i's imports,
 * classes and functions.
 */
export interface PendingRecords {
	records: FileRecord[];
	counts: Uint32Array;
	/** Folder table: record i is directly in folder `dirs[dirOf[i]]` (see `Aggregates.addMany`). */
	dirs?: string[];
	dirOf?: Uint32Array;
	/** Language table: record i's language is `langs[langOf[i]]`. */
	langs?: BulkLanguage[];
	langOf?: Uint32Array;
}

/** True when JSON.stringify(s) is `s` in quotes: no '"', '\\', control character or surrogate (lone ones are escaped). */
export function isPlain(s: string): boolean {
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
	}
	return true;
}

/**
 * The structure as stored: `[imports, [class, line, …], [function, line, …]]` in JSON, '' when
 * empty. Built by hand when every name is plain and every line a safe integer (no arrays
 * flattened, no JSON.stringify: several times cheaper); else by JSON.stringify. Same text.
 */
export function encodeStructure(r: Pick<FileRecord, 'imports' | 'classes' | 'functions'>): string {
	const { imports, classes, functions } = r;
	if (imports.length === 0 && classes.length === 0 && functions.length === 0) return '';
	let s = '[[';
	for (let i = 0; i < imports.length; i++) {
		const name = imports[i];
		if (!isPlain(name)) return stringifyStructure(r);
		s += (i > 0 ? ',"' : '"') + name + '"';
	}
	s += '],[';
	for (let i = 0; i < classes.length; i++) {
		const c = classes[i];
		if (!isPlain(c.name) || !Number.isSafeInteger(c.line)) return stringifyStructure(r);
		s += (i > 0 ? ',"' : '"') + c.name + '",' + String(c.line);
	}
	s += '],[';
	for (let i = 0; i < functions.length; i++) {
		const f = functions[i];
		if (!isPlain(f.name) || !Number.isSafeInteger(f.line)) return stringifyStructure(r);
		s += (i > 0 ? ',"' : '"') + f.name + '",' + String(f.line);
	}
	return s + ']]';
}

/** `encodeStructure` by JSON.stringify (the definition the hand-built text must equal). */
export function stringifyStructure(r: Pick<FileRecord, 'imports' | 'classes' | 'functions'>): string {
	if (r.imports.length === 0 && r.classes.length === 0 && r.functions.length === 0) return '';
	return JSON.stringify([r.imports, flatSymbols(r.classes), flatSymbols(r.functions)]);
}

/** `[{ name, line }, …]` → `[name, line, …]`: the stored form of classes and functions. */
export function flatSymbols(list: SymbolRef[]): (string | number)[] {
	const out: (string | number)[] = new Array(list.length * 2);
	for (let i = 0; i < list.length; i++) {
		out[2 * i] = list[i].name;
		out[2 * i + 1] = list[i].line;
	}
	return out;
}

function symbolsOf(flat: unknown): SymbolRef[] | undefined {
	if (!Array.isArray(flat) || flat.length % 2 !== 0) return undefined;
	const out: SymbolRef[] = new Array(flat.length / 2);
	for (let i = 0; i < flat.length; i += 2) {
		const name: unknown = flat[i];
		const line: unknown = flat[i + 1];
		if (typeof name !== 'string' || typeof line !== 'number') return undefined;
		out[i / 2] = { name, line };
	}
	return out;
}

/** Decodes stored structure text; undefined when it is malformed. */
export function decodeStructure(text: string): { imports: string[]; classes: SymbolRef[]; functions: SymbolRef[] } | undefined {
	if (text === '') return { imports: [], classes: [], functions: [] };
	let t: unknown;
	try {
		t = JSON.parse(text);
	} catch {
		return undefined;
	}
	if (!Array.isArray(t) || t.length !== 3 || !Array.isArray(t[0])) return undefined;
	const imports = t[0] as unknown[];
	for (const i of imports) if (typeof i !== 'string') return undefined;
	const classes = symbolsOf(t[1]);
	const functions = symbolsOf(t[2]);
	if (!classes || !functions) return undefined;
	return { imports: imports as string[], classes, functions };
}

/** True while a record's structure is still its stored text. */
export function isPending(r: FileRecord): boolean {
	return typeof (r.imports as unknown) === 'string';
}

/**
 * Decodes a pending record's structure in place (a no-op for any other record) and returns it.
 * The text was verified with the whole file's checksum at load, so it cannot be malformed short
 * of memory corruption; if it were, the record gets an empty structure rather than a crash.
 */
export function materialize(r: FileRecord): FileRecord {
	const text = r.imports as unknown;
	if (typeof text !== 'string') return r;
	const s = decodeStructure(text) ?? { imports: [], classes: [], functions: [] };
	r.imports = s.imports;
	r.classes = s.classes;
	r.functions = s.functions;
	return r;
}

/**
 * Element counts of stored structure text (`[[imports…], [class, line, …], [function, line, …]]`
 * as `encodeStructure` writes it) into `out`: imports, classes, functions. Reads the text once
 * without building anything: what subtracting a record that was never decoded needs.
 */
export function countStructure(text: string, out: Float64Array): void {
	out[0] = 0;
	out[1] = 0;
	out[2] = 0;
	let depth = 0;
	let list = -1;
	let commas = 0;
	let empty = true;
	const n = text.length;
	for (let i = 0; i < n; i++) {
		const c = text.charCodeAt(i);
		if (c === 0x22 /* " */) {
			empty = false;
			// To the closing quote; a backslash escapes the next character.
			for (i++; i < n; i++) {
				const d = text.charCodeAt(i);
				if (d === 0x5c) i++;
				else if (d === 0x22) break;
			}
		} else if (c === 0x5b /* [ */) {
			if (++depth === 2) {
				list++;
				commas = 0;
				empty = true;
			}
		} else if (c === 0x5d /* ] */) {
			if (depth-- === 2 && list < 3) out[list] = empty ? 0 : commas + 1;
		} else if (c === 0x2c /* , */) {
			if (depth === 2) commas++;
		} else if (depth === 2) empty = false;
	}
	out[1] /= 2;
	out[2] /= 2;
}

/** Most imports, classes or functions a pending record's packed counts hold (see `packCounts`). */
const PACKED_COUNT_MAX = 1023;

/**
 * A pending record's three counts in one small integer (10 bits each), which the analysis pool
 * puts in its `functions` (see the top of this file); null when a count is too big for it.
 */
export function packCounts(imports: number, classes: number, functions: number): number | null {
	return imports <= PACKED_COUNT_MAX && classes <= PACKED_COUNT_MAX && functions <= PACKED_COUNT_MAX
		? imports | (classes << 10) | (functions << 20)
		: null;
}

/**
 * A pending record's imports, classes and functions into `out`, without decoding it: from the
 * load's counts table (`loadCounts`, by the position its `classes` holds), from the counts
 * packed in its `functions`, else read off its text.
 */
export function pendingCounts(r: FileRecord, text: string, out: Float64Array, loadCounts?: Uint32Array): void {
	const at = r.classes as unknown;
	if (typeof at === 'number' && loadCounts) {
		out[0] = loadCounts[3 * at];
		out[1] = loadCounts[3 * at + 1];
		out[2] = loadCounts[3 * at + 2];
		return;
	}
	const packed = r.functions as unknown;
	if (typeof packed === 'number') {
		out[0] = packed & PACKED_COUNT_MAX;
		out[1] = (packed >>> 10) & PACKED_COUNT_MAX;
		out[2] = packed >>> 20;
		return;
	}
	countStructure(text, out);
}

/** Any record's imports, classes and functions into `out`: a pending one's from `pendingCounts` (nothing is decoded). */
export function structureCountsOf(r: FileRecord, out: Float64Array, loadCounts?: Uint32Array): void {
	const text = r.imports as unknown;
	if (typeof text === 'string') {
		pendingCounts(r, text, out, loadCounts);
		return;
	}
	out[0] = r.imports.length;
	out[1] = r.classes.length;
	out[2] = r.functions.length;
}

const counts3 = new Float64Array(3);

/** Every record's imports, classes and functions (3 numbers each, in order; see `structureCountsOf`): the `counts` of `PendingRecords`. */
export function structureCountsTable(records: readonly FileRecord[]): Uint32Array {
	const out = new Uint32Array(3 * records.length);
	for (let i = 0; i < records.length; i++) {
		structureCountsOf(records[i], counts3);
		out[3 * i] = counts3[0];
		out[3 * i + 1] = counts3[1];
		out[3 * i + 2] = counts3[2];
	}
	return out;
}

/** Counts `r` in or out of `sums` (see `structureCountsOf`). */
function sumRecord(sums: BatchSums, r: FileRecord, sign: 1 | -1, loadCounts: Uint32Array | undefined): void {
	structureCountsOf(r, counts3, loadCounts);
	sums.add(r, sign, counts3[0], counts3[1], counts3[2]);
}

/**
 * True when two records agree on everything but the structure (which is not read: `a` may be
 * pending). Most changed files differ here, so their structure is never compared.
 */
function sameHead(a: FileRecord, b: FileRecord): boolean {
	return a.path === b.path && a.root === b.root && a.language === b.language && a.category === b.category &&
		a.size === b.size && a.mtimeMs === b.mtimeMs && a.bytes === b.bytes && a.lines === b.lines &&
		a.code === b.code && a.comment === b.comment && a.blank === b.blank && !a.unknown === !b.unknown;
}

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
export type EntryDelta<T> = EntryChange<T>;

/**
 * What a batch changed in the aggregates: the totals before and after, and only the languages,
 * categories and folders whose numbers moved (what `Aggregates.applySums` reports).
 */
export type AggregateDelta = SumsApplied;

/** A file the batch touched, and how. */
export interface ChangedFile extends FileKey {
	kind: 'added' | 'changed' | 'removed';
}

export interface BatchDelta {
	/** Files whose record was added, replaced by a different one, or removed. */
	changed: ChangedFile[];
	aggregates: AggregateDelta;
}

/**
 * Map key of a file: root index and root-relative path. Root 0's keys are the paths themselves
 * (no string built per file: most workspaces have one root); other roots' keys hold a NUL,
 * which no path does, so keys never collide.
 */
export function fileKey(root: number, path: string): string {
	return root === 0 ? path : `${root}\u0000${path}`;
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

export class FileIndex {
	readonly aggregates = new Aggregates();
	private readonly records = new Map<string, FileRecord>();
	/** Some records may still be pending (see `materialize`): iteration must decode them. */
	private mayHavePending = false;
	/** Counts the batches that put pending records in: a pass over the records clears `mayHavePending` only if none did meanwhile. */
	private pendingAdds = 0;
	/** The structure counts of the pending records (by the position each holds in `classes`). */
	private loadCounts: Uint32Array | undefined;

	/**
	 * @param roots Absolute root folders; a record's `root` is an index into this array.
	 * @param records Initial records (e.g. from the store); later duplicates of a key replace earlier ones.
	 */
	constructor(readonly roots: string[] = [], records?: Iterable<FileRecord>) {
		if (records) for (const r of records) this.upsert(r);
	}

	/**
	 * An index over a store's load result. Takes the store's pending records when it has them
	 * (their structure is decoded on first use, the aggregates are summed in bulk from the stored
	 * counts), else its records.
	 */
	static fromLoad(roots: string[], loaded: { records: FileRecord[]; pending?: PendingRecords }): FileIndex {
		const index = new FileIndex(roots);
		if (loaded.pending) index.addPending(loaded.pending);
		else for (const r of loaded.records) index.upsert(r);
		return index;
	}

	/**
	 * An index over records as a scan or another index hands them over (`storedUnder`), pending or
	 * not: pending ones stay undecoded, the aggregates are summed in bulk. Takes the objects
	 * themselves (a pending one gets its position in this index's counts): pass copies of
	 * another index's records.
	 */
	static of(roots: string[], records: FileRecord[]): FileIndex {
		return FileIndex.fromLoad(roots, { records, pending: { records, counts: structureCountsTable(records) } });
	}

	private addPending(p: PendingRecords): void {
		const { records } = p;
		const map = this.records;
		for (let i = 0; i < records.length; i++) {
			const r = records[i];
			const size = map.size;
			map.set(fileKey(r.root, r.path), r);
			if (map.size === size) {
				// A duplicate key (the store never writes one): start over through the ordinary
				// path, where a later record replaces an earlier one.
				map.clear();
				for (const x of records) this.upsert(materialize(x));
				return;
			}
			// A pending record's position in the counts table: subtracting it later reads its
			// counts there instead of scanning its text (see `countsOf`).
			if (typeof (r.imports as unknown) === 'string') (r as unknown as { classes: number }).classes = i;
		}
		this.loadCounts = p.counts;
		this.aggregates.addMany(records, p);
		this.mayHavePending = true;
	}

	get size(): number {
		return this.records.size;
	}

	get(root: number, path: string): FileRecord | undefined {
		const r = this.records.get(fileKey(root, path));
		return r && materialize(r);
	}

	/**
	 * A record's size and mtime (and key), without decoding its structure: what a warm start
	 * compares for every file.
	 */
	stat(root: number, path: string): Pick<FileRecord, 'root' | 'path' | 'size' | 'mtimeMs'> | undefined {
		return this.records.get(fileKey(root, path));
	}

	has(root: number, path: string): boolean {
		return this.records.has(fileKey(root, path));
	}

	values(): IterableIterator<FileRecord> {
		if (!this.mayHavePending) return this.records.values();
		return this.decodedValues();
	}

	private *decodedValues(): Generator<FileRecord> {
		const adds = this.pendingAdds;
		for (const r of this.records.values()) yield materialize(r);
		// Reached only after a full pass, which leaves nothing pending unless a batch added
		// pending records while the pass was suspended.
		if (this.pendingAdds === adds) this.mayHavePending = false;
	}

	/**
	 * Every record as held, pending ones undecoded (see `materialize`): what a store's save or
	 * commit takes (the JSONL save writes a pending record's text as is). Not for a reader of
	 * records' structure.
	 */
	storedArray(): FileRecord[] {
		const out = new Array<FileRecord>(this.records.size);
		let i = 0;
		for (const r of this.records.values()) out[i++] = r;
		return out;
	}

	/** `storedArray` as an iterator. */
	storedValues(): IterableIterator<FileRecord> {
		return this.records.values();
	}

	/**
	 * About `n` records spread evenly over the index, and the first of each language: decoded,
	 * or with `stored` as held (pending ones undecoded: a save's warm-up, see `storedArray`).
	 */
	sample(n: number, stored = false): FileRecord[] {
		const out: FileRecord[] = [];
		const every = Math.max(1, Math.ceil(this.records.size / n));
		const languages = new Set<string>();
		let i = 0;
		for (const r of this.records.values()) {
			if (i++ % every === 0 || !languages.has(r.language)) {
				languages.add(r.language);
				out.push(stored ? r : materialize(r));
			}
		}
		return out;
	}

	/** Every record's key (root and path), without decoding any structure. */
	keys(): IterableIterator<FileKey> {
		return this.records.values();
	}

	/** Records under a folder (root-relative, '' for the whole root), in insertion order. */
	*under(root: number, folder: string): Generator<FileRecord> {
		for (const r of this.storedUnder(root, folder)) yield materialize(r);
	}

	/**
	 * `under`, records as held: pending ones undecoded. For counting them, reading their paths or
	 * copying them into another index (`FileIndex.of`), not for reading their structure.
	 */
	*storedUnder(root: number, folder: string): Generator<FileRecord> {
		const prefix = folder === '' ? '' : folder.endsWith('/') ? folder : folder + '/';
		for (const r of this.records.values()) {
			if (r.root === root && (prefix === '' || r.path.startsWith(prefix))) yield r;
		}
	}

	/** Inserts or replaces one record; returns the record it replaced. */
	upsert(r: FileRecord): FileRecord | undefined {
		const key = fileKey(r.root, r.path);
		const old = this.records.get(key);
		if (old) this.aggregates.remove(materialize(old));
		this.records.set(key, r);
		this.aggregates.add(materialize(r));
		return old;
	}

	/** Removes one record; returns it, or undefined when there was none. */
	delete(root: number, path: string): FileRecord | undefined {
		const key = fileKey(root, path);
		const old = this.records.get(key);
		if (!old) return undefined;
		this.records.delete(key);
		this.aggregates.remove(materialize(old));
		return old;
	}

	/**
	 * Applies a batch: deletes first, then upserts (so a path both deleted and upserted ends up
	 * present). An upsert equal to the stored record is a no-op and is not reported.
	 */
	applyBatch(changes: IndexChanges): BatchDelta {
		const b = this.beginBatch();
		b.apply(changes);
		return b.finish();
	}

	/**
	 * A batch applied in parts (a big one, while the rest is still being analyzed) and reported
	 * as one: each `apply` updates the records and the aggregates at once; `finish` gives the
	 * whole batch's delta — per file its net kind, per aggregate entry its value before the first
	 * part and after the last.
	 */
	beginBatch(): IndexBatch {
		return new IndexBatch(this.records, this.aggregates, this.loadCounts, () => {
			this.mayHavePending = true;
			this.pendingAdds++;
		});
	}

	snapshot(): AggregateSnapshot {
		return this.aggregates.snapshot();
	}
}

/** See `FileIndex.beginBatch`. */
export class IndexBatch {
	/**
	 * Every file the batch touched, in the order first touched, with its net kind so far. An
	 * entry whose file was added and then removed again is dead (in `deadEntries`) and left
	 * out of `finish`.
	 */
	private readonly changed: ChangedFile[] = [];
	private readonly deadEntries = new Set<ChangedFile>();
	/**
	 * The entry of each record this batch put in the index, by the record's identity: a storm's
	 * files are each seen once, and a record the index had before the batch usually has no
	 * identity hash yet, so finding that it is not here costs no string hashing and no probe.
	 */
	private readonly entryOf = new Map<FileKey, ChangedFile>();
	/** Entries of files this batch removed, by `fileKey` (a later upsert of the key makes them changes). */
	private readonly removed = new Map<string, ChangedFile>();
	/** Stored records that an upsert found equal (no change, but seen), by identity. */
	private readonly same = new Set<FileKey>();
	private totalsBefore: Totals | undefined;
	private parts = 0;
	/** Per aggregate entry: its first `before` and last `after` over the parts. */
	private readonly entries = [new Map<string, EntryDelta<LanguageTotals>>(), new Map<string, EntryDelta<LanguageTotals>>(), new Map<string, EntryDelta<FolderTotals>>()] as const;
	private first: AggregateDelta | undefined;

	constructor(
		private readonly records: Map<string, FileRecord>,
		private readonly aggregates: Aggregates,
		private readonly loadCounts: Uint32Array | undefined,
		/** Called when a part puts pending records in (see `materialize`). */
		private readonly addedPending: () => void,
	) {}

	/**
	 * Applies one part: its numbers are summed per language, category and folder and the
	 * aggregates updated once per entry (see `BatchSums`); a replaced record's structure is
	 * counted, never decoded.
	 */
	apply(changes: IndexChanges): void {
		const sums = new BatchSums();
		const { records, entryOf, removed } = this;
		for (const d of changes.deletes) {
			const key = fileKey(d.root, d.path);
			const old = records.get(key);
			if (!old) continue;
			records.delete(key);
			sumRecord(sums, old, -1, this.loadCounts);
			const e = entryOf.get(old);
			if (e?.kind === 'added') {
				// Added earlier in this batch and now gone: nothing happened.
				this.deadEntries.add(e);
			} else if (e) {
				e.kind = 'removed';
				removed.set(key, e);
			} else {
				const r: ChangedFile = { root: d.root, path: d.path, kind: 'removed' };
				this.changed.push(r);
				removed.set(key, r);
			}
		}
		let pending = false;
		for (const r of changes.upserts) {
			const key = fileKey(r.root, r.path);
			const old = records.get(key);
			if (old) {
				if (sameHead(old, r) && sameRecord(materialize(old), materialize(r))) {
					this.same.add(old);
					continue;
				}
				sumRecord(sums, old, -1, this.loadCounts);
			}
			sumRecord(sums, r, 1, this.loadCounts);
			if (isPending(r)) pending = true;
			records.set(key, r);
			// Replaced a record of this batch: its entry holds (added then changed stays an add).
			let e = old && entryOf.get(old);
			if (!e) {
				e = old || removed.size === 0 ? undefined : removed.get(key);
				if (e) {
					// Removed then re-added in the same batch is a change.
					e.kind = 'changed';
					removed.delete(key);
				} else {
					e = { root: r.root, path: r.path, kind: old ? 'changed' : 'added' };
					this.changed.push(e);
				}
			}
			entryOf.set(r, e);
		}
		if (pending) this.addedPending();
		const d = this.aggregates.applySums(sums);
		this.parts++;
		this.totalsBefore ??= d.totals.before;
		if (this.parts === 1) {
			this.first = d;
			return;
		}
		if (this.parts === 2) this.mergeEntries(this.first!);
		this.mergeEntries(d);
	}

	private mergeEntries(d: AggregateDelta): void {
		const put = <T extends Totals>(map: Map<string, EntryDelta<T>>, list: EntryDelta<T>[], key: (t: T) => string) => {
			for (const e of list) {
				const k = key((e.before ?? e.after)!);
				const prev = map.get(k);
				if (prev) prev.after = e.after;
				else map.set(k, { before: e.before, after: e.after });
			}
		};
		put(this.entries[0], d.languages, (t) => t.name);
		put(this.entries[1], d.categories, (t) => t.name);
		put(this.entries[2], d.folders, (t) => `${t.root}\u0000${t.path}`);
	}

	/** True when a part of this batch added, changed, removed or re-upserted unchanged the file with this `fileKey`. */
	touched(key: string): boolean {
		const r = this.records.get(key);
		return (r !== undefined && this.holds(r)) || this.removed.has(key);
	}

	/**
	 * True when `r`, a record in the index, was put there by this batch or found equal to an
	 * upsert of it: `touched` of its key, by identity (no key string hashed).
	 */
	holds(r: FileKey): boolean {
		return this.entryOf.has(r) || this.same.has(r);
	}

	/** The whole batch's delta. */
	finish(): BatchDelta {
		const changed = this.deadEntries.size === 0 ? this.changed.slice() : this.changed.filter((e) => !this.deadEntries.has(e));
		const totals = { before: this.totalsBefore ?? { ...this.aggregates.totals }, after: { ...this.aggregates.totals } };
		if (this.parts <= 1) {
			const f = this.first;
			return { changed, aggregates: { totals, languages: f?.languages ?? [], categories: f?.categories ?? [], folders: f?.folders ?? [] } };
		}
		const keep = <T extends Totals>(map: Map<string, EntryDelta<T>>) => [...map.values()].filter((e) => !sameEntry(e.before, e.after));
		return { changed, aggregates: { totals, languages: keep(this.entries[0]), categories: keep(this.entries[1]), folders: keep(this.entries[2]) } };
	}
}
