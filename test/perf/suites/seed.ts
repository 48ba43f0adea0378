// The seed's before/after pairs, each measured in the same run:
// 1. one glob per file type (a full traversal per extension) vs one traversal (all types at once,
//    and our `walk`);
// 2. a split per question (decode + split the file into lines once per question: blank? comment?
//    import? class? function?) vs one pass (our `analyzeBuffer`);
// 3. line-by-line JSONL parsing (readline + JSON.parse per line) vs batch (one readFile + one
//    JSON.parse) for an index of 100,000 records.

import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import picomatch from 'picomatch';
import type { Ctx, Suite } from '../context';
import { findExport } from '../core';
import { sampleOf } from '../samples';
import { measure } from '../timing';
import type { Tree } from '../trees';

// --- 1. glob per type ----------------------------------------------------------------------------

/** A plain recursive async traversal (readdir with file types, one folder level at a time in parallel). */
async function traverse(root: string, onFile: (rel: string) => void): Promise<void> {
	const visit = async (rel: string): Promise<void> => {
		const entries = await fs.promises.readdir(path.join(root, rel), { withFileTypes: true });
		const sub: Promise<void>[] = [];
		for (const e of entries) {
			const p = rel ? `${rel}/${e.name}` : e.name;
			if (e.isDirectory()) {
				if (e.name !== '.git') sub.push(visit(p));
			} else if (e.isFile()) onFile(p);
		}
		await Promise.all(sub);
	};
	await visit('');
}

/** Extensions to count: the tree's ten most common ones. */
function topExtensions(tree: Tree): string[] {
	return Object.entries(tree.extensions)
		.filter(([ext]) => ext !== '')
		.sort((a, b) => b[1] - a[1])
		.slice(0, 10)
		.map(([ext]) => ext);
}

type WalkFn = (roots: string[], opts?: Record<string, unknown>) => AsyncIterable<{ files: unknown[] }>;

export async function walkCount(walk: WalkFn, dir: string, opts: Record<string, unknown> = {}): Promise<number> {
	let n = 0;
	for await (const b of walk([dir], opts)) n += b.files.length;
	return n;
}

// --- 2. split per question ----------------------------------------------------------------------

interface Questions {
	comment: RegExp;
	import: RegExp;
	class: RegExp;
	function: RegExp;
}

const PY: Questions = { comment: /^\s*#/, import: /^\s*(import|from)\s/, class: /^\s*class\s/, function: /^\s*(async\s+)?def\s/ };
const CLIKE: Questions = {
	comment: /^\s*(\/\/|\/\*|\*)/,
	import: /^\s*(import\b|#include\b|using\s|const\s+\w+\s*=\s*require\()/,
	class: /^\s*(export\s+)?((public|private|internal|abstract|sealed|static|default)\s+)*(class|struct)\s/,
	function: /^\s*(export\s+)?((public|private|protected|static|async|override|virtual)\s+)*(function\b|\w[\w<>,\s]*\s+\w+\s*\([^;]*\)\s*\{?\s*$)|=>\s*\{?\s*$/,
};
const NONE: Questions = { comment: /^\s*<!--/, import: /$^/, class: /$^/, function: /$^/ };

function questionsFor(p: string): Questions {
	const ext = path.extname(p).toLowerCase();
	if (ext === '.py') return PY;
	if (['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.cs', '.cpp', '.c', '.h', '.hpp', '.java', '.go', '.rs'].includes(ext)) return CLIKE;
	return NONE;
}

/** The "before": every question decodes and splits the whole file again. */
function splitPerQuestion(buf: Buffer, p: string): number {
	const q = questionsFor(p);
	const lines = () => buf.toString('utf8').split(/\r\n|\n|\r/);
	let n = 0;
	n += lines().filter((l) => l.trim() === '').length;
	n += lines().filter((l) => q.comment.test(l)).length;
	n += lines().filter((l) => q.import.test(l)).length;
	n += lines().filter((l) => q.class.test(l)).length;
	n += lines().filter((l) => q.function.test(l)).length;
	return n;
}

type AnalyzeBufferFn = (buf: Buffer, fileName: string, opts?: Record<string, unknown>) => { ok: boolean };

// --- 3. JSONL -------------------------------------------------------------------------------------

const WORDS = ['user', 'order', 'cache', 'token', 'session', 'buffer', 'parser', 'config', 'item', 'node'];

/** A FileRecord-shaped record (deterministic). */
export function record(i: number): Record<string, unknown> {
	const w = (k: number) => WORDS[(i * 7 + k * 3) % WORDS.length];
	return {
		path: `src/${w(1)}/${w(2)}/${w(3)}${i}.ts`,
		root: 0,
		language: 'TypeScript',
		category: 'code',
		bytes: 1000 + (i % 5000),
		size: 1000 + (i % 5000),
		mtimeMs: 1764000000000 + i,
		// code + comment + blank = lines, as in every real record (stores check it).
		lines: 30 + (i % 80) + 5 + (i % 10) + 5 + (i % 7),
		code: 30 + (i % 80),
		comment: 5 + (i % 10),
		blank: 5 + (i % 7),
		imports: [`./${w(4)}`, `../${w(5)}/${w(6)}`],
		classes: i % 3 === 0 ? [{ name: `${w(7)}Service`, line: 10 }] : [],
		functions: [{ name: `get${w(8)}`, line: 12 }, { name: `set${w(9)}`, line: 20 }],
	};
}

/** Writes `records-<n>.jsonl` (one record a line) and `records-<n>.json` (one array) once. */
function recordFiles(cacheDir: string, n: number): { jsonl: string; json: string } {
	const jsonl = path.join(cacheDir, `records-${n}.jsonl`);
	const json = path.join(cacheDir, `records-${n}.json`);
	if (!fs.existsSync(jsonl) || !fs.existsSync(json)) {
		const recs = Array.from({ length: n }, (_, i) => record(i));
		fs.writeFileSync(jsonl, recs.map((r) => JSON.stringify(r)).join('\n') + '\n');
		fs.writeFileSync(json, JSON.stringify(recs));
	}
	return { jsonl, json };
}

async function jsonlByLine(file: string): Promise<number> {
	const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
	let n = 0;
	for await (const line of rl) {
		if (line) {
			JSON.parse(line);
			n++;
		}
	}
	return n;
}

// --- the suite ------------------------------------------------------------------------------------

export const SEED = {
	globPerType: (k: number) => `one traversal per file type (${k} globs)`,
	oneTraversal: 'one traversal, all types (same walker)',
	ourWalk: 'our walk, one traversal (ignore rules, stat)',
	split: 'split per question (5 decode+split passes)',
	onePass: 'one pass: analyzeBuffer',
	jsonlLine: 'JSONL readline + JSON.parse per line (100k)',
	jsonlSplit: 'JSONL readFile + split + parse per line (100k)',
	jsonBatch: 'JSON batch: one readFile + one JSON.parse (100k)',
} as const;

export const seedSuite: Suite = {
	name: 'seed',
	description: "the seed's before/after pairs: glob per type, split per question, JSONL by line",
	perTree: true,
	async run(ctx: Ctx, tree: Tree | undefined): Promise<void> {
		if (!tree) return;
		const { runs, warmup } = ctx.opts;
		const r = ctx.report;
		const s = 'seed';

		// 1. one glob per file type vs one traversal
		const exts = topExtensions(tree);
		const matchers = exts.map((e) => picomatch(`**/*${e}`, { dot: true }));
		const before = await measure(async () => {
			let n = 0;
			for (const m of matchers) {
				await traverse(tree.dir, (p) => {
					if (m(p)) n++;
				});
			}
			return n;
		}, { runs, warmup });
		r.row(s, tree.name, SEED.globPerType(exts.length), before.stats, 'ms', `${before.last} files matched`);
		const after = await measure(async () => {
			const byExt = new Map<string, number>();
			await traverse(tree.dir, (p) => {
				const ext = path.extname(p).toLowerCase();
				byExt.set(ext, (byExt.get(ext) ?? 0) + 1);
			});
			return exts.reduce((a, e) => a + (byExt.get(e) ?? 0), 0);
		}, { runs, warmup });
		r.row(s, tree.name, SEED.oneTraversal, after.stats, 'ms', `${after.last} files matched`);
		r.ratio(s, tree.name, 'glob per type / one traversal', before.stats.median / after.stats.median);
		const walk = findExport<WalkFn>('walk', ['walk']);
		if (walk) {
			const ours = await measure(() => walkCount(walk.value, tree.dir), { runs, warmup });
			r.row(s, tree.name, SEED.ourWalk, ours.stats, 'ms', `${ours.last} files`);
			r.ratio(s, tree.name, 'glob per type / our walk', before.stats.median / ours.stats.median);
		} else r.note(s, tree.name, 'walk: not available yet');

		// 2. split per question vs one pass
		const sample = sampleOf(tree, ctx.opts.sampleMB);
		const mb = sample.bytes / 1e6;
		const split = await measure(() => {
			let n = 0;
			for (let i = 0; i < sample.buffers.length; i++) n += splitPerQuestion(sample.buffers[i], sample.paths[i]);
			return n;
		}, { runs, warmup });
		r.row(s, tree.name, SEED.split, split.stats, 'ms', `${(mb / (split.stats.median / 1000)).toFixed(0)} MB/s over ${mb.toFixed(0)} MB`);
		const analyze = findExport<AnalyzeBufferFn>('analyzeBuffer', ['analyzer', 'analyze']);
		if (analyze) {
			const one = await measure(() => {
				let ok = 0;
				for (let i = 0; i < sample.buffers.length; i++) if (analyze.value(sample.buffers[i], sample.paths[i]).ok) ok++;
				return ok;
			}, { runs, warmup });
			r.row(s, tree.name, SEED.onePass, one.stats, 'ms', `${(mb / (one.stats.median / 1000)).toFixed(0)} MB/s, counts + structure`);
			r.ratio(s, tree.name, 'split per question / one pass', split.stats.median / one.stats.median);
		} else r.note(s, tree.name, 'analyzeBuffer: not available yet');

		// 3. JSONL by line vs batch: tree-independent, measured with the first tree only.
		if (r.find(s, '', SEED.jsonBatch)) return;
		const files = recordFiles(ctx.opts.cacheDir, 100_000);
		const byLine = await measure(() => jsonlByLine(files.jsonl), { runs, warmup });
		r.row(s, '', SEED.jsonlLine, byLine.stats);
		const bySplit = await measure(() => {
			const text = fs.readFileSync(files.jsonl, 'utf8');
			let n = 0;
			for (const line of text.split('\n')) {
				if (line) {
					JSON.parse(line);
					n++;
				}
			}
			return n;
		}, { runs, warmup });
		r.row(s, '', SEED.jsonlSplit, bySplit.stats);
		const batch = await measure(() => (JSON.parse(fs.readFileSync(files.json, 'utf8')) as unknown[]).length, { runs, warmup });
		r.row(s, '', SEED.jsonBatch, batch.stats);
		r.ratio(s, '', 'JSONL line by line / batch', byLine.stats.median / batch.stats.median);
	},
};
