import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FileIndex } from '../../src/core/fileIndex';
import { JsonlIndexStore } from '../../src/core/indexStore';
import { scan } from '../../src/core/scanner';
import { indexFingerprint, warmScan } from '../../src/core/warmScan';
import { prng } from './helpers/indexRecords';
import { makeTree, randomEdit, writeFile } from './helpers/tempTree';

function tempDir(): string {
	const dir = fs.realpathSync(mkdtempSync(path.join(tmpdir(), 'ws-warm-')));
	test.after(() => rmSync(dir, { recursive: true, force: true }));
	return dir;
}

async function cold(dir: string) {
	return scan([dir], { keepRecords: true, jobs: 1 });
}

for (const seed of [1, 2, 3, 4]) {
	test(`warm start equals a cold scan after random edits, adds, deletes and renames (seed ${seed})`, async () => {
		const dir = tempDir();
		makeTree(dir, seed, 60);
		const first = await cold(dir);
		assert.ok(first.records!.length >= 55, `tree has ${first.records!.length} files`);
		const index = new FileIndex([dir], first.records);
		const rnd = prng(seed * 31);
		const counter = { n: 0 };
		const kinds = new Set<string>();
		for (let round = 0; round < 10; round++) {
			const edits = 1 + Math.floor(rnd() * 4);
			for (let e = 0; e < edits; e++) kinds.add(randomEdit(dir, rnd, counter).kind);
			const warm = await warmScan([dir], index, { keepRecords: true, jobs: 1 });
			const expected = await cold(dir);
			assert.deepEqual(warm.records, expected.records, `seed ${seed} round ${round}: records`);
			assert.deepEqual(warm.aggregates, expected.aggregates, `seed ${seed} round ${round}: aggregates`);
			assert.deepEqual(warm.skipped, expected.skipped, `seed ${seed} round ${round}: skipped`);
			// Warm means most files were not read again.
			assert.ok(warm.warm.reused > expected.records!.length / 2, `round ${round}: reused only ${warm.warm.reused}`);
			assert.equal(warm.warm.reused + warm.warm.analyzed, expected.records!.length + expected.skipped.length);
		}
		assert.ok(kinds.size >= 6, `edit kinds covered: ${[...kinds].join(', ')}`);
	});
}

test('a warm start with nothing changed reads no file and changes nothing', async () => {
	const dir = tempDir();
	makeTree(dir, 9, 40);
	const first = await cold(dir);
	const index = new FileIndex([dir], first.records);
	const warm = await warmScan([dir], index, { keepRecords: true, jobs: 1 });
	assert.deepEqual(warm.warm, { reused: first.records!.length, analyzed: first.skipped.length, removed: 0 });
	assert.deepEqual(warm.delta.changed, []);
	assert.deepEqual(warm.records, first.records);
});

test('warm start through the store: save, load in a new process state, update, equal to cold', async () => {
	const dir = tempDir();
	const tree = path.join(dir, 'tree');
	makeTree(tree, 5, 50);
	const opts = { jobs: 1 };
	const meta = { roots: [tree], fingerprint: indexFingerprint(opts) };
	const first = await cold(tree);
	const store = new JsonlIndexStore(path.join(dir, 'index'), { fsync: false });
	await store.save(first.records!, meta);

	writeFile(path.join(tree, 'new', 'x.py'), 'def f():\n    return 1\n');
	fs.rmSync(path.join(tree, '.gitignore'));
	const loaded = await new JsonlIndexStore(path.join(dir, 'index')).load(meta);
	assert.equal(loaded.status, 'ok');
	const index = new FileIndex([tree], loaded.records);
	const warm = await warmScan([tree], index, { ...opts, keepRecords: true });
	const expected = await cold(tree);
	assert.deepEqual(warm.records, expected.records);
	assert.deepEqual(warm.aggregates, expected.aggregates);
	// x.py, build/out.js and debug.log (no longer ignored) were added; .gitignore itself is gone.
	assert.deepEqual(warm.delta.changed.map((c) => `${c.kind}:${c.path}`).sort(), ['added:build/out.js', 'added:debug.log', 'added:new/x.py', 'removed:.gitignore']);
	assert.notEqual(indexFingerprint({ ...opts, exclude: ['x'] }), meta.fingerprint);
});

test('warm start uses the worker pool when many files changed and still equals cold', async () => {
	const dir = tempDir();
	makeTree(dir, 12, 150);
	const index = new FileIndex([dir], (await cold(dir)).records);
	// Touch every file: new mtimes, same contents.
	const later = new Date(Date.now() + 5000);
	for (const r of index.values()) fs.utimesSync(path.join(dir, r.path), later, later);
	const warm = await warmScan([dir], index, { keepRecords: true, jobs: 2, batchSize: 16 });
	const expected = await cold(dir);
	assert.equal(warm.warm.reused, 0);
	assert.deepEqual(warm.records, expected.records);
	assert.deepEqual(warm.aggregates, expected.aggregates);
	// Only mtimes moved: every record changed, no aggregate did.
	assert.equal(warm.delta.changed.length, expected.records!.length);
	assert.deepEqual(warm.delta.aggregates.languages, []);
});
