// Child process of the storm benchmark, so each phase has its own peak RSS:
//   node out/test/perf/stormChild.js setup DIR INDEX JOBS          cold scan, index saved to INDEX
//   node out/test/perf/stormChild.js storm DIR INDEX JOBS [EVENTS] load INDEX, then the events of
//                                  EVENTS (a JSON array of [type, DIR-relative path]) at once;
//                                  without EVENTS every file of DIR as one 'changed' event
//   node out/test/perf/stormChild.js cold  DIR INDEX JOBS          cold scan of DIR (the reference)
//   node out/test/perf/stormChild.js coldIndex DIR INDEX JOBS      cold scan of DIR writing a new index at
//                                  INDEX.cold, as `--index` does without one (a second reference)
// Prints one JSON line: { ms, cpuMs (all threads), mainCpuMs, maxRssMiB, totals, … }. `ms` covers the work only (not Node
// start-up, not the index load for `storm`, which is reported apart as `loadMs`).

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const load = createRequire(__filename);
const CORE = path.join(__dirname, '..', '..', 'src', 'core');

interface Totals {
	files: number;
	lines: number;
	code: number;
	comment: number;
	blank: number;
	bytes: number;
}
interface ScanResultLike {
	aggregates: { totals: Totals };
	records?: unknown[];
}
interface FileIndexLike {
	size: number;
	values(): Iterable<unknown>;
	snapshot(): unknown;
}
interface StoreLike {
	load(expect?: unknown): Promise<{ status: string; records: unknown[] }>;
	save(records: Iterable<unknown>, meta: unknown): Promise<void>;
}
interface ProcessorLike {
	start(): void;
	enqueue(e: { type: string; path: string }): boolean;
	whenIdle(): Promise<void>;
	stop(o?: { drain?: boolean }): Promise<void>;
	onDidProcessBatch(listener: (b: { timing: Record<string, number> }) => void): unknown;
	stats: { events: number; batches: number; peakQueue: number; stormCollapses: number };
}
interface PoolLike {
	start(): void;
	close(): Promise<void>;
}

function listFiles(root: string): string[] {
	const out: string[] = [];
	const stack = [root];
	while (stack.length > 0) {
		const d = stack.pop()!;
		for (const e of fs.readdirSync(d, { withFileTypes: true })) {
			const p = path.join(d, e.name);
			if (e.isDirectory()) {
				if (e.name !== '.git') stack.push(p);
			} else if (e.isFile()) out.push(p);
		}
	}
	return out;
}

/** Totals summed from index records, to compare with the cold scan's. */
function totalsOf(records: Iterable<unknown>): Totals {
	const t: Totals = { files: 0, lines: 0, code: 0, comment: 0, blank: 0, bytes: 0 };
	for (const x of records) {
		const r = x as Totals;
		t.files++;
		t.lines += r.lines;
		t.code += r.code;
		t.comment += r.comment;
		t.blank += r.blank;
		t.bytes += r.bytes;
	}
	return t;
}

/** CPU time of the whole process (every thread) since `from`. */
function cpuMsSince(from: NodeJS.CpuUsage): number {
	const d = process.cpuUsage(from);
	return (d.user + d.system) / 1000;
}

/** SHA-1 of an aggregates snapshot (the scan's and the index's are built and sorted alike). */
function digest(snapshot: unknown): string {
	return createHash('sha1').update(JSON.stringify(snapshot)).digest('hex');
}

/**
 * This process's peak RSS. VmHWM (Linux) is the high-water mark of this process's own memory
 * map, which exec replaces; getrusage's maxRSS is not used where VmHWM exists because Linux
 * carries it over from the parent across fork + exec (a child of the big benchmark process
 * would report the parent's RSS).
 */
function peakRssMiB(): number {
	try {
		const m = /VmHWM:\s+(\d+)\s*kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
		if (m) return Number(m[1]) / 1024;
	} catch {
		// not Linux
	}
	return process.resourceUsage().maxRSS / 1024;
}

/**
 * CPU time (user + system) of the main thread so far, from /proc (its thread id is the process
 * id); undefined where there is no /proc. Clock-tick resolution (10 ms).
 */
function mainThreadCpuMs(): number | undefined {
	try {
		const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
		// Fields after the command name (which may hold spaces, so split after its ')').
		const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(f[11]) + Number(f[12])) * 10;
	} catch {
		return undefined;
	}
}

async function main(): Promise<void> {
	const [mode, dirArg, indexPath, jobsArg, eventsArg] = process.argv.slice(2);
	const dir = path.resolve(dirArg);
	const jobs = Number(jobsArg);
	const { scan } = load(path.join(CORE, 'scanner.js')) as { scan: (roots: string[], o: Record<string, unknown>) => Promise<ScanResultLike> };
	const { JsonlIndexStore } = load(path.join(CORE, 'indexStore.js')) as { JsonlIndexStore: new (p: string, o?: Record<string, unknown>) => StoreLike };
	const { indexFingerprint } = load(path.join(CORE, 'warmScan.js')) as { indexFingerprint: (o: Record<string, unknown>) => string };
	const scanOptions = { respectIgnoreFiles: false };
	const meta = { roots: [dir], fingerprint: indexFingerprint(scanOptions) };
	const out: Record<string, unknown> = { mode };
	const t0 = performance.now();
	if (mode === 'setup' || mode === 'cold') {
		const cpu0 = mainThreadCpuMs();
		const all0 = process.cpuUsage();
		const res = await scan([dir], { ...scanOptions, jobs, keepRecords: mode === 'setup' });
		out.ms = performance.now() - t0;
		out.cpuMs = cpuMsSince(all0);
		if (cpu0 !== undefined) out.mainCpuMs = mainThreadCpuMs()! - cpu0;
		out.totals = res.aggregates.totals;
		out.digest = digest(res.aggregates);
		if (mode === 'setup') await new JsonlIndexStore(indexPath, { fsync: false }).save(res.records ?? [], meta);
	} else if (mode === 'coldIndex') {
		// What the storm ends with, built from nothing: every record kept (with its structure as
		// the index's text) and saved, fsync'ed, as the CLI's cold `--index` scan does.
		const { scanWithIndex } = load(path.join(CORE, 'warmScan.js')) as {
			scanWithIndex: (roots: string[], indexPath: string, o: Record<string, unknown>) => Promise<ScanResultLike & { mode: string; saveError?: string }>;
		};
		const fresh = `${indexPath}.cold`;
		for (const f of fs.readdirSync(path.dirname(fresh))) {
			if (f.startsWith(path.basename(fresh))) fs.rmSync(path.join(path.dirname(fresh), f), { force: true });
		}
		const cpu0 = mainThreadCpuMs();
		const all0 = process.cpuUsage();
		const t1 = performance.now();
		const res = await scanWithIndex([dir], fresh, { ...scanOptions, jobs });
		out.ms = performance.now() - t1;
		out.cpuMs = cpuMsSince(all0);
		if (cpu0 !== undefined) out.mainCpuMs = mainThreadCpuMs()! - cpu0;
		if (res.mode !== 'cold' || res.saveError) throw new Error(`coldIndex: a ${res.mode} scan${res.saveError ? `, not saved: ${res.saveError}` : ''}`);
		out.totals = res.aggregates.totals;
		out.digest = digest(res.aggregates);
	} else if (mode === 'storm') {
		const { FileIndex } = load(path.join(CORE, 'fileIndex.js')) as {
			FileIndex: { fromLoad(roots: string[], loaded: unknown): FileIndexLike };
		};
		const { Processor } = load(path.join(CORE, 'processor.js')) as { Processor: new (o: Record<string, unknown>) => ProcessorLike };
		const { AnalyzerPool } = load(path.join(CORE, 'pool.js')) as { AnalyzerPool: new (o: Record<string, unknown>) => PoolLike };
		const store = new JsonlIndexStore(indexPath, { fsync: true });
		// Ignore files are left out: a changed .gitignore rescans its whole folder, which would
		// turn every storm into one root rescan and leave the per-path queue unmeasured. Each
		// event is the root-relative path (kept as [type, rel]); it is read before the index is
		// loaded, so that the plan is in the old generation by the time the storm starts: a plan
		// read last sat in the young generation with the 50k events made from it, and the storm's
		// first scavenge copied them all (one of 32 ms inside the enqueue loop, by --trace-gc):
		// work on the benchmark's own input, which a watcher's events, made one at a time, never cost.
		const plan: [string, string][] = eventsArg
			? (JSON.parse(fs.readFileSync(eventsArg, 'utf8')) as [string, string][])
			: listFiles(dir).filter((f) => !/(^|[\\/])\.(git)?ignore$/.test(f)).map((f) => ['changed', path.relative(dir, f)]);
		// As the host loads it: structure decoded on first use, aggregates summed in bulk; the
		// load result itself is not kept (the host drops it too), so it is no part of the peak.
		const index = await (async () => {
			const loaded = await store.load(meta);
			if (loaded.status !== 'ok') throw new Error(`index load: ${loaded.status}`);
			return FileIndex.fromLoad([dir], loaded);
		})();
		out.loadMs = performance.now() - t0;
		// Absolute paths as a watcher joins them (`dir` and the plan's paths are normal: no
		// path.join, whose garbage, ~1 KiB an event, would be collected inside the timed part).
		const abs = (rel: string) => (path.sep === '/' ? `${dir}/${rel}` : path.join(dir, rel));
		const pool = new AnalyzerPool({ jobs });
		pool.start();
		const proc = new Processor({ index, store, meta, scanOptions, pool });
		// Where the time goes, summed over the batches (stat, analyze, apply, persist).
		const timing: Record<string, number> = {};
		proc.onDidProcessBatch((b) => {
			for (const [k, v] of Object.entries(b.timing)) timing[k] = Math.round((timing[k] ?? 0) + v);
		});
		proc.start();
		const t1 = performance.now();
		const cpu1 = mainThreadCpuMs();
		const all1 = process.cpuUsage();
		// A branch switch, reported one event at a time, as fast as a watcher can.
		// Each event is made as it is reported, as a watcher makes it (its path joined to the
		// root), and is garbage once queued, as a watcher's is.
		for (const [type, rel] of plan) proc.enqueue({ type, path: abs(rel) });
		out.enqueueMs = performance.now() - t1;
		await proc.whenIdle();
		out.ms = performance.now() - t1;
		out.cpuMs = cpuMsSince(all1);
		// CPU time of this (main) thread alone, the workers' apart: less noisy than wall time on a
		// shared machine, and what the storm adds on this thread over a cold scan.
		if (cpu1 !== undefined) out.mainCpuMs = mainThreadCpuMs()! - cpu1;
		out.events = plan.length;
		await proc.stop();
		await pool.close();
		out.stats = proc.stats;
		out.timing = timing;
		out.totals = totalsOf(index.values());
		out.digest = digest(index.snapshot());
	} else throw new Error(`unknown mode ${mode}`);
	out.maxRssMiB = peakRssMiB();
	process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e: unknown) => {
	process.stderr.write(`stormChild: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
	process.exit(1);
});
