// Index store benchmark: JSONL (base + journal) against SQLite (sql.js, WebAssembly) for the
// index's workload: save 100k records, load them, apply a batch of 100 updates.
//
//   node out/test/perf/indexStore.bench.js [--runs N] [--records N]
//
// Also imported by `npm run bench` (test/perf/suites/indexing.ts calls `run()`).

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FileIndex } from '../../src/core/fileIndex';
import { JsonlIndexStore } from '../../src/core/indexStore';
import type { IndexMeta, IndexStoreBackend } from '../../src/core/indexStore';
import { SqliteIndexStore } from '../../src/core/sqliteStore';
import type { FileRecord } from '../../src/core/types';
import { makeRecord } from '../unit/helpers/indexRecords';
import { summarize } from './timing';

export interface BenchRow {
	name: string;
	/** Wall time. */
	medianMs: number;
	minMs: number;
	maxMs: number;
	/**
	 * CPU time of this process (user + system, all its threads) per run, median: on a busy
	 * machine close to what the wall time would be on an idle one (an upper bound when GC
	 * threads run in parallel).
	 */
	cpuMedianMs?: number;
	runs: number;
	note?: string;
}

export interface BenchRunOptions {
	/** Measured runs per row. @default 5 */
	runs?: number;
	/** Records in the index. @default 100000 */
	records?: number;
	log?: (line: string) => void;
}

async function time(runs: number, fn: (i: number) => Promise<unknown>, warmup = 1): Promise<Omit<BenchRow, 'name'>> {
	for (let i = 0; i < warmup; i++) await fn(-1 - i);
	const ms: number[] = [];
	const cpu: number[] = [];
	for (let i = 0; i < runs; i++) {
		const c0 = process.cpuUsage();
		const t0 = performance.now();
		await fn(i);
		ms.push(performance.now() - t0);
		const c = process.cpuUsage(c0);
		cpu.push((c.user + c.system) / 1000);
	}
	ms.sort((a, b) => a - b);
	cpu.sort((a, b) => a - b);
	return { medianMs: ms[Math.floor(ms.length / 2)], minMs: ms[0], maxMs: ms[ms.length - 1], cpuMedianMs: cpu[Math.floor(cpu.length / 2)], runs };
}

export async function run(opts: BenchRunOptions = {}): Promise<BenchRow[]> {
	const runs = opts.runs ?? 5;
	const n = opts.records ?? 100_000;
	const log = opts.log ?? (() => {});
	const rows: BenchRow[] = [];
	const add = (name: string, r: Omit<BenchRow, 'name'>, note?: string) => {
		rows.push({ name, ...r, ...(note ? { note } : {}) });
		log(`${name}: median ${r.medianMs.toFixed(1)} ms (min ${r.minMs.toFixed(1)}, max ${r.maxMs.toFixed(1)}; CPU ${(r.cpuMedianMs ?? 0).toFixed(1)} ms)${note ? ` — ${note}` : ''}`);
	};
	const records = Array.from({ length: n }, (_, i) => makeRecord(i));
	const meta: IndexMeta = { roots: ['/bench/root'], fingerprint: 'bench' };
	const dir = fs.mkdtempSync(path.join(tmpdir(), 'ws-index-bench-'));
	const k = n >= 1000 ? `${n / 1000}k` : String(n);
	try {
		const stores: [string, (file: string) => IndexStoreBackend, string][] = [
			['JSONL', (f) => new JsonlIndexStore(f), 'journal append, no flush (default)'],
			['JSONL', (f) => new JsonlIndexStore(f, { syncJournal: true }), 'journal append + fdatasync'],
			['SQLite (sql.js)', (f) => new SqliteIndexStore(f), 'whole database exported, written atomically with fsync'],
		];
		for (const [name, make, commitHow] of stores) {
			const file = path.join(dir, name.replace(/\W+/g, '_'));
			const store = make(file);
			const batchOnly = rows.some((r) => r.name.startsWith(`${name}: load`));
			if (batchOnly) await store.save(records, meta);
			else {
				add(`${name}: save ${k} records (fsync)`, await time(Math.min(runs, 3), () => store.save(records, meta)),
					`${(fs.statSync(file).size / 1048576).toFixed(1)} MiB`);
				let loaded = 0;
				add(`${name}: load ${k} records`, await time(runs, async () => {
					const r = await make(file).load(meta);
					if (r.status !== 'ok') throw new Error(`${name}: load gave ${r.status}`);
					// Counted without decoding every structure (reading `records` would).
					loaded = (r.pending?.records ?? r.records).length;
				}), `${loaded} records${name === 'JSONL' ? ', structure left pending (decoded on first use)' : ''}`);
				if (name === 'JSONL') {
					add(`${name}: load ${k} records and decode every structure`, await time(runs, async () => {
						const r = await make(file).load(meta);
						if (r.records.length !== n) throw new Error(`${name}: ${r.records.length} records`);
					}));
				}
				add(`${name}: load ${k} records into a FileIndex (with aggregates)`, await time(runs, async () => {
					const r = await make(file).load(meta);
					return FileIndex.fromLoad(meta.roots, r);
				}));
				if (name === 'JSONL') freshLoad(add, `${name}: first load of ${k} records in a fresh process (as at start-up)`, file, meta, n, runs);
			}
			// A batch of 100 updated records, each run a new batch on top of the last.
			const live = make(file);
			await live.load(meta);
			const state = new Map<string, FileRecord>(records.map((r) => [r.path, r]));
			let version = 1;
			add(`${name}: commit a batch of 100 updates (${commitHow})`, await time(Math.max(runs, 10), async () => {
				const upserts: FileRecord[] = [];
				for (let j = 0; j < 100; j++) {
					const r = makeRecord((version * 7919 + j * 104729) % n, version);
					upserts.push(r);
					state.set(r.path, r);
				}
				version++;
				const info = await live.commit({ upserts, deletes: [] }, () => state.values(), meta);
				if (info.compacted) throw new Error(`${name}: unexpected compaction in the batch benchmark`);
			}));
			if (name === 'JSONL' && !batchOnly) {
				add(`JSONL: load ${k} records + a journal of ${Math.max(runs, 10) + 1} batches`, await time(runs, async () => {
					const r = await make(file).load(meta);
					const count = (r.pending?.records ?? r.records).length;
					if (count !== n) throw new Error(`JSONL: ${count} records after replay`);
				}));
			}
		}
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
	return rows;
}

/**
 * The load as at start-up: `runs` child processes (`loadChild.ts`) each load the index once, on a
 * heap that has not grown and with code not yet optimized; one more first, unmeasured, so the file
 * is in the page cache as it is for the in-process rows. The time is the child's own load, not
 * Node's start or the module loading; the note gives FileIndex.fromLoad after it.
 */
function freshLoad(add: (name: string, r: Omit<BenchRow, 'name'>, note?: string) => void, name: string, file: string, meta: IndexMeta, n: number, runs: number): void {
	const child = path.join(__dirname, 'loadChild.js');
	const load: number[] = [];
	const cpu: number[] = [];
	const index: number[] = [];
	for (let i = -1; i < runs; i++) {
		const res = spawnSync(process.execPath, [child, file, JSON.stringify(meta)], { encoding: 'utf8' });
		if (res.status !== 0) throw new Error(`${name}: loadChild failed: ${res.stderr || res.error?.message || `exit ${res.status}`}`);
		const o = JSON.parse(res.stdout) as { status: string; records: number; loadMs: number; loadCpuMs: number; indexMs: number };
		if (o.status !== 'ok' || o.records !== n) throw new Error(`${name}: loadChild gave ${o.status}, ${o.records} records`);
		if (i < 0) continue;
		load.push(o.loadMs);
		cpu.push(o.loadCpuMs);
		index.push(o.indexMs);
	}
	const l = summarize(load);
	add(name, { medianMs: l.median, minMs: l.min, maxMs: l.max, cpuMedianMs: summarize(cpu).median, runs }, `then FileIndex.fromLoad ${summarize(index).median.toFixed(0)} ms (median)`);
}

if (require.main === module) {
	const argv = process.argv.slice(2);
	const arg = (flag: string) => {
		const i = argv.indexOf(flag);
		return i >= 0 ? Number(argv[i + 1]) : undefined;
	};
	run({ runs: arg('--runs'), records: arg('--records'), log: (l) => console.log(l) }).catch((e: unknown) => {
		console.error(e);
		process.exit(1);
	});
}
