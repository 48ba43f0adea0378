// `workspace-stats watch --format json` as a child process, for the end-to-end watch tests: its
// JSON lines as they come, waits on them (re-checked on each new line, no polling), its exit.

import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { scan } from '../../../src/core/scanner';
import type { ScanOptions, Totals } from '../../../src/core/types';

export const cli = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js');

export interface Line {
	event: string;
	added?: string[];
	changed?: string[];
	removed?: string[];
	totals: Totals;
	errors?: unknown[];
	reason?: string;
	root?: string;
	/** A line that is not JSON (kept as text). */
	text?: string;
}

/** Runs `workspace-stats watch --format json ...args` and collects its JSON lines. */
export function startWatch(args: string[], opts: { cwd?: string } = {}) {
	const p = spawn(process.execPath, [cli, 'watch', '--format', 'json', ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd });
	const lines: Line[] = [];
	let buf = '';
	let stderr = '';
	let waiters: (() => void)[] = [];
	const wake = () => {
		const w = waiters;
		waiters = [];
		for (const f of w) f();
	};
	p.stdout.setEncoding('utf8');
	p.stdout.on('data', (d: string) => {
		buf += d;
		let nl;
		while ((nl = buf.indexOf('\n')) >= 0) {
			const text = buf.slice(0, nl);
			buf = buf.slice(nl + 1);
			try {
				lines.push(JSON.parse(text) as Line);
			} catch {
				lines.push({ event: 'text', text } as Line);
			}
		}
		wake();
	});
	p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
	let exitCode: number | null | undefined;
	const exited = new Promise<number | null>((resolve) => p.on('close', (code) => {
		exitCode = code;
		wake();
		resolve(code);
	}));
	/** Waits until `pred` holds for the lines so far (re-checked on each new line and at exit). */
	const waitFor = async (what: string, pred: (lines: Line[]) => boolean, ms = 15_000): Promise<void> => {
		const deadline = Date.now() + ms;
		while (!pred(lines)) {
			const left = deadline - Date.now();
			if (left <= 0 || exitCode !== undefined) {
				throw new Error(`${exitCode !== undefined ? `exited (${exitCode})` : 'timed out'} waiting for ${what}; lines: ${JSON.stringify(lines.slice(-5))}; stderr: ${stderr}`);
			}
			await new Promise<void>((resolve) => {
				const t = setTimeout(resolve, left);
				waiters.push(() => {
					clearTimeout(t);
					resolve();
				});
			});
		}
	};
	/** The exit code, or an error if the process is still running after `ms`. */
	const waitExit = async (ms = 15_000): Promise<number | null> => {
		let t: NodeJS.Timeout | undefined;
		const timeout = new Promise<never>((_, reject) => {
			t = setTimeout(() => reject(new Error(`still running after ${ms} ms; lines: ${JSON.stringify(lines.slice(-5))}; stderr: ${stderr}`)), ms);
		});
		try {
			return await Promise.race([exited, timeout]);
		} finally {
			clearTimeout(t);
		}
	};
	const batches = () => lines.filter((l) => l.event === 'batch');
	return { p, lines, waitFor, exited, waitExit, batches, stderr: () => stderr };
}

export async function coldTotals(dir: string, opts: ScanOptions = {}): Promise<Totals> {
	return (await scan([dir], { jobs: 1, ...opts })).aggregates.totals;
}
