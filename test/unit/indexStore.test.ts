import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { INDEX_VERSION, JsonlIndexStore } from '../../src/core/indexStore';
import type { IndexMeta } from '../../src/core/indexStore';
import type { FileRecord, Logger } from '../../src/core/types';
import { makeRecord, makeRecords } from './helpers/indexRecords';

const meta: IndexMeta = { roots: ['/some/root'], fingerprint: 'opts-1' };

function tempDir(): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'ws-index-store-'));
	test.after(() => rmSync(dir, { recursive: true, force: true }));
	return dir;
}

function byPath(records: FileRecord[]): Map<string, FileRecord> {
	return new Map(records.map((r) => [`${r.root}:${r.path}`, r]));
}

/** A logger that remembers warnings, to check the user is told. */
function recordingLogger(): Logger & { warnings: string[] } {
	const warnings: string[] = [];
	return { warnings, trace() {}, debug() {}, info() {}, warn(m: string) { warnings.push(m); }, error() {} };
}

test('save then load gives back every record, field for field, including odd paths', async () => {
	const dir = tempDir();
	const odd: FileRecord = {
		...makeRecord(1), path: 'we\u00efrd/na\nme "quoted"\\x/\u{1F600}.py', unknown: true, language: 'ext:.py',
	};
	const records = [...makeRecords(300), odd, { ...makeRecord(2, 0, 1) }];
	const store = new JsonlIndexStore(path.join(dir, 'index'), { fsync: false });
	await store.save(records, meta);
	const loaded = await new JsonlIndexStore(path.join(dir, 'index')).load(meta);
	assert.equal(loaded.status, 'ok');
	assert.deepEqual(loaded.warnings, []);
	assert.deepEqual(loaded.meta, meta);
	assert.deepEqual(loaded.records, records);
});

test('a load removes the temp files a killed writer left (of the base and of the digests), and only those', async () => {
	const dir = tempDir();
	const idx = path.join(dir, 'index');
	await new JsonlIndexStore(idx, { fsync: false }).save(makeRecords(3), meta);
	const stale = ['index.tmp-123-4', 'index.digests.tmp-9-10'];
	// Named like them, or beside them, but not theirs: a user's files, kept.
	const kept = ['index.tmp-notes.py', 'index.tmp-1-2.py', 'index.tmp-', 'index2.tmp-1-2', 'other.tmp-1-2'];
	for (const n of [...stale, ...kept]) writeFileSync(path.join(dir, n), 'x');
	const loaded = await new JsonlIndexStore(idx).load(meta);
	assert.equal(loaded.status, 'ok');
	for (const n of stale) assert.equal(existsSync(path.join(dir, n)), false, `${n} removed`);
	for (const n of kept) assert.equal(existsSync(path.join(dir, n)), true, `${n} kept`);
});

test('a missing index loads as missing, without warnings', async () => {
	const dir = tempDir();
	const r = await new JsonlIndexStore(path.join(dir, 'nope')).load();
	assert.equal(r.status, 'missing');
	assert.deepEqual(r.records, []);
	assert.deepEqual(r.warnings, []);
});

test('commits append to the journal and the load replays them; compaction rewrites the base', async () => {
	const dir = tempDir();
	const file = path.join(dir, 'index');
	const state = byPath(makeRecords(50));
	const store = new JsonlIndexStore(file, { fsync: false, compactMinBytes: 4000, compactRatio: 0 });
	await store.save(state.values(), meta);
	const baseAfterSave = readFileSync(file);
	let compactions = 0;
	for (let b = 0; b < 12; b++) {
		const up = [makeRecord(b, 1), makeRecord(100 + b)];
		const del = [{ root: 0, path: makeRecord(20 + b).path }];
		for (const d of del) state.delete(`0:${d.path}`);
		for (const r of up) state.set(`0:${r.path}`, r);
		const info = await store.commit({ upserts: up, deletes: del }, () => state.values(), meta);
		if (info.compacted) compactions++;
		const journalBytes = existsSync(file + '.journal') ? readFileSync(file + '.journal').length : 0;
		assert.equal(journalBytes === 0, info.compacted, 'a compaction empties the journal, an append grows it');
		assert.ok(journalBytes < 4000 + 1500, `journal stays near its bound: ${journalBytes}`);
		const loaded = await new JsonlIndexStore(file).load(meta);
		assert.equal(loaded.status, 'ok');
		assert.deepEqual(byPath(loaded.records), state, `after batch ${b}`);
	}
	// Each batch line is ~0.6-1.4 kB: the journal passes 4 kB after 3 to 7 batches, then the base is rewritten.
	assert.ok(compactions >= 1 && compactions <= 4, `compactions: ${compactions}`);
	assert.notDeepEqual(readFileSync(file), baseAfterSave);
});

test('a commit before any load or save writes the whole index', async () => {
	const dir = tempDir();
	const file = path.join(dir, 'index');
	const recs = makeRecords(5);
	const info = await new JsonlIndexStore(file, { fsync: false }).commit({ upserts: recs, deletes: [] }, () => recs, meta);
	assert.equal(info.compacted, true);
	assert.equal(existsSync(file + '.journal'), false);
	assert.deepEqual((await new JsonlIndexStore(file).load()).records, recs);
});

// --- damaged files ------------------------------------------------------------------------

async function savedIndex(n = 20): Promise<{ file: string; records: FileRecord[]; text: string }> {
	const dir = tempDir();
	const file = path.join(dir, 'index');
	const records = makeRecords(n);
	await new JsonlIndexStore(file, { fsync: false }).save(records, meta);
	return { file, records, text: readFileSync(file, 'utf8') };
}

async function loadDamaged(file: string) {
	const logger = recordingLogger();
	const result = await new JsonlIndexStore(file, { logger }).load(meta);
	assert.deepEqual(logger.warnings.map((w) => w.replace('[index] ', '')), result.warnings, 'warnings go to the logger too');
	return result;
}

test('an empty index file asks for a rebuild and says so', async () => {
	const { file } = await savedIndex();
	writeFileSync(file, '');
	const r = await loadDamaged(file);
	assert.equal(r.status, 'rebuild');
	assert.deepEqual(r.records, []);
	assert.match(r.warnings.join('\n'), /is empty/);
});

test('a wrong format version asks for a rebuild and names the version', async () => {
	const { file, text } = await savedIndex();
	writeFileSync(file, text.replace(`"version":${INDEX_VERSION},`, '"version":7,'));
	const r = await loadDamaged(file);
	assert.equal(r.status, 'rebuild');
	assert.match(r.warnings[0], /version 7/);
});

test('a file that is not an index, or has a garbled header, asks for a rebuild', async () => {
	const { file, text } = await savedIndex();
	for (const content of ['{"hello":"world"}\n', 'garbage\u0000\u00ff\n' + text, '[1,2,3]\n', 'null\n']) {
		writeFileSync(file, content);
		const r = await loadDamaged(file);
		assert.equal(r.status, 'rebuild', JSON.stringify(content.slice(0, 20)));
		assert.equal(r.warnings.length, 1);
	}
});

test('an index built for other roots or options asks for a rebuild', async () => {
	const { file } = await savedIndex();
	const r = await new JsonlIndexStore(file).load({ roots: ['/other'], fingerprint: 'opts-1' });
	assert.equal(r.status, 'rebuild');
	const r2 = await new JsonlIndexStore(file).load({ roots: ['/some/root'], fingerprint: 'opts-2' });
	assert.equal(r2.status, 'rebuild');
	assert.match(r2.warnings[0], /other folders or options/);
});

test('a truncated index keeps the records before the cut', async () => {
	const { file, text, records } = await savedIndex();
	const lines = text.split('\n');
	// Header + 7 whole records + half of the 8th.
	const cut = lines.slice(0, 8).join('\n') + '\n' + lines[8].slice(0, 40);
	writeFileSync(file, cut);
	const r = await loadDamaged(file);
	assert.equal(r.status, 'repaired');
	assert.deepEqual(r.records, records.slice(0, 7));
	assert.match(r.warnings[0], /kept 7 intact records, 13 lost \(of 20\)/);
});

test('a valid header with a broken record in the middle keeps every other record', async () => {
	const { file, text, records } = await savedIndex();
	const lines = text.split('\n');
	lines[5] = lines[5].slice(0, 30) + '}{not json';
	writeFileSync(file, lines.join('\n'));
	const r = await loadDamaged(file);
	assert.equal(r.status, 'repaired');
	assert.deepEqual(r.records, records.filter((_, i) => i !== 4));
	assert.match(r.warnings[0], /kept 19 intact records, 1 lost/);
});

test('a garbled number that still parses is caught by the record hash', async () => {
	const { file, text, records } = await savedIndex();
	const lines = text.split('\n');
	// Record 3's path is followed by its root (0); make it a valid but wrong root.
	const at = lines[3].indexOf('",0,');
	assert.ok(at > 0);
	lines[3] = lines[3].slice(0, at) + '",1,' + lines[3].slice(at + 4);
	writeFileSync(file, lines.join('\n'));
	const r = await loadDamaged(file);
	assert.equal(r.status, 'repaired');
	assert.deepEqual(r.records, records.filter((_, i) => i !== 2));
});

test('random damage never crashes the loader and never yields a record that was not saved', async () => {
	const { file, records } = await savedIndex(30);
	const original = readFileSync(file);
	const saved = new Set(records.map((r) => JSON.stringify(r)));
	await fc.assert(
		fc.asyncProperty(
			fc.array(fc.record({ at: fc.nat(original.length - 1), byte: fc.nat(255) }), { minLength: 1, maxLength: 6 }),
			fc.option(fc.nat(original.length), { nil: undefined }),
			async (flips, truncateAt) => {
				const damaged = Buffer.from(original);
				for (const f of flips) damaged[f.at] = f.byte;
				writeFileSync(file, truncateAt === undefined ? damaged : damaged.subarray(0, truncateAt));
				const r = await new JsonlIndexStore(file).load();
				assert.ok(['ok', 'repaired', 'rebuild'].includes(r.status));
				for (const rec of r.records) assert.ok(saved.has(JSON.stringify(rec)), 'every record loaded was saved');
				if (r.status !== 'ok') assert.ok(r.warnings.length > 0, 'the user is told');
				else assert.equal(r.records.length, 30);
			},
		),
		{ numRuns: 300, seed: 11 },
	);
});

test('a torn last journal line is the state before that batch; a damaged middle batch keeps the batches before it', async () => {
	const dir = tempDir();
	const file = path.join(dir, 'index');
	const base = makeRecords(10);
	const store = new JsonlIndexStore(file, { fsync: false });
	await store.save(base, meta);
	const state = byPath(base);
	const states: Map<string, FileRecord>[] = [new Map(state)];
	for (let b = 0; b < 3; b++) {
		const up = [makeRecord(b, 2)];
		for (const r of up) state.set(`0:${r.path}`, r);
		await store.commit({ upserts: up, deletes: [] }, () => state.values(), meta);
		states.push(new Map(state));
	}
	const journal = readFileSync(file + '.journal', 'utf8');
	const lines = journal.split('\n');
	assert.equal(lines.length, 4);

	writeFileSync(file + '.journal', journal.slice(0, journal.length - 25)); // torn third batch
	let r = await loadDamaged(file);
	assert.equal(r.status, 'ok');
	assert.deepEqual(r.warnings, []);
	assert.deepEqual(byPath(r.records), states[2]);

	writeFileSync(file + '.journal', [lines[0], lines[1].replace('"g":1', '"g":1 '), lines[2], ''].join('\n'));
	r = await loadDamaged(file);
	assert.equal(r.status, 'repaired');
	assert.deepEqual(byPath(r.records), states[1]);
	assert.match(r.warnings[0], /damaged at batch 2 of 3: kept the 1 batches before it/);

	// The next commit rewrites the base instead of appending after the damage; then all is clean.
	const store2 = new JsonlIndexStore(file, { fsync: false });
	const again = await store2.load(meta);
	const after = byPath(again.records);
	const up = makeRecord(9, 3);
	after.set(`0:${up.path}`, up);
	assert.equal((await store2.commit({ upserts: [up], deletes: [] }, () => after.values(), meta)).compacted, true);
	r = await loadDamaged(file);
	assert.equal(r.status, 'ok');
	assert.deepEqual(byPath(r.records), after);
});

test('journal lines of an older base generation are ignored (crash between compaction and journal removal)', async () => {
	const dir = tempDir();
	const file = path.join(dir, 'index');
	const store = new JsonlIndexStore(file, { fsync: false });
	await store.save(makeRecords(5), meta);
	await store.commit({ upserts: [makeRecord(1, 9)], deletes: [] }, () => [], meta);
	const staleJournal = readFileSync(file + '.journal');
	const final = [makeRecord(0), makeRecord(1, 9)];
	await store.save(final, meta);
	writeFileSync(file + '.journal', staleJournal);
	const r = await loadDamaged(file);
	assert.equal(r.status, 'ok');
	assert.deepEqual(r.records, final);
});
