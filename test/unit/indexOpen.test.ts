// JsonlIndexStore.open: the header (folder digests, aggregates, kept skips) without the records;
// a big base's records are read and checked only when asked for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FileIndex } from '../../src/core/fileIndex';
import { JsonlIndexStore } from '../../src/core/indexStore';
import { makeRecords } from './helpers/indexRecords';

function tempDir(): string {
	const dir = fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), 'ws-open-')));
	test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
	return dir;
}

const meta = { roots: ['/r'], fingerprint: 'f' };

test('open: digests and aggregates from the header; load() gives what load gives; skips kept', async () => {
	const dir = tempDir();
	const file = path.join(dir, 'index');
	const records = makeRecords(8000);
	const skips = [{ root: 0, path: 'img/a.png', reason: 'binary' as const, detail: 'NUL byte', size: 10, mtimeMs: 1.5 }];
	await new JsonlIndexStore(file, { fsync: false }).save(records, meta, skips);
	assert.ok(fs.statSync(file).size > 2 << 20, 'bigger than the head read');
	const opened = await new JsonlIndexStore(file).open(meta);
	assert.equal(opened.status, 'ok');
	assert.ok(opened.quick);
	assert.equal(opened.quick.count, 8000);
	assert.deepEqual(opened.quick.skips, skips);
	const expected = new FileIndex(['/r'], records);
	assert.deepEqual(opened.quick.aggregates, expected.snapshot());
	// Every record and the skip are in exactly one folder digest.
	let n = 0;
	for (let k = 0; k < opened.quick.sums.length; k += 5) n += opened.quick.sums[k + 2];
	assert.equal(n, 8001);
	const loaded = opened.load();
	assert.equal(loaded.status, 'ok');
	assert.deepEqual(FileIndex.fromLoad(['/r'], loaded).snapshot(), expected.snapshot());
	assert.deepEqual((await new JsonlIndexStore(file).load(meta)).records, loaded.records);
	assert.equal(opened.load(), loaded, 'parsed once');
});

test('open on a big base with a damaged record: the header holds; load() finds the damage', async () => {
	const dir = tempDir();
	const file = path.join(dir, 'index');
	await new JsonlIndexStore(file, { fsync: false }).save(makeRecords(8000), meta);
	const buf = fs.readFileSync(file);
	buf[buf.length - 200] ^= 0x01;
	fs.writeFileSync(file, buf);
	const opened = await new JsonlIndexStore(file).open(meta);
	assert.ok(opened.quick, 'the header is intact');
	const loaded = opened.load();
	assert.equal(loaded.status, 'repaired');
	assert.match(loaded.warnings.join('\n'), /is damaged: kept 7999 intact records, 1 lost/);
	// The same file read by load(): the same verdict.
	assert.equal((await new JsonlIndexStore(file).load(meta)).status, 'repaired');
});

test('open: a journal batch or another fingerprint means no quick answer', async () => {
	const dir = tempDir();
	const file = path.join(dir, 'index');
	const records = makeRecords(3000);
	const store = new JsonlIndexStore(file, { fsync: false });
	await store.save(records, meta);
	assert.equal((await new JsonlIndexStore(file).open({ ...meta, fingerprint: 'g' })).status, 'rebuild');
	await store.commit({ upserts: [], deletes: [{ root: 0, path: records[0].path }] }, () => records.slice(1), meta);
	const opened = await new JsonlIndexStore(file).open(meta);
	assert.equal(opened.status, 'ok');
	assert.equal(opened.quick, undefined);
	assert.equal(opened.load().records.length, 2999);
});

test('the digests file: used only for its own base generation and journal; a damaged one is ignored', async () => {
	const dir = tempDir();
	const file = path.join(dir, 'index');
	const records = makeRecords(3000);
	const store = new JsonlIndexStore(file, { fsync: false });
	await store.save(records, meta);
	const rest = records.slice(1);
	await store.commit({ upserts: [], deletes: [{ root: 0, path: records[0].path }] }, () => rest, meta);
	const expected = new FileIndex(['/r'], rest);
	await store.writeDigests(rest, expected.snapshot(), []);
	const opened = await new JsonlIndexStore(file).open(meta);
	assert.ok(opened.quick);
	assert.equal(opened.quick.count, 2999);
	assert.deepEqual(opened.quick.aggregates, expected.snapshot());
	assert.equal(opened.load().records.length, 2999);
	// Damaged: ignored (the records are parsed instead).
	const text = fs.readFileSync(file + '.digests', 'utf8');
	fs.writeFileSync(file + '.digests', text.replace('"count":2999', '"count":2998'));
	const damaged = await new JsonlIndexStore(file).open(meta);
	assert.equal(damaged.quick, undefined);
	fs.writeFileSync(file + '.digests', text);
	assert.ok((await new JsonlIndexStore(file).open(meta)).quick);
	// Another batch: stale.
	await store.commit({ upserts: [], deletes: [{ root: 0, path: records[1].path }] }, () => records.slice(2), meta);
	const stale = await new JsonlIndexStore(file).open(meta);
	assert.equal(stale.quick, undefined);
	assert.equal(stale.load().records.length, 2998);
});
