// Reads and analyzes files: the work of one analysis thread. The same functions run in a
// worker thread (started by AnalyzerPool from this file) or on the calling thread when the pool
// has no workers (`jobs` ≤ 1), so results cannot depend on the number of jobs.
//
// I/O strategy (measured, see the README's benchmark table): each thread reads its own files
// with synchronous calls — open (non-blocking, so a FIFO swapped in after the walk cannot hang
// us), fstat, read into one reused buffer, close. That beats reading on the main thread with
// libuv's pool and transferring buffers: no per-file allocation, no buffer transfer, one stat
// that is taken from the open file (so size and content agree), and the walk can skip stat.

import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeBuffer, DEFAULT_MAX_FILE_SIZE } from './analyzer';
import type { AnalyzeOptions, FileRecord, Skipped } from './types';

/** What the pool sends per file: where it is and how it is reported. */
export interface AnalyzeJob {
	absPath: string;
	relPath: string;
	root: number;
}

/** One file's outcome: a record, or a skip with its reason. */
export type AnalyzeOutcome = FileRecord | (Skipped & { root: number });

/** Messages from the pool to a worker. */
export type ToWorker =
	| { type: 'config'; opts: AnalyzeOptions }
	| { type: 'batch'; id: number; jobs: AnalyzeJob[] }
	| { type: 'buffers'; id: number; items: ReadItem[] };

/**
 * A file already read by the caller (the `readOn: 'main'` strategy): its bytes travel to the
 * worker as a transferred ArrayBuffer, or it is already a skip.
 */
export type ReadItem =
	| { job: AnalyzeJob; bytes: ArrayBuffer; length: number; size: number; mtimeMs: number }
	| { skip: Skipped & { root: number } };

/** Messages from a worker to the pool. */
export type FromWorker = { type: 'result'; id: number; outcomes: AnalyzeOutcome[]; readMs: number; analyzeMs: number };

/** Marker in `workerData` that makes this module serve the pool when loaded as a worker. */
export const WORKER_MARKER = 'workspace-stats/analyzeWorker';

export function isSkip(o: AnalyzeOutcome): o is Skipped & { root: number } {
	return 'reason' in o;
}

// Buffers of this size or smaller are kept between files; a bigger one (a rare big file) is
// dropped after use so one 16 MB file doesn't pin 16 MB per thread for the whole scan.
const KEEP_BUFFER_BYTES = 1 << 20;
export const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

export function errorSkip(job: AnalyzeJob, err: unknown): Skipped & { root: number } {
	const e = err as NodeJS.ErrnoException;
	const code = e?.code;
	const detail = code ? `${code}: ${e.message}` : String(e?.message ?? err);
	// ENOENT/ENOTDIR: listed by the walk but gone (or its folder replaced) by the time we read it.
	const reason = code === 'ENOENT' || code === 'ENOTDIR' ? 'vanished' : 'unreadable';
	return { path: job.relPath, root: job.root, reason, detail };
}

/**
 * Reads and analyzes files one after another on this thread; reuses one read buffer.
 * Never throws for a file: every failure becomes a skip with its reason.
 */
export class SyncAnalyzer {
	private buf = Buffer.allocUnsafeSlow(64 * 1024);
	private opts: AnalyzeOptions;
	/** Milliseconds spent in open/fstat/read/close and in the analyzer, summed over calls. */
	readMs = 0;
	analyzeMs = 0;

	constructor(opts: AnalyzeOptions = {}) {
		this.opts = opts;
	}

	setOptions(opts: AnalyzeOptions): void {
		this.opts = opts;
	}

	analyzeAll(jobs: AnalyzeJob[]): AnalyzeOutcome[] {
		const out: AnalyzeOutcome[] = new Array(jobs.length);
		for (let i = 0; i < jobs.length; i++) out[i] = this.analyzeOne(jobs[i]);
		return out;
	}

	/** Analyzes files the caller has read already. */
	analyzeRead(items: ReadItem[]): AnalyzeOutcome[] {
		const t0 = performance.now();
		const out = items.map((it) => ('skip' in it ? it.skip : outcomeOf(it.job, Buffer.from(it.bytes, 0, it.length), it, this.opts)));
		this.analyzeMs += performance.now() - t0;
		return out;
	}

	analyzeOne(job: AnalyzeJob): AnalyzeOutcome {
		const t0 = performance.now();
		const maxSize = this.opts.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
		let fd = -1;
		let n = 0;
		let st: fs.Stats;
		try {
			fd = fs.openSync(job.absPath, OPEN_FLAGS);
			st = fs.fstatSync(fd);
			if (!st.isFile()) {
				// The walk saw a file; something else is there now (FIFO, socket, device, folder).
				return { path: job.relPath, root: job.root, reason: st.isDirectory() ? 'vanished' : 'special', detail: 'not a regular file when read' };
			}
			if (maxSize > 0 && st.size > maxSize) {
				return { path: job.relPath, root: job.root, reason: 'too-large', detail: `${st.size} bytes > limit ${maxSize}` };
			}
			// Read to EOF, not just st.size bytes: a file growing while we read is still read
			// whole (up to the limit); one extra byte of room tells EOF without a second stat.
			let want = st.size + 1;
			if (this.buf.length < want) this.buf = Buffer.allocUnsafeSlow(want);
			for (;;) {
				const r = fs.readSync(fd, this.buf, n, this.buf.length - n, null);
				if (r === 0) break;
				n += r;
				if (n === this.buf.length) {
					if (maxSize > 0 && n > maxSize) {
						return { path: job.relPath, root: job.root, reason: 'too-large', detail: `grew past limit ${maxSize} while read` };
					}
					want = n * 2;
					const bigger = Buffer.allocUnsafeSlow(want);
					this.buf.copy(bigger, 0, 0, n);
					this.buf = bigger;
				}
			}
		} catch (err) {
			return errorSkip(job, err);
		} finally {
			if (fd !== -1) {
				try {
					fs.closeSync(fd);
				} catch {
					// Closing a read-only descriptor can't lose data; nothing to report.
				}
			}
			this.readMs += performance.now() - t0;
		}

		const t1 = performance.now();
		const outcome = outcomeOf(job, this.buf.subarray(0, n), st, this.opts);
		if (this.buf.length > KEEP_BUFFER_BYTES) this.buf = Buffer.allocUnsafeSlow(64 * 1024);
		this.analyzeMs += performance.now() - t1;
		return outcome;
	}
}

/** Analyzes a file's bytes (already read) into its record or skip. Never throws. */
export function outcomeOf(job: AnalyzeJob, bytes: Buffer, st: { size: number; mtimeMs: number }, opts: AnalyzeOptions): AnalyzeOutcome {
	try {
		const res = analyzeBuffer(bytes, baseName(job.relPath), opts);
		return res.ok
			? { ...res.analysis, path: job.relPath, root: job.root, size: st.size, mtimeMs: st.mtimeMs }
			: { path: job.relPath, root: job.root, reason: res.reason, ...(res.detail ? { detail: res.detail } : {}) };
	} catch (err) {
		// An analyzer bug must not take the scan down; it is reported with the file.
		return { path: job.relPath, root: job.root, reason: 'unreadable', detail: `analyzer error: ${(err as Error)?.stack ?? String(err)}` };
	}
}

function baseName(relPath: string): string {
	const i = relPath.lastIndexOf('/');
	return i === -1 ? relPath : relPath.slice(i + 1);
}

// --- worker entry ---------------------------------------------------------------------------

if (parentPort && (workerData as { marker?: string } | undefined)?.marker === WORKER_MARKER) {
	const port = parentPort;
	const analyzer = new SyncAnalyzer((workerData as { opts?: AnalyzeOptions }).opts ?? {});
	port.on('message', (msg: ToWorker) => {
		if (msg.type === 'config') {
			analyzer.setOptions(msg.opts);
			return;
		}
		analyzer.readMs = 0;
		analyzer.analyzeMs = 0;
		const outcomes = msg.type === 'batch' ? analyzer.analyzeAll(msg.jobs) : analyzer.analyzeRead(msg.items);
		const reply: FromWorker = { type: 'result', id: msg.id, outcomes, readMs: analyzer.readMs, analyzeMs: analyzer.analyzeMs };
		port.postMessage(reply);
	});
}
