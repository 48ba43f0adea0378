// The machine's bounds on a tree, measured warm-cache:
// - traversal: `find DIR -type f`;
// - stat of every file: `find DIR -type f -printf '%s %T@\n'` (the warm-rescan bound of issue 3);
// - reading every byte: `find DIR -type f -print0 | xargs -0 cat > /dev/null`;
// - naive single-threaded Node readers that only count newlines (fs.promises with bounded
//   concurrency, and sync calls), run as child processes like the CLI (Node start-up included).

import path from 'node:path';
import type { Ctx, Suite } from '../context';
import { measureChild } from '../timing';
import type { Tree } from '../trees';

export const NAIVE_READER = path.join(__dirname, '..', 'naiveReader.js');

/** Row names other suites and the ratio step look up. */
export const BOUNDS = {
	find: 'find -type f (traversal)',
	stat: "find -printf '%s %T@' (stat every file)",
	cat: 'find | xargs cat (read every byte)',
	naiveAsync: 'naive Node reader, fs.promises ×64 (newlines)',
	naiveSync: 'naive Node reader, sync calls (newlines)',
} as const;

/** Reads every byte twice so that every measurement of the tree runs on a warm page cache. */
export async function warmPageCache(tree: Tree): Promise<void> {
	for (let i = 0; i < 2; i++) await measureChild('bash', ['-c', 'find "$1" -type f -print0 | xargs -0 cat > /dev/null', 'bash', tree.dir], { runs: 1, warmup: 0 });
}

export const boundsSuite: Suite = {
	name: 'bounds',
	description: 'find, find -printf, find|xargs cat, naive Node newline readers',
	perTree: true,
	async run(ctx: Ctx, tree: Tree | undefined): Promise<void> {
		if (!tree) return;
		const { runs, warmup } = ctx.opts;
		const r = ctx.report;
		const s = 'bounds';
		const find = await measureChild('bash', ['-c', 'find "$1" -type f > /dev/null', 'bash', tree.dir], { runs, warmup });
		r.row(s, tree.name, BOUNDS.find, find.stats);
		const stat = await measureChild('bash', ['-c', 'find "$1" -type f -printf \'%s %T@\\n\' > /dev/null', 'bash', tree.dir], { runs, warmup });
		r.row(s, tree.name, BOUNDS.stat, stat.stats);
		const cat = await measureChild('bash', ['-c', 'find "$1" -type f -print0 | xargs -0 cat > /dev/null', 'bash', tree.dir], { runs, warmup });
		r.row(s, tree.name, BOUNDS.cat, cat.stats, 'ms', `${(tree.bytes / 1e6 / (cat.stats.median / 1000)).toFixed(0)} MB/s`);
		for (const [mode, name] of [['async', BOUNDS.naiveAsync], ['sync', BOUNDS.naiveSync]] as const) {
			const m = await measureChild(process.execPath, [NAIVE_READER, mode, tree.dir], { runs, warmup, keepStdout: true });
			const out = JSON.parse(m.last.stdout) as { files: number; bytes: number; newlines: number };
			r.row(s, tree.name, name, m.stats, 'ms', `${out.files} files, ${out.newlines} newlines`);
		}
	},
};
