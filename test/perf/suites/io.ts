// I/O strategies for reading every file of a tree (list taken beforehand, not timed), each
// counting newlines so the CPU side is the same: async fs.promises.readFile on the libuv pool at
// several concurrencies, sync reads on the main thread, and sync reads inside worker threads
// with several batch sizes. The scanner should use the fastest (see the README).

import path from 'node:path';
import { Worker } from 'node:worker_threads';
import fs from 'node:fs';
import type { Ctx, Suite } from '../context';
import { findExport } from '../core';
import { countNewlines } from '../naiveReader';
import { treeFiles } from '../samples';
import { measure } from '../timing';
import type { Tree } from '../trees';

type ScanFn = (roots: string[], opts?: Record<string, unknown>) => Promise<{ aggregates?: { totals?: { files?: number } } }>;

const IO_WORKER = path.join(__dirname, '..', 'ioWorker.js');

async function asyncPool(files: string[], concurrency: number): Promise<number> {
	let next = 0;
	let bytes = 0;
	const lane = async (): Promise<void> => {
		while (next < files.length) {
			const b = await fs.promises.readFile(files[next++]);
			bytes += b.length;
			countNewlines(b);
		}
	};
	await Promise.all(Array.from({ length: concurrency }, lane));
	return bytes;
}

function syncMain(files: string[]): number {
	let bytes = 0;
	for (const f of files) {
		const b = fs.readFileSync(f);
		bytes += b.length;
		countNewlines(b);
	}
	return bytes;
}

/** Workers started once per strategy run (start-up included, as a scan pays it too). */
async function workers(files: string[], n: number, batch: number): Promise<number> {
	const pool = Array.from({ length: n }, () => new Worker(IO_WORKER));
	let next = 0;
	let bytes = 0;
	try {
		await Promise.all(
			pool.map(
				(w) =>
					new Promise<void>((resolve, reject) => {
						const send = (): void => {
							if (next >= files.length) return resolve();
							const chunk = files.slice(next, next + batch);
							next += batch;
							w.postMessage(chunk);
						};
						w.on('message', (m: { bytes: number }) => {
							bytes += m.bytes;
							send();
						});
						w.on('error', reject);
						// Two batches in flight per worker so it never waits for the main thread.
						send();
						send();
					}),
			),
		);
	} finally {
		await Promise.all(pool.map((w) => w.terminate()));
	}
	return bytes;
}

export const ioSuite: Suite = {
	name: 'io',
	description: 'read strategies: async pool ×8/32/128, sync main thread, sync in worker threads × batch sizes',
	perTree: true,
	async run(ctx: Ctx, tree: Tree | undefined): Promise<void> {
		if (!tree) return;
		const files = treeFiles(tree).map((p) => path.join(tree.dir, p));
		// No warm-up rounds here: the page cache is warm already and each run covers the whole
		// tree (thousands of files), which warms the JIT in its first few hundred; this is the
		// longest suite, so it is kept to the measured runs.
		const { runs, jobs } = ctx.opts;
		const warmup = 0;
		const r = ctx.report;
		const mbs = (ms: number) => `${(tree.bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s`;
		for (const c of [8, 32, 128]) {
			const m = await measure(() => asyncPool(files, c), { runs, warmup });
			r.row('io', tree.name, `fs.promises.readFile, ${c} in flight`, m.stats, 'ms', mbs(m.stats.median));
		}
		const sm = await measure(() => syncMain(files), { runs, warmup });
		r.row('io', tree.name, 'readFileSync on the main thread', sm.stats, 'ms', mbs(sm.stats.median));
		for (const batch of [16, 128, 1024]) {
			const m = await measure(() => workers(files, jobs, batch), { runs, warmup });
			r.row('io', tree.name, `readFileSync in ${jobs} workers, batches of ${batch}`, m.stats, 'ms', mbs(m.stats.median));
		}

		// The scanner's own strategies, in-process (counts + structure, ignore files off).
		const scan = findExport<ScanFn>('scan', ['scanner']);
		if (!scan) {
			r.note('io', tree.name, 'scan (src/core/scanner.ts): not available yet');
			return;
		}
		const configs: [string, Record<string, unknown>][] = [
			['readOn worker, batch 16', { readOn: 'worker', batchSize: 16 }],
			['readOn worker, batch 64', { readOn: 'worker', batchSize: 64 }],
			['readOn worker, batch 256', { readOn: 'worker', batchSize: 256 }],
			['readOn main, 8 in flight, batch 64', { readOn: 'main', ioConcurrency: 8, batchSize: 64 }],
			['readOn main, 32 in flight, batch 64', { readOn: 'main', ioConcurrency: 32, batchSize: 64 }],
			['readOn main, 128 in flight, batch 64', { readOn: 'main', ioConcurrency: 128, batchSize: 64 }],
		];
		let best: { name: string; ms: number } | undefined;
		for (const [name, cfg] of configs) {
			const m = await measure(() => scan.value([tree.dir], { jobs, respectIgnoreFiles: false, ...cfg }), { runs, warmup });
			const files = m.last.aggregates?.totals?.files;
			r.row('io', tree.name, `scan() ${jobs} jobs, ${name}`, m.stats, 'ms', `${mbs(m.stats.median)}, ${files ?? '?'} files`);
			if (!best || m.stats.median < best.ms) best = { name, ms: m.stats.median };
		}
		if (best) r.note('io', tree.name, `fastest scanner strategy here: ${best.name} (${(best.ms / 1000).toFixed(2)} s)`);
	},
};
