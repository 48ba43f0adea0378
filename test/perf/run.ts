// `npm run bench`: the benchmarks of Workspace Stats. Not part of `npm test`; nothing here
// asserts a timing. Prints medians (min … max) and ratios against baselines measured in the same
// run, all warm-cache (every tree is read twice before it is measured).
//
//   node out/test/perf/run.js [--only bounds,walk,analyze,seed,scan,cloc,io,index,processor,storm]
//       [--trees synth,real] [--files 100000] [--runs 5] [--warmup 1] [--cloc-runs 1]
//       [--jobs N] [--sample-mb 64] [--storm-files 50000] [--cache DIR] [--cli PATH] [--cpu-prof] [--json]
//
// Trees are cached under .bench-cache/ (git-ignored): see trees.ts.
// Child-process measurements that are compared (the scan and the machine's bounds; the warm
// rescan, find -printf and the cold scan) run round-robin, so a noisy machine loads them alike.
//
// To measure a fixed build while others keep compiling in the same tree, snapshot it first:
//   node esbuild.mjs && npx tsc -p tsconfig.json --outDir .bench-cache/snap/out &&
//   rm -rf .bench-cache/snap/dist && cp -r dist .bench-cache/snap/dist &&
//   node .bench-cache/snap/out/test/perf/run.js --cli .bench-cache/snap/dist/cli.js

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchOptions, Ctx, Suite } from './context';
import { cliPath, OUT_ROOT, setCliPath } from './core';
import { Report } from './report';
import { boundsSuite, warmPageCache } from './suites/bounds';
import { indexSuite, processorSuite, stormSuite } from './suites/indexing';
import { ioSuite } from './suites/io';
import { clocSuite, scanSuite } from './suites/scan';
import { seedSuite } from './suites/seed';
import { analyzeSuite, walkSuite } from './suites/walkAnalyze';
import { REPO_ROOT, realTree, synthTree, type Tree } from './trees';
import { pageCacheReclaim } from './machine';

/** In run order: the bounds come before the suites whose ratios use them. */
export const SUITES: Suite[] = [boundsSuite, walkSuite, analyzeSuite, seedSuite, ioSuite, scanSuite, clocSuite, indexSuite, processorSuite, stormSuite];

const USAGE = `usage: node out/test/perf/run.js [options]
  --only LIST       suites, comma-separated (default all): ${SUITES.map((s) => s.name).join(',')}
  --trees LIST      synth,real (default both)
  --files N         files in the synthetic tree (default 100000)
  --runs N          measured runs per measurement (default 5)
  --warmup N        unmeasured runs first (default 1)
  --cloc-runs N     measured runs of cloc (default 1; it is slow)
  --jobs N          N of the --jobs N scan (default: cores = ${os.availableParallelism?.() ?? os.cpus().length})
  --storm-files N   files (= events) of the storm benchmark (default 50000)
  --sample-mb N     MB of files preloaded for the in-memory suites (default 64)
  --cache DIR       cache folder for trees (default .bench-cache)
  --cli PATH        the bundled CLI to measure (default dist/cli.js; its folder must hold analyzeWorker.js)
  --cpu-prof        also profile one CLI scan per tree (node --cpu-prof) and summarize it
  --json            print the results as JSON (progress goes to stderr)
suites:
${SUITES.map((s) => `  ${s.name.padEnd(10)} ${s.description}`).join('\n')}`;

class UsageError extends Error {}

export function parseArgs(argv: string[]): BenchOptions {
	const o: BenchOptions = {
		only: null,
		files: 100_000,
		trees: ['synth', 'real'],
		runs: 5,
		warmup: 1,
		clocRuns: 1,
		jobs: os.availableParallelism?.() ?? os.cpus().length,
		sampleMB: 64,
		stormFiles: 50_000,
		json: false,
		cpuProf: false,
		cacheDir: path.join(REPO_ROOT, '.bench-cache'),
	};
	const num = (flag: string, v: string | undefined, min: number): number => {
		const n = Number(v);
		if (v === undefined || !Number.isInteger(n) || n < min) throw new UsageError(`${flag} needs an integer >= ${min}, got ${v ?? 'nothing'}`);
		return n;
	};
	const list = (v: string | undefined) => (v ?? '').split(',').map((x) => x.trim()).filter(Boolean);
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		switch (a) {
			case '--only': {
				const names = list(argv[++i]);
				const bad = names.filter((n) => !SUITES.some((s) => s.name === n));
				if (names.length === 0 || bad.length > 0) throw new UsageError(`--only: unknown suite ${bad.join(', ') || '(none given)'}`);
				o.only = new Set(names);
				break;
			}
			case '--trees': {
				o.trees = list(argv[++i]);
				const bad = o.trees.filter((t) => t !== 'synth' && t !== 'real');
				if (o.trees.length === 0 || bad.length > 0) throw new UsageError(`--trees: use synth and/or real, got ${bad.join(', ') || '(none)'}`);
				break;
			}
			case '--files':
				o.files = num(a, argv[++i], 1);
				break;
			case '--runs':
				o.runs = num(a, argv[++i], 1);
				break;
			case '--warmup':
				o.warmup = num(a, argv[++i], 0);
				break;
			case '--cloc-runs':
				o.clocRuns = num(a, argv[++i], 1);
				break;
			case '--jobs':
				o.jobs = num(a, argv[++i], 1);
				break;
			case '--storm-files':
				o.stormFiles = num(a, argv[++i], 1);
				break;
			case '--sample-mb':
				o.sampleMB = num(a, argv[++i], 1);
				break;
			case '--cache':
				o.cacheDir = path.resolve(argv[++i] ?? '');
				break;
			case '--cli':
				o.cli = path.resolve(argv[++i] ?? '');
				break;
			case '--cpu-prof':
				o.cpuProf = true;
				break;
			case '--json':
				o.json = true;
				break;
			case '--help':
			case '-h':
				process.stdout.write(USAGE + '\n');
				process.exit(0);
				break;
			default:
				throw new UsageError(`unknown option ${a}`);
		}
	}
	return o;
}

/** The machine and the code under test, printed first so a table never travels without them. */
export function machine(): Record<string, string> {
	const cpus = os.cpus();
	let commit = 'unknown';
	try {
		commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
		const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', 'src'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
		if (dirty) commit += ' (src modified)';
	} catch {
		// not a git checkout
	}
	return {
		date: new Date().toISOString(),
		cpu: cpus[0]?.model.trim() ?? 'unknown',
		cores: String(os.availableParallelism?.() ?? cpus.length),
		ram: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
		os: `${os.type()} ${os.release()} ${os.arch()}`,
		node: process.version,
		load: os.loadavg().map((l) => l.toFixed(2)).join(' '),
		commit,
	};
}

async function main(): Promise<number> {
	let opts: BenchOptions;
	try {
		opts = parseArgs(process.argv.slice(2));
	} catch (e) {
		if (e instanceof UsageError) {
			process.stderr.write(`${e.message}\n\n${USAGE}\n`);
			return 2;
		}
		throw e;
	}
	const log = (line: string) => (opts.json ? process.stderr : process.stdout).write(line + '\n');
	const report = new Report(log);
	const ctx: Ctx = { opts, report, log };
	if (opts.cli) setCliPath(opts.cli);
	const m = machine();
	log(`Workspace Stats benchmarks — ${m.date}`);
	log(`machine: ${m.cpu}, ${m.cores} cores, ${m.ram} RAM, ${m.os}; node ${m.node}; load avg ${m.load}; commit ${m.commit}`);
	log(`code: CLI ${cliPath()}, compiled modules ${OUT_ROOT}`);
	log(`options: runs ${opts.runs} (+${opts.warmup} warm-up), jobs ${opts.jobs}, trees ${opts.trees.join(',')}, synth files ${opts.files}; all measurements warm-cache`);
	const reclaim = pageCacheReclaim();
	if (reclaim) {
		log(`warning: ${reclaim}`);
		report.note('machine', '', reclaim);
	}
	fs.mkdirSync(opts.cacheDir, { recursive: true });

	const suites = SUITES.filter((s) => !opts.only || opts.only.has(s.name));
	const trees: Tree[] = [];
	for (const t of opts.trees) {
		const tree = t === 'synth' ? synthTree(opts.cacheDir, opts.files, log) : realTree(opts.cacheDir, log);
		trees.push(tree);
		log(`tree ${tree.name}: ${tree.dir}, ${tree.files} files, ${(tree.bytes / 1e6).toFixed(1)} MB`);
	}
	for (const tree of trees) {
		log(`\n== ${tree.name} (${tree.files} files, ${(tree.bytes / 1e6).toFixed(1)} MB)`);
		await warmPageCache(tree);
		for (const s of suites.filter((x) => x.perTree)) {
			log(`-- ${s.name}: ${s.description}`);
			try {
				await s.run(ctx, tree);
			} catch (e) {
				report.note(s.name, tree.name, `failed: ${e instanceof Error ? e.message : String(e)}`);
			}
		}
	}
	for (const s of suites.filter((x) => !x.perTree)) {
		log(`\n-- ${s.name}: ${s.description}`);
		try {
			await s.run(ctx, undefined);
		} catch (e) {
			report.note(s.name, '', `failed: ${e instanceof Error ? e.message : String(e)}`);
		}
	}
	if (opts.json) {
		process.stdout.write(JSON.stringify({ machine: m, options: { ...opts, only: opts.only ? [...opts.only] : null }, trees, rows: report.rows, ratios: report.ratios, notes: report.notes }, null, 2) + '\n');
	} else {
		log(`\n== results (${m.cpu}, ${m.cores} cores, ${m.ram} RAM, node ${m.node}, commit ${m.commit})`);
		log(report.tables());
	}
	return 0;
}

main().then(
	(code) => process.exit(code),
	(e: unknown) => {
		process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
		process.exit(1);
	},
);
