// Warm start: bring a loaded index up to date with the disk without reading unchanged files.
// One walk with stat only; a file whose size and mtime equal its record is kept as is; new and
// changed files are analyzed (worker pool for many, the calling thread for a few); records of
// files the walk no longer yields (deleted, now ignored, now skipped) are dropped. The result
// is the cold scan's, from far less work.

import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileIndex, fileKey } from './fileIndex';
import type { BatchDelta, FileKey } from './fileIndex';
import { JsonlIndexStore } from './indexStore';
import type { IndexMeta } from './indexStore';
import { isSkip } from './analyzeWorker';
import type { AnalyzeJob, AnalyzeOutcome } from './analyzeWorker';
import { getLanguageTable } from './languages';
import type { PathFilter } from './matcher';
import { AnalyzerPool } from './pool';
import { analyzeFile, scan } from './scanner';
import type { ScanResult } from './scanner';
import type { AnalyzeOptions, FileRecord, ScanOptions, Skipped } from './types';
import { walk } from './walk';

export interface WarmScanOptions extends ScanOptions {
	/** Keep every record in the result, sorted by root then path (for `--by-file`). @default false */
	keepRecords?: boolean;
	/** A started pool to use (and leave open); else one is started only if enough files changed. */
	pool?: AnalyzerPool;
	/** Pre-built filters, one per root (shared with a watcher). @default built from the options */
	filters?: PathFilter[];
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
}

let tableHash: string | undefined;

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
		maxFileSize: opts.maxFileSize ?? null,
		overrides: opts.languageOverrides ?? null,
	});
}

/** The analyzer options within scan options. */
export function analyzeOptionsOf(opts: ScanOptions): AnalyzeOptions {
	const a: AnalyzeOptions = {};
	if (opts.docstringsAsCode !== undefined) a.docstringsAsCode = opts.docstringsAsCode;
	if (opts.maxFileSize !== undefined) a.maxFileSize = opts.maxFileSize;
	if (opts.languageOverrides !== undefined) a.languageOverrides = opts.languageOverrides;
	return a;
}

function compareByRootPath(a: { root: number; path: string }, b: { root: number; path: string }): number {
	return a.root - b.root || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/**
 * Updates `index` (built for the same roots) to match the disk and returns what a cold scan
 * would, plus what changed. `index.roots` must equal the resolved `roots`.
 */
export async function warmScan(roots: string[], index: FileIndex, opts: WarmScanOptions = {}): Promise<WarmScanResult> {
	const t0 = performance.now();
	const absRoots = roots.map((r) => path.resolve(r));
	if (index.roots.length !== absRoots.length || index.roots.some((r, i) => r !== absRoots[i])) {
		throw new TypeError(`warmScan: the index is for ${JSON.stringify(index.roots)}, not ${JSON.stringify(absRoots)}`);
	}
	const analyzeOpts = analyzeOptionsOf(opts);
	const batchSize = Math.max(1, opts.batchSize ?? 64);
	const timing = { walk: 0, read: 0, analyze: 0, apply: 0, sort: 0 };
	/** The records the walk found unchanged. */
	const kept: FileKey[] = [];
	const upserts: FileRecord[] = [];
	const skipped: (Skipped & { root: number })[] = [];
	let reused = 0;
	let analyzed = 0;

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
		const p: Promise<void> = pool.analyze(jobs).then(
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

	try {
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
			for (const s of next.value.skipped) skipped.push(s);
			for (const f of next.value.files) {
				const rec = index.stat(f.root, f.relPath);
				if (rec && rec.size === f.size && rec.mtimeMs === f.mtimeMs) {
					// Only kept, not hashed: most warm starts remove nothing (see below).
					kept.push(rec);
					reused++;
					continue;
				}
				batch.push({ absPath: f.absPath, relPath: f.relPath, root: f.root });
				if (batch.length >= batchSize) {
					send();
					while (inFlight.size >= Math.max(2, (pool?.size ?? 1) * 2)) await Promise.race(inFlight);
					if (failure) throw failure.e;
				}
			}
			opts.signal?.throwIfAborted();
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
	let walkedAgain = reused;
	for (const u of upserts) if (index.has(u.root, u.path)) walkedAgain++;
	if (walkedAgain !== index.size) {
		const seen = new Set<string>();
		for (const k of kept) seen.add(fileKey(k.root, k.path));
		for (const u of upserts) seen.add(fileKey(u.root, u.path));
		for (const r of index.keys()) if (!seen.has(fileKey(r.root, r.path))) deletes.push({ root: r.root, path: r.path });
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
	};
	if (records) result.records = records;
	return result;
}

// --- scan through a persistent index ----------------------------------------------------------

export interface IndexedScanOptions extends WarmScanOptions {
	/** fsync the index writes. @default true */
	fsync?: boolean;
}

export interface IndexedScanResult extends ScanResult {
	/** How the index was used: `warm` (loaded and updated) or `cold` (missing, unusable: rebuilt). */
	mode: 'warm' | 'cold';
	/** What the warm start did (only when `mode` is `warm`). */
	warm?: WarmScanResult['warm'];
	/** Problems found in the index file; also sent to the logger as warnings. */
	warnings: string[];
	/** The index after the scan (records and aggregates), e.g. to start a processor on. */
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
	await fsp.mkdir(path.dirname(path.resolve(indexPath)), { recursive: true });
	const store = new JsonlIndexStore(path.resolve(indexPath), { fsync: opts.fsync, logger: opts.logger });
	const loaded = await store.load(meta);
	const indexLoad = performance.now() - t0;

	if (loaded.status === 'ok' || loaded.status === 'repaired') {
		const index = FileIndex.fromLoad(absRoots, loaded);
		const res = await warmScan(absRoots, index, opts);
		const ts = performance.now();
		const upserts: FileRecord[] = [];
		const deletes: FileKey[] = [];
		for (const c of res.delta.changed) {
			if (c.kind === 'removed') deletes.push({ root: c.root, path: c.path });
			else upserts.push(index.get(c.root, c.path)!);
		}
		// A repaired index is rewritten whole (the store knows); an unchanged one is not touched.
		if (upserts.length > 0 || deletes.length > 0 || loaded.status === 'repaired') {
			await store.commit({ upserts, deletes }, () => index.values(), meta);
		}
		const indexSave = performance.now() - ts;
		const { delta: _delta, ...rest } = res;
		return {
			...rest,
			timing: { ...res.timing, indexLoad, indexSave, totalMs: performance.now() - t0 },
			mode: 'warm', warnings: loaded.warnings, index, store, meta,
		};
	}

	const res = await scan(absRoots, { ...opts, keepRecords: true });
	const index = new FileIndex(absRoots, res.records);
	const ts = performance.now();
	await store.save(index.values(), meta);
	const indexSave = performance.now() - ts;
	if (!opts.keepRecords) delete res.records;
	return {
		...res,
		timing: { ...res.timing, indexLoad, indexSave, totalMs: performance.now() - t0 },
		mode: 'cold', warnings: loaded.warnings, index, store, meta,
	};
}
