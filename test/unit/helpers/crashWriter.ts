// Child process of the crash-safety test: loads the index at argv[2], then commits batches
// forever (appends, and a compaction every few batches) until the parent SIGKILLs it.
// The state after batch k is a pure function of (seed, k), so the parent can check that what
// it loads after a kill is exactly the state after some batch, and no older than the last batch
// this process reported done.

import { JsonlIndexStore } from '../../../src/core/indexStore';
import { crashBatch, crashMeta, seqOf } from './crashModel';
import type { FileRecord } from '../../../src/core/types';

async function main(): Promise<void> {
	const file = process.argv[2];
	const seed = Number(process.argv[3]);
	const store = new JsonlIndexStore(file, { fsync: true, compactMinBytes: 4096, compactRatio: 0.05 });
	const loaded = await store.load(crashMeta);
	if (loaded.status !== 'ok' && loaded.status !== 'missing') {
		process.stderr.write(`child: load gave ${loaded.status}: ${loaded.warnings.join('; ')}\n`);
		process.exit(3);
	}
	const state = new Map<string, FileRecord>(loaded.records.map((r) => [r.path, r]));
	let k = seqOf(state);
	process.stdout.write('ready\n');
	for (;;) {
		k++;
		const changes = crashBatch(seed, k);
		for (const d of changes.deletes) state.delete(d.path);
		for (const r of changes.upserts) state.set(r.path, r);
		await store.commit(changes, () => state.values(), crashMeta);
		process.stdout.write(`${k}\n`);
	}
}

main().catch((e: unknown) => {
	process.stderr.write(`child: ${String(e)}\n`);
	process.exit(4);
});
