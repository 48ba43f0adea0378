// Issue 3's benchmarks: the persistent index, warm starts and the background processor.
// - index: load of 100,000 records per store implementation (every exported `*IndexStore`
//   class: JSONL and SQLite side by side) and the index helper's own bench
//   (test/perf/indexStore.bench.ts `run()`); warm rescan with nothing changed
//   (`--index PATH`) vs `find -printf '%s %T@'` and vs the cold scan;
// - processor: one changed file → batch applied and persisted; the seed's before/after (a fresh
//   worker per message vs one persistent worker; the persistent processor);
// - storm: 50,000 change events vs a cold scan of the same files, with peak RSS.
// Each part reports "not available yet" while the module it measures is missing.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Ctx, Suite } from '../context';
import { cliPath, CORE_OUT, tryModule } from '../core';
import { measure, measureRoundRobin, runChild, summarize } from '../timing';
import { treeFiles } from '../samples';
import { synthTree, type Tree } from '../trees';
import { BOUNDS, boundEntries } from './bounds';
import { cliAvailable, profileChild, SCAN } from './scan';
import { record } from './seed';

// --- index load -----------------------------------------------------------------------------------

interface StoreLike {
	load(expect?: unknown): Promise<{ status: string; records: unknown[] }>;
	save(records: Iterable<unknown>, meta: unknown): Promise<void>;
}
type StoreCtor = new (path: string, opts?: Record<string, unknown>) => StoreLike;

/** Every exported class named `…IndexStore` in the compiled core (JSONL, SQLite…). */
function storeClasses(): { name: string; ctor: StoreCtor }[] {
	const out: { name: string; ctor: StoreCtor }[] = [];
	let files: string[] = [];
	try {
		files = fs.readdirSync(CORE_OUT).filter((f) => f.endsWith('.js') && !/worker/i.test(f));
	} catch {
		return out;
	}
	for (const f of files) {
		const mod = tryModule(path.join('src', 'core', f));
		if (!mod) continue;
		for (const [name, v] of Object.entries(mod)) {
			if (/IndexStore$/.test(name) && typeof v === 'function' && !out.some((o) => o.ctor === v)) out.push({ name, ctor: v as StoreCtor });
		}
	}
	return out;
}

export const INDEX = {
	load: (store: string) => `${store}: load 100k records`,
	save: (store: string) => `${store}: save 100k records (no fsync)`,
	warm: 'CLI warm rescan, nothing changed (--index)',
	cold: 'CLI cold scan writing the index (--index)',
} as const;

async function measureStores(ctx: Ctx): Promise<void> {
	const r = ctx.report;
	const classes = storeClasses();
	if (classes.length === 0) {
		r.note('index', '', 'index stores (src/core/indexStore.ts): not available yet');
		return;
	}
	const records = Array.from({ length: 100_000 }, (_, i) => record(i));
	const meta = { roots: ['/bench/root'], fingerprint: 'bench' };
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-index-'));
	try {
		for (const { name, ctor } of classes) {
			try {
				const store = new ctor(path.join(dir, `${name}.idx`), { fsync: false });
				const save = await measure(() => store.save(records, meta), { runs: Math.min(ctx.opts.runs, 3), warmup: 0 });
				r.row('index', '', INDEX.save(name), save.stats);
				const load = await measure(() => store.load(meta), { runs: ctx.opts.runs, warmup: ctx.opts.warmup });
				const status = load.last.status;
				r.row('index', '', INDEX.load(name), load.stats, 'ms', `status ${status}, ${load.last.records.length} records`);
				r.ratio('index', '', `${name} load 100k / 150 ms`, load.stats.median / 150, '<= 1.0');
			} catch (e) {
				r.note('index', '', `${name}: failed: ${e instanceof Error ? e.message : String(e)}`);
			}
		}
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
	// The index helper's own side-by-side measurements (load, save, batch of 100 updates).
	const bench = tryModule(path.join('test', 'perf', 'indexStore.bench.js'));
	if (bench && typeof bench.run === 'function') {
		try {
			const res: unknown = await (bench.run as (o?: unknown) => Promise<unknown>)({ runs: ctx.opts.runs });
			printForeign(ctx, 'index', res);
		} catch (e) {
			r.note('index', '', `indexStore.bench run() failed: ${e instanceof Error ? e.message : String(e)}`);
		}
	} else r.note('index', '', 'test/perf/indexStore.bench.ts run(): not available yet');
}

/** Prints rows another helper's bench returned: `{ name, median|ms, min?, max?, runs? }[]` or anything (as JSON). */
function printForeign(ctx: Ctx, suite: string, res: unknown, label = 'indexStore.bench'): void {
	const rows = Array.isArray(res) ? res : res && typeof res === 'object' && Array.isArray((res as { rows?: unknown }).rows) ? (res as { rows: unknown[] }).rows : undefined;
	let printed = 0;
	for (const x of rows ?? []) {
		if (!x || typeof x !== 'object') continue;
		const o = x as Record<string, unknown>;
		const med = typeof o.median === 'number' ? o.median : typeof o.medianMs === 'number' ? o.medianMs : typeof o.ms === 'number' ? o.ms : undefined;
		const name = typeof o.name === 'string' ? o.name : undefined;
		if (med === undefined || !name) continue;
		const min = typeof o.min === 'number' ? o.min : typeof o.minMs === 'number' ? o.minMs : med;
		const max = typeof o.max === 'number' ? o.max : typeof o.maxMs === 'number' ? o.maxMs : med;
		const runs = typeof o.runs === 'number' ? o.runs : 1;
		ctx.report.row(suite, '', `${label}: ${name}`, { median: med, min, max, runs, mean: med, samples: [] }, 'ms', typeof o.note === 'string' ? o.note : undefined);
		printed++;
	}
	if (printed === 0 && res !== undefined) ctx.report.note(suite, '', `${label} run() returned: ${JSON.stringify(res).slice(0, 2000)}`);
}

let indexCli: { ok: boolean; why: string } | undefined;

/** Does the CLI take `--index PATH` (and give the same totals warm as cold)? */
async function indexCliAvailable(): Promise<{ ok: boolean; why: string }> {
	if (indexCli) return indexCli;
	const base = await cliAvailable();
	if (!base.ok) return (indexCli = base);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-probe-index-'));
	try {
		fs.mkdirSync(path.join(dir, 'tree'));
		fs.writeFileSync(path.join(dir, 'tree', 'a.py'), 'import os\n\n# c\ndef f():\n    return 1\n');
		const args = [cliPath(), '--format', 'json', '--jobs', '1', '--index', path.join(dir, 'idx'), path.join(dir, 'tree')];
		const cold = await runChild(process.execPath, args, { keepStdout: true, check: false });
		const warm = await runChild(process.execPath, args, { keepStdout: true, check: false });
		const t = (s: string) => JSON.stringify((JSON.parse(s) as { totals: unknown }).totals);
		if (cold.code !== 0 || warm.code !== 0) return (indexCli = { ok: false, why: `CLI --index: not available yet (exit ${cold.code}/${warm.code}: ${(cold.stderr || warm.stderr).split('\n')[0]})` });
		if (t(cold.stdout) !== t(warm.stdout)) return (indexCli = { ok: false, why: `CLI --index: warm totals ${t(warm.stdout)} differ from cold ${t(cold.stdout)}` });
		return (indexCli = { ok: true, why: '' });
	} catch (e) {
		return (indexCli = { ok: false, why: `CLI --index: not available yet (${e instanceof Error ? e.message.split('\n')[0] : String(e)})` });
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

async function warmRescan(ctx: Ctx, tree: Tree): Promise<void> {
	const r = ctx.report;
	const avail = await indexCliAvailable();
	if (!avail.ok) {
		r.note('index', tree.name, avail.why);
		return;
	}
	const { runs, warmup, jobs } = ctx.opts;
	const idx = path.join(ctx.opts.cacheDir, `index-${tree.name}`);
	const clean = () => {
		for (const f of fs.readdirSync(ctx.opts.cacheDir)) if (f.startsWith(`index-${tree.name}`)) fs.rmSync(path.join(ctx.opts.cacheDir, f), { recursive: true, force: true });
	};
	clean();
	const args = [cliPath(), '--format', 'json', '--jobs', String(jobs), '--no-ignore', '--index', idx, tree.dir];
	// Cold with the index: each run starts without an index file.
	const coldSamples: number[] = [];
	for (let i = 0; i < Math.min(runs, 3); i++) {
		clean();
		coldSamples.push((await runChild(process.execPath, args)).ms);
	}
	r.row('index', tree.name, INDEX.cold, summarize(coldSamples));
	// Warm rescans, the stat bound and the cold scan in the same rounds (same machine load).
	const statEntry = boundEntries(tree).find((e) => e.key === BOUNDS.stat)!;
	const coldKey = `${SCAN.jobsN(jobs)} (no index)`;
	const res = await measureRoundRobin(
		[
			{ key: INDEX.warm, cmd: process.execPath, args, opts: { keepStdout: true } },
			{ ...statEntry, key: `${BOUNDS.stat}, same rounds` },
			{ key: coldKey, cmd: process.execPath, args: [cliPath(), '--format', 'json', '--jobs', String(jobs), '--no-ignore', tree.dir] },
		],
		{ runs, warmup },
	);
	const warm = res.get(INDEX.warm)!;
	let note = '';
	try {
		const j = JSON.parse(warm.last.stdout) as { totals: { files: number }; timing?: Record<string, number> };
		note = `${j.totals.files} files${j.timing ? '; timing ms: ' + Object.entries(j.timing).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ') : ''}`;
	} catch {
		// keep the row without a note
	}
	r.row('index', tree.name, INDEX.warm, warm.stats, 'ms', note);
	const stat = res.get(`${BOUNDS.stat}, same rounds`)!;
	r.row('index', tree.name, `${BOUNDS.stat}, same rounds`, stat.stats);
	const cold = res.get(coldKey)!;
	r.row('index', tree.name, `${coldKey}, same rounds`, cold.stats);
	r.ratio('index', tree.name, "warm rescan / find -printf '%s %T@'", warm.stats.median / stat.stats.median, '<= 4.0');
	r.ratio('index', tree.name, 'warm rescan / cold scan', warm.stats.median / cold.stats.median, '<= 0.15');
	clean();
}

export const indexSuite: Suite = {
	name: 'index',
	description: 'index load 100k (JSONL vs SQLite), warm rescan vs find -printf and vs cold scan',
	perTree: true,
	async run(ctx: Ctx, tree: Tree | undefined): Promise<void> {
		if (!tree) return;
		// The store measurements do not depend on the tree: once per run.
		if (!ctx.report.rows.some((x) => x.suite === 'index' && x.tree === '') && !ctx.report.notes.some((n) => n.suite === 'index' && n.tree === '')) await measureStores(ctx);
		await warmRescan(ctx, tree);
	},
};

// --- processor -----------------------------------------------------------------------------------

/** Raw analysis worker protocol (src/core/analyzeWorker.ts): one `batch` message in, one `result` out. */
interface WorkerApi {
	WORKER_MARKER: string;
}

const MESSAGES = 200;

/**
 * The seed's before/after at the thread level: per message (one changed file), a fresh
 * worker (start, analyze, terminate) vs one persistent worker that gets every message.
 */
async function workerPerMessage(ctx: Ctx, files: { absPath: string; relPath: string }[]): Promise<void> {
	const r = ctx.report;
	const api = tryModule(path.join('src', 'core', 'analyzeWorker.js')) as WorkerApi | undefined;
	const workerFile = path.join(CORE_OUT, 'analyzeWorker.js');
	if (!api?.WORKER_MARKER) {
		r.note('processor', '', 'analyzeWorker (src/core/analyzeWorker.ts): not available yet');
		return;
	}
	const { Worker } = await import('node:worker_threads');
	const start = () => new Worker(workerFile, { workerData: { marker: api.WORKER_MARKER, opts: {} } });
	let id = 0;
	const ask = (w: InstanceType<typeof Worker>, f: { absPath: string; relPath: string }) =>
		new Promise<void>((resolve, reject) => {
			const myId = ++id;
			const onMsg = (m: { id: number }) => {
				if (m.id !== myId) return;
				w.off('message', onMsg);
				w.off('error', reject);
				resolve();
			};
			w.on('message', onMsg);
			w.on('error', reject);
			w.postMessage({ type: 'batch', id: myId, jobs: [{ absPath: f.absPath, relPath: f.relPath, root: 0 }] });
		});
	const fresh: number[] = [];
	for (let i = 0; i < Math.min(MESSAGES, 50); i++) {
		const t0 = performance.now();
		const w = start();
		await ask(w, files[i % files.length]);
		await w.terminate();
		fresh.push(performance.now() - t0);
	}
	r.row('processor', '', 'fresh worker per message (start, analyze 1 file, stop)', summarize(fresh));
	const w = start();
	const persistent: number[] = [];
	try {
		for (let i = 0; i < 10; i++) await ask(w, files[i % files.length]);
		for (let i = 0; i < MESSAGES; i++) {
			const t0 = performance.now();
			await ask(w, files[i % files.length]);
			persistent.push(performance.now() - t0);
		}
	} finally {
		await w.terminate();
	}
	r.row('processor', '', 'persistent worker, one message per changed file', summarize(persistent));
	r.ratio('processor', '', 'fresh worker per message / persistent worker', summarize(fresh).median / summarize(persistent).median);
}

interface ProcessorApi {
	Processor: new (o: Record<string, unknown>) => {
		start(): void;
		enqueue(e: { type: string; path: string }): boolean;
		stop(o?: { drain?: boolean }): Promise<void>;
		onDidProcessBatch(listener: (e: BatchEventLike) => void): { dispose(): void };
	};
}
interface BatchEventLike {
	changed: unknown[];
	timing: { windowMs: number; processMs: number; persistMs: number };
}

/** Copies a cached tree to a scratch folder the benchmark may modify. */
function scratchCopy(tree: Tree, tag: string): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${tag}-`));
	const copy = path.join(dir, 'tree');
	fs.cpSync(tree.dir, copy, { recursive: true });
	return copy;
}

/**
 * One changed file → batch applied and persisted (fsync on), `processMs` from the batch event
 * (the debounce window excluded); and the seed's "before": a new processor (a new loop) per
 * message, started, fed one event, stopped.
 */
async function oneChange(ctx: Ctx, tree: Tree): Promise<void> {
	const r = ctx.report;
	const proc = tryModule(path.join('src', 'core', 'processor.js')) as ProcessorApi | undefined;
	const scanMod = tryModule(path.join('src', 'core', 'scanner.js')) as { scan?: (roots: string[], o: Record<string, unknown>) => Promise<{ records?: unknown[] }> } | undefined;
	const fi = tryModule(path.join('src', 'core', 'fileIndex.js')) as { FileIndex?: new (roots: string[], records?: Iterable<unknown>) => unknown } | undefined;
	const st = tryModule(path.join('src', 'core', 'indexStore.js')) as { JsonlIndexStore?: new (p: string, o?: Record<string, unknown>) => StoreLike } | undefined;
	if (!proc?.Processor || !scanMod?.scan || !fi?.FileIndex || !st?.JsonlIndexStore) {
		r.note('processor', '', 'src/core/processor.ts (Processor): not available yet');
		return;
	}
	const dir = scratchCopy(tree, 'processor');
	try {
		const res = await scanMod.scan([dir], { jobs: 1, keepRecords: true });
		const index = new fi.FileIndex([dir], res.records ?? []);
		const store = new st.JsonlIndexStore(path.join(path.dirname(dir), 'index'), { fsync: true });
		// Files the index holds (ignored files would make no batch).
		const files = ((res.records ?? []) as { path: string }[]).map((x) => x.path).filter((p) => /\.(py|ts|js|cs|cpp)$/.test(p)).slice(0, MESSAGES);
		const ask = async (p: InstanceType<ProcessorApi['Processor']>, rel: string, i: number): Promise<{ ev: BatchEventLike; wallMs: number }> => {
			const abs = path.join(dir, rel);
			fs.appendFileSync(abs, i % 2 === 0 ? '\n' : ' \n');
			const t0 = performance.now();
			const ev = await new Promise<BatchEventLike>((resolve, reject) => {
				// A missing batch event must fail the suite, not leave an empty event loop behind.
				const timer = setTimeout(() => reject(new Error(`no batch event for ${rel} within 10 s`)), 10_000);
				const sub = p.onDidProcessBatch((e) => {
					clearTimeout(timer);
					sub.dispose();
					resolve(e);
				});
				p.enqueue({ type: 'changed', path: abs });
			});
			return { ev, wallMs: performance.now() - t0 };
		};
		const opts = { index, store, scanOptions: {}, batchWindowMs: 0 };
		// The persistent processor: started once, one event per change.
		const p = new proc.Processor(opts);
		p.start();
		const processMs: number[] = [];
		const persistMs: number[] = [];
		const wall: number[] = [];
		try {
			// The first batch writes the base in full; then batches append to the journal.
			for (let i = 0; i < 5; i++) await ask(p, files[i % files.length], i);
			for (let i = 0; i < MESSAGES; i++) {
				const { ev, wallMs } = await ask(p, files[i % files.length], i);
				processMs.push(ev.timing.processMs);
				persistMs.push(ev.timing.persistMs);
				wall.push(wallMs - ev.timing.windowMs);
			}
		} finally {
			await p.stop();
		}
		r.row('processor', '', 'persistent processor: 1 change → batch applied + persisted (processMs)', summarize(processMs), 'ms', 'store fsync: true, window excluded');
		r.row('processor', '', 'persistent processor: persist part (persistMs)', summarize(persistMs));
		r.row('processor', '', 'persistent processor: enqueue → batch event, wall, minus window', summarize(wall));
		r.ratio('processor', '', 'one change processMs / 5 ms', summarize(processMs).median / 5, '<= 1.0');
		// Before: a new processor (new loop, filters rebuilt) per message.
		const fresh: number[] = [];
		for (let i = 0; i < Math.min(MESSAGES, 50); i++) {
			const t0 = performance.now();
			const q = new proc.Processor(opts);
			q.start();
			await ask(q, files[i % files.length], i);
			await q.stop();
			fresh.push(performance.now() - t0);
		}
		r.row('processor', '', 'new processor per message (start, 1 change, stop)', summarize(fresh));
		r.ratio('processor', '', 'new processor per message / persistent (wall)', summarize(fresh).median / summarize(wall).median);
	} finally {
		fs.rmSync(path.dirname(dir), { recursive: true, force: true });
	}
}

export const processorSuite: Suite = {
	name: 'processor',
	description: 'one changed file → batch applied and persisted; fresh worker/loop per message vs persistent',
	perTree: false,
	async run(ctx: Ctx): Promise<void> {
		const tree = synthTree(ctx.opts.cacheDir, 2000, ctx.log);
		const files = treeFiles(tree)
			.filter((p) => /\.(py|ts|js|cs|cpp)$/.test(p))
			.slice(0, MESSAGES)
			.map((p) => ({ absPath: path.join(tree.dir, p), relPath: p }));
		await workerPerMessage(ctx, files);
		await oneChange(ctx, tree);
		// The index helper's own processor bench (10k-file tree of its own).
		const bench = tryModule(path.join('test', 'perf', 'processor.bench.js'));
		if (bench && typeof bench.run === 'function') {
			try {
				printForeign(ctx, 'processor', await (bench.run as (o?: unknown) => Promise<unknown>)({}), 'processor.bench');
			} catch (e) {
				ctx.report.note('processor', '', `processor.bench run() failed: ${e instanceof Error ? e.message : String(e)}`);
			}
		}
	},
};

// --- storm ------------------------------------------------------------------------------------------

const STORM_CHILD = path.join(__dirname, '..', 'stormChild.js');

interface StormOut {
	events?: number;
	ms: number;
	/** CPU time of the child's main thread over `ms` (Linux), the workers' apart. */
	mainCpuMs?: number;
	maxRssMiB: number;
	loadMs?: number;
	/** The synchronous loop that hands the events to the processor (within `ms`). */
	enqueueMs?: number;
	/** The processor's own timing, summed over the batches (statMs holds the rescans' listing). */
	timing?: Record<string, number>;
	totals: Record<string, number>;
	/** SHA-1 of the aggregates snapshot (totals, languages, categories, every folder). */
	digest?: string;
	stats?: { batches: number; peakQueue: number; stormCollapses: number };
}

/** A storm's events and the changes on disk that they report. */
interface StormPlan {
	/** [type, root-relative path], in the order a watcher reports them. */
	events: [string, string][];
	/** Files that get one more line and a 'changed' event. */
	changed: string[];
	/** Folders deleted (with a 'deleted' event per file, then a 'deletedFolder'). */
	folders: string[];
	folderFiles: number;
	pairs: number;
}

/**
 * A branch switch as a watcher reports it: `files.length` events in all (the "50,000") made of
 * create/delete pairs of temp files (gone again when the processor looks: editors' and tools'
 * temp files), the deletion of three folders (each file's event, then the folder's), and
 * 'changed' for the rest; files left without an event (as many as the pairs and folder events
 * take) are not touched. Deterministic. `files`: root-relative, ignore files left out.
 */
export function stormPlan(files: string[]): StormPlan {
	const all = [...files].sort();
	const total = all.length;
	// Folders three levels down or deeper holding 0.2–1 % of the files, three far apart.
	const under = new Map<string, number>();
	for (const f of all) {
		const parts = f.split('/');
		for (let i = 3; i < parts.length; i++) {
			const d = parts.slice(0, i).join('/');
			under.set(d, (under.get(d) ?? 0) + 1);
		}
	}
	const candidates = [...under].filter(([, n]) => n >= total * 0.002 && n <= total * 0.01).map(([d]) => d).sort();
	const folders: string[] = [];
	for (let i = 0; i < 3 && candidates.length > 0; i++) {
		const d = candidates[Math.floor(((i + 0.5) * candidates.length) / 3)];
		if (!folders.some((f) => d.startsWith(f + '/') || f.startsWith(d + '/') || f === d)) folders.push(d);
	}
	const inDeleted = (f: string) => folders.some((d) => f.startsWith(d + '/'));
	const gone = all.filter(inDeleted);
	const rest = all.filter((f) => !inDeleted(f));
	const pairs = Math.floor(total / 50);
	const nChanged = total - 2 * pairs - gone.length - folders.length;
	// Which of the rest change: spread evenly, the others keep their content and get no event.
	const changed: string[] = [];
	for (let i = 0; i < nChanged; i++) changed.push(rest[Math.floor((i * rest.length) / nChanged)]);
	const events: [string, string][] = [];
	const pairEvery = Math.max(1, Math.floor(changed.length / Math.max(1, pairs)));
	let made = 0;
	const dirOf = (f: string) => (f.includes('/') ? f.slice(0, f.lastIndexOf('/') + 1) : '');
	for (let i = 0; i < changed.length; i++) {
		if (i === Math.floor(changed.length / 3)) {
			for (const f of gone) events.push(['deleted', f]);
			for (const d of folders) events.push(['deletedFolder', d]);
		}
		events.push(['changed', changed[i]]);
		if (i % pairEvery === 0 && made < pairs) {
			const tmp = `${dirOf(changed[i])}.~storm-${made++}.tmp`;
			events.push(['created', tmp], ['deleted', tmp]);
		}
	}
	for (; made < pairs; made++) events.push(['created', `.~storm-${made}.tmp`], ['deleted', `.~storm-${made}.tmp`]);
	return { events, changed, folders, folderFiles: gone.length, pairs };
}

export const stormSuite: Suite = {
	name: 'storm',
	description: '50,000-event storm (changes, create/delete pairs, folder deletes) vs a cold scan of the same files, peak RSS',
	perTree: false,
	async run(ctx: Ctx): Promise<void> {
		const r = ctx.report;
		for (const m of ['processor.js', 'scanner.js', 'indexStore.js', 'fileIndex.js', 'warmScan.js', 'pool.js']) {
			if (!tryModule(path.join('src', 'core', m))) {
				r.note('storm', '', `src/core/${m.replace('.js', '.ts')}: not available yet`);
				return;
			}
		}
		const tree = synthTree(ctx.opts.cacheDir, ctx.opts.stormFiles, ctx.log);
		const dir = scratchCopy(tree, 'storm');
		const idx = path.join(path.dirname(dir), 'index');
		const eventsFile = path.join(path.dirname(dir), 'events.json');
		const jobs = String(ctx.opts.jobs);
		const child = async (mode: string): Promise<StormOut> => {
			const res = await runChild(process.execPath, [STORM_CHILD, mode, dir, idx, jobs, eventsFile], { keepStdout: true });
			return JSON.parse(res.stdout) as StormOut;
		};
		try {
			// Ignore files are neither changed nor reported (see stormChild.ts).
			const plan = stormPlan(treeFiles(tree).filter((p) => !/(^|\/)\.(git)?ignore$/.test(p)));
			fs.writeFileSync(eventsFile, JSON.stringify(plan.events));
			const storm: number[] = [];
			const cold: number[] = [];
			const coldIndex: number[] = [];
			const stormCpu: number[] = [];
			const coldCpu: number[] = [];
			let rss = 0;
			let coldRss = 0;
			let last: StormOut | undefined;
			let mismatch = '';
			const runs = Math.min(ctx.opts.runs, 3);
			/** Not timed: the deleted folders back, an index equal to the tree, then the branch switch on disk. */
			const prepare = async () => {
				for (const d of plan.folders) fs.cpSync(path.join(tree.dir, d), path.join(dir, d), { recursive: true });
				await child('setup');
				for (const f of plan.changed) fs.appendFileSync(path.join(dir, f), '\n');
				for (const d of plan.folders) fs.rmSync(path.join(dir, d), { recursive: true, force: true });
				// Flush those writes before anything is timed. The storm runs right after them and the
				// cold scan after the storm: unflushed, the storm alone shared the disk and the CPU
				// with the kernel writing back 47k just-changed files (`sync` took ~0.35 s here;
				// the storm, 4 interleaved pairs, ~65 ms longer). Where there is no `sync`, nothing.
				spawnSync('sync', { stdio: 'ignore' });
			};
			for (let i = 0; i < runs; i++) {
				await prepare();
				last = await child('storm');
				const c = await child('cold');
				const ci = await child('coldIndex');
				storm.push(last.ms);
				cold.push(c.ms);
				coldIndex.push(ci.ms);
				if (last.mainCpuMs !== undefined) stormCpu.push(last.mainCpuMs);
				if (c.mainCpuMs !== undefined) coldCpu.push(c.mainCpuMs);
				rss = Math.max(rss, last.maxRssMiB);
				coldRss = Math.max(coldRss, c.maxRssMiB);
				const wrong: string[] = [];
				if (last.digest !== c.digest) wrong.push(`index aggregates ≠ cold scan's (totals ${JSON.stringify(last.totals)} vs ${JSON.stringify(c.totals)})`);
				if (ci.digest !== c.digest) wrong.push(`the cold scan writing the index ≠ the cold scan (totals ${JSON.stringify(ci.totals)} vs ${JSON.stringify(c.totals)})`);
				if (wrong.length > 0) mismatch = wrong.join('; ');
			}
			if (ctx.opts.cpuProf) {
				await prepare();
				await profileChild(ctx, 'storm', '', 'storm', STORM_CHILD, ['storm', dir, idx, jobs, eventsFile]);
			}
			const s = last?.stats;
			const what = `${last?.events ?? '?'} events at once: ${plan.changed.length} changed, ${plan.pairs} create/delete pairs, ${plan.folders.length} folders deleted (${plan.folderFiles} files) → index current`;
			r.row('storm', '', what, summarize(storm), 'ms', s ? `${s.batches} batches, peak queue ${s.peakQueue}, ${s.stormCollapses} collapses, index load ${last?.loadMs?.toFixed(0)} ms apart` : '');
			const tm = last?.timing;
			if (last?.enqueueMs !== undefined && tm) {
				r.note('storm', '', `last storm: enqueue ${last.enqueueMs.toFixed(0)} ms, then rescans and analysis ${tm.statMs + tm.analyzeMs} ms (apply ${tm.applyMs} ms within), final apply and persist ${tm.processMs - tm.statMs - tm.analyzeMs} ms (persist ${tm.persistMs} ms)`);
			}
			r.row('storm', '', `cold scan of the same files (in-process)`, summarize(cold));
			r.row('storm', '', 'cold scan writing a new index of them, fsync on (as --index without one)', summarize(coldIndex));
			if (stormCpu.length > 0) r.row('storm', '', 'storm: main-thread CPU (workers apart)', summarize(stormCpu));
			if (coldCpu.length > 0) r.row('storm', '', 'cold scan: main-thread CPU (workers apart)', summarize(coldCpu));
			r.value('storm', '', 'storm peak RSS (index load + storm)', rss, 'MiB');
			r.value('storm', '', 'cold scan peak RSS', coldRss, 'MiB');
			r.ratio('storm', '', 'storm / cold scan', summarize(storm).median / summarize(cold).median, '<= 1.2');
			// No target: what a storm costs against building the same index from nothing.
			r.ratio('storm', '', 'storm / cold scan writing the index', summarize(storm).median / summarize(coldIndex).median);
			if (mismatch) r.note('storm', '', `MISMATCH after the storm: ${mismatch}`);
			else r.note('storm', '', 'after every storm the index aggregates (totals, languages, categories, every folder) equal a cold scan of the tree');
		} finally {
			fs.rmSync(path.dirname(dir), { recursive: true, force: true });
		}
	},
};
