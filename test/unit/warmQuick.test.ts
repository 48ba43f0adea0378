// scanWithIndex with the threaded stat walk and folder digests (statWalk.ts, dirSums.ts): after
// any edit it still equals a cold scan; with nothing changed it answers from the index header
// without parsing a record or rewriting the index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { scan } from '../../src/core/scanner';
import { FileIndex, isPending } from '../../src/core/fileIndex';
import { JsonlIndexStore } from '../../src/core/indexStore';
import { scanWithIndex, warmScan } from '../../src/core/warmScan';
import type { IndexedScanOptions } from '../../src/core/warmScan';
import { prng } from './helpers/indexRecords';
import { makeTree, randomEdit, writeFile } from './helpers/tempTree';

function tempDir(): string {
	const dir = fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), 'ws-warmq-')));
	test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
	return dir;
}

const opts: IndexedScanOptions = { jobs: 1, fsync: false, statThreads: 2 };

function sortedRecords(res: { index: { values(): Iterable<{ root: number; path: string }> } }) {
	return [...res.index.values()].sort((a, b) => a.root - b.root || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Size and mtime of the index files: unchanged means nothing was written. */
function stamp(idx: string): string {
	return [idx, idx + '.journal'].map((f) => (fs.existsSync(f) ? `${fs.statSync(f).size}@${fs.statSync(f).mtimeMs}` : '-')).join(' ');
}

for (const seed of [1, 2, 3, 4, 5, 6]) {
	test(`digest walk: equal to a cold scan after random edits, adds, deletes, renames (seed ${seed})`, async () => {
		const dir = tempDir();
		const tree = path.join(dir, 'tree');
		const idx = path.join(dir, 'index');
		makeTree(tree, seed, 150);
		const first = await scanWithIndex([tree], idx, opts);
		assert.equal(first.mode, 'cold');
		const rnd = prng(seed * 17);
		const counter = { n: 0 };
		for (let round = 0; round < 8; round++) {
			const edits = round % 3 === 2 ? 0 : 1 + Math.floor(rnd() * 3);
			for (let e = 0; e < edits; e++) randomEdit(tree, rnd, counter);
			const before = stamp(idx);
			const warm = await scanWithIndex([tree], idx, opts);
			const expected = await scan([tree], { jobs: 1, keepRecords: true });
			assert.equal(warm.mode, 'warm');
			assert.deepEqual(warm.aggregates, expected.aggregates, `round ${round}: aggregates`);
			assert.deepEqual(warm.skipped, expected.skipped, `round ${round}: skipped`);
			assert.equal(warm.warm!.reused + warm.warm!.analyzed, expected.records!.length + expected.skipped.filter((s) => s.reason === 'binary').length, `round ${round}: every file reused or read`);
			assert.deepEqual(sortedRecords(warm), expected.records, `round ${round}: records`);
			if (edits === 0) {
				// Binary files too are known from the index (kept with the size and mtime they were judged at).
				assert.equal(warm.warm!.analyzed, 0, `round ${round}: nothing read`);
				assert.equal(warm.warm!.removed, 0);
			}
			// A later start sees what this one saved.
			const again = await scanWithIndex([tree], idx, opts);
			assert.deepEqual(again.aggregates, expected.aggregates, `round ${round}: second start`);
			if (edits === 0) assert.equal(stamp(idx), before, `round ${round}: nothing changed, nothing written`);
		}
	});
}

test('nothing changed: the answer comes from the header; the records are parsed only when asked for', async () => {
	const dir = tempDir();
	const tree = path.join(dir, 'tree');
	const idx = path.join(dir, 'index');
	makeTree(tree, 21, 120);
	const cold = await scanWithIndex([tree], idx, opts);
	const before = stamp(idx);
	const warm = await scanWithIndex([tree], idx, opts);
	assert.equal(stamp(idx), before, 'the index was not written');
	assert.deepEqual(warm.warm, { reused: cold.index.size, analyzed: 0, removed: 0 });
	assert.deepEqual(warm.aggregates, cold.aggregates);
	assert.equal(warm.timing.apply, 0);
	assert.deepEqual(sortedRecords(warm), sortedRecords(cold));
	assert.equal(warm.index.size, cold.index.size);

	// One edit in one folder: that folder is compared file by file, the others stay matched.
	writeFile(path.join(tree, 'zz', 'new.py'), 'def g():\n    return 2\n');
	const one = await scanWithIndex([tree], idx, opts);
	assert.deepEqual(one.warm, { reused: cold.index.size, analyzed: 1, removed: 0 });
	// Removing a whole folder: its records go, the rest matched.
	fs.rmSync(path.join(tree, 'zz'), { recursive: true });
	const gone = await scanWithIndex([tree], idx, opts);
	assert.deepEqual(gone.warm, { reused: cold.index.size, analyzed: 0, removed: 1 });
	assert.deepEqual(gone.aggregates, cold.aggregates);
});

test('binary files are kept in the index with their size and mtime: not read again until they change', async () => {
	const dir = tempDir();
	const tree = path.join(dir, 'tree');
	const idx = path.join(dir, 'index');
	makeTree(tree, 8, 60);
	writeFile(path.join(tree, 'img', 'a.png'), Buffer.from([0x89, 0x50, 0, 1, 2]));
	writeFile(path.join(tree, 'b.bin'), Buffer.from([0, 0, 0]));
	await scanWithIndex([tree], idx, opts);
	// The cold scan did not stat them before reading: the first warm start reads them and keeps them.
	const first = await scanWithIndex([tree], idx, opts);
	assert.equal(first.warm!.analyzed, 2);
	const before = stamp(idx);
	const second = await scanWithIndex([tree], idx, opts);
	assert.equal(second.warm!.analyzed, 0);
	assert.equal(stamp(idx), before);
	const expected = await scan([tree], { jobs: 1 });
	assert.deepEqual(second.skipped, expected.skipped);
	assert.deepEqual(second.skipped.filter((s) => s.reason === 'binary').map((s) => s.path), ['b.bin', 'img/a.png']);
	// Now text: read again, counted, no longer skipped.
	writeFile(path.join(tree, 'img', 'a.png'), 'not binary after all\n');
	const third = await scanWithIndex([tree], idx, opts);
	assert.equal(third.warm!.analyzed, 1);
	assert.deepEqual(third.skipped, (await scan([tree], { jobs: 1 })).skipped);
	assert.deepEqual(third.aggregates, (await scan([tree], { jobs: 1 })).aggregates);
	const fourth = await scanWithIndex([tree], idx, opts);
	assert.equal(fourth.warm!.analyzed, 0);
	assert.deepEqual(fourth.skipped, third.skipped);
});

test('journal batches: the next start writes a digests file beside them (no rewrite) and the one after is quick', async () => {
	const dir = tempDir();
	const tree = path.join(dir, 'tree');
	const idx = path.join(dir, 'index');
	makeTree(tree, 5, 100);
	const cold = await scanWithIndex([tree], idx, opts);
	// A batch appended by a processor (as `watch` does): the header's digests no longer describe the index.
	writeFile(path.join(tree, 'added.ts'), 'export const a = 1;\n');
	const rec = (await scan([path.join(tree, 'added.ts')], { keepRecords: true, jobs: 1 })).records![0];
	await cold.store.commit({ upserts: [{ ...rec, root: 0, path: 'added.ts' }], deletes: [] }, () => [], cold.meta);
	const base = fs.statSync(idx).mtimeMs;
	assert.ok(fs.statSync(idx + '.journal').size > 0);
	const warm = await scanWithIndex([tree], idx, opts);
	assert.deepEqual(warm.warm, { reused: cold.index.size + 1, analyzed: 0, removed: 0 });
	assert.equal(fs.statSync(idx).mtimeMs, base, 'the base was not rewritten');
	assert.ok(fs.existsSync(idx + '.digests'));
	const before = stamp(idx) + stamp(idx + '.digests');
	const quick = await scanWithIndex([tree], idx, opts);
	assert.equal(stamp(idx) + stamp(idx + '.digests'), before, 'nothing written');
	assert.deepEqual(quick.aggregates, warm.aggregates);
	assert.deepEqual(quick.aggregates, (await scan([tree], { jobs: 1 })).aggregates);
	// Another batch makes the digests file stale: a parse, a new file, then quick again.
	writeFile(path.join(tree, 'more.ts'), 'export const b = 2;\n');
	const edit = await scanWithIndex([tree], idx, opts);
	assert.equal(edit.warm!.analyzed, 1);
	assert.equal(fs.statSync(idx).mtimeMs, base, 'still appended, not rewritten');
	const again = await scanWithIndex([tree], idx, opts);
	assert.deepEqual(again.warm, { reused: cold.index.size + 2, analyzed: 0, removed: 0 });
	assert.deepEqual(again.aggregates, (await scan([tree], { jobs: 1 })).aggregates);
	assert.deepEqual(sortedRecords(again), (await scan([tree], { jobs: 1, keepRecords: true })).records);
});

test('an index for other options is rebuilt by a cold scan (the walk started for it is stopped)', { timeout: 30_000 }, async () => {
	const dir = tempDir();
	const tree = path.join(dir, 'tree');
	const idx = path.join(dir, 'index');
	makeTree(tree, 6, 80);
	await scanWithIndex([tree], idx, opts);
	const other = await scanWithIndex([tree], idx, { ...opts, exclude: ['d1'] });
	assert.equal(other.mode, 'cold');
	assert.deepEqual(other.aggregates, (await scan([tree], { jobs: 1, exclude: ['d1'] })).aggregates);
	const warm = await scanWithIndex([tree], idx, { ...opts, exclude: ['d1'] });
	assert.equal(warm.mode, 'warm');
	assert.deepEqual(warm.aggregates, other.aggregates);
});

test('a damaged record: found and repaired (once the records are read), results equal to cold throughout', async () => {
	const dir = tempDir();
	const tree = path.join(dir, 'tree');
	const idx = path.join(dir, 'index');
	makeTree(tree, 13, 120);
	const cold = await scanWithIndex([tree], idx, opts);
	// Garble one digit of one record (the header, with its own checksums, is intact).
	const buf = fs.readFileSync(idx);
	const at = buf.indexOf(10) + 1 + buf.subarray(buf.indexOf(10) + 1).indexOf(',') + 1;
	buf[at] = buf[at] === 0x31 ? 0x32 : 0x31;
	fs.writeFileSync(idx, buf);
	const warnings: string[] = [];
	const logger = { trace() {}, debug() {}, info() {}, warn: (m: unknown) => warnings.push(String(m)), error() {} };
	// Nothing changed: a base small enough to be read whole is checked now; a bigger one answers
	// from its header (which holds) and is checked when its records are next needed.
	const quick = await scanWithIndex([tree], idx, { ...opts, logger });
	assert.deepEqual(quick.aggregates, cold.aggregates);
	writeFile(path.join(tree, 'later.md'), '# later\n');
	const next = await scanWithIndex([tree], idx, { ...opts, logger });
	assert.equal(warnings.filter((w) => /is damaged: kept \d+ intact records, 1 lost/.test(w)).length, 1, warnings.join('\n'));
	const expected = await scan([tree], { jobs: 1, keepRecords: true });
	assert.deepEqual(next.aggregates, expected.aggregates);
	assert.deepEqual(sortedRecords(next), expected.records);
	const after = await scanWithIndex([tree], idx, opts);
	assert.deepEqual(after.warm, { reused: expected.records!.length, analyzed: 0, removed: 0 });
});

test('warmScan on worker threads (as the extension runs it: this thread stays free) equals a cold scan after edits', async () => {
	const dir = tempDir();
	makeTree(dir, 17, 150);
	const first = await scan([dir], { jobs: 1, keepRecords: true });
	const index = new FileIndex([dir], first.records);
	const rnd = prng(99);
	const counter = { n: 0 };
	for (let round = 0; round < 5; round++) {
		for (let e = 0; e < 3; e++) randomEdit(dir, rnd, counter);
		const warm = await warmScan([dir], index, { jobs: 1, keepRecords: true, statThreads: 2 });
		const expected = await scan([dir], { jobs: 1, keepRecords: true });
		assert.deepEqual(warm.records, expected.records, `round ${round}: records`);
		assert.deepEqual(warm.aggregates, expected.aggregates, `round ${round}: aggregates`);
		assert.deepEqual(warm.skipped, expected.skipped, `round ${round}: skipped`);
		assert.ok(warm.warm.reused > expected.records!.length / 2);
	}
});

test('a cold scan with workers keeps the records it only indexes pending; they read, save and load as a scan builds them', async () => {
	const dir = tempDir();
	const tree = path.join(dir, 'tree');
	const idx = path.join(dir, 'index');
	makeTree(tree, 23, 400);
	const res = await scanWithIndex([tree], idx, { ...opts, jobs: 2, batchSize: 16 });
	assert.equal(res.mode, 'cold');
	assert.equal(res.records, undefined);
	// Held undecoded (the workers sent the structure as text), not built in full on this thread.
	const held = res.index.storedArray();
	assert.ok(held.some(isPending), 'some records pending');
	const expected = await scan([tree], { jobs: 1, keepRecords: true });
	assert.deepEqual(res.aggregates, expected.aggregates);
	assert.deepEqual(res.index.snapshot(), expected.aggregates);
	assert.deepEqual(sortedRecords(res), expected.records);
	// What was saved loads as the same records; asked for by file (--by-file), records come in full.
	const loaded = await new JsonlIndexStore(idx).load();
	assert.deepEqual(loaded.records.sort((a, b) => a.root - b.root || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), expected.records);
	fs.rmSync(idx);
	const byFile = await scanWithIndex([tree], idx, { ...opts, jobs: 2, batchSize: 16, keepRecords: true });
	assert.ok(!byFile.records!.some(isPending));
	assert.deepEqual(byFile.records, expected.records);
});
