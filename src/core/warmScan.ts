// Warm start: bring a loaded index up to date with the disk without reading unchanged files.
// One walk with stat only; a file whose size and mtime equal its record is kept as is; new and
// changed files are analyzed (worker pool for many, the calling thread for a few); records of
// files the walk no longer yields (deleted, now ignored, now skipped) are dropped. The result
// is the cold scan's, from far less work.
//
// The walk (statWalk.ts) runs on worker threads for an index of `STAT_THREADS_MIN_RECORDS`
// files or more, so the calling thread stays free; `scanWithIndex` (the command line) starts it
// before reading the index and walks on its own thread too. There, an index with folder digests
// (indexStore.ts, dirSums.ts) lets the walk report unchanged folders by number: when every
// folder matches and no other file turns up, nothing changed, and the result is the index
// header's aggregates and kept skips, with no record parsed and nothing written. Otherwise the
// records are parsed and only files of folders that did not match are compared one by one; any
// change rewrites the base (fresh digests for the next start) instead of appending a journal batch.

import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileIndex, fileKey } from './fileIndex';
import type { BatchDelta, FileKey } from './fileIndex';
import { JsonlIndexStore } from './indexStore';
import { CONTENT_SKIPS } from './indexStore';
import type { IndexMeta, LoadResult, OpenResult, StoredSkip } from './indexStore';
import { isSkip } from './analyzeWorker';
import type { AnalyzeJob, AnalyzeOutcome } from './analyzeWorker';
import { getLanguageTable } from './languages';
import type { PathFilter } from './matcher';
import { AnalyzerPool } from './pool';
import { analyzeFile, analyzeOptionsOf, scan } from './scanner';
import type { ScanResult, ScanRunOptions } from './scanner';
import type { FileRecord, ScanOptions, Skipped } from './types';
import { isSystemError } from './types';
import { StatWalk, statWorkerAvailable } from './statWalk';
import type { StatChunk } from './statWalk';
import { walk } from './walk';

export interface WarmScanOptions extends ScanOptions {
	/** Keep every record in the result, sorted by root then path (for `--by-file`). @default false */
	keepRecords?: boolean;
	/** A started pool to use (and leave open); else one is started only if enough files changed. */
	pool?: AnalyzerPool;
	/** Pre-built filters, one per root (shared with a watcher). @default built from the options */
	filters?: PathFilter[];
	/**
	 * Threads for the stat walk (see statWalk.ts); 0 walks on the calling thread with `walk()`.
	 * Worker threads are used only without `filters` and when the worker script is there.
	 * @default 0 for an index of fewer than `STAT_THREADS_MIN_RECORDS` records, else
	 * `os.availableParallelism()` capped at 4 (stat scales with cores; the calling thread is free meanwhile)
	 */
	statThreads?: number;
	/**
	 * Changed files per batch sent to the pool; fewer changed files than this in total are
	 * analyzed on the calling thread, so a warm start with little to do starts no threads.
	 * @default 64
	 */
	batchSize?: number;
}

export interface WarmScanResult extends ScanResult {
	/** What the warm start did: records kept unread, files analyzed, records dropped. */
	warm: { reused: number; analyzed: number; removed: number };
	/** The changes as applied to the index (changed paths and aggregate deltas). */
	delta: BatchDelta;
	/**
	 * The files left out for their content (`binary`, `too-large`), with the size and mtime the
	 * walk saw before they were read (or kept from the index): what the index may store.
	 */
	contentSkips: StoredSkip[];
}

let tableHash: string | undefined;

/** Below this many indexed files the walk stays on the calling thread: starting threads costs more than it saves. */
export const STAT_THREADS_MIN_RECORDS = 2000;

/** With the calling thread walking (`scanWithIndex`), below this many indexed files it walks alone. */
export const STAT_SOLO_BELOW_RECORDS = 40_000;

/** The absolute path of a root-relative '/' path, as `walk()` builds it. */
function absPathOf(root: string, rel: string): string {
	const base = root.endsWith(path.sep) ? root : root + path.sep;
	return base + (path.sep === '/' ? rel : rel.split('/').join(path.sep));
}

/** Starts the threaded stat walk when the options allow it and the tree is big enough (`expected` files); else undefined. */
function startStatWalk(absRoots: string[], opts: WarmScanOptions, expected: number, awaitDigests = false, callingThread = false): StatWalk | undefined {
	const threads = opts.statThreads ?? (expected < STAT_THREADS_MIN_RECORDS ? 0
		// The calling thread alone: a second thread's start-up (~40 ms) ate its gain below this size (real tree, 28k files: same wall time, 30% less CPU).
		: callingThread && expected < STAT_SOLO_BELOW_RECORDS ? 1
		: Math.min(4, os.availableParallelism()));
	if (!(threads >= 1) || opts.filters !== undefined || !statWorkerAvailable()) return undefined;
	return new StatWalk(absRoots, {
		include: opts.include, exclude: opts.exclude, respectIgnoreFiles: opts.respectIgnoreFiles,
		followSymlinks: opts.followSymlinks, signal: opts.signal, threads, awaitDigests, callingThread,
	});
}

/**
 * Names everything that changes which files are indexed or how they are counted: filters,
 * analyzer options and the language table. An index written under another fingerprint is
 * rebuilt instead of reused.
 */
export function indexFingerprint(opts: ScanOptions): string {
	tableHash ??= createHash('sha1').update(JSON.stringify(getLanguageTable())).digest('hex').slice(0, 12);
	return JSON.stringify({
		v: 1,
		table: tableHash,
		include: opts.include ?? [],
		exclude: opts.exclude ?? [],
		ignoreFiles: opts.respectIgnoreFiles ?? true,
		follow: opts.followSymlinks ?? false,
		docstringsAsCode: opts.docstringsAsCode ?? false,
		// Only when set: an index written before the option existed stays valid without it.
		...(opts.likeCloc ? { likeCloc: true } : {}),
		maxFileSize: opts.maxFileSize ?? null,
		overrides: opts.languageOverrides ?? null,
	});
}

function compareByRootPath(a: { root: number; path: string }, b: { root: number; path: string }): number {
	return a.root - b.root || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/**
 * Updates `index` (built for the same roots) to match the disk and returns what a cold scan
 * would, plus what changed. `index.roots` must equal the resolved `roots`.
 */
export async function warmScan(roots: string[], index: FileIndex, opts: WarmScanOptions = {}): Promise<WarmScanResult> {
	return warmScanWith(roots, index, opts);
}

/**
 * Folders a digest-matching walk reported whole (see dirSums.ts): their records are current and
 * their files are not in the walk's chunks.
 */
interface MatchedFolders {
	/** The index header's digests and folder table. */
	sums: number[];
	dirs: string[];
	/** Numbers of the digests matched. */
	matched: number[];
	/** The index's content skips: those in matched folders still hold. */
	skips: StoredSkip[];
}

/**
 * `warmScan` over a stat walk already started (by `scanWithIndex`, before it loaded the index),
 * or chunks it already received, with the folders that matched their digests.
 */
async function warmScanWith(roots: string[], index: FileIndex, opts: WarmScanOptions, started?: AsyncIterable<StatChunk>, startedAt?: number,
	folders?: MatchedFolders): Promise<WarmScanResult> {
	const t0 = performance.now();
	const absRoots = roots.map((r) => path.resolve(r));
	if (index.roots.length !== absRoots.length || index.roots.some((r, i) => r !== absRoots[i])) {
		throw new TypeError(`warmScan: the index is for ${JSON.stringify(index.roots)}, not ${JSON.stringify(absRoots)}`);
	}
	const analyzeOpts = analyzeOptionsOf(opts);
	const batchSize = Math.max(1, opts.batchSize ?? 64);
	const timing: { walk: number; walkWait?: number; read: number; analyze: number; apply: number; sort: number } = { walk: 0, read: 0, analyze: 0, apply: 0, sort: 0 };
	/** The records the walk found unchanged. */
	const kept: FileKey[] = [];
	const upserts: FileRecord[] = [];
	const skipped: (Skipped & { root: number })[] = [];
	let reused = 0;
	let analyzed = 0;
	const contentSkips: StoredSkip[] = [];
	/** Kept skips counted in `reused` (they are no records). */
	let reusedSkips = 0;
	/** Size and mtime the walk saw for each file sent to analysis (few): a content skip is kept with them. */
	const judgedAt = new Map<string, [number, number]>();
	/** Keys (fileKey of root and folder) of the folders matched whole. */
	let matchedKeys: Set<string> | undefined;
	if (folders && folders.matched.length > 0) {
		matchedKeys = new Set();
		for (const k of folders.matched) {
			// Records and kept skips: the digest covers both.
			reused += folders.sums[5 * k + 2];
			matchedKeys.add(fileKey(folders.sums[5 * k], folders.dirs[folders.sums[5 * k + 1]]));
		}
		for (const sk of folders.skips) {
			if (!matchedKeys.has(fileKey(sk.root, sk.path.slice(0, Math.max(0, sk.path.lastIndexOf('/')))))) continue;
			contentSkips.push(sk);
			reusedSkips++;
			const { size: _s, mtimeMs: _m, ...plain } = sk;
			skipped.push(plain);
		}
	}

	let pool = opts.pool;
	let ownPool: AnalyzerPool | undefined;
	const inFlight = new Set<Promise<void>>();
	let failure: { e: unknown } | undefined;
	let batch: AnalyzeJob[] = [];

	const take = (outcomes: AnalyzeOutcome[]) => {
		for (const o of outcomes) {
			analyzed++;
			if (isSkip(o)) {
				skipped.push(o);
				const at = CONTENT_SKIPS.has(o.reason) ? judgedAt.get(fileKey(o.root, o.path)) : undefined;
				if (at) contentSkips.push({ ...o, size: at[0], mtimeMs: at[1] });
				continue;
			}
			upserts.push(o);
		}
	};
	const send = () => {
		if (batch.length === 0) return;
		const jobs = batch;
		batch = [];
		if (!pool) {
			ownPool = new AnalyzerPool({ jobs: opts.jobs ?? os.availableParallelism(), analyze: analyzeOpts, logger: opts.logger });
			pool = ownPool;
		} else if (!ownPool) pool.setOptions(analyzeOpts);
		// Pending records (structure as text, see fileIndex.ts): they only go into the index.
		const p: Promise<void> = pool.analyze(jobs, { structure: 'text' }).then(
			(res) => {
				timing.read += res.readMs;
				timing.analyze += res.analyzeMs;
				take(res.outcomes);
			},
			(e: unknown) => {
				failure ??= { e };
			},
		).finally(() => inFlight.delete(p));
		inFlight.add(p);
	};

	/** Looks one walked file up; queues it for analysis unless its record is current. True when a batch was sent. */
	const consider = (root: number, rel: string, size: number, mtimeMs: number, abs: string | undefined): boolean => {
		const rec = index.stat(root, rel);
		if (rec && rec.size === size && rec.mtimeMs === mtimeMs) {
			// Only kept, not hashed: most warm starts remove nothing (see below).
			kept.push(rec);
			reused++;
			return false;
		}
		batch.push({ absPath: abs ?? absPathOf(absRoots[root], rel), relPath: rel, root });
		judgedAt.set(fileKey(root, rel), [size, mtimeMs]);
		if (batch.length < batchSize) return false;
		send();
		return true;
	};
	const drain = async () => {
		while (inFlight.size >= Math.max(2, (pool?.size ?? 1) * 2)) await Promise.race(inFlight);
		if (failure) throw failure.e;
	};

	try {
		const statWalk = started ?? startStatWalk(absRoots, opts, index.size);
		if (statWalk) {
			const tw = performance.now();
			let waited = 0;
			const it = statWalk[Symbol.asyncIterator]();
			try {
				for (;;) {
					const tn = performance.now();
					const next = await it.next();
					waited += performance.now() - tn;
					if (next.done) break;
					const c = next.value;
					for (const sk of c.skipped) skipped.push(sk);
					const { root, paths, stats } = c;
					for (let i = 0; i < paths.length; i++) {
						if (consider(root, paths[i], stats[2 * i], stats[2 * i + 1], c.fileRoot ? absRoots[root] : undefined)) await drain();
					}
					opts.signal?.throwIfAborted();
				}
			} finally {
				await it.return?.(undefined);
			}
			// The walk ran on other threads since it started: its span, and the part of it this thread waited for.
			timing.walk = performance.now() - (startedAt ?? tw);
			timing.walkWait = waited;
		} else {
			const walker = walk(absRoots, {
				include: opts.include,
				exclude: opts.exclude,
				respectIgnoreFiles: opts.respectIgnoreFiles,
				followSymlinks: opts.followSymlinks,
				filters: opts.filters,
				signal: opts.signal,
				stat: true,
			});
			for (;;) {
				const tw = performance.now();
				const next = await walker.next();
				timing.walk += performance.now() - tw;
				if (next.done) break;
				for (const sk of next.value.skipped) skipped.push(sk);
				for (const f of next.value.files) if (consider(f.root, f.relPath, f.size, f.mtimeMs, f.absPath)) await drain();
				opts.signal?.throwIfAborted();
			}
		}
		if (pool) send();
		else if (batch.length > 0) {
			// Few changes: no threads to start; async reads on this thread.
			const ta = performance.now();
			take(await Promise.all(batch.map((j) => analyzeFile(j.absPath, j.relPath, j.root, analyzeOpts))));
			timing.read += performance.now() - ta;
			batch = [];
		}
		while (inFlight.size > 0) await Promise.race(inFlight);
		if (failure) throw failure.e;
	} finally {
		if (ownPool) await ownPool.close();
	}
	opts.signal?.throwIfAborted();

	const tApply = performance.now();
	const deletes: FileKey[] = [];
	// Walked paths are distinct, so when every record was walked again (kept unchanged, or
	// re-analyzed into a record) nothing can be gone and the removal pass is skipped; it needs
	// a set of 100k keys only when some record may have been removed.
	let walkedAgain = reused - reusedSkips;
	for (const u of upserts) if (index.has(u.root, u.path)) walkedAgain++;
	if (walkedAgain !== index.size) {
		const seen = new Set<string>();
		for (const k of kept) seen.add(fileKey(k.root, k.path));
		for (const u of upserts) seen.add(fileKey(u.root, u.path));
		for (const r of index.keys()) {
			if (seen.has(fileKey(r.root, r.path))) continue;
			if (matchedKeys?.has(fileKey(r.root, r.path.slice(0, Math.max(0, r.path.lastIndexOf('/')))))) continue;
			deletes.push({ root: r.root, path: r.path });
		}
	}
	const delta = index.applyBatch({ upserts, deletes });
	timing.apply = performance.now() - tApply;

	const ts = performance.now();
	skipped.sort(compareByRootPath);
	const records = opts.keepRecords ? [...index.values()].sort(compareByRootPath) : undefined;
	timing.sort = performance.now() - ts;

	const result: WarmScanResult = {
		version: 1,
		roots: absRoots,
		aggregates: index.snapshot(),
		skipped,
		timing: { totalMs: performance.now() - t0, ...timing },
		warm: { reused, analyzed, removed: deletes.length },
		delta,
		contentSkips,
	};
	if (records) result.records = records;
	return result;
}

// --- scan through a persistent index ----------------------------------------------------------

export interface IndexedScanOptions extends WarmScanOptions {
	/** fsync the index writes. @default true */
	fsync?: boolean;
	/**
	 * The calling thread walks as one of the `statThreads` (one thread fewer to start), blocking
	 * its event loop for the walk: right for the command line, which has nothing else to do
	 * meanwhile; pass false where the thread must stay responsive.
	 * @default true
	 */
	statOnCallingThread?: boolean;
	/** The cold scan's, when there is no usable index (see `ScanRunOptions.smallScan`). @default off */
	smallScan?: ScanRunOptions['smallScan'];
	/** The cold scan's walk lists folders with synchronous calls (see `ScanRunOptions.syncListing`). @default false */
	syncListing?: boolean;
}

export interface IndexedScanResult extends ScanResult {
	/** How the index was used: `warm` (loaded and updated) or `cold` (missing, unusable: rebuilt). */
	mode: 'warm' | 'cold';
	/** What the warm start did (only when `mode` is `warm`). */
	warm?: WarmScanResult['warm'];
	/** Problems found in the index file; also sent to the logger as warnings. */
	warnings: string[];
	/**
	 * Why the index could not be saved (a system error: a read-only folder, a path that is a
	 * folder, a full disk), also sent to the logger as a warning; undefined when it was saved or
	 * had nothing to save. The rest of the result is complete all the same.
	 */
	saveError?: string;
	/**
	 * The index after the scan (records and aggregates), e.g. to start a processor on. When the
	 * answer came from the index header (nothing changed), the records are parsed on first access.
	 */
	index: FileIndex;
	store: JsonlIndexStore;
	meta: IndexMeta;
}

/**
 * Scans `roots` through the index at `indexPath`: loads it in one batch, warm-scans (re-analyzes
 * only new and changed files), and persists the changes; when the index is missing, damaged
 * beyond use, or was built for other roots or options, scans cold and writes a new one. The
 * result equals a cold scan's. Timing gains `indexLoad` and `indexSave`.
 */
export async function scanWithIndex(roots: string[], indexPath: string, opts: IndexedScanOptions = {}): Promise<IndexedScanResult> {
	const t0 = performance.now();
	const absRoots = roots.map((r) => path.resolve(r));
	const meta: IndexMeta = { roots: absRoots, fingerprint: indexFingerprint(opts) };
	// A folder that cannot be made (its path runs through a file, say): the index cannot be read
	// nor saved there, which the load and the save report in their own words.
	await fsp.mkdir(path.dirname(path.resolve(indexPath)), { recursive: true }).catch(() => undefined);
	const store = new JsonlIndexStore(path.resolve(indexPath), { fsync: opts.fsync, logger: opts.logger });
	// The stat walk starts on its threads before the index is read, so the two overlap (the
	// workers boot while the index is read, then wait for its folder digests); an index file of
	// this size holds about this many records (~280 bytes each).
	const indexBytes = await fsp.stat(store.path).then((st) => st.size, () => 0);
	const tWalk = performance.now();
	const useDigests = !opts.keepRecords;
	const walker = indexBytes > 0 ? startStatWalk(absRoots, opts, indexBytes / 280, useDigests, useDigests && (opts.statOnCallingThread ?? true)) : undefined;
	let opened: OpenResult;
	try {
		opened = await store.open(meta);
	} catch (e) {
		await walker?.close();
		throw e;
	}
	const quick = useDigests ? opened.quick : undefined;
	// The workers start walking now (with digests to match when the index has them).
	if (opened.status === 'ok') walker?.digests(quick ? { sums: quick.sums, dirs: quick.dirs } : undefined);
	let indexLoad = performance.now() - t0;

	if (opened.status === 'ok' && walker && quick) {
		// Nothing changed when every folder of the index matched its digest and the walk found
		// no other file: the stored aggregates are the answer, and no record is parsed.
		const chunks: StatChunk[] = [];
		const matched: number[] = [];
		let files = 0;
		let fileRoot = false;
		let waited = 0;
		/** Digests matched, each counted once (a folder is listed once: walked paths are distinct). */
		const hit = new Uint8Array(quick.sums.length / 5);
		let distinct = 0;
		try {
			const it = walker[Symbol.asyncIterator]();
			for (;;) {
				const tn = performance.now();
				const next = await it.next();
				waited += performance.now() - tn;
				if (next.done) break;
				const c = next.value;
				chunks.push(c);
				files += c.paths.length;
				if (c.fileRoot) fileRoot = true;
				if (c.matched) {
					for (const k of c.matched) {
						matched.push(k);
						if (hit[k] === 0) distinct++;
						hit[k] = 1;
					}
				}
			}
		} finally {
			await walker.close();
		}
		const walkMs = performance.now() - tWalk;
		if (files === 0 && !fileRoot && distinct === hit.length) {
			const skipped: (Skipped & { root: number })[] = [];
			for (const c of chunks) for (const sk of c.skipped) skipped.push(sk);
			for (const { size: _s, mtimeMs: _m, ...sk } of quick.skips) skipped.push(sk);
			skipped.sort(compareByRootPath);
			const result = {
				version: 1 as const, roots: absRoots, aggregates: quick.aggregates, skipped,
				timing: { totalMs: performance.now() - t0, walk: walkMs, walkWait: waited, read: 0, analyze: 0, apply: 0, sort: 0, indexLoad, indexSave: 0 },
				mode: 'warm' as const, warm: { reused: quick.count + quick.skips.length, analyzed: 0, removed: 0 }, warnings: opened.warnings, store, meta,
			} as Omit<IndexedScanResult, 'index'> as IndexedScanResult;
			// The records are parsed only if someone asks for them (the CLI's report does not).
			let index: FileIndex | undefined;
			Object.defineProperty(result, 'index', { enumerable: false, configurable: true, get: () => (index ??= FileIndex.fromLoad(absRoots, opened.load())) });
			return result;
		}
		// Something changed: the records are needed after all.
		const tl = performance.now();
		const loaded = opened.load();
		indexLoad += performance.now() - tl;
		if (loaded.status === 'ok') {
			const index = FileIndex.fromLoad(absRoots, loaded);
			const res = await warmScanWith(absRoots, index, opts, replay(chunks), tWalk, { sums: quick.sums, dirs: quick.dirs, matched, skips: quick.skips });
			res.timing.walk = walkMs;
			return finishWarm(res, index, loaded, store, meta, t0, indexLoad, quick.skips, opts);
		}
		// Damage found only now (the digests may not describe what was kept): walk again.
		const index = FileIndex.fromLoad(absRoots, loaded);
		const res = await warmScanWith(absRoots, index, { ...opts, statThreads: 0 });
		return finishWarm(res, index, loaded, store, meta, t0, indexLoad, null, opts);
	}

	if (opened.status === 'ok') {
		const tl = performance.now();
		let loaded: LoadResult;
		try {
			loaded = opened.load();
		} catch (e) {
			await walker?.close();
			throw e;
		}
		indexLoad += performance.now() - tl;
		const index = FileIndex.fromLoad(absRoots, loaded);
		let res: WarmScanResult;
		try {
			res = await warmScanWith(absRoots, index, opts, walker, tWalk);
		} finally {
			await walker?.close();
		}
		// An index without digests (older, or with journal batches to replay) is rewritten whole
		// once, so the next warm start can take the quick path.
		return finishWarm(res, index, loaded, store, meta, t0, indexLoad, walker !== undefined && useDigests ? null : undefined, opts);
	}

	// No usable index: the walk's results are of no use to a cold scan.
	await walker?.close();
	// Records the caller does not keep only go into the index: their structure stays text until read.
	const res = await scan(absRoots, { ...opts, keepRecords: true, pendingStructure: !opts.keepRecords });
	const index = FileIndex.of(absRoots, res.records ?? []);
	const ts = performance.now();
	const saveError = await saving(store, opts, () => store.save(index.storedValues(), meta, [], index.snapshot()));
	const indexSave = performance.now() - ts;
	if (!opts.keepRecords) delete res.records;
	return {
		...res,
		timing: { ...res.timing, indexLoad, indexSave, totalMs: performance.now() - t0 },
		mode: 'cold', warnings: opened.warnings, index, store, meta, ...(saveError ? { saveError } : {}),
	};
}

/**
 * Runs a write of the index. A system error (it has a `code`: EACCES, EROFS, EISDIR, ENOSPC…)
 * does not fail the scan, whose result is complete: it is logged as a warning and returned.
 * Any other error is a bug and is thrown.
 */
async function saving(store: JsonlIndexStore, opts: IndexedScanOptions, write: () => Promise<unknown>): Promise<string | undefined> {
	try {
		await write();
		return undefined;
	} catch (e) {
		if (!isSystemError(e)) throw e;
		const why = `index ${store.path} could not be saved (${(e as Error).message}); the result is complete, but the index was not updated`;
		opts.logger?.warn(`[index] ${why}`);
		return why;
	}
}

/** Each record's key, size and mtime, without decoding any structure. */
function* statsOf(index: FileIndex): Generator<Pick<FileRecord, 'root' | 'path' | 'size' | 'mtimeMs'>> {
	for (const k of index.keys()) {
		const r = index.stat(k.root, k.path);
		if (r) yield r;
	}
}

function sameSkips(a: readonly StoredSkip[], b: readonly StoredSkip[]): boolean {
	if (a.length !== b.length) return false;
	const key = (s: StoredSkip) => JSON.stringify([s.root, s.path, s.reason, s.detail ?? null, s.size, s.mtimeMs]);
	const set = new Set(a.map(key));
	return b.every((s) => set.has(key(s)));
}

async function* replay(chunks: StatChunk[]): AsyncGenerator<StatChunk> {
	yield* chunks;
}

/**
 * Persists a warm scan's changes and shapes the result. `digests`: when the index keeps folder
 * digests for the next start (the threaded walk), the content skips it held (null: it had no
 * usable digests); then any change is saved by rewriting the base with the new digests and
 * skips (a journal batch would leave the next start without them), and an index without usable
 * digests is rewritten once even when nothing changed. Undefined: journal batches, as always.
 * A write that fails with a system error does not fail the scan: see `saveError`.
 */
async function finishWarm(res: WarmScanResult, index: FileIndex, loaded: LoadResult, store: JsonlIndexStore, meta: IndexMeta, t0: number,
	indexLoad: number, digests: readonly StoredSkip[] | null | undefined, opts: IndexedScanOptions): Promise<IndexedScanResult> {
	const ts = performance.now();
	const upserts: FileRecord[] = [];
	const deletes: FileKey[] = [];
	for (const c of res.delta.changed) {
		if (c.kind === 'removed') deletes.push({ root: c.root, path: c.path });
		else upserts.push(index.get(c.root, c.path)!);
	}
	const changed = upserts.length > 0 || deletes.length > 0 || loaded.status === 'repaired';
	const saveError = await saving(store, opts, async () => {
		if (digests !== undefined) {
			// A journal batch (or the store's compaction), then the digests of the new state in their
			// own small file, so the next start can answer without the records.
			let compacted = false;
			if (changed) compacted = (await store.commit({ upserts, deletes }, () => index.storedValues(), meta, { skips: res.contentSkips, aggregates: res.aggregates })).compacted;
			if (!compacted && (changed || digests === null || !sameSkips(digests, res.contentSkips))) {
				await store.writeDigests(statsOf(index), res.aggregates, res.contentSkips);
			}
		} else if (changed) {
			// A repaired index is rewritten whole (the store knows); an unchanged one is not touched.
			await store.commit({ upserts, deletes }, () => index.storedValues(), meta);
		}
	});
	const indexSave = performance.now() - ts;
	const { delta: _delta, contentSkips: _skips, ...rest } = res;
	return {
		...rest,
		timing: { ...res.timing, indexLoad, indexSave, totalMs: performance.now() - t0 },
		mode: 'warm', warnings: loaded.warnings, index, store, meta, ...(saveError ? { saveError } : {}),
	};
}
