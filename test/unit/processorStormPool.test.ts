import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FileIndex } from '../../src/core/fileIndex';
import { JsonlIndexStore } from '../../src/core/indexStore';
import { AnalyzerPool } from '../../src/core/pool';
import { Processor } from '../../src/core/processor';
import { scan } from '../../src/core/scanner';
import type { BatchEvent } from '../../src/core/processor';
import type { FileRecord } from '../../src/core/types';
import { indexFingerprint } from '../../src/core/warmScan';
import { prng } from './helpers/indexRecords';
import { content, listFiles, makeTree, pick, writeFile } from './helpers/tempTree';

function sorted(records: Iterable<FileRecord>): FileRecord[] {
	return [...records].sort((a, b) => a.root - b.root || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * A storm past the threshold with a pool: the collapsed folders' files go to the workers without
 * a stat on the main thread. Edits, deletes, a deleted folder, new files and change events for
 * untouched files; the index must end equal to a cold scan, and only the really changed files
 * may be reported.
 */
test('a collapsed storm with a pool ends equal to a cold scan and reports only real changes', { timeout: 120_000 }, async () => {
	const dir = fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), 'ws-storm-pool-')));
	const pool = new AnalyzerPool({ jobs: 1 });
	try {
		const tree = path.join(dir, 'tree');
		makeTree(tree, 777, 1200);
		const cold0 = await scan([tree], { keepRecords: true, jobs: 1 });
		const index = new FileIndex([tree], cold0.records);
		const meta = { roots: [tree], fingerprint: indexFingerprint({}) };
		const store = new JsonlIndexStore(path.join(dir, 'index'), { fsync: false });
		await store.save(index.values(), meta);
		pool.start();
		// applyEvery: 100, so the storm's batch is applied in parts and its deltas merged.
		const proc = new Processor({ index, store, meta, pool, batchWindowMs: 10, stormThreshold: 200, applyEvery: 100 });
		const before = index.snapshot();
		const reported = new Map<string, string>();
		const events: BatchEvent[] = [];
		let errors = 0;
		proc.onDidProcessBatch((b) => {
			events.push(b);
			errors += b.errors.length;
			for (const c of b.changed) reported.set(c.path, c.kind);
		});

		const rnd = prng(5);
		const abs = (rel: string) => path.join(tree, rel);
		const files = listFiles(tree).filter((f) => !f.startsWith('build/') && f !== 'debug.log' && f !== '.gitignore');
		const expected = new Map<string, string>();
		const sent: string[] = [];
		// Edits (one more line: a real change).
		for (const rel of files.slice(0, 400)) {
			fs.appendFileSync(abs(rel), content(rnd, rel.slice(rel.lastIndexOf('.') + 1), 1) + '\n');
			expected.set(rel, 'changed');
			sent.push(rel);
		}
		// Deletes.
		for (const rel of files.slice(400, 500)) {
			fs.rmSync(abs(rel));
			expected.set(rel, 'removed');
			sent.push(rel);
		}
		// New files, one of known content.
		for (let i = 0; i < 300; i++) {
			const rel = `fresh/f${i % 7}/n${i}.${pick(rnd, ['py', 'js', 'c'])}`;
			writeFile(abs(rel), content(rnd, rel.slice(rel.lastIndexOf('.') + 1), 3));
			expected.set(rel, 'added');
			sent.push(rel);
		}
		writeFile(abs('fresh/known.py'), 'a = 1\n\n# note\nb = 2\n');
		expected.set('fresh/known.py', 'added');
		sent.push('fresh/known.py');
		// 'changed' events for files that did not change: read again, not reported.
		const untouched = files.slice(500, 900);
		sent.push(...untouched);
		for (const rel of sent) proc.enqueue({ type: 'changed', path: abs(rel) });
		proc.start();
		await proc.whenIdle();
		await proc.stop();

		assert.ok(proc.stats.stormCollapses >= 1, 'the storm collapsed');
		assert.equal(errors, 0);
		const cold = await scan([tree], { keepRecords: true, jobs: 1 });
		assert.deepEqual(sorted(index.values()), cold.records);
		assert.deepEqual(index.snapshot(), cold.aggregates);
		// Four lines: two of code, one blank, one comment (counted by hand).
		const known = index.get(0, 'fresh/known.py');
		assert.ok(known);
		assert.deepEqual([known.lines, known.code, known.blank, known.comment], [4, 2, 1, 1]);
		for (const rel of untouched) assert.equal(reported.get(rel), undefined, `${rel} did not change`);
		for (const [rel, kind] of expected) assert.equal(reported.get(rel), kind, rel);
		assert.equal(reported.size, expected.size);
		// The merged aggregate deltas: each entry's first before and last after, compared with the
		// snapshots taken before the storm and after it.
		const first = events[0].aggregates.totals.before;
		assert.deepEqual(first, before.totals);
		assert.deepEqual(events[events.length - 1].aggregates.totals.after, cold.aggregates.totals);
		const langBefore = new Map(before.languages.map((l) => [l.name, l]));
		const langAfter = new Map(cold.aggregates.languages.map((l) => [l.name, l]));
		const folderAfter = new Map(cold.aggregates.folders.map((f) => [`${f.root}:${f.path}`, f]));
		if (events.length === 1) {
			const d = events[0].aggregates;
			for (const e of d.languages) {
				const name = (e.before ?? e.after)!.name;
				assert.deepEqual(e.before, langBefore.get(name) ?? null, name);
				assert.deepEqual(e.after, langAfter.get(name) ?? null, name);
			}
			for (const e of d.folders) {
				const f = (e.before ?? e.after)!;
				assert.deepEqual(e.after, folderAfter.get(`${f.root}:${f.path}`) ?? null);
				assert.notDeepEqual(e.before, e.after);
			}
			// The fresh folder did not exist before and does now.
			assert.ok(d.folders.some((e) => e.before === null && e.after?.path === 'fresh'));
		}

		// The store holds the same index.
		const loaded = await store.load(meta);
		assert.equal(loaded.status, 'ok');
		assert.deepEqual(sorted(FileIndex.fromLoad([tree], loaded).values()), cold.records);
	} finally {
		await pool.close();
		fs.rmSync(dir, { recursive: true, force: true });
	}
});
