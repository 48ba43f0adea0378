// One index load in a process of its own, as the extension host and the CLI load an index once at
// start-up: a heap that has not grown yet and code that has not been optimized yet. The in-process
// load rows of `indexStore.bench.ts` measure later loads, on a grown heap with hot code.
//
//   node out/test/perf/loadChild.js INDEX META_JSON
//
// Prints one JSON line: { status, records, loadMs, loadCpuMs, indexMs } (the load, its CPU time
// over all the process's threads, then FileIndex.fromLoad; the module loading before is not counted).

import { FileIndex } from '../../src/core/fileIndex';
import { JsonlIndexStore } from '../../src/core/indexStore';
import type { IndexMeta } from '../../src/core/indexStore';

async function main(): Promise<void> {
	const [file, metaJson] = process.argv.slice(2);
	if (!file || !metaJson) throw new Error('usage: loadChild.js INDEX META_JSON');
	const meta = JSON.parse(metaJson) as IndexMeta;
	const c0 = process.cpuUsage();
	const t0 = performance.now();
	const loaded = await new JsonlIndexStore(file).load(meta);
	const t1 = performance.now();
	const c = process.cpuUsage(c0);
	const index = FileIndex.fromLoad(meta.roots, loaded);
	const t2 = performance.now();
	const out = { status: loaded.status, records: index.size, loadMs: t1 - t0, loadCpuMs: (c.user + c.system) / 1000, indexMs: t2 - t1 };
	process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e: unknown) => {
	process.stderr.write(`loadChild: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
	process.exit(1);
});
