// A small, reusable pool of analysis threads. Started once and kept: a long-lived processor
// sends batch after batch to the same workers (no new worker per message). With `jobs` ≤ 1, or
// when the worker file is missing, the same analysis runs on the calling thread instead.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { packJobs, SyncAnalyzer, unpackOutcomes, WORKER_MARKER } from './analyzeWorker';
import { warmUpAnalyzer } from './analyzer';
import type { AnalyzeJob, AnalyzeOutcome, FromWorker, ReadItem, StructureForm, ToWorker } from './analyzeWorker';
import type { AnalyzeOptions, Logger } from './types';
import { silentLogger } from './types';

export type { AnalyzeJob, AnalyzeOutcome, ReadItem, StructureForm } from './analyzeWorker';

export interface PoolOptions {
	/**
	 * Worker threads. 0 or 1 analyzes on the calling thread (no worker at all). More than
	 * `maxPoolJobs()` start `maxPoolJobs()` workers.
	 * @default os.availableParallelism()
	 */
	jobs?: number;
	/** Options every file is analyzed with; change them later with `setOptions`. @default {} */
	analyze?: AnalyzeOptions;
	/**
	 * The worker script. @default `analyzeWorker.js` next to this module: `dist/analyzeWorker.js`
	 * in the bundles (beside cli.js and extension.js), `out/src/core/analyzeWorker.js` under tsc.
	 */
	workerFile?: string;
	logger?: Logger;
}

/** The outcomes of one batch, in the batch's order, with the time the thread spent on it. */
export interface BatchResult {
	outcomes: AnalyzeOutcome[];
	/** Milliseconds in open/fstat/read/close for this batch (on its thread). */
	readMs: number;
	/** Milliseconds in the analyzer for this batch (on its thread). */
	analyzeMs: number;
	/**
	 * With `structure: 'counts'` from a worker: imports, classes and functions of each record (3
	 * numbers each), records in order, skips left out; the records themselves carry no structure.
	 */
	structureCounts?: Uint32Array;
}

/**
 * Why a batch was not analyzed:
 * - `worker-died`: its worker crashed or exited; the worker is replaced, the next batches go on.
 * - `pool-broken`: workers died `MAX_CONSECUTIVE_DEATHS` times in a row without answering a
 *   batch (a broken worker script, say); the pool gives up instead of respawning forever.
 * - `pool-closed`: `close()` was called.
 */
export class PoolError extends Error {
	constructor(
		message: string,
		readonly reason: 'worker-died' | 'pool-broken' | 'pool-closed',
	) {
		super(message);
		this.name = 'PoolError';
	}

	static is(e: unknown, reason?: PoolError['reason']): e is PoolError {
		return e instanceof Error && e.name === 'PoolError' && (reason === undefined || (e as PoolError).reason === reason);
	}
}

/** Worker deaths in a row (no batch answered in between) after which the pool gives up. */
export const MAX_CONSECUTIVE_DEATHS = 3;

interface Pending {
	/** The batch's jobs (undefined for an item that was already a skip): paths and roots of its records. */
	jobs: readonly (AnalyzeJob | undefined)[];
	resolve: (r: BatchResult) => void;
	reject: (e: Error) => void;
}

interface Slot {
	worker: Worker;
	pending: Map<number, Pending>;
}

/**
 * Young-generation limit of each worker's heap. V8's default (~16 MB semi-spaces) let each
 * worker hold ~50 MB: 100k files with 2 workers peaked at ~200 MB RSS; with 8 MB it was
 * ~150–165 MB, with no measurable change in speed (its records are short-lived garbage).
 */
const WORKER_YOUNG_GENERATION_MB = 8;

/**
 * The most worker threads a pool starts: 4 per core, and at least 8. Each worker has its own V8
 * heap (tens of MB), and analysis is CPU-bound: more threads than this only cost memory, and
 * `jobs: 100000` would start 100,000 workers and run the machine out of memory.
 */
export function maxPoolJobs(): number {
	return Math.max(8, 4 * os.availableParallelism());
}

/** The default worker script path (see `PoolOptions.workerFile`). */
export function defaultWorkerFile(): string {
	return path.join(__dirname, 'analyzeWorker.js');
}

export class AnalyzerPool {
	private readonly jobs: number;
	private opts: AnalyzeOptions;
	private readonly workerFile: string;
	private readonly logger: Logger;
	private slots: Slot[] = [];
	private local: SyncAnalyzer | undefined;
	private nextId = 1;
	private started = false;
	private closed = false;
	private deaths = 0;
	private broken: PoolError | undefined;

	constructor(options: PoolOptions = {}) {
		const jobs = options.jobs ?? os.availableParallelism();
		if (!Number.isInteger(jobs) || jobs < 0) throw new TypeError(`jobs must be a whole number ≥ 0, got ${jobs}`);
		this.jobs = Math.min(jobs, maxPoolJobs());
		this.opts = options.analyze ?? {};
		this.workerFile = options.workerFile ?? defaultWorkerFile();
		this.logger = options.logger ?? silentLogger;
	}

	/** Worker threads in use once started; 0 means the calling thread does the work. */
	get size(): number {
		return this.local ? 0 : this.slots.length;
	}

	/** Starts the workers (idempotent). Called by `analyze` when needed. */
	start(): void {
		if (this.closed) throw new Error('AnalyzerPool is closed');
		if (this.started) return;
		this.started = true;
		if (this.jobs <= 1) {
			this.local = new SyncAnalyzer(this.opts);
			// As every worker does (see warmUpAnalyzer); ~45 ms once per process, so never on the
			// extension host's thread: the host always runs workers (analysisThreads() ≥ 2).
			warmUpAnalyzer();
			return;
		}
		if (!fs.existsSync(this.workerFile)) {
			this.logger.warn(`[scanner] worker script ${this.workerFile} not found: analyzing on the calling thread`);
			this.local = new SyncAnalyzer(this.opts);
			return;
		}
		for (let i = 0; i < this.jobs; i++) this.slots.push(this.spawn());
	}

	private spawn(): Slot {
		const worker = new Worker(this.workerFile, {
			workerData: { marker: WORKER_MARKER, opts: this.opts },
			resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
		});
		const slot: Slot = { worker, pending: new Map() };
		// An idle pool must not keep a process alive; a busy one must.
		worker.unref();
		worker.on('message', (msg: FromWorker) => {
			const p = slot.pending.get(msg.id);
			if (!p) return;
			slot.pending.delete(msg.id);
			if (slot.pending.size === 0) worker.unref();
			this.deaths = 0;
			let outcomes: AnalyzeOutcome[];
			const counts = msg.packed.form === 'counts' ? new Uint32Array(3 * p.jobs.length) : undefined;
			try {
				outcomes = unpackOutcomes(msg.packed, p.jobs, counts);
			} catch (err) {
				p.reject(err as Error);
				return;
			}
			const res: BatchResult = { outcomes, readMs: msg.readMs, analyzeMs: msg.analyzeMs };
			if (counts) res.structureCounts = counts;
			p.resolve(res);
		});
		const fail = (cause: Error) => {
			const i = this.slots.indexOf(slot);
			if (i === -1 || this.closed) return;
			this.slots.splice(i, 1);
			const err = new PoolError(`analysis worker died: ${cause.message}`, 'worker-died');
			for (const p of slot.pending.values()) p.reject(err);
			slot.pending.clear();
			this.logger.error(`[scanner] ${err.message}`);
			// Replace a dead worker so the pool keeps its size, unless they die again and again.
			if (++this.deaths > MAX_CONSECUTIVE_DEATHS) {
				this.broken = new PoolError(`analysis workers died ${this.deaths} times in a row; last: ${cause.message}`, 'pool-broken');
				this.logger.error(`[scanner] ${this.broken.message}`);
				for (const other of this.slots) {
					for (const p of other.pending.values()) p.reject(this.broken);
					other.pending.clear();
				}
				const dead = this.slots;
				this.slots = [];
				void Promise.all(dead.map((d) => d.worker.terminate()));
				return;
			}
			this.slots.push(this.spawn());
		};
		worker.on('error', fail);
		worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
		return slot;
	}

	/** Changes the analysis options for batches sent from now on. */
	setOptions(opts: AnalyzeOptions): void {
		this.opts = opts;
		this.local?.setOptions(opts);
		const msg: ToWorker = { type: 'config', opts };
		for (const s of this.slots) s.worker.postMessage(msg);
	}

	/**
	 * Reads and analyzes a batch of files on the least busy thread. Resolves with one outcome
	 * per job, in order; a file's failure is an outcome (a skip), never a rejection. Rejects
	 * (with a PoolError) only when its worker dies or the pool is broken or closed.
	 *
	 * `structure: 'text'` asks for pending records (see `StructureForm`), for callers that only
	 * put them in a FileIndex; `structure: 'counts'`, for records without structure and their
	 * counts apart (`BatchResult.structureCounts`), for callers that only sum them. On the
	 * calling thread (no workers) records are built in full, and there are no counts apart.
	 */
	analyze(jobs: AnalyzeJob[], opts?: { structure?: StructureForm }): Promise<BatchResult> {
		this.start();
		if (this.broken) return Promise.reject(this.broken);
		if (this.local) return Promise.resolve(runLocal(this.local, (a) => a.analyzeAll(jobs)));
		const packed = packJobs(jobs);
		return this.post(jobs, (id) => ({ type: 'batch', id, jobs: packed, structure: opts?.structure }), [packed.roots.buffer as ArrayBuffer]);
	}

	/** Sends one batch message to the least busy worker. */
	private post(jobs: readonly (AnalyzeJob | undefined)[], make: (id: number) => ToWorker, transfer?: ArrayBuffer[]): Promise<BatchResult> {
		let slot = this.slots[0];
		for (const s of this.slots) if (s.pending.size < slot.pending.size) slot = s;
		const id = this.nextId++;
		return new Promise<BatchResult>((resolve, reject) => {
			slot.pending.set(id, { jobs, resolve, reject });
			if (slot.pending.size === 1) slot.worker.ref();
			slot.worker.postMessage(make(id), transfer);
		});
	}

	/**
	 * Analyzes files already read by the caller; their ArrayBuffers are transferred (unusable
	 * by the caller afterwards). Used by the `readOn: 'main'` strategy.
	 */
	analyzeRead(items: ReadItem[]): Promise<BatchResult> {
		this.start();
		if (this.broken) return Promise.reject(this.broken);
		if (this.local) return Promise.resolve(runLocal(this.local, (a) => a.analyzeRead(items)));
		const transfer: ArrayBuffer[] = [];
		for (const it of items) if ('bytes' in it) transfer.push(it.bytes);
		return this.post(
			items.map((it) => ('job' in it ? it.job : undefined)),
			(id) => ({ type: 'buffers', id, items }),
			transfer,
		);
	}

	/** Batches sent and not yet answered, over all workers. */
	get inFlight(): number {
		let n = 0;
		for (const s of this.slots) n += s.pending.size;
		return n;
	}

	/** Stops the workers; pending batches are rejected. */
	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		const slots = this.slots;
		this.slots = [];
		const err = new PoolError('AnalyzerPool closed', 'pool-closed');
		for (const s of slots) {
			for (const p of s.pending.values()) p.reject(err);
			s.pending.clear();
		}
		await Promise.all(slots.map((s) => s.worker.terminate()));
	}
}

/** One batch on the calling thread (jobs ≤ 1, or a small scan), with that batch's read and analysis times. */
export function runLocal(a: SyncAnalyzer, run: (a: SyncAnalyzer) => AnalyzeOutcome[]): BatchResult {
	a.readMs = 0;
	a.analyzeMs = 0;
	const outcomes = run(a);
	return { outcomes, readMs: a.readMs, analyzeMs: a.analyzeMs };
}
