// Timing helpers of the benchmarks: medians (with min and max) of repeated runs after warm-up,
// wall time and peak RSS of child processes. Nothing here asserts a timing: the runner prints
// numbers and ratios against baselines measured in the same run.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Summary of repeated measurements (milliseconds unless the caller says otherwise). */
export interface Stats {
	runs: number;
	median: number;
	min: number;
	max: number;
	mean: number;
	samples: number[];
}

/** Median, min, max and mean of samples; the median of an even count is the mean of the middle two. */
export function summarize(samples: number[]): Stats {
	if (samples.length === 0) throw new RangeError('summarize: no samples');
	const s = [...samples].sort((a, b) => a - b);
	const mid = s.length >> 1;
	const median = s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
	const mean = s.reduce((a, b) => a + b, 0) / s.length;
	return { runs: s.length, median, min: s[0], max: s[s.length - 1], mean, samples };
}

export interface MeasureOptions {
	/**
	 * Measured runs.
	 * @default 5
	 */
	runs?: number;
	/**
	 * Unmeasured runs first (JIT warm-up, page cache, lazy compilation).
	 * @default 1
	 */
	warmup?: number;
}

/** Wall time of `fn` (awaited) over several runs. Returns the stats and the last run's result. */
export async function measure<T>(fn: () => T | Promise<T>, opts: MeasureOptions = {}): Promise<{ stats: Stats; last: T }> {
	const runs = Math.max(1, opts.runs ?? 5);
	const warmup = Math.max(0, opts.warmup ?? 1);
	let last!: T;
	for (let i = 0; i < warmup; i++) last = await fn();
	const samples: number[] = [];
	for (let i = 0; i < runs; i++) {
		const t0 = process.hrtime.bigint();
		last = await fn();
		samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
	}
	return { stats: summarize(samples), last };
}

// --- child processes -----------------------------------------------------------------------------

export interface ChildResult {
	/** Wall time from spawn to exit, milliseconds. */
	ms: number;
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	/** Peak resident set size in MiB, when asked for and measurable. */
	peakRssMiB?: number;
	/** How the peak RSS was measured. */
	rssMethod?: 'time -v' | 'proc VmHWM poll';
}

export interface ChildOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	/** Measure the child's peak RSS (adds `/usr/bin/time` when present, else polls /proc). @default false */
	peakRss?: boolean;
	/** Keep stdout (otherwise it is drained and dropped, up to the last 64 KiB). @default false */
	keepStdout?: boolean;
	/** Fail (reject) on a non-zero exit. @default true */
	check?: boolean;
}

const TIME_BIN = '/usr/bin/time';
let timeBinWorks: boolean | undefined;

function hasTimeBin(): boolean {
	if (timeBinWorks === undefined) {
		try {
			fs.accessSync(TIME_BIN, fs.constants.X_OK);
			timeBinWorks = true;
		} catch {
			timeBinWorks = false;
		}
	}
	return timeBinWorks;
}

let tmpCounter = 0;

/**
 * Runs a command to completion and times it. Shell pipelines go through `bash -c` (pass
 * `['bash', ['-c', script]]`). Peak RSS: GNU time's `%M` (max RSS in KiB of the process it
 * runs, which is the real command because `time` execs it) when `/usr/bin/time` exists;
 * otherwise the child's VmHWM is polled every 10 ms from /proc (Linux), which can miss a
 * peak in the last 10 ms of its life.
 */
export function runChild(cmd: string, args: string[], opts: ChildOptions = {}): Promise<ChildResult> {
	let file = cmd;
	let argv = args;
	let rssFile: string | undefined;
	const useTime = opts.peakRss === true && hasTimeBin();
	if (useTime) {
		rssFile = path.join(os.tmpdir(), `bench-rss-${process.pid}-${++tmpCounter}.txt`);
		file = TIME_BIN;
		argv = ['-f', '%M', '-o', rssFile, cmd, ...args];
	}
	return new Promise((resolve, reject) => {
		const t0 = process.hrtime.bigint();
		const child = spawn(file, argv, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
		const out: Buffer[] = [];
		let outLen = 0;
		const err: Buffer[] = [];
		child.stdout.on('data', (b: Buffer) => {
			out.push(b);
			outLen += b.length;
			// Without keepStdout only a tail is kept (for error messages); big JSON is dropped.
			if (!opts.keepStdout) {
				while (outLen > 65536 && out.length > 1) outLen -= out.shift()!.length;
			}
		});
		child.stderr.on('data', (b: Buffer) => err.push(b));
		let hwmKiB = 0;
		let poll: NodeJS.Timeout | undefined;
		if (opts.peakRss === true && !useTime && child.pid !== undefined) {
			const statusPath = `/proc/${child.pid}/status`;
			poll = setInterval(() => {
				try {
					const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(statusPath, 'utf8'));
					if (m) hwmKiB = Math.max(hwmKiB, Number(m[1]));
				} catch {
					// the process is gone (or not Linux): keep what we have
				}
			}, 10);
		}
		child.on('error', (e) => {
			if (poll) clearInterval(poll);
			reject(new Error(`cannot run ${cmd}: ${e.message}`));
		});
		child.on('close', (code, signal) => {
			const ms = Number(process.hrtime.bigint() - t0) / 1e6;
			if (poll) clearInterval(poll);
			const res: ChildResult = {
				ms,
				code,
				signal,
				stdout: Buffer.concat(out).toString('utf8'),
				stderr: Buffer.concat(err).toString('utf8'),
			};
			if (rssFile) {
				try {
					const text = fs.readFileSync(rssFile, 'utf8').trim().split('\n');
					const kib = Number(text[text.length - 1]);
					if (Number.isFinite(kib)) {
						res.peakRssMiB = kib / 1024;
						res.rssMethod = 'time -v';
					}
				} catch {
					// time could not write its report: leave peakRssMiB undefined
				}
				fs.rmSync(rssFile, { force: true });
			} else if (hwmKiB > 0) {
				res.peakRssMiB = hwmKiB / 1024;
				res.rssMethod = 'proc VmHWM poll';
			}
			if ((opts.check ?? true) && code !== 0) {
				const tail = res.stderr.slice(-2000) || res.stdout.slice(-2000);
				reject(new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}: ${tail}`));
				return;
			}
			resolve(res);
		});
	});
}

/** Times a child command over several runs (after warm-up runs); returns stats and the last result. */
export async function measureChild(
	cmd: string,
	args: string[],
	opts: ChildOptions & MeasureOptions = {},
): Promise<{ stats: Stats; last: ChildResult }> {
	const runs = Math.max(1, opts.runs ?? 5);
	const warmup = Math.max(0, opts.warmup ?? 1);
	let last!: ChildResult;
	for (let i = 0; i < warmup; i++) last = await runChild(cmd, args, { ...opts, peakRss: false });
	const samples: number[] = [];
	for (let i = 0; i < runs; i++) {
		last = await runChild(cmd, args, opts);
		samples.push(last.ms);
	}
	return { stats: summarize(samples), last };
}

/** Does a command exist on PATH? */
export function commandExists(cmd: string): boolean {
	for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
		if (!dir) continue;
		try {
			fs.accessSync(path.join(dir, cmd), fs.constants.X_OK);
			return true;
		} catch {
			// keep looking
		}
	}
	return false;
}

/** One command of a round-robin measurement. */
export interface RoundEntry {
	key: string;
	cmd: string;
	args: string[];
	opts?: ChildOptions;
}

/**
 * Measures several commands in rounds (each round runs every command once, starting at a
 * different one each round), so that on a shared, noisy machine every command sees the same
 * load and the ratios between them stay meaningful. Warm-up rounds first.
 */
export async function measureRoundRobin(entries: RoundEntry[], opts: MeasureOptions = {}): Promise<Map<string, { stats: Stats; last: ChildResult }>> {
	const runs = Math.max(1, opts.runs ?? 5);
	const warmup = Math.max(0, opts.warmup ?? 1);
	const samples = new Map<string, number[]>(entries.map((e) => [e.key, []]));
	const last = new Map<string, ChildResult>();
	for (let round = 0; round < warmup + runs; round++) {
		for (let k = 0; k < entries.length; k++) {
			const e = entries[(k + round) % entries.length];
			const res = await runChild(e.cmd, e.args, { ...e.opts, peakRss: false });
			last.set(e.key, res);
			if (round >= warmup) samples.get(e.key)!.push(res.ms);
		}
	}
	const out = new Map<string, { stats: Stats; last: ChildResult }>();
	for (const e of entries) out.set(e.key, { stats: summarize(samples.get(e.key)!), last: last.get(e.key)! });
	return out;
}
