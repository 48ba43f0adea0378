// Our side, piece by piece, in this process (no Node start-up):
// - `walk` alone over the tree (with and without the per-file stat);
// - `analyzeBuffer` over preloaded buffers (MB/s, counts + structure) vs only counting
//   newlines over the same buffers (the CPU floor of any line counter).

import type { Ctx, Suite } from '../context';
import { findExport } from '../core';
import { countNewlines } from '../naiveReader';
import { sampleOf } from '../samples';
import { measure } from '../timing';
import type { Tree } from '../trees';
import { walkCount } from './seed';

type WalkFn = (roots: string[], opts?: Record<string, unknown>) => AsyncIterable<{ files: unknown[] }>;
type AnalyzeBufferFn = (buf: Buffer, fileName: string, opts?: Record<string, unknown>) => { ok: boolean };

export const WALK = {
	stat: 'walk (stat every file)',
	noStat: 'walk (stat: false)',
	noIgnore: 'walk (stat, respectIgnoreFiles: false)',
} as const;

export const walkSuite: Suite = {
	name: 'walk',
	description: 'our walk alone (in-process)',
	perTree: true,
	async run(ctx: Ctx, tree: Tree | undefined): Promise<void> {
		if (!tree) return;
		const walk = findExport<WalkFn>('walk', ['walk']);
		if (!walk) {
			ctx.report.note('walk', tree.name, 'walk: not available yet');
			return;
		}
		const { runs, warmup } = ctx.opts;
		for (const [name, opts] of [[WALK.stat, {}], [WALK.noStat, { stat: false }], [WALK.noIgnore, { respectIgnoreFiles: false }]] as const) {
			const m = await measure(() => walkCount(walk.value, tree.dir, opts), { runs, warmup });
			ctx.report.row('walk', tree.name, name, m.stats, 'ms', `${m.last} files`);
		}
	},
};

export const ANALYZE = {
	newlines: 'count newlines over preloaded buffers',
	analyze: 'analyzeBuffer over preloaded buffers',
} as const;

export const analyzeSuite: Suite = {
	name: 'analyze',
	description: 'analyzeBuffer MB/s vs newline counting, same preloaded buffers',
	perTree: true,
	async run(ctx: Ctx, tree: Tree | undefined): Promise<void> {
		if (!tree) return;
		const { runs, warmup } = ctx.opts;
		const r = ctx.report;
		const sample = sampleOf(tree, ctx.opts.sampleMB);
		const mb = sample.bytes / 1e6;
		const nl = await measure(() => {
			let n = 0;
			for (const b of sample.buffers) n += countNewlines(b);
			return n;
		}, { runs, warmup });
		r.row('analyze', tree.name, ANALYZE.newlines, nl.stats, 'ms', `${(mb / (nl.stats.median / 1000)).toFixed(0)} MB/s, ${sample.buffers.length} files, ${mb.toFixed(0)} MB`);
		const analyze = findExport<AnalyzeBufferFn>('analyzeBuffer', ['analyzer', 'analyze']);
		if (!analyze) {
			r.note('analyze', tree.name, 'analyzeBuffer: not available yet');
			return;
		}
		let skipped = 0;
		const an = await measure(() => {
			skipped = 0;
			for (let i = 0; i < sample.buffers.length; i++) if (!analyze.value(sample.buffers[i], sample.paths[i]).ok) skipped++;
			return skipped;
		}, { runs, warmup });
		r.row('analyze', tree.name, ANALYZE.analyze, an.stats, 'ms', `${(mb / (an.stats.median / 1000)).toFixed(0)} MB/s, counts + structure, ${skipped} skipped`);
		r.ratio('analyze', tree.name, 'analyzeBuffer / newline count', an.stats.median / nl.stats.median);
	},
};
