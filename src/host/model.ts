// The host's model of the workspace: one FileIndex over every workspace folder (root i = folder i),
// the skipped files per folder, the persisted index in the extension's workspace storage, and
// what the last scan or update did. Views and the status bar read it and listen to its events;
// scans, index loads and file updates (applied by each folder's core Processor, see liveUpdates.ts)
// all end in `index.applyBatch`, whose delta says exactly what moved, so listeners refresh only
// those nodes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { FileIndex } from '../core/fileIndex';
import type { BatchDelta, FileKey, IndexChanges } from '../core/fileIndex';
import { JsonlIndexStore } from '../core/indexStore';
import type { IndexMeta } from '../core/indexStore';
import type { BatchEvent } from '../core/processor';
import { analyzeFile, scan } from '../core/scanner';
import type { ScanResult } from '../core/scanner';
import { warmScan } from '../core/warmScan';
import type { FileRecord, Logger, Skipped } from '../core/types';
import { Disposable } from './dispose';
import { readFolderSettings } from './settings';
import type { FolderSettings } from './settings';

export type ModelState = 'idle' | 'loading' | 'scanning';
export type RootSkip = Skipped & { root: number };

/** Event-loop delay measured while a scan ran (milliseconds). */
export interface EventLoopDelay {
	maxMs: number;
	p99Ms: number;
	meanMs: number;
}

/** What the last scan, index load or live update did; the status bar's tooltip shows it. */
export interface UpdateInfo {
	kind: 'scan' | 'rescan' | 'index' | 'update';
	/** Date.now() when it finished. */
	at: number;
	/** Wall time in milliseconds. */
	ms: number;
	/** Milliseconds per phase (walk, read, analyze, aggregate, index save, …). */
	phases: Record<string, number>;
	/** Files added, changed and removed. */
	added: number;
	changed: number;
	removed: number;
	/** A few of the paths that changed (root-relative). */
	examples: string[];
	/** Files a warm scan kept without reading them (size and mtime unchanged). */
	reused?: number;
	eventLoop?: EventLoopDelay;
}

export interface ModelChange {
	/** Everything may have changed (roots, index load, clear): refresh whole views. */
	reset: boolean;
	delta?: BatchDelta;
}

export class CancelledError extends Error {
	override readonly name = 'AbortError';
	static is(e: unknown): boolean {
		return e instanceof Error && (e.name === 'AbortError' || (e as { code?: string }).code === 'ABORT_ERR');
	}
}

interface RootState {
	folder: vscode.WorkspaceFolder;
	/** Read on first use (not during activation: the fingerprint hashes the language table). */
	settingsValue?: FolderSettings;
	/** Skipped files by root-relative path. */
	skipped: Map<string, RootSkip>;
	/** Fingerprint of the settings this folder's records were made with (a warm scan needs them equal). */
	indexedWith?: string;
}

/** Worker threads for analysis: never fewer than 2, so the extension host's own thread never analyzes. */
export function analysisThreads(): number {
	return Math.max(2, Math.min(4, os.availableParallelism()));
}

export class StatsModel extends Disposable {
	private roots: RootState[] = [];
	private indexValue = new FileIndex();
	private stateValue: ModelState = 'idle';
	private store: JsonlIndexStore | undefined;
	private writes: Promise<unknown> = Promise.resolve();
	/** JSON of the meta the store on disk was last written or loaded with (undefined: unknown). */
	private persistedMeta: string | undefined;
	private scanRun: { controller: AbortController; done: Promise<void> } | undefined;
	private loaded: Promise<boolean> | undefined;

	/** The last scan, index load or update. */
	last: UpdateInfo | undefined;
	/** Files done so far by the running scan. */
	progress = { files: 0, bytes: 0 };
	/** Full scans (cold or rescan) started since activation; tests check "no scan on activation". */
	scanCount = 0;
	/** True once a scan finished in this session (an index load alone does not count). */
	scannedThisSession = false;
	/** How the persisted index loaded at start-up: 'ok', 'repaired', 'missing', 'rebuild', or undefined before. */
	indexStatus: string | undefined;

	private readonly _onDidChange = this.register(new vscode.EventEmitter<ModelChange>());
	readonly onDidChange = this._onDidChange.event;
	private readonly _onDidChangeState = this.register(new vscode.EventEmitter<ModelState>());
	readonly onDidChangeState = this._onDidChangeState.event;
	private readonly _onDidProgress = this.register(new vscode.EventEmitter<void>());
	readonly onDidProgress = this._onDidProgress.event;

	constructor(
		private readonly storage: vscode.Uri | undefined,
		private readonly log: { scanner: Logger; index: Logger },
	) {
		super();
		this.setFolders(vscode.workspace.workspaceFolders ?? []);
	}

	// --- reading -----------------------------------------------------------------------------

	get index(): FileIndex {
		return this.indexValue;
	}

	get state(): ModelState {
		return this.stateValue;
	}

	get folders(): readonly vscode.WorkspaceFolder[] {
		return this.roots.map((r) => r.folder);
	}

	get hasResults(): boolean {
		return this.indexValue.size > 0 || this.last !== undefined;
	}

	/** Skipped files, sorted by root then path. */
	skipped(): RootSkip[] {
		const out: RootSkip[] = [];
		for (const r of this.roots) out.push(...r.skipped.values());
		return out.sort((a, b) => a.root - b.root || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
	}

	settingsOf(root: number): FolderSettings | undefined {
		const s = this.roots[root];
		if (!s) return undefined;
		s.settingsValue ??= readFolderSettings(s.folder.uri);
		return s.settingsValue;
	}

	private settings(root: number): FolderSettings {
		return this.settingsOf(root)!;
	}

	/** The root and root-relative '/' path of an absolute path, or undefined outside every folder. */
	locate(fsPath: string): { root: number; rel: string } | undefined {
		let best: { root: number; rel: string } | undefined;
		let bestLen = -1;
		this.roots.forEach((r, i) => {
			const base = r.folder.uri.fsPath;
			const rel = nodePath.relative(base, fsPath);
			if (rel.startsWith('..') || nodePath.isAbsolute(rel)) return;
			// Nested folders: the innermost workspace folder owns the path.
			if (base.length > bestLen) {
				best = { root: i, rel: rel.split(nodePath.sep).join('/') };
				bestLen = base.length;
			}
		});
		return best;
	}

	uriOf(root: number, rel: string): vscode.Uri {
		const base = this.roots[root].folder.uri;
		return rel === '' ? base : vscode.Uri.joinPath(base, ...rel.split('/'));
	}

	// --- folders -------------------------------------------------------------------------------

	/**
	 * Sets the workspace folders. Records of folders that stay are kept (re-keyed to their new root
	 * index); folders that left are dropped. Returns the indexes of new folders (to be scanned).
	 */
	setFolders(folders: readonly vscode.WorkspaceFolder[]): number[] {
		const oldRoots = this.roots;
		const byPath = new Map(oldRoots.map((r, i) => [r.folder.uri.fsPath, i]));
		const added: number[] = [];
		const records: FileRecord[] = [];
		this.roots = folders.map((folder, i) => {
			const old = byPath.get(folder.uri.fsPath);
			if (old === undefined) {
				added.push(i);
				return { folder, skipped: new Map() };
			}
			// Copied as held: a record whose structure is still text stays so (see fileIndex.ts).
			for (const r of this.indexValue.storedUnder(old, '')) records.push({ ...r, root: i });
			const state = oldRoots[old];
			for (const s of state.skipped.values()) s.root = i;
			return { ...state, folder };
		});
		this.indexValue = FileIndex.of(this.roots.map((r) => r.folder.uri.fsPath), records);
		this.persistedMeta = undefined;
		this.store = this.storage ? new JsonlIndexStore(vscode.Uri.joinPath(this.storage, 'index.jsonl').fsPath, { logger: this.log.index }) : undefined;
		this._onDidChange.fire({ reset: true });
		return added;
	}

	private meta(): IndexMeta {
		return { roots: this.indexValue.roots, fingerprint: JSON.stringify(this.roots.map((_, i) => this.settings(i).fingerprint)) };
	}

	private setState(s: ModelState): void {
		if (s === this.stateValue) return;
		this.stateValue = s;
		this._onDidChangeState.fire(s);
	}

	// --- the persisted index -------------------------------------------------------------------

	/**
	 * Loads the persisted index once (later calls return the same promise). Resolves true when
	 * records were loaded and are shown. A damaged index is reported and rebuilt by the next scan.
	 */
	loadIndex(): Promise<boolean> {
		this.loaded ??= this.doLoadIndex();
		return this.loaded;
	}

	private async doLoadIndex(): Promise<boolean> {
		if (!this.store || this.roots.length === 0) return false;
		const t0 = performance.now();
		this.setState('loading');
		try {
			const res = await this.store.load(this.meta());
			this.indexStatus = res.status;
			if (res.status === 'missing' || res.status === 'rebuild') {
				this.log.index.info(`no usable index (${res.status})${res.warnings.length ? ': ' + res.warnings.join('; ') : ''}`);
				return false;
			}
			// A scan that finished while the index was loading is newer than the index.
			if (this.scannedThisSession) return false;
			// fromLoad decodes each record's structure on first use, not all of them now.
			this.indexValue = FileIndex.fromLoad(this.meta().roots, res);
			// A repaired index is rewritten in full by the next persist.
			if (res.status === 'ok') this.persistedMeta = JSON.stringify(this.meta());
			this.roots.forEach((r, i) => (r.indexedWith = this.settings(i).fingerprint));
			await this.loadSkipped();
			const ms = performance.now() - t0;
			this.last = { kind: 'index', at: Date.now(), ms, phases: { 'index load': ms }, added: this.indexValue.size, changed: 0, removed: 0, examples: [] };
			this.log.index.info(`loaded ${this.indexValue.size} records in ${ms.toFixed(1)} ms (${res.status})`);
			if (res.status === 'repaired') void vscode.window.showWarningMessage(vscode.l10n.t('Workspace Stats: the saved index was damaged; the intact part is shown and the next scan repairs it.'));
			this._onDidChange.fire({ reset: true });
			return true;
		} catch (e) {
			this.log.index.error(e instanceof Error ? e : String(e));
			return false;
		} finally {
			if (this.stateValue === 'loading') this.setState('idle');
		}
	}

	/** A file in the extension's workspace storage (undefined without a workspace). */
	storagePath(name: string): string | undefined {
		return this.storage && vscode.Uri.joinPath(this.storage, name).fsPath;
	}

	private skippedFile(): string | undefined {
		return this.storagePath('skipped.json');
	}

	private async loadSkipped(): Promise<void> {
		const file = this.skippedFile();
		if (!file) return;
		try {
			const data = JSON.parse(await fs.promises.readFile(file, 'utf8')) as { fingerprint: string; skipped: RootSkip[] };
			if (data.fingerprint !== JSON.stringify(this.meta())) return;
			for (const s of data.skipped) this.roots[s.root]?.skipped.set(s.path, s);
		} catch {
			// No list or an unreadable one: the next scan rebuilds it.
		}
	}

	/**
	 * Persists one write at a time: `changes` as one journal batch when the store holds the index
	 * for the same roots and settings (nothing at all when they are empty), else the whole index.
	 * The whole-index write serializes every record on this thread, so it is kept for cold scans
	 * and setting or folder changes.
	 */
	private persist(changes?: IndexChanges): Promise<number> {
		const store = this.store;
		if (!store) return Promise.resolve(0);
		const meta = this.meta();
		const metaKey = JSON.stringify(meta);
		const skipped = { fingerprint: metaKey, skipped: this.skipped() };
		const incremental = changes !== undefined && this.persistedMeta === metaKey;
		const run = async () => {
			const t0 = performance.now();
			await fs.promises.mkdir(nodePath.dirname(store.path), { recursive: true });
			if (!incremental) await store.save(this.indexValue.storedValues(), meta);
			else if (changes.upserts.length + changes.deletes.length > 0) await store.commit(changes, () => this.indexValue.storedValues(), meta);
			this.persistedMeta = metaKey;
			const file = this.skippedFile();
			if (file) await fs.promises.writeFile(file, JSON.stringify(skipped));
			return performance.now() - t0;
		};
		const p = this.writes.then(run, run);
		this.writes = p.catch((e: unknown) => {
			this.persistedMeta = undefined;
			this.log.index.error(`saving the index failed: ${e instanceof Error ? e.message : String(e)}`);
		});
		return p;
	}

	/** Resolves once every index write started so far is on disk. */
	async flush(): Promise<void> {
		await this.writes;
	}

	/** Deletes the persisted index and forgets every result. */
	async clearIndex(): Promise<void> {
		await this.cancel();
		await this.writes;
		if (this.storage) {
			for (const f of ['index.jsonl', 'index.jsonl.journal', 'skipped.json']) {
				await fs.promises.rm(vscode.Uri.joinPath(this.storage, f).fsPath, { force: true });
			}
		}
		this.indexValue = new FileIndex(this.indexValue.roots);
		for (const r of this.roots) r.skipped.clear();
		this.last = undefined;
		this.scannedThisSession = false;
		this.persistedMeta = undefined;
		this.log.index.info('index cleared');
		this._onDidChange.fire({ reset: true });
	}

	// --- scanning ------------------------------------------------------------------------------

	/** Resolves once no scan is running. */
	async idle(): Promise<void> {
		while (this.scanRun) await this.scanRun.done.catch(() => undefined);
	}

	/** Aborts the running scan, if any, and waits until it has stopped. */
	async cancel(): Promise<void> {
		const run = this.scanRun;
		if (!run) return;
		run.controller.abort(new CancelledError('scan cancelled'));
		await run.done.catch(() => undefined);
	}

	/**
	 * Scans folders (default: all) and applies the result to the index as one batch per folder;
	 * a new scan aborts the one running. `fromScratch` drops the index first. Rejects with
	 * CancelledError when cancelled (the folders finished before it keep their new results).
	 */
	async scan(opts: { fromScratch?: boolean; roots?: number[]; signal?: AbortSignal } = {}): Promise<UpdateInfo> {
		await this.cancel();
		const controller = new AbortController();
		const onAbort = () => controller.abort(opts.signal?.reason ?? new CancelledError('scan cancelled'));
		opts.signal?.addEventListener('abort', onAbort, { once: true });
		if (opts.signal?.aborted) onAbort();
		const done = this.runScan(opts, controller.signal);
		const run = { controller, done: done.then(() => undefined) };
		this.scanRun = run;
		try {
			return await done;
		} finally {
			opts.signal?.removeEventListener('abort', onAbort);
			if (this.scanRun === run) {
				this.scanRun = undefined;
				this.setState('idle');
			}
		}
	}

	private async runScan(opts: { fromScratch?: boolean; roots?: number[] }, signal: AbortSignal): Promise<UpdateInfo> {
		if (opts.fromScratch) {
			await this.writes;
			this.indexValue = new FileIndex(this.indexValue.roots);
			for (const r of this.roots) r.skipped.clear();
			this.last = undefined;
			this._onDidChange.fire({ reset: true });
		}
		this.scanCount++;
		this.progress = { files: 0, bytes: 0 };
		this.setState('scanning');
		const t0 = performance.now();
		const elDelay = monitorEventLoopDelay({ resolution: 10 });
		elDelay.enable();
		const phases: Record<string, number> = {};
		const info: UpdateInfo = { kind: opts.fromScratch ? 'rescan' : 'scan', at: 0, ms: 0, phases, added: 0, changed: 0, removed: 0, examples: [] };
		const pick = opts.roots ?? this.roots.map((_, i) => i);
		let doneBefore = { files: 0, bytes: 0 };
		let ok = false;
		// What to persist: the warm scans' changes as one journal batch, or (after any cold scan) everything.
		let journal: IndexChanges | undefined = { upserts: [], deletes: [] };
		try {
			for (const i of pick) {
				const state = this.roots[i];
				if (!state) continue;
				state.settingsValue = readFolderSettings(state.folder.uri);
				const settings = state.settingsValue;
				const onProgress = (p: { files: number; bytes: number }) => {
					this.progress = { files: doneBefore.files + p.files, bytes: doneBefore.bytes + p.bytes };
					this._onDidProgress.fire();
				};
				const common = { ...settings.options, jobs: analysisThreads(), signal, logger: this.log.scanner, onProgress };
				// This folder's records as held (pending ones undecoded), listed once: counted here,
				// copied for a warm start.
				const held = [...this.indexValue.storedUnder(i, '')];
				const previous = held.length;
				const tu = { ms: 0 };
				let res: ScanResult;
				if (previous > 0 && state.indexedWith === settings.fingerprint) {
					// Warm: stat every file, re-read only new or changed ones (on a copy of this
					// folder's records, since the core works on one root with one set of options).
					// Copied as held: no structure is decoded for a warm start (most records are still text after a load).
					const sub = FileIndex.of([state.folder.uri.fsPath], held.map((r) => ({ ...r, root: 0 })));
					const warm = await warmScan([state.folder.uri.fsPath], sub, common);
					res = warm;
					const changes: IndexChanges = { upserts: [], deletes: [] };
					for (const c of warm.delta.changed) {
						const r = c.kind === 'removed' ? undefined : sub.get(0, c.path);
						if (r) changes.upserts.push({ ...r, root: i });
						else changes.deletes.push({ root: i, path: c.path });
					}
					info.reused = (info.reused ?? 0) + warm.warm.reused;
					state.skipped = new Map(res.skipped.map((s) => [s.path, { ...s, root: i }]));
					await this.applyInChunks(changes, info, tu);
					if (journal) {
						for (const u of changes.upserts) journal.upserts.push(u);
						for (const d of changes.deletes) journal.deletes.push(d);
					}
				} else {
					journal = undefined;
					// Cold (first scan, or records made with other settings): records go into the
					// index as they arrive, a few hundred at a time, so the views fill in while the
					// scan runs and no single step holds the extension host's thread for long.
					const seen = new Set<string>();
					let pending: FileRecord[] = [];
					let flushed = performance.now();
					const flush = () => {
						if (pending.length === 0) return;
						const t = performance.now();
						const delta = this.indexValue.applyBatch({ upserts: pending, deletes: [] });
						pending = [];
						countChanges(info, delta);
						this._onDidChange.fire({ reset: false, delta });
						flushed = performance.now();
						tu.ms += flushed - t;
					};
					res = await scan([state.folder.uri.fsPath], {
						...common,
						// The records only go into the index, which decodes a structure when a view reads it.
						pendingStructure: true,
						onRecord: (r) => {
							r.root = i;
							seen.add(r.path);
							pending.push(r);
							if (pending.length >= 500 || performance.now() - flushed > 200) flush();
						},
					});
					flush();
					state.skipped = new Map(res.skipped.map((s) => [s.path, { ...s, root: i }]));
					const deletes: FileKey[] = [];
					if (previous > 0) for (const r of this.indexValue.storedUnder(i, '')) if (!seen.has(r.path)) deletes.push({ root: i, path: r.path });
					await this.applyInChunks({ upserts: [], deletes }, info, tu);
				}
				state.indexedWith = settings.fingerprint;
				doneBefore = { ...this.progress };
				for (const [k, v] of Object.entries(res.timing)) if (k !== 'totalMs') phases[k] = (phases[k] ?? 0) + v;
				phases['index update'] = (phases['index update'] ?? 0) + tu.ms;
				this.log.scanner.info(`${state.folder.name}: ${res.aggregates.totals.files} files, ${res.aggregates.totals.lines} lines, ${res.skipped.length} skipped in ${res.timing.totalMs.toFixed(0)} ms`);
			}
			phases['index save'] = await this.persist(journal);
			ok = true;
			return info;
		} finally {
			elDelay.disable();
			info.ms = performance.now() - t0;
			info.at = Date.now();
			if (elDelay.count > 0) info.eventLoop = { maxMs: elDelay.max / 1e6, p99Ms: elDelay.percentile(99) / 1e6, meanMs: elDelay.mean / 1e6 };
			if (ok) {
				this.last = info;
				this.scannedThisSession = true;
				this.log.scanner.info(`scan done in ${info.ms.toFixed(0)} ms (${Object.entries(phases).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}); event loop delay max ${info.eventLoop?.maxMs.toFixed(1)} ms, p99 ${info.eventLoop?.p99Ms.toFixed(1)} ms`);
				this._onDidChange.fire({ reset: false });
			} else if (signal.aborted) {
				this.log.scanner.info(`scan cancelled after ${info.ms.toFixed(0)} ms`);
				// The views may have taken part of the results: let them and the status bar redraw.
				this._onDidChange.fire({ reset: false });
			}
		}
	}

	/**
	 * Applies changes in slices of CHUNK upserts, yielding to the event loop between slices, and
	 * tells the views after each; deletes go first, in one slice (they are cheap).
	 */
	private async applyInChunks(changes: IndexChanges, info: UpdateInfo, tu: { ms: number }): Promise<void> {
		const CHUNK = 1000;
		const slices: IndexChanges[] = [];
		if (changes.deletes.length) slices.push({ upserts: [], deletes: changes.deletes });
		for (let k = 0; k < changes.upserts.length; k += CHUNK) slices.push({ upserts: changes.upserts.slice(k, k + CHUNK), deletes: [] });
		for (const slice of slices) {
			const t = performance.now();
			const delta = this.indexValue.applyBatch(slice);
			countChanges(info, delta);
			this._onDidChange.fire({ reset: false, delta });
			tu.ms += performance.now() - t;
			await new Promise<void>((r) => setImmediate(r));
		}
	}

	// --- live updates --------------------------------------------------------------------------
	// The watchers and one core Processor per folder live in liveUpdates.ts; the processor applies
	// each batch to `index` itself, and the model keeps the rest in step here.

	private skippedDirty: ReturnType<typeof setTimeout> | undefined;

	/**
	 * Takes in a batch a folder's processor has applied to the index: updates the skipped files,
	 * tells the views exactly what moved, records what changed for the status bar and appends the
	 * batch to the saved index. Returns what the batch did, or undefined when only errors came.
	 */
	applyProcessed(b: BatchEvent): UpdateInfo | undefined {
		let skipsMoved = false;
		for (const f of b.rescanned) {
			// A re-listed folder reports every file it leaves out: forget the old list under it.
			if (this.dropSkipped(f.root, f.path)) skipsMoved = true;
		}
		for (const c of b.changed) if (c.kind !== 'removed' && this.roots[c.root]?.skipped.delete(c.path)) skipsMoved = true;
		for (const sk of b.skipped) {
			const state = this.roots[sk.root];
			if (!state) continue;
			state.skipped.set(sk.path, sk);
			skipsMoved = true;
		}
		if (b.changed.length === 0 && !skipsMoved) return undefined;
		const t = b.timing;
		const info: UpdateInfo = {
			kind: 'update', at: Date.now(), ms: t.processMs,
			phases: { stat: t.statMs, analyze: t.analyzeMs, 'index update': t.applyMs },
			added: 0, changed: 0, removed: 0, examples: [],
		};
		countChanges(info, b);
		this.last = info;
		this._onDidChange.fire({ reset: skipsMoved && b.changed.length === 0, delta: { changed: b.changed, aggregates: b.aggregates } });
		const changes: IndexChanges = { upserts: [], deletes: [] };
		for (const c of b.changed) {
			const r = c.kind === 'removed' ? undefined : this.indexValue.get(c.root, c.path);
			if (r) changes.upserts.push(r);
			else changes.deletes.push({ root: c.root, path: c.path });
		}
		void this.persist(changes).then((ms) => {
			info.phases['index save'] = ms;
			// The status bar's tooltip shows the save too.
			if (this.last === info) this._onDidChange.fire({ reset: false });
		}, () => undefined);
		return info;
	}

	/**
	 * A path was deleted (a file or a whole folder, as one watcher event): forget the skipped files
	 * at and under it now, since no index record moves and so no batch may report it.
	 */
	deleted(root: number, rel: string): void {
		if (!this.dropSkipped(root, rel) || this.skippedDirty) return;
		// One redraw and one save for a burst of deletions.
		this.skippedDirty = setTimeout(() => {
			this.skippedDirty = undefined;
			this._onDidChange.fire({ reset: true });
			void this.persist({ upserts: [], deletes: [] }).catch(() => undefined);
		}, 20);
	}

	private dropSkipped(root: number, rel: string): boolean {
		const state = this.roots[root];
		if (!state || state.skipped.size === 0) return false;
		let dropped = false;
		for (const p of [...state.skipped.keys()]) {
			if (rel !== '' && p !== rel && !p.startsWith(rel + '/')) continue;
			state.skipped.delete(p);
			dropped = true;
		}
		return dropped;
	}

	/** The record of a file: from the index when it is current, otherwise analyzed now (files outside the workspace too). */
	async recordOf(uri: vscode.Uri): Promise<FileRecord | RootSkip | undefined> {
		if (uri.scheme !== 'file' && uri.scheme !== 'vscode-remote') return undefined;
		const abs = uri.fsPath;
		const loc = this.locate(abs);
		const st = await fs.promises.stat(abs).catch(() => undefined);
		if (!st?.isFile()) return undefined;
		if (loc) {
			const r = this.indexValue.get(loc.root, loc.rel);
			if (r && r.size === st.size && r.mtimeMs === st.mtimeMs) return r;
			return analyzeFile(abs, loc.rel, loc.root, this.settings(loc.root).options);
		}
		return analyzeFile(abs, nodePath.basename(abs), -1, {});
	}

	override dispose(): void {
		if (this.skippedDirty) clearTimeout(this.skippedDirty);
		this.scanRun?.controller.abort(new CancelledError('extension deactivated'));
		super.dispose();
	}
}

function countChanges(info: UpdateInfo, delta: BatchDelta): void {
	for (const c of delta.changed) {
		if (c.kind === 'added') info.added++;
		else if (c.kind === 'removed') info.removed++;
		else info.changed++;
		if (info.examples.length < 5) info.examples.push(c.path);
	}
}
