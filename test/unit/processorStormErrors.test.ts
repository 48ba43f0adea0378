import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FileIndex } from '../../src/core/fileIndex';
import { JsonlIndexStore } from '../../src/core/indexStore';
import { AnalyzerPool } from '../../src/core/pool';
import type { AnalyzeJob, BatchResult } from '../../src/core/pool';
import { Processor } from '../../src/core/processor';
import type { BatchEvent } from '../../src/core/processor';
import { scan } from '../../src/core/scanner';
import type { FileRecord } from '../../src/core/types';
import { indexFingerprint } from '../../src/core/warmScan';
import { writeFile } from './helpers/tempTree';

function sorted(records: Iterable<FileRecord>): FileRecord[] {
	return [...records].sort((a, b) => a.root - b.root || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * A pool whose batches fail when they hold a file named `poison…` (as when a worker dies), and
 * otherwise analyze with a real in-thread pool.
 */
function poisonPool(real: AnalyzerPool): AnalyzerPool {
	return {
		get size() {
			return 1;
		},
		start: () => real.start(),
		analyze: (jobs: AnalyzeJob[]): Promise<BatchResult> =>
			jobs.some((j) => path.basename(j.relPath).startsWith('poison')) ? Promise.reject(new Error('worker died (test)')) : real.analyze(jobs),
	} as unknown as AnalyzerPool;
}

test('a collapsed storm whose analysis fails for some files keeps their records, reports them, and persists the rest in one full rewrite; a small batch after it is journaled', { timeout: 60_000 }, async () => {
	const dir = fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), 'ws-storm-err-')));
	const real = new AnalyzerPool({ jobs: 1 });
	try {
		const tree = path.join(dir, 'tree');
		// 300 files in two top folders; a third of `b`'s chunk holds the poison file.
		for (let i = 0; i < 150; i++) writeFile(path.join(tree, 'a', `f${i}.py`), `x = ${i}\n`);
		for (let i = 0; i < 149; i++) writeFile(path.join(tree, 'b', 'deep', `g${i}.py`), `y = ${i}\n`);
		writeFile(path.join(tree, 'b', 'deep', 'poison.py'), 'z = 0\n');
		const cold0 = await scan([tree], { keepRecords: true, jobs: 1 });
		const index = new FileIndex([tree], cold0.records);
		const meta = { roots: [tree], fingerprint: indexFingerprint({}) };
		const store = new JsonlIndexStore(path.join(dir, 'index'), { fsync: false });
		await store.save(index.values(), meta);
		const poisonBefore = index.get(0, 'b/deep/poison.py');
		assert.ok(poisonBefore);

		// Every file gets one more line (two lines of code now), and an event: a storm past the threshold.
		for (const r of cold0.records!) fs.appendFileSync(path.join(tree, r.path), 'w = 1\n');
		// rewriteMin: 100, so this 300-file index counts as big enough to be rewritten in full.
		const proc = new Processor({ index, store, meta, pool: poisonPool(real), batchWindowMs: 10, stormThreshold: 50, rewriteMin: 100 });
		const events: BatchEvent[] = [];
		proc.onDidProcessBatch((b) => events.push(b));
		for (const r of cold0.records!) proc.enqueue({ type: 'changed', path: path.join(tree, r.path) });
		proc.start();
		await proc.whenIdle();
		// More than a quarter of the index changed: a full rewrite, no journal left behind.
		assert.equal(fs.existsSync(store.journalPath), false);
		// One more change afterwards is small: appended to the journal.
		fs.appendFileSync(path.join(tree, 'a', 'f0.py'), 'v = 2\n');
		proc.enqueue({ type: 'changed', path: path.join(tree, 'a', 'f0.py') });
		await proc.whenIdle();
		assert.equal(fs.existsSync(store.journalPath), true);
		await proc.stop();

		assert.ok(proc.stats.stormCollapses >= 1);
		const errors = events.flatMap((e) => e.errors);
		const failed = new Set(errors.map((e) => e.path));
		assert.ok(failed.has('b/deep/poison.py'), 'the poisoned file is reported');
		for (const e of errors) assert.match(e.reason, /analysis failed: worker died \(test\)/);
		// Files whose batch failed keep their old record (one line); every other file is current (two).
		assert.equal(index.size, 300);
		for (const r of index.values()) assert.equal(r.lines, failed.has(r.path) ? 1 : r.path === 'a/f0.py' ? 3 : 2, r.path);
		assert.equal(index.get(0, 'b/deep/poison.py'), poisonBefore);
		const changed = events[0].changed;
		assert.equal(changed.length, 300 - failed.size);
		assert.ok(changed.every((c) => c.kind === 'changed' && !failed.has(c.path)));
		assert.deepEqual(events[events.length - 1].changed, [{ root: 0, path: 'a/f0.py', kind: 'changed' }]);
		const loaded = await new JsonlIndexStore(store.path).load(meta);
		assert.equal(loaded.status, 'ok');
		assert.deepEqual(sorted(FileIndex.fromLoad([tree], loaded).values()), sorted(index.values()));
	} finally {
		await real.close();
		fs.rmSync(dir, { recursive: true, force: true });
	}
});
