// The base file's record lines, byte for byte, against the format as the store's header comment
// states it, rebuilt here with JSON.stringify and a plain FNV-1a: the save writes lines straight
// into buffers (hashing ASCII lines over their bytes), and must never drift from that text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { Packer, unpackOutcomes } from '../../src/core/analyzeWorker';
import { isPending } from '../../src/core/fileIndex';
import { JsonlIndexStore } from '../../src/core/indexStore';
import type { IndexMeta } from '../../src/core/indexStore';
import type { Category, FileRecord, SymbolRef } from '../../src/core/types';
import { makeRecords } from './helpers/indexRecords';

const meta: IndexMeta = { roots: ['/r0', '/r1'], fingerprint: 'opts' };

function tempDir(): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'ws-save-bytes-'));
	test.after(() => rmSync(dir, { recursive: true, force: true }));
	return dir;
}

/** FNV-1a, 32 bit, over UTF-16 code units, as the format defines a line's hash. */
function fnv(text: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return h >>> 0;
}

/**
 * The body a save of `records` (in this order) must write: per record
 * `[path, root, lang, dir, size, mtimeMs, bytes, code, comment, blank, imports, classes, functions, fnv]\t<structure>`,
 * languages and folders numbered in order of first appearance.
 */
function expectedBody(records: FileRecord[]): { body: string; langs: unknown[]; dirs: string[] } {
	const langs: [string, Category, 0 | 1][] = [];
	const dirs: string[] = [];
	const lines: string[] = [];
	for (const r of records) {
		const unknown = r.unknown ? 1 : 0;
		let lang = langs.findIndex((l) => l[0] === r.language && l[1] === r.category && l[2] === unknown);
		if (lang < 0) lang = langs.push([r.language, r.category, unknown]) - 1;
		const folder = r.path.includes('/') ? r.path.slice(0, r.path.lastIndexOf('/')) : '';
		let dir = dirs.indexOf(folder);
		if (dir < 0) dir = dirs.push(folder) - 1;
		const flat = (l: SymbolRef[]) => l.flatMap((s) => [s.name, s.line]);
		const structure = r.imports.length + r.classes.length + r.functions.length === 0
			? ''
			: JSON.stringify([r.imports, flat(r.classes), flat(r.functions)]);
		const head = JSON.stringify([r.path, r.root, lang, dir, r.size, r.mtimeMs, r.bytes, r.code, r.comment, r.blank,
			r.imports.length, r.classes.length, r.functions.length]);
		lines.push(`${head.slice(0, -1)},${fnv(`${head}\t${structure}`)}]\t${structure}`);
	}
	return { body: lines.map((l) => l + '\n').join(''), langs, dirs };
}

/** The saved file: its header and body text. */
function readBase(file: string): { header: { langs: unknown[]; dirs: string[]; count: number }; body: Buffer } {
	const buf = readFileSync(file);
	const nl = buf.indexOf(10);
	return { header: JSON.parse(buf.toString('utf8', 0, nl)) as { langs: unknown[]; dirs: string[]; count: number }, body: buf.subarray(nl + 1) };
}

// Text with what JSON escapes, non-ASCII (two- and four-byte UTF-8), lone surrogates.
const textArb = fc.oneof(
	fc.string({ maxLength: 8 }),
	fc.string({ unit: 'binary', maxLength: 6 }),
	fc.constantFrom('a"b', 'back\\slash', 'tab\there', 'nl\n', '\u0001', 'é', 'ü/ß', '\u2028', '\u{1F600}', '\ud800', 'x\udc00y', 'plain_name'),
);
const symbolArb: fc.Arbitrary<SymbolRef> = fc.record({ name: textArb, line: fc.oneof(fc.integer({ min: 1, max: 100_000 }), fc.constant(9_007_199_254_740_991)) });
const segmentArb = textArb.filter((s) => s !== '' && !s.includes('/'));
const languages: [string, Category, boolean][] = [['Python', 'code', false], ['Markdown', 'docs', false], ['ext:.zz', 'data', true], ['Python', 'data', false], ['Ünïcode', 'config', false]];
const recordArb: fc.Arbitrary<FileRecord> = fc
	.record({
		dirs: fc.array(fc.constantFrom('src', 'src/lib', 'docs', 'é/ü', 'a"b'), { maxLength: 1 }),
		name: segmentArb,
		root: fc.integer({ min: 0, max: 1 }),
		lang: fc.integer({ min: 0, max: languages.length - 1 }),
		size: fc.oneof(fc.nat(5000), fc.nat()),
		mtimeMs: fc.oneof(fc.double({ min: 0, max: 2e12, noNaN: true }), fc.integer({ min: 0, max: 2e12 }), fc.constant(-0), fc.constant(1795846272677.569)),
		code: fc.nat(20000),
		comment: fc.nat(50),
		blank: fc.nat(15000),
		imports: fc.array(textArb, { maxLength: 4 }),
		classes: fc.array(symbolArb, { maxLength: 3 }),
		functions: fc.array(symbolArb, { maxLength: 3 }),
	})
	.map((g) => {
		const r: FileRecord = {
			path: [...g.dirs, g.name].join('/'), root: g.root, language: languages[g.lang][0], category: languages[g.lang][1],
			size: g.size, mtimeMs: g.mtimeMs, bytes: g.size, lines: g.code + g.comment + g.blank, code: g.code, comment: g.comment,
			blank: g.blank, imports: g.imports,
			// Plain objects (fast-check's records have no prototype; loaded ones do).
			classes: g.classes.map((c) => ({ name: c.name, line: c.line })), functions: g.functions.map((f) => ({ name: f.name, line: f.line })),
		};
		if (languages[g.lang][2]) r.unknown = true;
		return r;
	});

test('a save writes exactly the lines the format defines, for any record (property)', async () => {
	const dir = tempDir();
	let run = 0;
	await fc.assert(
		fc.asyncProperty(fc.array(recordArb, { maxLength: 25 }), async (records) => {
			const file = path.join(dir, `index-${run++}`);
			await new JsonlIndexStore(file, { fsync: false }).save(records, meta);
			const { header, body } = readBase(file);
			const want = expectedBody(records);
			assert.equal(body.toString('utf8'), want.body);
			assert.ok(body.equals(Buffer.from(want.body, 'utf8')));
			assert.deepEqual(header.langs, want.langs);
			assert.deepEqual(header.dirs, want.dirs);
			assert.equal(header.count, records.length);
			// JSON has no -0: a record saved with mtime -0 comes back with 0.
			const loaded = await new JsonlIndexStore(file).load(meta);
			assert.equal(loaded.status, 'ok');
			assert.deepEqual(loaded.records, records.map((r) => (Object.is(r.mtimeMs, -0) ? { ...r, mtimeMs: 0 } : r)));
			rmSync(file);
		}),
		{ numRuns: 300, seed: 23 },
	);
});

/** `records` as the pool hands them over with `structure: 'text'` (analyzeWorker.ts): packed by a worker's packer, unpacked. */
function asPending(records: FileRecord[]): FileRecord[] {
	const packer = new Packer();
	packer.form = 'text';
	for (const r of records) packer.addRecord(r, r.size, r.mtimeMs);
	const out = unpackOutcomes(packer.finish(), records.map((r) => ({ absPath: `/abs/${r.path}`, relPath: r.path, root: r.root }))) as FileRecord[];
	for (const r of out) assert.ok(isPending(r));
	return out;
}

test('pending records, from the pool and from a load, save to the same bytes as decoded ones (property)', async () => {
	const dir = tempDir();
	let run = 0;
	await fc.assert(
		fc.asyncProperty(fc.array(fc.tuple(recordArb, fc.boolean()), { maxLength: 25 }), async (picks) => {
			const records = picks.map(([r]) => r);
			const pending = asPending(records);
			// Each record decoded or pending, as an index holds them after a storm.
			const mixed = picks.map(([r, p], i) => (p ? pending[i] : r));
			const file = path.join(dir, `index-${run++}`);
			await new JsonlIndexStore(file, { fsync: false }).save(mixed, meta);
			const want = Buffer.from(expectedBody(records).body, 'utf8');
			assert.ok(readBase(file).body.equals(want));
			// The header too (its aggregates are summed from the records, pending ones counted undecoded).
			const decoded = path.join(dir, `index-${run++}`);
			await new JsonlIndexStore(decoded, { fsync: false }).save(records, meta);
			assert.ok(readFileSync(file).equals(readFileSync(decoded)));
			rmSync(decoded);
			// Loaded records are pending too: saved again untouched, the same bytes.
			const loaded = await new JsonlIndexStore(file).load(meta);
			assert.equal(loaded.status, 'ok');
			const again = path.join(dir, `index-${run++}`);
			await new JsonlIndexStore(again, { fsync: false }).save(loaded.pending?.records ?? loaded.records, meta);
			assert.ok(readBase(again).body.equals(want));
			rmSync(file);
			rmSync(again);
		}),
		{ numRuns: 150, seed: 29 },
	);
});

test('a body larger than a buffer block, and one line larger than a block, are written whole', async () => {
	const dir = tempDir();
	const records = makeRecords(30_000);
	// ~5 MB of structure in one line (the writer's blocks are 4 MiB).
	records[20_000] = { ...records[20_000], imports: Array.from({ length: 100_000 }, (_, i) => `some/long/module/path/number_${i}/x`) };
	const file = path.join(dir, 'index');
	await new JsonlIndexStore(file, { fsync: false }).save(records, meta);
	const { body } = readBase(file);
	assert.ok(body.length > 9_000_000, `body of ${body.length} bytes`);
	const want = Buffer.from(expectedBody(records).body, 'utf8');
	assert.ok(body.equals(want));
	const loaded = await new JsonlIndexStore(file).load(meta);
	assert.equal(loaded.status, 'ok');
	assert.deepEqual(loaded.records, records);
	// The same with the pool's pending records: the big line's counts are too big to pack (read
	// off its text) and the line does not fit a block (written again, decoded).
	const pendingFile = path.join(dir, 'pending');
	await new JsonlIndexStore(pendingFile, { fsync: false }).save(asPending(records), meta);
	assert.ok(readBase(pendingFile).body.equals(want));
});

test('warmUp writes nothing and changes nothing: a save after it is the same file', async () => {
	const dir = tempDir();
	const records = makeRecords(3000);
	const copy = structuredClone(records);
	const a = path.join(dir, 'a');
	const b = path.join(dir, 'b');
	const warmed = new JsonlIndexStore(a, { fsync: false });
	warmed.warmUp(records.slice(0, 2500));
	assert.deepEqual(records, copy);
	await warmed.save(records, meta);
	await new JsonlIndexStore(b, { fsync: false }).save(records, meta);
	assert.ok(readFileSync(a).equals(readFileSync(b)));
	assert.ok(readBase(a).body.equals(Buffer.from(expectedBody(records).body, 'utf8')));
});
