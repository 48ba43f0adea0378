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
import { analyzeBuffer, awaitOptimizedAnalyzer, DEFAULT_MAX_FILE_SIZE, warmUpAnalyzer } from './analyzer';
import type { AnalyzeResult } from './analyzer';
import { encodeStructure, packCounts } from './fileIndex';
import type { AnalyzeOptions, Category, FileAnalysis, FileRecord, Skipped, SymbolRef } from './types';
import { smallInt } from './types';

/** What the pool sends per file: where it is and how it is reported. */
export interface AnalyzeJob {
	absPath: string;
	relPath: string;
	root: number;
}

/**
 * A batch's jobs as they travel to a worker: paths joined with NUL (which no path holds) and
 * the roots in a typed array: three values to clone instead of an object per file (walk
 * entries carry more fields than a job needs, and the clone copies them all).
 */
export interface PackedJobs {
	abs: string;
	rel: string;
	roots: Int32Array;
}

export function packJobs(jobs: readonly AnalyzeJob[]): PackedJobs {
	const n = jobs.length;
	const roots = new Int32Array(n);
	let abs = '';
	let rel = '';
	for (let i = 0; i < n; i++) {
		const j = jobs[i];
		if (i > 0) {
			abs += '\0';
			rel += '\0';
		}
		abs += j.absPath;
		rel += j.relPath;
		roots[i] = j.root;
	}
	return { abs, rel, roots };
}

export function unpackJobs(p: PackedJobs): AnalyzeJob[] {
	const n = p.roots.length;
	if (n === 0) return [];
	const abs = p.abs.split('\0');
	const rel = p.rel.split('\0');
	const out: AnalyzeJob[] = new Array(n);
	for (let i = 0; i < n; i++) out[i] = { absPath: abs[i], relPath: rel[i], root: p.roots[i] };
	return out;
}

/** One file's outcome: a record, or a skip with its reason. */
export type AnalyzeOutcome = FileRecord | (Skipped & { root: number });

/**
 * How records come back: `objects`, built in full; `text`, *pending* (see fileIndex.ts): the
 * structure as the index stores it (`encodeStructure`, written by the worker) in `imports`, its
 * counts packed in `functions` (`packCounts`), decoded on first use; `counts`, no structure at
 * all: the records' `imports`, `classes` and `functions` are one shared empty (frozen) array and
 * their counts come apart (`BatchResult.structureCounts`). Only for a caller that sums the records
 * and drops them (a scan that keeps none): on the benchmark's trees, the structure objects the
 * main thread built only to count them, and collected again, were ~9% of a CLI scan's time.
 */
export type StructureForm = 'objects' | 'text' | 'counts';

/** The structure of every record of a `counts` batch (see `StructureForm`): nothing, read-only. */
const NO_STRUCTURE: never[] = Object.freeze([]) as unknown as never[];

/** Messages from the pool to a worker. */
export type ToWorker =
	| { type: 'config'; opts: AnalyzeOptions }
	| { type: 'batch'; id: number; jobs: PackedJobs | AnalyzeJob[]; structure?: StructureForm }
	| { type: 'buffers'; id: number; items: ReadItem[] };

/**
 * A file already read by the caller (the `readOn: 'main'` strategy): its bytes travel to the
 * worker as a transferred ArrayBuffer, or it is already a skip.
 */
export type ReadItem =
	| { job: AnalyzeJob; bytes: ArrayBuffer; length: number; size: number; mtimeMs: number }
	| { skip: Skipped & { root: number } };

/** Messages from a worker to the pool. */
export type FromWorker = { type: 'result'; id: number; packed: PackedOutcomes; readMs: number; analyzeMs: number };

/**
 * A batch's outcomes in a form that is cheap to send between threads. Cloning one object per
 * file (with three arrays of names each) was the worker's biggest single cost (16% of its time
 * on 100k small files); one array of numbers (transferred), one string of all names and a
 * short list of strings clone in a few steps. Paths and roots are not sent back: the pool has
 * the batch's jobs. Skips (rare) travel as they are.
 *
 * `nums`, per outcome in order: a skip is `[-1 - index into skips]`; a record is
 * `[language (index into strs), category (index into strs), flags (1: has unknown), bytes, lines,
 * code, comment, blank, size, mtimeMs, imports, classes, functions]`, then per import its name's
 * length, per class and per function its name's length and line. Names follow one another in
 * `names`, in that order. In the `text` form, a record's head is followed by the length of its
 * structure text instead, and `names` holds the texts; in the `counts` form, by nothing (see
 * `StructureForm`).
 */
export interface PackedOutcomes {
	nums: Float64Array;
	strs: string[];
	names: string;
	skips: (Skipped & { root: number })[];
	/** Absent: `objects`. */
	form?: 'text' | 'counts';
}

let scratch: Float64Array = new Float64Array(4096);

/** Builds a `PackedOutcomes` one outcome at a time (one per thread: it shares a scratch array). */
export class Packer {
	private strs = emptyStrings();
	private skips: (Skipped & { root: number })[] = [];
	private names = '';
	private k = 0;
	/** How records' structure goes (see `StructureForm`); set per batch. */
	form: StructureForm = 'objects';

	addSkip(o: Skipped & { root: number }): void {
		if (this.k + 1 > scratch.length) scratch = grow(scratch, this.k + 1);
		this.skips.push(o);
		scratch[this.k++] = -1 - (this.skips.length - 1);
	}

	/** Adds a record from its analysis and the file's size and mtime (path and root are the job's). */
	addRecord(o: FileAnalysis, size: number, mtimeMs: number): void {
		let k = this.k;
		const need = k + 13 + o.imports.length + 2 * (o.classes.length + o.functions.length);
		if (need > scratch.length) scratch = grow(scratch, need);
		const a = scratch;
		a[k++] = this.strIndex(o.language);
		a[k++] = this.strIndex(o.category);
		a[k++] = o.unknown === undefined ? 0 : 1;
		a[k++] = o.bytes;
		a[k++] = o.lines;
		a[k++] = o.code;
		a[k++] = o.comment;
		a[k++] = o.blank;
		a[k++] = size;
		a[k++] = mtimeMs;
		a[k++] = o.imports.length;
		a[k++] = o.classes.length;
		a[k++] = o.functions.length;
		if (this.form !== 'objects') {
			if (this.form === 'counts') {
				this.k = k;
				return;
			}
			const t = encodeStructure(o);
			a[k++] = t.length;
			this.names += t;
			this.k = k;
			return;
		}
		let names = this.names;
		for (const s of o.imports) {
			a[k++] = s.length;
			names += s;
		}
		for (const c of o.classes) {
			a[k++] = c.name.length;
			a[k++] = c.line;
			names += c.name;
		}
		for (const f of o.functions) {
			a[k++] = f.name.length;
			a[k++] = f.line;
			names += f.name;
		}
		this.names = names;
		this.k = k;
	}

	add(o: AnalyzeOutcome): void {
		if (isSkip(o)) this.addSkip(o);
		else this.addRecord(o, o.size, o.mtimeMs);
	}

	/** The packed batch; `nums` owns its buffer, so it can be transferred. The packer is reset. */
	finish(): PackedOutcomes {
		const p: PackedOutcomes = { nums: scratch.slice(0, this.k), strs: this.strs, names: this.names, skips: this.skips };
		if (this.form !== 'objects') p.form = this.form;
		this.strs = emptyStrings();
		this.skips = [];
		this.names = '';
		this.k = 0;
		return p;
	}

	private strIndex(s: string): number {
		const i = this.strs.indexOf(s);
		if (i !== -1) return i;
		return this.strs.push(s) - 1;
	}
}

/**
 * An empty array whose elements are already of V8's "any object" kind. `[]` starts as an array of
 * small integers: the first string pushed into each batch's `strs` changed its kind, and threw
 * away `addRecord`'s optimized code once per worker ("not a Smi", then a recompile).
 */
function emptyStrings(): string[] {
	const a = [''];
	a.pop();
	return a;
}

/** Packs outcomes (see `PackedOutcomes`). */
export function packOutcomes(outcomes: AnalyzeOutcome[]): PackedOutcomes {
	const p = new Packer();
	for (const o of outcomes) p.add(o);
	return p.finish();
}

function grow(a: Float64Array, need: number): Float64Array {
	const b = new Float64Array(Math.max(need, a.length * 2));
	b.set(a);
	return b;
}

/**
 * Rebuilds the outcomes of `packOutcomes`; `jobs[i]` is the job of the i-th outcome (its path
 * and root), undefined only where that outcome is a skip. Records have the same keys in the same
 * order as `outcomeOf` builds them. In the `counts` form, `counts` (3 per job at least) gets each
 * record's imports, classes and functions, records in order, skips left out.
 */
export function unpackOutcomes(p: PackedOutcomes, jobs: readonly (AnalyzeJob | undefined)[], counts?: Uint32Array): AnalyzeOutcome[] {
	const { nums: a, strs, names, skips } = p;
	const out: AnalyzeOutcome[] = new Array(jobs.length);
	let k = 0;
	let at = 0;
	let nRecords = 0;
	for (let i = 0; i < jobs.length; i++) {
		const head = a[k++];
		if (head < 0) {
			out[i] = skips[-1 - head];
			continue;
		}
		const job = jobs[i]!;
		const language = strs[head];
		const category = strs[a[k++]] as Category;
		const unknown = a[k++] === 1;
		// Counts as small integers, not boxed doubles (see `smallInt`).
		const bytes = smallInt(a[k++]);
		const lines = smallInt(a[k++]);
		const code = smallInt(a[k++]);
		const comment = smallInt(a[k++]);
		const blank = smallInt(a[k++]);
		const size = smallInt(a[k++]);
		const mtimeMs = a[k++];
		const nImports = a[k++];
		const nClasses = a[k++];
		const nFunctions = a[k++];
		if (p.form === 'counts') {
			if (!counts) throw new Error('unpackOutcomes: a counts batch needs its counts array');
			counts[3 * nRecords] = nImports;
			counts[3 * nRecords + 1] = nClasses;
			counts[3 * nRecords + 2] = nFunctions;
			nRecords++;
			const none = NO_STRUCTURE;
			out[i] = unknown
				? { language, category, bytes, lines, code, comment, blank, imports: none, classes: none, functions: none, unknown: true, path: job.relPath, root: job.root, size, mtimeMs }
				: { language, category, bytes, lines, code, comment, blank, imports: none, classes: none, functions: none, path: job.relPath, root: job.root, size, mtimeMs };
			continue;
		}
		if (p.form === 'text') {
			const len = a[k++];
			const text = names.slice(at, at + len);
			at += len;
			const nul = null as unknown as SymbolRef[];
			const counts = packCounts(nImports, nClasses, nFunctions) as unknown as SymbolRef[];
			out[i] = unknown
				? { language, category, bytes, lines, code, comment, blank, imports: text as unknown as string[], classes: nul, functions: counts, unknown: true, path: job.relPath, root: job.root, size, mtimeMs }
				: { language, category, bytes, lines, code, comment, blank, imports: text as unknown as string[], classes: nul, functions: counts, path: job.relPath, root: job.root, size, mtimeMs };
			continue;
		}
		const imports: string[] = new Array(nImports);
		for (let j = 0; j < nImports; j++) {
			const len = a[k++];
			imports[j] = names.slice(at, at + len);
			at += len;
		}
		const classes: SymbolRef[] = new Array(nClasses);
		for (let j = 0; j < nClasses; j++) {
			const len = a[k++];
			classes[j] = { name: names.slice(at, at + len), line: smallInt(a[k++]) };
			at += len;
		}
		const functions: SymbolRef[] = new Array(nFunctions);
		for (let j = 0; j < nFunctions; j++) {
			const len = a[k++];
			functions[j] = { name: names.slice(at, at + len), line: smallInt(a[k++]) };
			at += len;
		}
		out[i] = unknown
			? { language, category, bytes, lines, code, comment, blank, imports, classes, functions, unknown: true, path: job.relPath, root: job.root, size, mtimeMs }
			: { language, category, bytes, lines, code, comment, blank, imports, classes, functions, path: job.relPath, root: job.root, size, mtimeMs };
	}
	return out;
}

/** Marker in `workerData` that makes this module serve the pool when loaded as a worker. */
export const WORKER_MARKER = 'workspace-stats/analyzeWorker';

export function isSkip(o: AnalyzeOutcome): o is Skipped & { root: number } {
	return 'reason' in o;
}

// Buffers of this size or smaller are kept between files, and grow by doubling up to it. A
// bigger one (a rare big file) is dropped after use, or, with `holdBigBuffer` (a worker, which
// drops it when idle), kept for the next big file: so one 16 MB file doesn't pin 16 MB per
// thread for good. Why keep it at all: every page of a new buffer is a page fault when the file
// is read into it (~10 µs each on the VMs measured): the real tree's 26.5 MB of files over
// 1 MiB cost ~6.5k faults per scan when each took a new buffer.
const KEEP_BUFFER_BYTES = 1 << 20;
/** A worker drops a big buffer after this long without a batch. */
const BIG_BUFFER_IDLE_MS = 1000;
export const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

export function errorSkip(job: AnalyzeJob, err: unknown): Skipped & { root: number } {
	const e = err as NodeJS.ErrnoException;
	const code = e?.code;
	// Node's system errors already start with their code ("EACCES: permission denied, open …"):
	// the code is added only to a message that does not have it.
	const message = String(e?.message ?? err);
	const detail = code && !message.startsWith(`${code}:`) ? `${code}: ${message}` : message;
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
	/** Keep a buffer over KEEP_BUFFER_BYTES after its file (until `dropBigBuffer`). */
	holdBigBuffer = false;
	/** The file `read` left in `buf`: its length and stat. */
	private n = 0;
	private st: fs.Stats | undefined;
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
		const skip = this.read(job);
		if (skip !== undefined) return skip;
		const t1 = performance.now();
		const outcome = outcomeOf(job, this.buf.subarray(0, this.n), this.st!, this.opts);
		this.release();
		this.analyzeMs += performance.now() - t1;
		return outcome;
	}

	/** Reads and analyzes a batch straight into a packer (no record objects built). */
	packAll(jobs: AnalyzeJob[], out: Packer): void {
		for (const job of jobs) {
			const skip = this.read(job);
			if (skip !== undefined) {
				out.addSkip(skip);
				continue;
			}
			const t1 = performance.now();
			const st = this.st!;
			let res: AnalyzeResult;
			try {
				res = analyzeBuffer(this.buf.subarray(0, this.n), baseName(job.relPath), this.opts);
			} catch (err) {
				res = { ok: false, reason: 'unreadable', detail: analyzerErrorDetail(err) };
			}
			if (res.ok) out.addRecord(res.analysis, st.size, st.mtimeMs);
			else out.addSkip({ path: job.relPath, root: job.root, reason: res.reason, ...(res.detail ? { detail: res.detail } : {}) });
			this.release();
			this.analyzeMs += performance.now() - t1;
		}
	}

	private release(): void {
		if (!this.holdBigBuffer) this.dropBigBuffer();
		this.st = undefined;
	}

	/** True when the read buffer is over KEEP_BUFFER_BYTES (see `holdBigBuffer`). */
	get holdsBigBuffer(): boolean {
		return this.buf.length > KEEP_BUFFER_BYTES;
	}

	/** Drops a read buffer over KEEP_BUFFER_BYTES. */
	dropBigBuffer(): void {
		if (this.buf.length > KEEP_BUFFER_BYTES) this.buf = Buffer.allocUnsafeSlow(KEEP_BUFFER_BYTES);
	}

	/** Reads a file into `buf[0, n)` with its stat in `st`; or returns why it can't be analyzed. */
	private read(job: AnalyzeJob): (Skipped & { root: number }) | undefined {
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
			// whole (up to the limit). One extra byte of room tells EOF: a read that returns less
			// than asked once the stat's size is in is at the end, so most files take one read call.
			let want = st.size + 1;
			// Doubling up to KEEP_BUFFER_BYTES: a few new buffers per thread, not one per bigger file.
			if (this.buf.length < want) this.buf = Buffer.allocUnsafeSlow(Math.max(want, Math.min(2 * this.buf.length, KEEP_BUFFER_BYTES)));
			for (;;) {
				const room = this.buf.length - n;
				const r = fs.readSync(fd, this.buf, n, room, null);
				if (r === 0) break;
				n += r;
				if (r < room && n >= st.size) break;
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

		this.n = n;
		this.st = st;
		return undefined;
	}
}

/** Analyzes a file's bytes (already read) into its record or skip. Never throws. */
export function outcomeOf(job: AnalyzeJob, bytes: Buffer, st: { size: number; mtimeMs: number }, opts: AnalyzeOptions): AnalyzeOutcome {
	try {
		const res = analyzeBuffer(bytes, baseName(job.relPath), opts);
		return res.ok
			? { ...res.analysis, path: job.relPath, root: job.root, size: smallInt(st.size), mtimeMs: st.mtimeMs }
			: { path: job.relPath, root: job.root, reason: res.reason, ...(res.detail ? { detail: res.detail } : {}) };
	} catch (err) {
		// An analyzer bug must not take the scan down; it is reported with the file.
		return { path: job.relPath, root: job.root, reason: 'unreadable', detail: analyzerErrorDetail(err) };
	}
}

function analyzerErrorDetail(err: unknown): string {
	return `analyzer error: ${(err as Error)?.stack ?? String(err)}`;
}

function baseName(relPath: string): string {
	const i = relPath.lastIndexOf('/');
	return i === -1 ? relPath : relPath.slice(i + 1);
}

// --- worker entry ---------------------------------------------------------------------------

if (parentPort && (workerData as { marker?: string } | undefined)?.marker === WORKER_MARKER) {
	const port = parentPort;
	const analyzer = new SyncAnalyzer((workerData as { opts?: AnalyzeOptions }).opts ?? {});
	const packer = new Packer();
	// Results go back with their buffer transferred, and the first transfer (a detached
	// ArrayBuffer) tells V8 that typed arrays can be detached: code optimized before then
	// assumed they can't and is thrown away, and compiles in flight are aborted (~100 ms of
	// CPU each for the analyzer). Detach one now, before anything is optimized.
	const probe = new ArrayBuffer(8);
	structuredClone(probe, { transfer: [probe] });
	// Before the first batch arrives (the walk is still starting): see warmUpAnalyzer.
	warmUpAnalyzer();
	awaitOptimizedAnalyzer();
	// A big file's buffer is kept while batches keep coming, and dropped once none came for a while.
	analyzer.holdBigBuffer = true;
	let dropTimer: NodeJS.Timeout | undefined;
	port.on('message', (msg: ToWorker) => {
		if (msg.type === 'config') {
			analyzer.setOptions(msg.opts);
			return;
		}
		if (dropTimer !== undefined) {
			clearTimeout(dropTimer);
			dropTimer = undefined;
		}
		analyzer.readMs = 0;
		analyzer.analyzeMs = 0;
		let packed: PackedOutcomes;
		if (msg.type === 'batch') {
			packer.form = msg.structure ?? 'objects';
			analyzer.packAll(Array.isArray(msg.jobs) ? msg.jobs : unpackJobs(msg.jobs), packer);
			packed = packer.finish();
		} else {
			packed = packOutcomes(analyzer.analyzeRead(msg.items));
		}
		const reply: FromWorker = { type: 'result', id: msg.id, packed, readMs: analyzer.readMs, analyzeMs: analyzer.analyzeMs };
		port.postMessage(reply, [packed.nums.buffer as ArrayBuffer]);
		if (analyzer.holdsBigBuffer) {
			dropTimer = setTimeout(() => {
				dropTimer = undefined;
				analyzer.dropBigBuffer();
			}, BIG_BUFFER_IDLE_MS);
			dropTimer.unref();
		}
	});
}
