// The trees the benchmarks run on, prepared once and cached under `.bench-cache/` (git-ignored):
// - `synth-<N>`: N files from the synthetic generator (deterministic, seed 12345), with the
//   generator's manifest beside it;
// - `real`: the `node_modules` of a pinned set of npm packages (test/perf/real-tree/package.json
//   and its lockfile), installed with `npm ci --ignore-scripts`.
// Every tree root gets an empty `.git` folder, so it is the top of its own repository: the
// scanner then reads no ignore rules from the project around `.bench-cache` (whose .gitignore
// lists `.bench-cache/` and `node_modules/`), as for a workspace that is a checkout of its own.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface Tree {
	/** Short name used in the tables: `synth-100000`, `real`. */
	name: string;
	/** Absolute root folder. */
	dir: string;
	/** Regular files under the root (what `find -type f` lists). */
	files: number;
	bytes: number;
	/** Extensions present, with their file counts (for the one-glob-per-type baseline). */
	extensions: Record<string, number>;
}

/**
 * The repository root: the first folder above this file with the project's package.json (the
 * benchmarks may be compiled to another out folder, e.g. a snapshot under .bench-cache).
 */
export const REPO_ROOT = findRepoRoot(__dirname);

function findRepoRoot(from: string): string {
	for (let d = from; ; d = path.dirname(d)) {
		try {
			const pkg = JSON.parse(fs.readFileSync(path.join(d, 'package.json'), 'utf8')) as { name?: string };
			if (pkg.name === 'workspace-stats') return d;
		} catch {
			// not here
		}
		if (path.dirname(d) === d) return path.resolve(__dirname, '..', '..', '..');
	}
}

/** The generator: the repository's copy when it exists, else the shared corpus one. */
export function generatorPath(): string {
	const inRepo = path.join(REPO_ROOT, 'test', 'tools', 'gen-synth.mjs');
	if (fs.existsSync(inRepo)) return inRepo;
	return '/work/shared/corpus/gen-synth.mjs';
}

function markRepoTop(dir: string): void {
	fs.mkdirSync(path.join(dir, '.git'), { recursive: true });
}

/** Counts regular files, bytes and extensions with a plain synchronous walk (not timed). */
export function describeTree(name: string, dir: string): Tree {
	let files = 0;
	let bytes = 0;
	const extensions: Record<string, number> = {};
	const stack = [dir];
	while (stack.length > 0) {
		const d = stack.pop()!;
		for (const e of fs.readdirSync(d, { withFileTypes: true })) {
			const p = path.join(d, e.name);
			if (e.isDirectory()) stack.push(p);
			else if (e.isFile()) {
				files++;
				bytes += fs.statSync(p).size;
				const ext = path.extname(e.name).toLowerCase();
				extensions[ext] = (extensions[ext] ?? 0) + 1;
			}
		}
	}
	return { name, dir, files, bytes, extensions };
}

function cachedDescription(name: string, dir: string, metaFile: string): Tree {
	try {
		const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as Tree;
		if (meta.dir === dir) return meta;
	} catch {
		// no or stale description: recount
	}
	const t = describeTree(name, dir);
	fs.writeFileSync(metaFile, JSON.stringify(t));
	return t;
}

/**
 * The synthetic tree of `n` files (generated into a temp folder and renamed when complete, so
 * an interrupted generation is never reused).
 */
export function synthTree(cacheDir: string, n: number, log: (s: string) => void): Tree {
	const name = `synth-${n}`;
	const dir = path.join(cacheDir, name);
	if (!fs.existsSync(dir)) {
		const tmp = `${dir}.tmp`;
		fs.rmSync(tmp, { recursive: true, force: true });
		log(`generating ${name} with ${generatorPath()} …`);
		const r = spawnSync(process.execPath, [generatorPath(), tmp, String(n), '--seed', '12345', '--manifest', `${dir}.manifest.json`], { stdio: ['ignore', 'ignore', 'inherit'] });
		if (r.status !== 0) throw new Error(`gen-synth failed for ${name} (exit ${r.status ?? r.signal})`);
		fs.renameSync(tmp, dir);
	}
	markRepoTop(dir);
	return cachedDescription(name, dir, `${dir}.meta.json`);
}

/**
 * The real tree: `npm ci` of test/perf/real-tree into `<cache>/real`, root = its node_modules.
 * Reinstalled when the pinned lockfile changes.
 */
export function realTree(cacheDir: string, log: (s: string) => void): Tree {
	const src = path.join(REPO_ROOT, 'test', 'perf', 'real-tree');
	const base = path.join(cacheDir, 'real');
	const dir = path.join(base, 'node_modules');
	const lock = fs.readFileSync(path.join(src, 'package-lock.json'), 'utf8');
	const stamp = path.join(cacheDir, 'real.lock.json');
	const installed = fs.existsSync(dir) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === lock;
	if (!installed) {
		log('installing the real tree (npm ci --ignore-scripts, pinned lockfile) …');
		fs.rmSync(base, { recursive: true, force: true });
		fs.rmSync(`${base}.meta.json`, { force: true });
		fs.mkdirSync(base, { recursive: true });
		fs.copyFileSync(path.join(src, 'package.json'), path.join(base, 'package.json'));
		fs.copyFileSync(path.join(src, 'package-lock.json'), path.join(base, 'package-lock.json'));
		const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
		const r = spawnSync(npm, ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: base, stdio: ['ignore', 'inherit', 'inherit'] });
		if (r.status !== 0) throw new Error(`npm ci of the real tree failed (exit ${r.status ?? r.signal})`);
		fs.writeFileSync(stamp, lock);
	}
	markRepoTop(dir);
	return cachedDescription('real', dir, `${base}.meta.json`);
}
