// The processor: ONE long-lived async loop that keeps the index current as files change.
//
// Life cycle: `start()` launches the loop once. It sleeps on a promise until `enqueue` (or
// `stop`) resolves it — no polling, no timers while idle, no loop or worker per event. When
// woken it waits one short batch window (one timer, cut short when the batch is full) so bursts
// coalesce, takes a batch, and:
//   1. resolves each pending path with one lstat: gone → drop its record and, if it was a
//      folder, every record under it; a file → re-analyze unless size and mtime match its
//      record (through an LRU cache keyed by path + mtime + size); a folder → rescan it;
//   2. rescans folders (created or moved-in folders, changed ignore files, storm collapses):
//      list the subtree with stat only, analyze what is new or changed, drop what is gone. Files
//      go to the analyzer as the listing finds them (with a pool: in chunks, like a scan), and a
//      storm's folders skip the stat (the workers read and fstat every file; a record that comes
//      out the same is no change);
//   3. applies the batch to the index (add/subtract: aggregate deltas come out of it) — a big
//      batch in parts while the workers analyze the rest, the parts' deltas merged into one;
//   4. persists it (one journal append, or a full rewrite when the batch changed a large share
//      of the index) — the index on disk is always the state after some whole batch;
//   5. fires ONE `onDidProcessBatch` event with the changed paths, the deltas, skips, errors
//      and timings.
//
// Queue: one entry per path (repeats coalesce: create+change+delete of a temp file is one
// entry that resolves to nothing), plus a set of folders to rescan. Storms: when more than
// `stormThreshold` paths are pending, they collapse into rescans of their top folders, so the
// queue never holds more than `stormThreshold` paths plus one entry per top folder.
//
// Errors in one file (unreadable, analyzer failure) are reported in the batch and never stop
// the loop; a failed persist is reported too, and the next commit rewrites the index in full.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { LRUCache } from 'lru-cache';
import { folderKey } from './aggregate';
import { Emitter } from './emitter';
import type { Event } from './emitter';
import { fileKey } from './fileIndex';
import type { AggregateDelta, ChangedFile, FileIndex, FileKey, IndexBatch, IndexChanges } from './fileIndex';
import type { IndexMeta, IndexStoreBackend } from './indexStore';
import { isSkip } from './analyzeWorker';
import type { AnalyzeJob, AnalyzeOutcome } from './analyzeWorker';
import { ALWAYS_SKIPPED, createPathFilter, extendChain, IGNORE_FILE_NAMES, isIgnored } from './matcher';
import type { PathFilter, RuleChain } from './matcher';
import type { AnalyzerPool } from './pool';
import { analyzeFile, analyzeOptionsOf } from './scanner';
import type { FileRecord, Logger, ScanOptions, Skipped } from './types';
import { silentLogger } from './types';
import { walk, WALK_CONCURRENCY } from './walk';
import { indexFingerprint } from './warmScan';

/** A change reported by a watcher. Paths are absolute; paths outside every root are ignored. */
export type ChangeEvent =
	| { type: 'created' | 'changed' | 'deleted'; path: string }
	/** A folder was deleted (its records go, without a walk). */
	| { type: 'deletedFolder'; path: string }
	/** Re-list a folder and reconcile it with the index (e.g. after the watcher overflowed). */
	| { type: 'rescan'; path: string };

export interface BatchError {
	root: number;
	/** Root-relative path ('' for the root, or the store's path for a persist failure). */
	path: string;
	reason: string;
}

/** What one batch did. Fired once per batch that changed something or hit an error. */
export interface BatchEvent {
	/** 1, 2, 3… per processor. */
	seq: number;
	changed: ChangedFile[];
	aggregates: AggregateDelta;
	/** Files now left out (binary, too large…) with their reason. */
	skipped: (Skipped & { root: number })[];
	errors: BatchError[];
	/** Folders re-listed in this batch. */
	rescanned: FileKey[];
	/** Watcher events folded into this batch and distinct paths they named. */
	events: number;
	paths: number;
	cache: { hits: number; misses: number };
	/**
	 * Milliseconds. `windowMs`: the batch window waited for more events; `processMs`: from the
	 * end of the window to the event (stat + analyze + apply + persist), what a single change
	 * costs; `persistMs` is within it.
	 */
	timing: { windowMs: number; statMs: number; analyzeMs: number; applyMs: number; persistMs: number; processMs: number };
}

export interface ProcessorOptions {
	/** The index to keep current (built for `index.roots`). */
	index: FileIndex;
	/** Where each batch is persisted. @default none (memory only) */
	store?: IndexStoreBackend;
	/** Written with the store's full rewrites. @default { roots: index.roots, fingerprint: indexFingerprint(scanOptions) } */
	meta?: IndexMeta;
	/** Filters and analyzer options; must be those the index was built with. @default {} */
	scanOptions?: ScanOptions;
	/**
	 * Indexes of the index's roots this processor keeps current; events under the other roots are
	 * ignored and their filters never built. Lets several processors share one index, one per root
	 * (the VS Code host: each workspace folder has its own settings).
	 * @default every root
	 */
	ownRoots?: number[];
	/** Pre-built filters, one per root (shared with the warm scan); only owned roots are read. @default built at start */
	filters?: PathFilter[];
	/**
	 * Awaited before each batch is taken: events keep queueing meanwhile. The host waits here for
	 * a full scan in progress, whose results are older than the queued events.
	 * @default none
	 */
	gate?: () => Promise<void>;
	/**
	 * Reads and analyzes one file. @default `analyzeFile` from the scanner with the scan
	 * options' analyzer settings (async reads on this thread).
	 */
	analyze?: (absPath: string, relPath: string, root: number) => Promise<AnalyzeOutcome>;
	/** A started, long-lived pool for rescans with many files to analyze. @default none */
	pool?: AnalyzerPool;
	/**
	 * How long to wait after the first event of a batch for more to arrive. 0 processes at once
	 * (still coalescing whatever is queued by then).
	 * @default 50
	 */
	batchWindowMs?: number;
	/** Paths per batch; a full batch skips the rest of the window. @default 1000 */
	maxBatch?: number;
	/**
	 * Pending paths past which they collapse into rescans of their top folders (event storms,
	 * branch switches). Bounds the queue's memory.
	 * @default 5000
	 */
	stormThreshold?: number;
	/** Entries kept in the analysis cache (path + mtime + size → record). @default 10000 */
	cacheMaxEntries?: number;
	/** Approximate bytes of records kept in the analysis cache. @default 32 MiB */
	cacheMaxBytes?: number;
	/**
	 * Analyzed records after which a big batch applies what it has so far to the index, while
	 * the workers go on with the rest (the batch is still persisted and reported once). Small
	 * parts keep this thread's turns short: the workers' next chunks are sent between them.
	 * @default 500
	 */
	applyEvery?: number;
	/** Files stat-ed or analyzed at once. @default 16 */
	concurrency?: number;
	/**
	 * Share of the index a batch must change (and at least `rewriteMin` records) to be persisted
	 * by rewriting the whole index (an atomic `save`) rather than appending it to the store's
	 * journal, which would otherwise hold about a whole index to replay at every load.
	 * @default 0.25
	 */
	rewriteShare?: number;
	/**
	 * Changed records below which a batch always goes to the journal: a small index is not
	 * rewritten (and fsync'ed twice) for every batch that changes a large share of it.
	 * @default 1000
	 */
	rewriteMin?: number;
	/** Aborting stops the loop after the batch in progress (pending events are dropped). */
	signal?: AbortSignal;
	logger?: Logger;
}

export interface ProcessorStats {
	events: number;
	batches: number;
	/** Most entries (paths + folders to rescan) ever queued at once. */
	peakQueue: number;
	stormCollapses: number;
	cacheHits: number;
	cacheMisses: number;
}

interface PathEntry { root: number; rel: string }
interface FileStat { size: number; mtimeMs: number }

/** Files to analyze past which a batch uses the pool (fewer are analyzed on this thread). */
const POOL_MIN = 64;
/** Records a batch headed for a full rewrite lets the store warm its save up with (see `IndexStoreBackend.warmUp`). */
const WARM_UP_RECORDS = 2000;
/** …taking one record in this many of each part… */
const WARM_UP_STRIDE = 8;
/** …and, at first, this many spread over the index. */
const WARM_UP_INDEX_RECORDS = 256;
/** Files per message to a pool worker. */
const POOL_CHUNK = 64;
/**
 * Chunks in flight per pool worker. Each holds ~3 ms of a worker's work; four left the workers
 * idle 10-30% of a storm whenever this thread applied a part, sixteen keep them busy.
 */
const POOL_IN_FLIGHT = 16;


function errCode(e: unknown): string | undefined {
	return (e as NodeJS.ErrnoException | undefined)?.code;
}

function errText(e: unknown): string {
	return e instanceof Error ? e.message : String(e);
}

/** Rough bytes of a record in memory, for the cache's byte bound. */
function recordBytes(r: FileRecord): number {
	let n = 160 + 2 * (r.path.length + r.language.length);
	// Pending (see fileIndex.ts): the structure is one string until the index decodes it.
	const text = r.imports as unknown;
	if (typeof text === 'string') return n + 4 * text.length; // its lists take about twice the text once decoded
	for (const i of r.imports) n += 32 + 2 * i.length;
	for (const s of r.classes) n += 48 + 2 * s.name.length;
	for (const s of r.functions) n += 48 + 2 * s.name.length;
	return n;
}

/** Runs `fn` over `items` with at most `limit` at once. */
async function forEachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < items.length) await fn(items[next++]);
	};
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const IGNORE_NAMES = [...IGNORE_FILE_NAMES];
const SKIPPED_PARTS = [...ALWAYS_SKIPPED];
/** True while every always-skipped and ignore-file name starts with '.' (see `enqueue`). */
const NAMES_DOTTED = [...IGNORE_NAMES, ...SKIPPED_PARTS].every((n) => n.startsWith('.'));

/** True when one of `rel`'s '/'-separated parts is in `names` (no array built: called per event). */
function hasPart(rel: string, names: readonly string[]): boolean {
	for (const n of names) {
		const at = rel.indexOf(n);
		if (at < 0) continue;
		if (rel === n || rel.startsWith(n + '/') || rel.endsWith('/' + n) || rel.includes('/' + n + '/')) return true;
	}
	return false;
}

/** True when `rel`'s last part is one of `names`. */
function endsWithName(rel: string, names: readonly string[]): boolean {
	for (const n of names) if (rel === n || (rel.endsWith(n) && rel.charCodeAt(rel.length - n.length - 1) === 47 /* '/' */)) return true;
	return false;
}

/**
 * True for an absolute POSIX path with nothing to normalize (no '.', '..' or empty parts, no
 * trailing '/'): what watchers report, so `path.resolve` can be skipped.
 */
function isNormalAbsolute(p: string): boolean {
	if (path.sep !== '/' || p.charCodeAt(0) !== 47) return false;
	// Called per event. Most paths have no '//' and no part starting with '.': two native searches.
	const n = p.length;
	if (p.indexOf('/.') < 0 && p.indexOf('//') < 0) return n === 1 || p.charCodeAt(n - 1) !== 47;
	// Else one pass: a part that is empty, '.' or '..' starts right after a '/'.
	for (let i = 0; i < n; i++) {
		if (p.charCodeAt(i) !== 47) continue;
		const a = p.charCodeAt(i + 1);
		if (a === 47) return false;
		if (i + 1 === n) return n === 1;
		if (a === 46 /* . */) {
			const b = p.charCodeAt(i + 2);
			if (i + 2 === n || b === 47) return false;
			if (b === 46 && (i + 3 === n || p.charCodeAt(i + 3) === 47)) return false;
		}
	}
	return true;
}

export class Processor {
	private readonly index: FileIndex;
	private readonly store: IndexStoreBackend | undefined;
	private readonly meta: IndexMeta;
	private readonly scanOptions: ScanOptions;
	private filters: PathFilter[] | undefined;
	private readonly analyzeOne: (absPath: string, relPath: string, root: number) => Promise<AnalyzeOutcome>;
	private readonly pool: AnalyzerPool | undefined;
	private readonly windowMs: number;
	private readonly maxBatch: number;
	private readonly stormThreshold: number;
	private readonly concurrency: number;
	private readonly applyEvery: number;
	private readonly rewriteShare: number;
	private readonly rewriteMin: number;
	private readonly signal: AbortSignal | undefined;
	private readonly logger: Logger;
	private readonly cache: LRUCache<string, FileRecord>;
	private readonly roots: string[];
	/** Each root with a trailing separator: what paths under it start with. */
	private readonly rootPrefixes: string[];
	/** Per root: normal absolute POSIX path (see `isNormalAbsolute`), so relative paths are slices. */
	private readonly rootsNormal: boolean[];
	private readonly owned: Set<number> | undefined;
	private readonly gate: (() => Promise<void>) | undefined;

	private readonly pending = new Map<string, PathEntry>();
	private readonly rescans = new Map<string, PathEntry>();
	/**
	 * Keys of queued rescans that a storm collapse asked for: the events already said their
	 * files changed, so with a pool their files go to the workers without a stat here first.
	 */
	private readonly stormRescans = new Set<string>();
	private pendingEvents = 0;

	private loop: Promise<void> | undefined;
	private wakeup: (() => void) | undefined;
	private endWindow: (() => void) | undefined;
	private idleWaiters: (() => void)[] = [];
	private busy = false;
	private stopping = false;
	private drain = true;
	private seq = 0;

	readonly stats: ProcessorStats = { events: 0, batches: 0, peakQueue: 0, stormCollapses: 0, cacheHits: 0, cacheMisses: 0 };

	private readonly _onDidProcessBatch: Emitter<BatchEvent>;
	/** One event per batch that changed the index or hit errors. */
	readonly onDidProcessBatch: Event<BatchEvent>;

	constructor(opts: ProcessorOptions) {
		this.index = opts.index;
		this.roots = opts.index.roots;
		this.rootPrefixes = this.roots.map((r) => (r.endsWith(path.sep) ? r : r + path.sep));
		this.rootsNormal = this.roots.map(isNormalAbsolute);
		this.store = opts.store;
		this.scanOptions = opts.scanOptions ?? {};
		this.meta = opts.meta ?? { roots: this.roots, fingerprint: indexFingerprint(this.scanOptions) };
		this.filters = opts.filters;
		this.owned = opts.ownRoots && new Set(opts.ownRoots);
		this.gate = opts.gate;
		const analyzeOpts = analyzeOptionsOf(this.scanOptions);
		this.analyzeOne = opts.analyze ?? ((a, r, root) => analyzeFile(a, r, root, analyzeOpts));
		this.pool = opts.pool;
		this.windowMs = opts.batchWindowMs ?? 50;
		this.maxBatch = opts.maxBatch ?? 1000;
		this.stormThreshold = opts.stormThreshold ?? 5000;
		this.concurrency = opts.concurrency ?? 16;
		this.applyEvery = opts.applyEvery ?? 500;
		this.rewriteShare = opts.rewriteShare ?? 0.25;
		this.rewriteMin = opts.rewriteMin ?? 1000;
		this.signal = opts.signal;
		this.logger = opts.logger ?? silentLogger;
		const check = (name: string, v: number, min: number) => {
			if (!(Number.isFinite(v) && v >= min)) throw new TypeError(`${name} must be a number ≥ ${min}, got ${v}`);
		};
		check('batchWindowMs', this.windowMs, 0);
		check('maxBatch', this.maxBatch, 1);
		check('stormThreshold', this.stormThreshold, 1);
		check('concurrency', this.concurrency, 1);
		check('applyEvery', this.applyEvery, 1);
		check('rewriteShare', this.rewriteShare, 0);
		check('rewriteMin', this.rewriteMin, 0);
		this.cache = new LRUCache<string, FileRecord>({
			max: opts.cacheMaxEntries ?? 10_000,
			maxSize: opts.cacheMaxBytes ?? 32 * 1024 * 1024,
			sizeCalculation: recordBytes,
		});
		this._onDidProcessBatch = new Emitter<BatchEvent>(this.logger);
		this.onDidProcessBatch = this._onDidProcessBatch.event;
	}

	/** Entries waiting: distinct paths plus folders to rescan. */
	get queueLength(): number {
		return this.pending.size + this.rescans.size;
	}

	/** Starts the loop. Call once. */
	start(): void {
		if (this.loop) throw new Error('Processor.start: already started');
		if (this.signal?.aborted) {
			this.stopping = true;
			this.drain = false;
		}
		this.signal?.addEventListener('abort', this.onAbort, { once: true });
		// Busy until the loop first finds the queue empty (it builds the filters first).
		this.busy = true;
		this.loop = this.run();
	}

	private readonly onAbort = () => {
		void this.stop({ drain: false });
	};

	/** Queues a change. Returns false when the path is outside every root or the processor is stopping. */
	enqueue(e: ChangeEvent): boolean {
		if (this.stopping) return false;
		const where = this.locate(e.path);
		if (!where || (this.owned && !this.owned.has(where.root))) return false;
		// Every name checked below starts with a dot: a path with no part starting with one (most
		// of them) skips both checks after one native search.
		const dotted = !NAMES_DOTTED || where.rel.charCodeAt(0) === 46 || where.rel.includes('/.');
		// .git and friends churn constantly and are never indexed: drop their events at the door.
		if (dotted && hasPart(where.rel, SKIPPED_PARTS)) return false;
		this.stats.events++;
		this.pendingEvents++;
		if (e.type === 'rescan' || where.rel === '') this.addRescan(where.root, where.rel);
		else this.addPath(where.root, where.rel);
		if (dotted && endsWithName(where.rel, IGNORE_NAMES)) {
			// New ignore rules change which files of the whole folder count.
			const dir = where.rel.includes('/') ? where.rel.slice(0, where.rel.lastIndexOf('/')) : '';
			this.addRescan(where.root, dir);
		}
		if (this.pending.size > this.stormThreshold) this.collapse();
		const q = this.queueLength;
		if (q > this.stats.peakQueue) this.stats.peakQueue = q;
		if (this.pending.size >= this.maxBatch) this.endWindow?.();
		this.wake();
		return true;
	}

	/** Resolves when nothing is queued and no batch is running. */
	whenIdle(): Promise<void> {
		if (!this.busy && this.queueLength === 0) return Promise.resolve();
		return new Promise((resolve) => this.idleWaiters.push(resolve));
	}

	/**
	 * Stops the loop. With `drain` (default) the queued changes are processed first; without, they
	 * are dropped (a later warm start picks them up). Either way the batch in progress completes,
	 * so the index on disk is the state after a whole batch.
	 */
	async stop(opts: { drain?: boolean } = {}): Promise<void> {
		this.drain = this.stopping ? this.drain && (opts.drain ?? true) : (opts.drain ?? true);
		this.stopping = true;
		if (!this.drain) {
			this.pending.clear();
			this.rescans.clear();
			this.stormRescans.clear();
		}
		this.signal?.removeEventListener('abort', this.onAbort);
		this.endWindow?.();
		this.wake();
		await this.loop;
		this._onDidProcessBatch.dispose();
	}

	// --- queue ------------------------------------------------------------------------------

	private locate(abs: string): PathEntry | undefined {
		const p = isNormalAbsolute(abs) ? abs : path.resolve(abs);
		let best = -1;
		for (let i = 0; i < this.roots.length; i++) {
			const r = this.roots[i];
			if ((p === r || p.startsWith(this.rootPrefixes[i])) && (best < 0 || r.length > this.roots[best].length)) best = i;
		}
		if (best < 0) return undefined;
		if (!this.rootsNormal[best]) {
			return { root: best, rel: path.relative(this.roots[best], p).split(path.sep).join('/') };
		}
		// Under a normal root: the path past the root's prefix is already the relative path.
		return { root: best, rel: p === this.roots[best] ? '' : p.slice(this.rootPrefixes[best].length) };
	}

	/** True when a queued rescan of `rel` or of a folder above it will see this path anyway. */
	private coveredByRescan(root: number, rel: string): boolean {
		if (this.rescans.size === 0) return false;
		if (this.rescans.has(fileKey(root, ''))) return true;
		// Shortest folders first (a storm's rescans are top folders), no array built.
		for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) {
			if (this.rescans.has(fileKey(root, rel.slice(0, i)))) return true;
		}
		return this.rescans.has(fileKey(root, rel));
	}

	private addPath(root: number, rel: string): void {
		if (this.coveredByRescan(root, rel)) return;
		const key = fileKey(root, rel);
		// Re-inserting moves a repeated path to the back: it is resolved once, with its latest state.
		this.pending.delete(key);
		this.pending.set(key, { root, rel });
	}

	private addRescan(root: number, rel: string): void {
		if (this.coveredByRescan(root, rel)) return;
		const prefix = rel === '' ? '' : rel + '/';
		for (const [k, e] of this.rescans) if (e.root === root && (prefix === '' || e.rel.startsWith(prefix))) this.rescans.delete(k);
		this.rescans.set(fileKey(root, rel), { root, rel });
	}

	/** Too many paths queued: replace them by rescans of their top-level folders. */
	private collapse(): void {
		this.stats.stormCollapses++;
		const tops = new Map<string, PathEntry>();
		for (const e of this.pending.values()) {
			const slash = e.rel.indexOf('/');
			const top = slash < 0 ? '' : e.rel.slice(0, slash);
			tops.set(fileKey(e.root, top), { root: e.root, rel: top });
		}
		this.pending.clear();
		for (const t of tops.values()) {
			this.addRescan(t.root, t.rel);
			this.stormRescans.add(fileKey(t.root, t.rel));
		}
		this.logger.info(`[processor] event storm: collapsed into rescans of ${tops.size} folder(s)`);
		this.endWindow?.();
	}

	private wake(): void {
		const w = this.wakeup;
		this.wakeup = undefined;
		w?.();
	}

	// --- the loop ---------------------------------------------------------------------------

	private async run(): Promise<void> {
		try {
			if (!this.filters) {
				const filters: PathFilter[] = [];
				await Promise.all(this.roots.map(async (r, i) => {
					if (!this.owned || this.owned.has(i)) filters[i] = await createPathFilter(r, this.scanOptions, this.roots);
				}));
				this.filters = filters;
			}
		} catch (e) {
			this.logger.error(`[processor] cannot build filters: ${errText(e)}`);
			this.stopping = true;
		}
		for (;;) {
			if (this.stopping && !this.drain) break;
			if (this.queueLength === 0) {
				this.busy = false;
				this.settleIdle();
				if (this.stopping) break;
				await new Promise<void>((resolve) => (this.wakeup = resolve));
				continue;
			}
			this.busy = true;
			const tw = performance.now();
			// A full batch skips the window; so does a collapsed storm (more than a batch's worth of
			// events came, and its rescans read the files as they are when they run, so waiting
			// for the rest of the storm would change nothing but the wait).
			if (!this.stopping && this.windowMs > 0 && this.pending.size < this.maxBatch && this.stormRescans.size === 0) {
				await new Promise<void>((resolve) => {
					const timer = setTimeout(done, this.windowMs);
					function done() {
						clearTimeout(timer);
						resolve();
					}
					this.endWindow = done;
				});
				this.endWindow = undefined;
			}
			const windowMs = performance.now() - tw;
			if (this.gate) {
				try {
					await this.gate();
				} catch (e) {
					this.logger.warn(`[processor] gate failed: ${errText(e)}`);
				}
			}
			if (this.stopping && !this.drain) break;
			await this.processBatch(windowMs);
		}
		this.busy = false;
		this.pending.clear();
		this.rescans.clear();
		this.settleIdle();
	}

	private settleIdle(): void {
		const ws = this.idleWaiters;
		this.idleWaiters = [];
		for (const w of ws) w();
	}

	/** Takes up to `maxBatch` paths and every queued rescan, and processes them. Never throws. */
	private async processBatch(windowMs: number): Promise<void> {
		const t0 = performance.now();
		const paths: PathEntry[] = [];
		for (const [k, e] of this.pending) {
			if (paths.length >= this.maxBatch) break;
			this.pending.delete(k);
			paths.push(e);
		}
		const rescans = [...this.rescans.values()];
		this.rescans.clear();
		const stormKeys = new Set(this.stormRescans);
		this.stormRescans.clear();
		const events = this.pendingEvents;
		this.pendingEvents = 0;

		const timing = { windowMs, statMs: 0, analyzeMs: 0, applyMs: 0, persistMs: 0, processMs: 0 };
		// A big batch is applied in parts while the workers analyze the rest (this thread would
		// wait for them otherwise); persisted and reported once, as one batch.
		const applying = this.index.beginBatch();
		// Once the parts so far make the batch a full rewrite's, the store runs its save's work
		// over a few of them (results dropped): the save then starts in optimized code.
		let upserted = 0;
		let warmed = this.store?.warmUp ? 0 : WARM_UP_RECORDS;
		const b = new BatchBuilder(this.index, applying, (changes) => {
			const tp = performance.now();
			applying.apply(changes);
			upserted += changes.upserts.length;
			if (warmed < WARM_UP_RECORDS && this.isRewrite(upserted)) {
				// Records spread over many parts, and at first over the whole index (records loaded
				// and not replaced since are built elsewhere): the save's code meets every shape of
				// record and of structure list here, not in the save, where each new one would throw
				// its optimized code away.
				const sample: FileRecord[] = warmed === 0 ? this.index.sample(WARM_UP_INDEX_RECORDS, true) : [];
				for (let i = 0; i < changes.upserts.length; i += WARM_UP_STRIDE) sample.push(changes.upserts[i]);
				this.store!.warmUp!(sample);
				warmed += sample.length;
			}
			timing.applyMs += performance.now() - tp;
		});
		const hits0 = this.stats.cacheHits;
		const misses0 = this.stats.cacheMisses;
		let delta: ReturnType<FileIndex['applyBatch']> | undefined;
		try {
			// 1. Paths: one lstat each.
			const ts = performance.now();
			const toAnalyze: { e: PathEntry; st: { size: number; mtimeMs: number } }[] = [];
			const gone: PathEntry[] = [];
			await forEachLimit(paths, this.concurrency, async (e) => {
				const abs = this.absOf(e);
				let st: fs.Stats;
				try {
					st = this.scanOptions.followSymlinks ? await fs.promises.stat(abs) : await fs.promises.lstat(abs);
				} catch (err) {
					const code = errCode(err);
					if (code === 'ENOENT' || code === 'ENOTDIR') gone.push(e);
					else b.error(e, `cannot stat: ${errText(err)}`);
					return;
				}
				if (st.isDirectory()) {
					if (await this.filters![e.root].isIncluded(e.rel, true)) rescans.push(e);
					else gone.push(e);
				} else if (st.isFile()) {
					if (!(await this.filters![e.root].isIncluded(e.rel, false))) {
						gone.push(e); // excluded or ignored (perhaps newly)
						return;
					}
					const rec = this.index.stat(e.root, e.rel);
					if (!rec || rec.size !== st.size || rec.mtimeMs !== st.mtimeMs) toAnalyze.push({ e, st });
					else b.keep(e);
				} else {
					// A symbolic link we do not follow, a socket, a FIFO…: not indexed.
					gone.push(e);
					if (!st.isSymbolicLink() && (await this.filters![e.root].isIncluded(e.rel, false))) b.skip({ path: e.rel, root: e.root, reason: 'special' });
				}
			});
			// Gone paths: their record, and the records under them when they were folders.
			b.removeUnder(gone);
			timing.statMs += performance.now() - ts;

			// 2 + 3. Rescans and analysis, overlapped: files go to the analyzer as the listing
			// finds them (in chunks to the pool, like a scan), so the workers start at once.
			const ta = performance.now();
			const sink = this.analyzeSink(b);
			for (const t of toAnalyze) await sink.push(t.e, this.absOf(t.e), t.st);
			const rescanned = this.mergeRescans(rescans);
			for (const f of rescanned) {
				// A storm's folders: the events said their files changed, so the workers read and
				// fstat them all (no stat here); a record that came out the same is no change.
				const readAll = this.pool !== undefined && stormKeys.has(fileKey(f.root, f.rel));
				await this.listFolder(f, b, !readAll, (file, abs, st) => {
					if (st) {
						const rec = this.index.stat(file.root, file.rel);
						if (rec && rec.size === st.size && rec.mtimeMs === st.mtimeMs) {
							b.keep(file);
							return undefined;
						}
					}
					// Seen on disk: its outcome says so (a record, a skip) or, if analysis fails, the error.
					return sink.push(file, abs, st, !readAll);
				});
			}
			const listMs = performance.now() - ta;
			timing.statMs += listMs;
			await sink.finish();
			timing.analyzeMs = performance.now() - ta - listMs;
			// After the outcomes: a listed file is known by its outcome (see BatchBuilder.seen).
			b.removeUnseenUnder(rescanned);
			this.stats.cacheHits += sink.hits;
			this.stats.cacheMisses += sink.misses;

			// 4. Apply.
			const tp = performance.now();
			b.flush();
			delta = applying.finish();
			timing.applyMs += performance.now() - tp;

			// 5. Persist only what really changed.
			if (this.store && delta.changed.length > 0) {
				const tpersist = performance.now();
				try {
					if (this.isRewrite(delta.changed.length)) {
						// A storm: the journal line would be about as big as the index, and read back
						// at every load until the next compaction. One full (atomic) rewrite instead.
						// The index's aggregates are exact (kept by add/subtract): the store needn't re-sum them.
						await this.store.save(this.index.storedArray(), this.meta, [], this.index.snapshot());
					} else {
						const upserts: FileRecord[] = [];
						const deletes: FileKey[] = [];
						for (const c of delta.changed) {
							if (c.kind === 'removed') deletes.push({ root: c.root, path: c.path });
							else upserts.push(this.index.get(c.root, c.path)!);
						}
						await this.store.commit({ upserts, deletes }, () => this.index.storedValues(), this.meta);
					}
				} catch (err) {
					b.error({ root: -1, rel: this.store.path }, `cannot save the index: ${errText(err)}`);
				}
				timing.persistMs = performance.now() - tpersist;
			}
			timing.processMs = performance.now() - t0;
			this.stats.batches++;
			if (delta.changed.length > 0 || b.errors.length > 0 || b.skipped.length > 0) {
				this.seq++;
				this._onDidProcessBatch.fire({
					seq: this.seq,
					changed: delta.changed,
					aggregates: delta.aggregates,
					skipped: b.skipped,
					errors: b.errors,
					rescanned: rescanned.map((f) => ({ root: f.root, path: f.rel })),
					events,
					paths: paths.length,
					cache: { hits: this.stats.cacheHits - hits0, misses: this.stats.cacheMisses - misses0 },
					timing,
				});
			}
			for (const err of b.errors) this.logger.warn(`[processor] ${err.path}: ${err.reason}`);
		} catch (err) {
			// A bug, not a file problem: report it and keep the loop alive.
			this.logger.error(`[processor] batch failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
		}
	}

	/** True when a batch that changed `changed` files is persisted by a full rewrite (see `rewriteShare`). */
	private isRewrite(changed: number): boolean {
		return changed >= this.rewriteMin && changed > this.rewriteShare * this.index.size;
	}

	private absOf(e: PathEntry): string {
		return e.rel === '' ? this.roots[e.root] : path.join(this.roots[e.root], ...e.rel.split('/'));
	}

	/** Drops rescans inside other rescans of the same batch. */
	private mergeRescans(list: PathEntry[]): PathEntry[] {
		const out: PathEntry[] = [];
		const sorted = [...list].sort((a, b) => a.root - b.root || a.rel.length - b.rel.length);
		for (const f of sorted) {
			if (out.some((o) => o.root === f.root && (o.rel === '' || f.rel === o.rel || f.rel.startsWith(o.rel + '/')))) continue;
			out.push(f);
		}
		return out;
	}

	/**
	 * Lists the files under a folder as a walk of the root would yield them (same filters) and
	 * hands each to `onFile` with its absolute path and, with `stat`, its size and mtime. The
	 * whole root goes through the walker; a subfolder is listed here with the root's filter
	 * answering for each entry.
	 */
	private async listFolder(
		f: PathEntry,
		b: BatchBuilder,
		stat: boolean,
		/** Returns a promise only when the caller must wait (the pool is full): no promise per file. */
		onFile: (e: PathEntry, abs: string, st: FileStat | undefined) => Promise<void> | undefined,
	): Promise<void> {
		const filter = this.filters![f.root];
		if (f.rel !== '') filter.invalidate(f.rel);
		else filter.invalidate();
		if (f.rel === '' || this.scanOptions.followSymlinks) {
			// The walker handles link loops; with links followed a subfolder is walked from the root.
			const prefix = f.rel === '' ? '' : f.rel + '/';
			for await (const wb of walk([this.roots[f.root]], { filters: [filter], followSymlinks: this.scanOptions.followSymlinks, stat, signal: this.signal })) {
				for (const e of wb.files) {
					if (prefix === '' || e.relPath.startsWith(prefix)) {
						const wait = onFile({ root: f.root, rel: e.relPath }, e.absPath, stat ? e : undefined);
						if (wait) await wait;
					}
				}
				for (const s of wb.skipped) if (prefix === '' || s.path.startsWith(prefix)) b.skip({ ...s, root: f.root });
			}
			return;
		}
		// The folder may be gone, or be a file now (a folder replaced by a file of its name).
		const absTop = this.absOf(f);
		let top: fs.Stats;
		try {
			top = await fs.promises.lstat(absTop);
		} catch {
			return;
		}
		if (top.isFile()) {
			if (await filter.isIncluded(f.rel, false)) await onFile(f, absTop, { size: top.size, mtimeMs: top.mtimeMs });
			return;
		}
		if (!top.isDirectory() || !(await filter.isIncluded(f.rel, true))) return;
		// As the walker does: each entry is checked on its own (its folders were when the listing
		// entered them) against the rules of its folder, which are its parent's plus the folder's
		// own ignore files when the listing sees some.
		const parentRel = f.rel.includes('/') ? f.rel.slice(0, f.rel.lastIndexOf('/')) : '';
		type Dir = { rel: string; abs: string; chain: RuleChain | null; listing?: Promise<fs.Dirent[] | Error> };
		const stack: Dir[] = [{ rel: f.rel, abs: absTop, chain: await filter.chainOf(parentRel) }];
		// The next folders to list are read ahead, a few at once as the walker does (one listing
		// at a time left the workers waiting for files).
		const list = (d: Dir) => (d.listing ??= fs.promises.readdir(d.abs, { withFileTypes: true }).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
		const files: { e: PathEntry; abs: string }[] = [];
		while (stack.length > 0) {
			const dir = stack.pop()!;
			const listing = list(dir);
			for (let k = stack.length - 1; k >= 0 && k >= stack.length - (WALK_CONCURRENCY - 1); k--) list(stack[k]);
			const dirents = await listing;
			if (!Array.isArray(dirents)) {
				const code = errCode(dirents);
				if (code !== 'ENOENT' && code !== 'ENOTDIR') b.skip({ path: dir.rel, root: f.root, reason: 'unreadable-folder', detail: errText(dirents) });
				continue;
			}
			let chain = dir.chain;
			if (filter.respectIgnoreFiles && dirents.some((d) => (IGNORE_NAMES as readonly string[]).includes(d.name))) {
				const texts = await Promise.all(IGNORE_NAMES.map((n) => fs.promises.readFile(dir.abs + path.sep + n, 'utf8').catch(() => '')));
				chain = extendChain(chain, dir.rel, texts);
			}
			if (filter.respectIgnoreFiles) filter.remember(dir.rel, chain);
			files.length = 0;
			for (const d of dirents) {
				const name = d.name;
				if (ALWAYS_SKIPPED.has(name)) continue;
				const rel = `${dir.rel}/${name}`;
				if (d.isFile()) {
					if (!filter.dropsFile(rel) && !isIgnored(chain, rel, false)) {
						const abs = dir.abs + path.sep + name;
						if (stat) files.push({ e: { root: f.root, rel }, abs });
						else {
							const wait = onFile({ root: f.root, rel }, abs, undefined);
							if (wait) await wait;
						}
					}
				} else if (d.isDirectory()) {
					if (!filter.excludesDir(rel) && !isIgnored(chain, rel, true)) stack.push({ rel, abs: dir.abs + path.sep + name, chain });
				} else if (!d.isSymbolicLink() && !filter.dropsFile(rel) && !isIgnored(chain, rel, false)) {
					b.skip({ path: rel, root: f.root, reason: 'special' });
				}
			}
			if (!stat || files.length === 0) continue;
			const stats: (FileStat | undefined)[] = new Array(files.length);
			let i = 0;
			await forEachLimit(files, this.concurrency, async (x) => {
				const at = i++;
				try {
					stats[at] = await fs.promises.stat(x.abs);
				} catch (err) {
					if (errCode(err) !== 'ENOENT') b.skip({ path: x.e.rel, root: x.e.root, reason: 'unreadable', detail: errText(err) });
				}
			});
			for (let j = 0; j < files.length; j++) {
				const st = stats[j];
				if (!st) continue;
				const wait = onFile(files[j].e, files[j].abs, { size: st.size, mtimeMs: st.mtimeMs });
				if (wait) await wait;
			}
		}
	}

	private cacheKey(root: number, rel: string, size: number, mtimeMs: number): string {
		return `${root}\u0000${rel}\u0000${mtimeMs}\u0000${size}`;
	}

	/**
	 * Analysis of one batch's files as they are found: cache first; with a pool, once more than
	 * `POOL_MIN` files need analysis they go to the workers in chunks as they come (at most
	 * `POOL_IN_FLIGHT` chunks per worker in flight, so the listing waits for the workers rather
	 * than queueing the whole tree); fewer are analyzed here at `finish`.
	 */
	private analyzeSink(b: BatchBuilder): {
		push(e: PathEntry, abs: string, st: FileStat | undefined, cache?: boolean): Promise<void> | undefined;
		finish(): Promise<void>;
		hits: number;
		misses: number;
	} {
		const pool = this.pool;
		let queued: AnalyzeJob[] = [];
		/** Per queued job: keep its outcome in the cache. */
		let queuedCache: boolean[] = [];
		let toPool = false;
		const inFlight = new Set<Promise<void>>();
		const maxInFlight = pool ? Math.max(4, pool.size * POOL_IN_FLIGHT) : 0;
		const take = (e: PathEntry, o: AnalyzeOutcome, cache: boolean) => {
			if (isSkip(o)) {
				if (o.reason === 'vanished') b.remove(e);
				else if (o.reason === 'unreadable') {
					b.remove(e);
					b.error(e, o.detail ? `unreadable: ${o.detail}` : 'unreadable');
				} else {
					b.remove(e);
					b.skip(o);
				}
				return;
			}
			if (cache) this.cache.set(this.cacheKey(o.root, o.path, o.size, o.mtimeMs), o);
			b.upsert(o);
			if (b.upsertCount >= this.applyEvery) b.flush();
		};
		const send = () => {
			const chunk = queued;
			const cacheIt = queuedCache;
			queued = [];
			queuedCache = [];
			// Pending records (structure as text): they only go into the index.
			const p: Promise<void> = pool!.analyze(chunk, { structure: 'text' }).then(
				(res) => res.outcomes.forEach((o, i) => take({ root: chunk[i].root, rel: chunk[i].relPath }, o, cacheIt[i])),
				(err: unknown) => {
					for (const j of chunk) {
						const e = { root: j.root, rel: j.relPath };
						b.keep(e); // on disk, not analyzed: its record (if any) stays
						b.error(e, `analysis failed: ${errText(err)}`);
					}
				},
			).finally(() => inFlight.delete(p));
			inFlight.add(p);
		};
		const room = async (): Promise<void> => {
			while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
		};
		const sink = {
			hits: 0,
			misses: 0,
			/**
			 * Queues a file; returns a promise only when the pool has its fill of chunks in
			 * flight. `cache: false` keeps the outcome out of the cache (a storm's files: tens of
			 * thousands of records that would only evict the entries worth keeping).
			 */
			push: (e: PathEntry, abs: string, st: FileStat | undefined, cache = true): Promise<void> | undefined => {
				if (st) {
					const hit = this.cache.get(this.cacheKey(e.root, e.rel, st.size, st.mtimeMs));
					if (hit) {
						sink.hits++;
						b.upsert(hit);
						return;
					}
				}
				sink.misses++;
				queued.push({ absPath: abs, relPath: e.rel, root: e.root });
				queuedCache.push(cache);
				if (!pool) return;
				if (!toPool && queued.length > POOL_MIN) toPool = true;
				if (toPool && queued.length >= POOL_CHUNK) {
					send();
					if (inFlight.size >= maxInFlight) return room();
				}
				return undefined;
			},
			finish: async (): Promise<void> => {
				if (toPool) {
					if (queued.length > 0) send();
					while (inFlight.size > 0) await Promise.race(inFlight);
					return;
				}
				const jobs = queued;
				const cacheIt = queuedCache;
				queued = [];
				queuedCache = [];
				let i = 0;
				await forEachLimit(jobs, this.concurrency, async (j) => {
					const cache = cacheIt[i++];
					const e = { root: j.root, rel: j.relPath };
					try {
						take(e, await this.analyzeOne(j.absPath, j.relPath, j.root), cache);
					} catch (err) {
						b.keep(e);
						b.error(e, `analysis failed: ${errText(err)}`);
					}
				});
			},
		};
		return sink;
	}
}

/** True when one of `rel`'s folders other than the root is in `folders` (keys by `fileKey`); no array built. */
function inFolderOf(folders: Set<string>, root: number, rel: string): boolean {
	for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) {
		if (folders.has(fileKey(root, rel.slice(0, i)))) return true;
	}
	return false;
}

/**
 * Collects one batch's changes in order and hands them to the index batch in parts: upserts are
 * buffered (an array, no map: a storm's files are each seen once), a removal first flushes the
 * buffer so the order of the two holds.
 */
class BatchBuilder {
	private upserts: FileRecord[] = [];
	private deletes: FileKey[] = [];
	/** Paths seen on disk that the batch did not change otherwise (kept by stat, analysis failed). */
	private readonly kept = new Set<string>();
	readonly skipped: (Skipped & { root: number })[] = [];
	readonly errors: BatchError[] = [];

	constructor(
		private readonly index: FileIndex,
		private readonly batch: IndexBatch,
		private readonly applyPart: (changes: IndexChanges) => void,
	) {}

	keep(e: PathEntry): void {
		this.kept.add(fileKey(e.root, e.rel));
	}

	upsert(r: FileRecord): void {
		this.upserts.push(r);
	}

	remove(e: PathEntry): void {
		if (this.upserts.length > 0) this.flush();
		if (this.index.has(e.root, e.rel)) this.deletes.push({ root: e.root, path: e.rel });
	}

	/** True when the batch saw the index's record `r` on disk: kept, or touched by the batch (added, changed, same). */
	private seen(r: FileKey): boolean {
		// By identity first (no key string built): most records a rescan saw are the batch's own.
		return this.batch.holds(r) || (this.kept.size > 0 && this.kept.has(fileKey(r.root, r.path)));
	}

	skip(s: Skipped & { root: number }): void {
		this.skipped.push(s);
	}

	error(e: PathEntry, reason: string): void {
		this.errors.push({ root: e.root, path: e.rel, reason });
	}

	/** Removes the records at these paths and under them (one pass over the index for all). */
	removeUnder(gone: PathEntry[]): void {
		if (gone.length === 0) return;
		this.flush();
		const folders = new Set<string>();
		for (const g of gone) {
			if (this.index.has(g.root, g.rel)) this.remove(g);
			// Folder totals exist exactly while some record is under the folder.
			else if (this.index.aggregates.folders.has(folderKey(g.root, g.rel))) folders.add(fileKey(g.root, g.rel));
		}
		if (folders.size === 0) return;
		// keys(): no record's structure is decoded for this pass.
		for (const r of this.index.keys()) if (inFolderOf(folders, r.root, r.path)) this.remove({ root: r.root, rel: r.path });
	}

	/**
	 * After rescans of `folders` (no two nested): records under them that the listings did not
	 * see are gone. One pass over the index's keys for all of them, decoding no structure.
	 */
	removeUnseenUnder(folders: PathEntry[]): void {
		if (folders.length === 0) return;
		// Applied first: what is still buffered counts as seen, and the pass below never
		// flushes (so never changes the index it iterates).
		this.flush();
		const whole = new Set<number>();
		const subs = new Set<string>();
		for (const f of folders) {
			if (f.rel === '') whole.add(f.root);
			else subs.add(fileKey(f.root, f.rel));
		}
		for (const r of this.index.keys()) {
			if (this.seen(r)) continue;
			if (whole.has(r.root) || (subs.size > 0 && (subs.has(fileKey(r.root, r.path)) || inFolderOf(subs, r.root, r.path)))) {
				this.remove({ root: r.root, rel: r.path });
			}
		}
	}

	get upsertCount(): number {
		return this.upserts.length;
	}

	/** Applies what was collected since the last flush, as one part of the batch. */
	flush(): void {
		if (this.upserts.length === 0 && this.deletes.length === 0) return;
		const changes = { upserts: this.upserts, deletes: this.deletes };
		this.upserts = [];
		this.deletes = [];
		this.applyPart(changes);
	}
}
