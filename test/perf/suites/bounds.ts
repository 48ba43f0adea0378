// The machine's bounds on a tree, measured warm-cache:
// - traversal: `find DIR -type f`;
// - stat of every file: `find DIR -type f -printf '%s %T@\n'` (the warm-rescan bound of issue 3);
// - reading every byte: `find DIR -type f -print0 | xargs -0 cat > /dev/null`;
// - naive single-threaded Node readers that only count newlines (fs.promises with bounded
//   concurrency, and sync calls), run as child processes like the CLI (Node start-up included).

import path from 'node:path';
import type { Ctx, Suite } from '../context';
import { measureChild, measureRoundRobin, type ChildResult, type RoundEntry, type Stats } from '../timing';
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

/** The bound commands of a tree, for a round-robin measurement (see measureRoundRobin). */
export function boundEntries(tree: Tree): RoundEntry[] {
	const sh = (key: string, script: string): RoundEntry => ({ key, cmd: 'bash', args: ['-c', script, 'bash', tree.dir] });
	return [
		sh(BOUNDS.find, 'find "$1" -type f > /dev/null'),
		sh(BOUNDS.stat, "find \"$1\" -type f -printf '%s %T@\\n' > /dev/null"),
		sh(BOUNDS.cat, 'find "$1" -type f -print0 | xargs -0 cat > /dev/null'),
		{ key: BOUNDS.naiveAsync, cmd: process.execPath, args: [NAIVE_READER, 'async', tree.dir], opts: { keepStdout: true } },
		{ key: BOUNDS.naiveSync, cmd: process.execPath, args: [NAIVE_READER, 'sync', tree.dir], opts: { keepStdout: true } },
	];
}

/** Adds the bound rows of a round-robin result. */
export function reportBounds(ctx: Ctx, tree: Tree, res: Map<string, { stats: Stats; last: ChildResult }>): void {
	for (const e of boundEntries(tree)) {
		const m = res.get(e.key);
		if (!m) continue;
		let note: string | undefined;
		if (e.key === BOUNDS.cat) note = `${(tree.bytes / 1e6 / (m.stats.median / 1000)).toFixed(0)} MB/s`;
		if (e.key === BOUNDS.naiveAsync || e.key === BOUNDS.naiveSync) {
			const out = JSON.parse(m.last.stdout) as { files: number; newlines: number };
			note = `${out.files} files, ${out.newlines} newlines`;
		}
		ctx.report.row('bounds', tree.name, e.key, m.stats, 'ms', note);
	}
}

export const boundsSuite: Suite = {
	name: 'bounds',
	description: 'find, find -printf, find|xargs cat, naive Node newline readers (round-robin; with the scan when both run)',
	perTree: true,
	async run(ctx: Ctx, tree: Tree | undefined): Promise<void> {
		if (!tree) return;
		// The scan suite measures the bounds in the same rounds as the scans.
		if (!ctx.opts.only || ctx.opts.only.has('scan')) return;
		const { runs, warmup } = ctx.opts;
		reportBounds(ctx, tree, await measureRoundRobin(boundEntries(tree), { runs, warmup }));
	},
};
