// A base bigger than the loader's read buffer (1 MiB) is parsed in pieces: lines cut by a read,
// lines longer than the buffer, non-ASCII text on either side of a cut, stale bytes from an
// earlier load left past the end of what was read. The answers are the records as saved.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { JsonlIndexStore } from '../../src/core/indexStore';
import type { IndexMeta } from '../../src/core/indexStore';
import type { FileRecord, Logger } from '../../src/core/types';
import { makeRecord } from './helpers/indexRecords';

const meta: IndexMeta = { roots: ['/some/root'], fingerprint: 'opts-1' };

/** A logger that keeps its info lines: a base read whole after its streamed parse failed says so. */
function recordingLogger(): Logger & { infos: string[] } {
	const infos: string[] = [];
	return { infos, trace() {}, debug() {}, info(m: string) { infos.push(m); }, warn() {}, error() {} };
}
const readWhole = /did not load in pieces/;

function tempDir(): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'ws-index-stream-'));
	test.after(() => rmSync(dir, { recursive: true, force: true }));
	return dir;
}

/**
 * `n` records, every 37th with a non-ASCII or escaped path and non-ASCII names, and record
 * `big` with a structure of ~1.6 MB (longer than the read buffer). `shift` lengthens the first
 * path, which moves every line against the buffer's edges.
 */
function records(n: number, shift: number, big: number): FileRecord[] {
	const out: FileRecord[] = [];
	for (let i = 0; i < n; i++) {
		const r = makeRecord(i);
		if (i === 0) r.path = `${'s'.repeat(shift)}/first.py`;
		if (i % 37 === 5) {
			r.path = i % 2 ? `données/é${i}/naïve ${i}.py` : `quo"te\\back\tslash/${i}.py`;
			r.functions = [{ name: `größe_${i}`, line: 3 }, { name: '日本語', line: 9 }];
			r.imports = ['ünïcode/mod'];
		}
		if (i === big) r.functions = Array.from({ length: 60000 }, (_, k) => ({ name: `generated_function_${k}`, line: k + 1 }));
		out.push(r);
	}
	return out;
}

test('a base bigger than the read buffer loads record for record, wherever its lines fall against the buffer', async () => {
	const dir = tempDir();
	const file = path.join(dir, 'index');
	for (const [shift, big] of [[0, 3000], [1, 9000], [517, 0], [70001, 11999]] as const) {
		const saved = records(12000, shift, big);
		await new JsonlIndexStore(file, { fsync: false }).save(saved, meta);
		assert.ok(readFileSync(file).length > 4 << 20, 'several read buffers long');
		const log = recordingLogger();
		const loaded = await new JsonlIndexStore(file, { logger: log }).load(meta);
		assert.equal(loaded.status, 'ok', `shift ${shift}`);
		assert.ok(!log.infos.some((m) => readWhole.test(m)), `parsed in pieces, shift ${shift}`);
		assert.deepEqual(loaded.warnings, []);
		assert.equal(loaded.records.length, saved.length);
		for (let i = 0; i < saved.length; i++) assert.deepEqual(loaded.records[i], saved[i], `record ${i}, shift ${shift}`);
	}
});

test('damage past the first read buffer: the streamed load falls back to checking lines, and keeps every intact record', async () => {
	const dir = tempDir();
	const file = path.join(dir, 'index');
	const saved = records(12000, 3, 6000);
	await new JsonlIndexStore(file, { fsync: false }).save(saved, meta);
	const original = readFileSync(file);
	const text = original.toString('latin1');

	// A byte of record 9000's path changed (~3 MB in).
	const line9000 = text.indexOf(`"${saved[9000].path}"`);
	assert.ok(line9000 > 2 << 20);
	const flipped = Buffer.from(original);
	flipped[line9000 + 3] ^= 0x01;
	writeFileSync(file, flipped);
	let log = recordingLogger();
	let r = await new JsonlIndexStore(file, { logger: log }).load(meta);
	assert.equal(r.status, 'repaired');
	assert.ok(log.infos.some((m) => readWhole.test(m)));
	assert.match(r.warnings[0], /kept 11999 intact records, 1 lost \(of 12000\)/);
	assert.deepEqual(r.records, saved.filter((_, i) => i !== 9000));

	// Intact, loaded once (the read buffer now holds the end of the file) ...
	writeFileSync(file, original);
	log = recordingLogger();
	r = await new JsonlIndexStore(file, { logger: log }).load(meta);
	assert.equal(r.status, 'ok');
	assert.deepEqual(log.infos, []);
	assert.equal(r.records.length, 12000);
	// ... then cut in the middle of record 10000's line: the bytes past the cut that the buffer
	// still holds from that load must not complete it.
	const line10000 = text.lastIndexOf('\n', text.indexOf(`"${saved[10000].path}"`)) + 1;
	writeFileSync(file, original.subarray(0, line10000 + 25));
	r = await new JsonlIndexStore(file).load(meta);
	assert.equal(r.status, 'repaired');
	assert.deepEqual(r.records, saved.slice(0, 10000));
});

test('a base replaced between open and load: the records are the new base\'s, checked afresh', async () => {
	const dir = tempDir();
	const file = path.join(dir, 'index');
	await new JsonlIndexStore(file, { fsync: false }).save(records(8000, 0, 100), meta);
	const store = new JsonlIndexStore(file, { fsync: false });
	const opened = await store.open(meta);
	assert.equal(opened.status, 'ok');
	const replaced = records(9000, 40, 200).map((r) => ({ ...r, code: r.code + 1, lines: r.lines + 1 }));
	await new JsonlIndexStore(file, { fsync: false }).save(replaced, meta);
	const r = opened.load();
	assert.equal(r.status, 'ok');
	assert.deepEqual(r.records, replaced);
});

test('a base whose checksum is SHA-1 (what runtimes without zlib.crc32 write) loads, streamed or whole, and a wrong one is caught', async () => {
	const dir = tempDir();
	const file = path.join(dir, 'index');
	for (const n of [50, 9000]) {
		const saved = records(n, 0, -1);
		await new JsonlIndexStore(file, { fsync: false }).save(saved, meta);
		const buf = readFileSync(file);
		const nl = buf.indexOf(10);
		const header = JSON.parse(buf.toString('utf8', 0, nl)) as { check: string };
		const body = buf.subarray(nl + 1);
		assert.match(header.check, /^crc32:/);
		for (const [check, status] of [[`sha1:${createHash('sha1').update(body).digest('hex')}`, 'ok'], [`sha1:${'0'.repeat(40)}`, 'repaired']]) {
			header.check = check;
			writeFileSync(file, Buffer.concat([Buffer.from(JSON.stringify(header) + '\n'), body]));
			const r = await new JsonlIndexStore(file).load(meta);
			assert.equal(r.status, status, `${n} records, ${check.slice(0, 8)}`);
			assert.deepEqual(r.records, saved);
		}
	}
});
