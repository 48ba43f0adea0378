// A save with fsync flushes the temp file in the background as it grows (`EarlyFlush` in
// indexStore.ts): the fsync before the rename then waits for the tail only. These tests watch the
// real FileHandle's `datasync` during real saves: how often it runs, that the file it flushes is
// the temp file, and that a flush that fails fails the save, leaving the last good index.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { JsonlIndexStore } from '../../src/core/indexStore';
import type { IndexMeta } from '../../src/core/indexStore';
import { makeRecords } from './helpers/indexRecords';

const meta: IndexMeta = { roots: ['/some/root'], fingerprint: 'opts-1' };
/** `EARLY_FLUSH_BYTES` in indexStore.ts. */
const EVERY = 4 << 20;

function tempDir(): string {
	const dir = fs.mkdtempSync(path.join(tmpdir(), 'ws-early-flush-'));
	test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
	return dir;
}

type Handle = fs.promises.FileHandle;

/** Runs `fn` with FileHandle's `datasync` replaced by `spy` (which gets the handle and the real call). */
async function withDatasync<T>(spy: (fh: Handle, real: () => Promise<void>) => Promise<void>, fn: () => Promise<T>): Promise<T> {
	const probe = await fs.promises.open(__filename, 'r');
	const proto = Object.getPrototypeOf(probe) as { datasync: (this: Handle) => Promise<void> };
	await probe.close();
	const real = proto.datasync;
	proto.datasync = function (this: Handle) {
		return spy(this, () => real.call(this));
	};
	try {
		return await fn();
	} finally {
		proto.datasync = real;
	}
}

test('a save of a big index with fsync flushes the temp file in the background, one flush at a time', async () => {
	const dir = tempDir();
	const file = path.join(dir, 'index');
	const records = makeRecords(60_000);
	const flushed: { size: number; inFlight: number }[] = [];
	let inFlight = 0;
	await withDatasync(async (fh, real) => {
		inFlight++;
		try {
			// What is on disk when the flush starts: the temp file, part written.
			flushed.push({ size: (await fh.stat()).size, inFlight });
			// A slow disk: the save writes on meanwhile, and must not start another flush.
			await new Promise((resolve) => setTimeout(resolve, 150));
			await real();
		} finally {
			inFlight--;
		}
	}, () => new JsonlIndexStore(file, { fsync: true }).save(records, meta));
	const size = fs.statSync(file).size;
	assert.ok(size > 3 * EVERY, `the index is ${size} bytes: too small for this test`);
	// At most one per EVERY bytes written, and at least one.
	assert.ok(flushed.length >= 1 && flushed.length <= Math.floor(size / EVERY), `${flushed.length} flushes for ${size} bytes`);
	for (const f of flushed) {
		assert.equal(f.inFlight, 1, 'two flushes at once');
		assert.ok(f.size >= EVERY && f.size < size, `a flush of a temp file of ${f.size} bytes (the index: ${size})`);
	}
	const loaded = await new JsonlIndexStore(file).load(meta);
	assert.equal(loaded.status, 'ok');
	assert.deepEqual(loaded.records, records);
	assert.deepEqual(fs.readdirSync(dir), ['index'], 'a temp file was left behind');
});

test('no background flush without fsync, nor for a small index', async () => {
	const dir = tempDir();
	let calls = 0;
	await withDatasync(async (_fh, real) => {
		calls++;
		await real();
	}, async () => {
		await new JsonlIndexStore(path.join(dir, 'big'), { fsync: false }).save(makeRecords(60_000), meta);
		await new JsonlIndexStore(path.join(dir, 'small'), { fsync: true }).save(makeRecords(500), meta);
	});
	assert.equal(calls, 0);
});

test('a background flush that fails fails the save: the last good index stays, no temp file is left', async () => {
	const dir = tempDir();
	const file = path.join(dir, 'index');
	const before = makeRecords(100);
	await new JsonlIndexStore(file, { fsync: false }).save(before, meta);
	const bytes = fs.readFileSync(file);
	const store = new JsonlIndexStore(file, { fsync: true });
	await assert.rejects(
		withDatasync(async () => {
			throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
		}, () => store.save(makeRecords(60_000, 1), meta)),
		/EIO/,
	);
	assert.deepEqual(fs.readFileSync(file), bytes);
	assert.deepEqual(fs.readdirSync(dir), ['index']);
	const loaded = await new JsonlIndexStore(file).load(meta);
	assert.equal(loaded.status, 'ok');
	assert.deepEqual(loaded.records, before);
});
