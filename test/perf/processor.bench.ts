// Processor benchmark: one changed file → batch analyzed, applied to the index and persisted
// (journal append), the processing time the batch event reports (`processMs`, excluding the
// batch window), on an index of N files.
//
//   node out/test/perf/processor.bench.js [--runs N] [--files N] [--no-fsync]

import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FileIndex } from '../../src/core/fileIndex';
import { JsonlIndexStore } from '../../src/core/indexStore';
import { Processor } from '../../src/core/processor';
import type { BatchEvent } from '../../src/core/processor';
import { scan } from '../../src/core/scanner';
import { indexFingerprint } from '../../src/core/warmScan';
import { makeTree } from '../unit/helpers/tempTree';
import type { BenchRow } from './indexStore.bench';

export interface ProcessorBenchOptions {
	/** Changes measured. @default 30 */
	runs?: number;
	/** Files in the tree. @default 10000 */
	files?: number;
	/** fsync the store's full rewrites (journal appends are never flushed by default). @default true */
	fsync?: boolean;
	log?: (line: string) => void;
}

export async function run(opts: ProcessorBenchOptions = {}): Promise<BenchRow[]> {
	const runs = opts.runs ?? 30;
	const files = opts.files ?? 10_000;
	const fsync = opts.fsync ?? true;
	const log = opts.log ?? (() => {});
	const dir = fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), 'ws-proc-bench-')));
	try {
		const tree = path.join(dir, 'tree');
		makeTree(tree, 1, files);
		const cold = await scan([tree], { keepRecords: true });
		const index = new FileIndex([tree], cold.records);
		const meta = { roots: [tree], fingerprint: indexFingerprint({}) };
		const store = new JsonlIndexStore(path.join(dir, 'index'), { fsync });
		await store.save(index.values(), meta);
		const proc = new Processor({ index, store, meta, batchWindowMs: 5 });
		let resolveBatch: ((b: BatchEvent) => void) | undefined;
		proc.onDidProcessBatch((b) => resolveBatch?.(b));
		proc.start();
		await proc.whenIdle();
		const target = path.join(tree, 'bench_target.py');
		const process: number[] = [];
		const persist: number[] = [];
		for (let i = -3; i < runs; i++) {
			const batch = new Promise<BatchEvent>((r) => (resolveBatch = r));
			fs.writeFileSync(target, `def f${i}():\n    return ${i}\n`.repeat(1 + (i & 3)));
			proc.enqueue({ type: 'changed', path: target });
			const b = await batch;
			if (i < 0) continue; // warm-up
			process.push(b.timing.processMs);
			persist.push(b.timing.persistMs);
		}
		await proc.stop();
		const stat = (xs: number[]) => {
			const s = [...xs].sort((a, b) => a - b);
			return { medianMs: s[Math.floor(s.length / 2)], minMs: s[0], maxMs: s[s.length - 1], runs: s.length };
		};
		const rows: BenchRow[] = [
			{ name: `processor: one changed file → batch processed and persisted (index of ${files} files)`, ...stat(process), note: 'target ≤ 5 ms' },
			{ name: 'processor: of which persist (one journal append)', ...stat(persist) },
		];
		for (const r of rows) log(`${r.name}: median ${r.medianMs.toFixed(2)} ms (min ${r.minMs.toFixed(2)}, max ${r.maxMs.toFixed(2)}, ${r.runs} runs)`);
		return rows;
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

if (require.main === module) {
	const argv = process.argv.slice(2);
	const arg = (flag: string) => {
		const i = argv.indexOf(flag);
		return i >= 0 ? Number(argv[i + 1]) : undefined;
	};
	run({ runs: arg('--runs'), files: arg('--files'), fsync: !argv.includes('--no-fsync'), log: (l) => console.log(l) }).catch((e: unknown) => {
		console.error(e);
		process.exit(1);
	});
}
