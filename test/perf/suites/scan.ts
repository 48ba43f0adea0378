// The full CLI scan (counts + structure) as a user runs it: `node dist/cli.js --format json DIR`
// in a child process, with `--jobs 1` and `--jobs N`; its peak RSS; then the ratios against the
// machine's bounds measured in the same run (bounds suite) and, in the cloc suite, against cloc.
// The ratios use the scan with `--no-ignore`, which reads the same files as `find` and the
// naive readers; the default scan (ignore files respected) is printed beside it.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Ctx, Suite } from '../context';
import { cliPath } from '../core';
import { formatSelfTime } from '../profile';
import { commandExists, measureChild, measureRoundRobin, runChild, type RoundEntry } from '../timing';
import type { Tree } from '../trees';
import { BOUNDS, boundEntries, reportBounds } from './bounds';

export const SCAN = {
	jobsN: (n: number) => `CLI scan --jobs ${n} --no-ignore`,
	jobs1: 'CLI scan --jobs 1 --no-ignore',
	withIgnore: (n: number) => `CLI scan --jobs ${n} (ignore files respected)`,
	rss: (n: number) => `CLI scan --jobs ${n} --no-ignore peak RSS`,
} as const;

let cliState: { ok: boolean; why: string } | undefined;

/** Is dist/cli.js the real scanner (JSON with totals), not the placeholder? Checked once per run. */
export async function cliAvailable(): Promise<{ ok: boolean; why: string }> {
	if (cliState) return cliState;
	const cli = cliPath();
	if (!fs.existsSync(cli)) return (cliState = { ok: false, why: `${cli} missing (build first)` });
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-probe-'));
	try {
		fs.writeFileSync(path.join(dir, 'a.py'), 'import os\n\n# c\ndef f():\n    return 1\n');
		const r = await runChild(process.execPath, [cli, '--format', 'json', '--jobs', '1', dir], { keepStdout: true, check: false });
		const json = JSON.parse(r.stdout) as { totals?: { files?: number; lines?: number } };
		if (json.totals?.files !== 1 || json.totals.lines !== 5) return (cliState = { ok: false, why: `probe scan gave ${JSON.stringify(json.totals)}` });
		return (cliState = { ok: true, why: '' });
	} catch (e) {
		return (cliState = { ok: false, why: `CLI not available yet (${e instanceof Error ? e.message.split('\n')[0] : String(e)})` });
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

interface ScanJson {
	totals: { files: number; lines: number; code: number; comment: number; blank: number; bytes: number };
	skipped?: unknown[];
	timing?: Record<string, number>;
}

function summary(stdout: string): string {
	const j = JSON.parse(stdout) as ScanJson;
	const t = j.totals;
	const phases = j.timing ? Object.entries(j.timing).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ') : '';
	return `${t.files} files, ${t.lines} lines, ${j.skipped?.length ?? 0} skipped${phases ? `; timing ms: ${phases}` : ''}`;
}

/**
 * Runs a Node script once under `node --cpu-prof` (profiles of every thread go to a folder
 * under the cache) and prints each thread's top self-time functions.
 */
export async function profileChild(ctx: Ctx, suite: string, tree: string, label: string, script: string, args: string[]): Promise<void> {
	const dir = path.join(ctx.opts.cacheDir, 'profiles', `${label}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
	fs.mkdirSync(dir, { recursive: true });
	await runChild(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, script, ...args]);
	const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
	ctx.report.note(suite, tree, `cpu profiles (node --cpu-prof ${path.basename(script)} ${args.join(' ')}) in ${dir}: ${files.join(', ')}`);
	// One file per thread: the main thread and each worker.
	for (const f of files) for (const line of formatSelfTime(path.join(dir, f), 12)) ctx.log(line);
}

export const scanSuite: Suite = {
	name: 'scan',
	description: 'full CLI scan --jobs 1 / --jobs N and the bounds, round-robin; peak RSS; ratios',
	perTree: true,
	async run(ctx: Ctx, tree: Tree | undefined): Promise<void> {
		if (!tree) return;
		const r = ctx.report;
		const s = 'scan';
		const avail = await cliAvailable();
		if (!avail.ok) {
			r.note(s, tree.name, avail.why);
			reportBounds(ctx, tree, await measureRoundRobin(boundEntries(tree), { runs: ctx.opts.runs, warmup: ctx.opts.warmup }));
			return;
		}
		const { runs, warmup, jobs } = ctx.opts;
		const cli = cliPath();
		const base = ['--format', 'json'];
		const nArgs = [...base, '--jobs', String(jobs), '--no-ignore', tree.dir];
		const scans: RoundEntry[] = [
			{ key: SCAN.jobsN(jobs), cmd: process.execPath, args: [cli, ...nArgs], opts: { keepStdout: true } },
			{ key: SCAN.jobs1, cmd: process.execPath, args: [cli, ...base, '--jobs', '1', '--no-ignore', tree.dir], opts: { keepStdout: true } },
			{ key: SCAN.withIgnore(jobs), cmd: process.execPath, args: [cli, ...base, '--jobs', String(jobs), tree.dir], opts: { keepStdout: true } },
		];
		// Bounds and scans in the same rounds: on a shared machine they see the same load.
		const res = await measureRoundRobin([...boundEntries(tree), ...scans], { runs, warmup });
		reportBounds(ctx, tree, res);
		for (const e of scans) {
			const m = res.get(e.key)!;
			r.row(s, tree.name, e.key, m.stats, 'ms', summary(m.last.stdout));
		}
		const scanN = res.get(SCAN.jobsN(jobs))!;
		const scan1 = res.get(SCAN.jobs1)!;
		const rss = await runChild(process.execPath, [cli, ...nArgs], { peakRss: true });
		if (rss.peakRssMiB !== undefined) {
			r.value(s, tree.name, SCAN.rss(jobs), rss.peakRssMiB, 'MiB', `measured with ${rss.rssMethod}; ${tree.files} files`);
			if (tree.files >= 100_000) r.ratio(s, tree.name, 'peak RSS / 200 MiB', rss.peakRssMiB / 200, '<= 1.0');
		} else r.note(s, tree.name, 'peak RSS: not measurable here (no /usr/bin/time, no /proc)');

		const full = scanN.stats.median;
		const cat = r.find('bounds', tree.name, BOUNDS.cat);
		if (cat) r.ratio(s, tree.name, 'full scan / read every byte (cat)', full / cat.median, '<= 2.0');
		const na = r.find('bounds', tree.name, BOUNDS.naiveAsync);
		const ns = r.find('bounds', tree.name, BOUNDS.naiveSync);
		if (na && ns) {
			const faster = na.median <= ns.median ? na : ns;
			r.ratio(s, tree.name, 'full scan / faster naive reader', full / faster.median, '<= 1.5', faster.name);
		}
		const find = r.find('bounds', tree.name, BOUNDS.find);
		if (find) r.ratio(s, tree.name, 'full scan / find -type f', full / find.median);
		r.ratio(s, tree.name, `jobs 1 / jobs ${jobs}`, scan1.stats.median / full);
		if (ctx.opts.cpuProf) await profileChild(ctx, 'scan', tree.name, `scan-${tree.name}`, cliPath(), nArgs);
	},
};

export const CLOC_FLAGS = ['--quiet', '--skip-uniqueness'];

export const clocSuite: Suite = {
	name: 'cloc',
	description: `cloc ${CLOC_FLAGS.join(' ')} DIR vs the full scan`,
	perTree: true,
	async run(ctx: Ctx, tree: Tree | undefined): Promise<void> {
		if (!tree) return;
		const r = ctx.report;
		const s = 'cloc';
		if (!commandExists('cloc')) {
			r.note(s, tree.name, 'cloc not installed (apt-get install cloc): skipped');
			return;
		}
		const m = await measureChild('cloc', [...CLOC_FLAGS, tree.dir], { runs: ctx.opts.clocRuns, warmup: 0 });
		r.row(s, tree.name, `cloc ${CLOC_FLAGS.join(' ')}`, m.stats);
		const full = r.find('scan', tree.name, SCAN.jobsN(ctx.opts.jobs));
		if (full) r.ratio(s, tree.name, 'cloc / full scan', m.stats.median / full.median, '>= 25');
	},
};
