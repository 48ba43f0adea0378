// The full scan: one walk over the roots feeding batches of paths to the analysis pool, with
// aggregates built as the outcomes arrive (never a second pass over the records).
//
// Flow and back-pressure: the walk is pulled only while fewer than `2 × threads` batches are
// in flight, so memory stays bounded by the batches in flight plus whatever the caller keeps
// (records only with `keepRecords`). The walk runs with `stat: false`: each analysis thread
// takes size and mtime from the file it opened (one fstat), which saves a stat per file.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Aggregates } from './aggregate';
import type { AggregateSnapshot } from './aggregate';
import { errorSkip, isSkip, OPEN_FLAGS, outcomeOf, SyncAnalyzer } from './analyzeWorker';
import type { AnalyzeJob, ReadItem, StructureForm } from './analyzeWorker';
import { DEFAULT_MAX_FILE_SIZE } from './analyzer';
import { structureCountsTable } from './fileIndex';
import { AnalyzerPool, PoolError, runLocal } from './pool';
import type { BatchResult } from './pool';
import type { AnalyzeOptions, FileRecord, ScanOptions, Skipped, Timing } from './types';
import { walk } from './walk';
import type { WalkBatch } from './walk';

export interface ScanResult {
	version: 1;
	/** Absolute paths of the roots; records, folders and skips refer to them by index. */
	roots: string[];
	aggregates: AggregateSnapshot;
	/** Every file's record, sorted by root then path; only with `keepRecords`. */
	records?: FileRecord[];
	/** Everything left out and why, sorted by root then path. */
	skipped: (Skipped & { root: number })[];
	/**
	 * Milliseconds. `totalMs` is wall time. Phases:
	 * - `walk`: wall time the scanner waited on the walker for its next batch (listing folders,
	 *   ignore files, filters); pauses for back-pressure are not included.
	 * - `read`: open/fstat/read/close, summed over the analysis threads.
	 * - `analyze`: the line analyzer, summed over the analysis threads.
	 *   With several threads `read + analyze` can exceed `totalMs`.
	 * - `aggregate`: adding outcomes to the aggregates (and to the kept records), main thread.
	 * - `sort`: sorting records and skips for output.
	 */
	timing: Timing;
}

export interface ScanRunOptions extends ScanOptions {
	/** Keep every file's record in the result (for `--by-file` and the index). @default false */
	keepRecords?: boolean;
	/** Called once per analyzed file, on the calling thread, as records arrive (in no fixed order). */
	onRecord?: (r: FileRecord) => void;
	/**
	 * A started pool to use (and leave open) instead of starting one for this scan; its own
	 * analysis options are replaced by this scan's.
	 */
	pool?: AnalyzerPool;
	/**
	 * Files per batch sent to a thread. Small batches keep both threads fed when one is
	 * descheduled, but every batch costs a message each way. On a quiet 2-core machine 128 is
	 * best (the CLI, interleaved runs, medians: 100k synth files, 32 → 2.73 s, 128 → 2.61 s,
	 * 256 → 2.62 s over 5 rounds, and 32 → 2.77 s, 64 → 2.69 s, 128 → 2.59 s over 6; the real
	 * tree, 7 rounds: 32 → 1.56 s, 64 → 1.53 s, 128 → 1.52 s; the io suite agreed in two full
	 * runs). Earlier, on a busier machine, 32 had measured best (16 → 3.52 s, 32 → 3.22 s,
	 * 64 → 3.87 s). @default 128
	 */
	batchSize?: number;
	/**
	 * Where files are read (for benchmarks; the default was measured fastest, see README):
	 * `'worker'`: each analysis thread reads its batch with synchronous calls into a reused
	 * buffer; `'main'`: the calling thread reads with libuv's asynchronous pool
	 * (`ioConcurrency` files at once) and transfers each file's bytes to a worker.
	 * @default 'worker'
	 */
	readOn?: 'worker' | 'main';
	/** Files read at once with `readOn: 'main'`. @default 32 */
	ioConcurrency?: number;
	/**
	 * A walk that finds no more than `files` files, of no more than `bytes` bytes in all, is
	 * analyzed on the calling thread, and no worker is started (only for a scan that starts its
	 * own pool, with more than one job). The analysis then blocks the calling thread: for a
	 * command line (which passes `SMALL_SCAN`), never for a thread that must stay responsive
	 * (an extension host). @default off
	 */
	smallScan?: { files: number; bytes: number };
	/**
	 * Records (kept, or passed to `onRecord`) may come with their structure *pending*: still the
	 * text the index stores, decoded when a FileIndex hands the record out (see fileIndex.ts).
	 * For a caller that only puts records in an index: two objects per file on this thread
	 * instead of ~15. Records analyzed on the calling thread (one job, a small scan) come in
	 * full. @default false
	 */
	pendingStructure?: boolean;
	/** The walk lists folders with synchronous calls (see `WalkRunOptions.syncListing`): for a command line. @default false */
	syncListing?: boolean;
}

const DEFAULT_BATCH = 128;

/**
 * Small scans run on the calling thread (see `ScanRunOptions.smallScan`). Why: a worker costs
 * ~0.25 s before its first file on the project's 2-core VM (its start, the analyzer's warm-up,
 * the wait for its optimized code), which a small folder never pays back. Fresh processes,
 * `scan()` with 2 jobs, workers against this thread (ms): 1 file 390 → 150 (the CLI); 42 files,
 * 0.6 MB 360 → 139; 143 files, 0.1 MB 384 → 209; 763 files, 4.7 MB 422–521 → 295–304; 938
 * files, 5.5 MB 433–471 → 268–327; 815 files, 14 MB 483–493 → 298–339; 125 files, 23.5 MB
 * 617–626 → 475–514; but 750 files, 141 MB 934–1013 → 1321–1472. The limits leave room on
 * both sides.
 */
export const SMALL_SCAN: { readonly files: number; readonly bytes: number } = { files: 1000, bytes: 16 << 20 };

function compareByRootPath(a: { root: number; path: string }, b: { root: number; path: string }): number {
	return a.root - b.root || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/** The analyzer options within scan options. */
export function analyzeOptionsOf(opts: ScanOptions): AnalyzeOptions {
	const a: AnalyzeOptions = {};
	if (opts.docstringsAsCode !== undefined) a.docstringsAsCode = opts.docstringsAsCode;
	if (opts.likeCloc !== undefined) a.likeCloc = opts.likeCloc;
	if (opts.maxFileSize !== undefined) a.maxFileSize = opts.maxFileSize;
	if (opts.languageOverrides !== undefined) a.languageOverrides = opts.languageOverrides;
	return a;
}

/** Scans the roots: walk, read, analyze, aggregate. Skipped files are reported, never fatal. */
export async function scan(roots: string[], opts: ScanRunOptions = {}): Promise<ScanResult> {
	const t0 = performance.now();
	const absRoots = roots.map((r) => path.resolve(r));
	const analyzeOpts = analyzeOptionsOf(opts);
	const ownPool = !opts.pool;
	const jobs = opts.jobs ?? os.availableParallelism();
	const pool = opts.pool ?? new AnalyzerPool({ jobs, analyze: analyzeOpts, logger: opts.logger });
	if (!ownPool) pool.setOptions(analyzeOpts);

	const batchSize = Math.max(1, opts.batchSize ?? DEFAULT_BATCH);
	const readOn = opts.readOn ?? 'worker';
	const ioConcurrency = Math.max(1, opts.ioConcurrency ?? 32);
	// Files held back while the walk may still turn out small (see `smallScan`): the pool starts
	// once there are more, and never when the walk ends first.
	const holdFiles = opts.smallScan?.files ?? 0;
	const holdBytes = opts.smallScan?.bytes ?? 0;
	let held: AnalyzeJob[] | undefined = ownPool && jobs > 1 && readOn === 'worker' && holdFiles > 0 ? [] : undefined;
	if (held === undefined) pool.start();
	/** Whether the files add up to no more than `holdBytes` (a stat each, ~6 µs, stopping past it). */
	const smallEnough = (list: AnalyzeJob[]): boolean => {
		let total = 0;
		for (const j of list) {
			try {
				total += fs.statSync(j.absPath).size;
			} catch {
				// Gone, a link loop, …: nothing counted here; its analysis says what it is.
			}
			if (total > holdBytes) return false;
		}
		return true;
	};
	let maxInFlight = Math.max(1, pool.size * 4);
	const agg = new Aggregates();
	const records: FileRecord[] | undefined = opts.keepRecords ? [] : undefined;
	const skipped: (Skipped & { root: number })[] = [];
	const timing = { walk: 0, read: 0, analyze: 0, aggregate: 0, sort: 0 };
	let files = 0;
	let bytes = 0;
	let failure: unknown;

	// Records nobody keeps or sees are only summed: the workers send their structure's counts, not
	// the structure (see `StructureForm`).
	const form: StructureForm = !records && !opts.onRecord ? 'counts' : opts.pendingStructure ? 'text' : 'objects';
	const structure = { structure: form };
	const inFlight = new Set<Promise<void>>();
	let batch: AnalyzeJob[] = [];

	/** Adds a batch's outcomes: skips, records, aggregates, progress. */
	const take = (res: BatchResult): void => {
		const ta = performance.now();
		timing.read += res.readMs;
		timing.analyze += res.analyzeMs;
		const got: FileRecord[] = [];
		for (const o of res.outcomes) {
			if (isSkip(o)) skipped.push(o);
			else got.push(o);
		}
		// A batch's files share few folders: each folder's sum is carried up its ancestors once.
		agg.addMany(got, { counts: res.structureCounts ?? (form === 'text' ? structureCountsTable(got) : undefined) });
		for (const o of got) {
			records?.push(o);
			files++;
			bytes += o.bytes;
			opts.onRecord?.(o);
		}
		timing.aggregate += performance.now() - ta;
		opts.onProgress?.({ files, bytes });
	};

	let readItems: ReadItem[] = [];
	const send = () => {
		let p0: Promise<BatchResult>;
		let sent: AnalyzeJob[];
		const sentSkips: (Skipped & { root: number })[] = [];
		if (readOn === 'main') {
			if (readItems.length === 0) return;
			p0 = pool.analyzeRead(readItems);
			sent = [];
			for (const it of readItems) {
				if ('job' in it) sent.push(it.job);
				else sentSkips.push(it.skip);
			}
			readItems = [];
		} else {
			if (batch.length === 0) return;
			p0 = pool.analyze(batch, structure);
			sent = batch;
			batch = [];
		}
		const p = p0.then(
			take,
			(err: unknown) => {
				// One worker crash (a file that blows up the analyzer's memory, say) costs its
				// batch, reported file by file; a pool that gave up ends the scan.
				if (!PoolError.is(err, 'worker-died')) {
					failure ??= err;
					return;
				}
				for (const j of sent) skipped.push({ path: j.relPath, root: j.root, reason: 'unreadable', detail: err.message });
				for (const sk of sentSkips) skipped.push(sk);
			},
		);
		// Errors from the callbacks above (onRecord, onProgress) also end the scan.
		const tracked: Promise<void> = p.catch((err: unknown) => {
			failure ??= err;
		}).finally(() => inFlight.delete(tracked));
		inFlight.add(tracked);
	};

	let walker: AsyncGenerator<WalkBatch> | undefined;
	try {
		walker = walk(absRoots, {
			include: opts.include,
			exclude: opts.exclude,
			respectIgnoreFiles: opts.respectIgnoreFiles,
			followSymlinks: opts.followSymlinks,
			signal: opts.signal,
			stat: false,
			syncListing: opts.syncListing,
		});
		const reads = new Set<Promise<void>>();
		const maxSize = opts.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
		/** Sends the full batch; waits while too many batches are in flight. */
		const sendFull = async (): Promise<void> => {
			send();
			while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
			if (failure !== undefined) throw failure;
		};
		/** Not a small scan after all: the workers start, and the files held so far go to them. */
		const release = async (): Promise<void> => {
			const list = held!;
			held = undefined;
			pool.start();
			maxInFlight = Math.max(1, pool.size * 4);
			for (const job of list) {
				batch.push(job);
				if (batch.length >= batchSize) await sendFull();
			}
		};
		for (;;) {
			const tw = performance.now();
			const next = await walker.next();
			timing.walk += performance.now() - tw;
			if (next.done) break;
			const wb = next.value;
			for (const s of wb.skipped) skipped.push(s);
			for (const f of wb.files) {
				const job: AnalyzeJob = { absPath: f.absPath, relPath: f.relPath, root: f.root };
				if (readOn === 'main') {
					const r = readOnMain(job, maxSize).then((item) => {
						timing.read += item.ms;
						readItems.push(item.item);
						if (readItems.length >= batchSize) send();
					});
					const tracked: Promise<void> = r.finally(() => reads.delete(tracked));
					reads.add(tracked);
					while (reads.size >= ioConcurrency) await Promise.race(reads);
					while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
					if (failure !== undefined) throw failure;
					continue;
				}
				if (held !== undefined) {
					held.push(job);
					if (held.length <= holdFiles) continue;
					// Not a small scan: the workers start, and the files held so far go to them.
					await release();
				} else {
					// No promise per file: most files only join the batch.
					batch.push(job);
					if (batch.length >= batchSize) await sendFull();
				}
			}
			opts.signal?.throwIfAborted();
		}
		await Promise.all(reads);
		if (held !== undefined) {
			if (smallEnough(held)) {
				// Few files, few bytes: analyzed here, without the warm-up (too little to pay for it).
				const list = held;
				held = undefined;
				take(runLocal(new SyncAnalyzer(analyzeOpts), (a) => a.analyzeAll(list)));
			} else await release();
		}
		send();
		while (inFlight.size > 0) await Promise.race(inFlight);
		if (failure !== undefined) throw failure;
	} finally {
		// On an early exit (abort, a callback's error): stop the walk, and leave a shared pool
		// idle (its batches answered) or close our own (its batches rejected).
		await walker?.return(undefined).catch(() => undefined);
		if (ownPool) await pool.close();
		else await Promise.allSettled(inFlight);
	}
	opts.signal?.throwIfAborted();

	const ts = performance.now();
	records?.sort(compareByRootPath);
	skipped.sort(compareByRootPath);
	timing.sort = performance.now() - ts;

	const result: ScanResult = {
		version: 1,
		roots: absRoots,
		aggregates: agg.snapshot(),
		skipped,
		timing: { totalMs: performance.now() - t0, ...timing },
	};
	if (records) result.records = records;
	return result;
}

/** Reads one file with libuv's asynchronous pool (the `readOn: 'main'` strategy). */
function readOnMain(job: AnalyzeJob, maxSize: number): Promise<{ item: ReadItem; ms: number }> {
	const t0 = performance.now();
	return new Promise((resolve) => {
		const done = (item: ReadItem) => resolve({ item, ms: performance.now() - t0 });
		const skip = (reason: Skipped['reason'], detail: string) => done({ skip: { path: job.relPath, root: job.root, reason, detail } });
		fs.open(job.absPath, OPEN_FLAGS, (err, fd) => {
			if (err) return done({ skip: errorSkip(job, err) });
			const finish = (item: ReadItem) => fs.close(fd, () => done(item));
			fs.fstat(fd, (err2, st) => {
				if (err2) return finish({ skip: errorSkip(job, err2) });
				if (!st.isFile()) return fs.close(fd, () => skip('special', 'not a regular file when read'));
				if (maxSize > 0 && st.size > maxSize) return fs.close(fd, () => skip('too-large', `${st.size} bytes > limit ${maxSize}`));
				let buf = Buffer.from(new ArrayBuffer(st.size + 1));
				let n = 0;
				const step = () => {
					fs.read(fd, buf, n, buf.length - n, null, (err3, r) => {
						if (err3) return finish({ skip: errorSkip(job, err3) });
						if (r === 0) return finish({ job, bytes: buf.buffer as ArrayBuffer, length: n, size: st.size, mtimeMs: st.mtimeMs });
						n += r;
						if (n === buf.length) {
							if (maxSize > 0 && n > maxSize) return fs.close(fd, () => skip('too-large', `grew past limit ${maxSize} while read`));
							const bigger = Buffer.from(new ArrayBuffer(n * 2));
							buf.copy(bigger, 0, 0, n);
							buf = bigger;
						}
						step();
					});
				};
				step();
			});
		});
	});
}

/**
 * Reads and analyzes one file on the calling thread with asynchronous I/O (for the processor's
 * single-file updates). Resolves with its record or with a skip and its reason; never rejects
 * for a file problem.
 */
export async function analyzeFile(absPath: string, relPath: string, root: number, opts: AnalyzeOptions = {}): Promise<FileRecord | (Skipped & { root: number })> {
	const job: AnalyzeJob = { absPath, relPath, root };
	const maxSize = opts.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
	let fh: fs.promises.FileHandle | undefined;
	try {
		fh = await fs.promises.open(absPath, OPEN_FLAGS);
		const st = await fh.stat();
		if (!st.isFile()) return { path: relPath, root, reason: st.isDirectory() ? 'vanished' : 'special', detail: 'not a regular file when read' };
		if (maxSize > 0 && st.size > maxSize) return { path: relPath, root, reason: 'too-large', detail: `${st.size} bytes > limit ${maxSize}` };
		let buf = Buffer.allocUnsafe(st.size + 1);
		let n = 0;
		for (;;) {
			const { bytesRead } = await fh.read(buf, n, buf.length - n, null);
			if (bytesRead === 0) break;
			n += bytesRead;
			if (n === buf.length) {
				if (maxSize > 0 && n > maxSize) return { path: relPath, root, reason: 'too-large', detail: `grew past limit ${maxSize} while read` };
				const bigger = Buffer.allocUnsafe(n * 2);
				buf.copy(bigger, 0, 0, n);
				buf = bigger;
			}
		}
		return outcomeOf(job, buf.subarray(0, n), st, opts);
	} catch (err) {
		return errorSkip(job, err);
	} finally {
		await fh?.close().catch(() => undefined);
	}
}
