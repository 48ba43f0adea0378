// The index store's fast load: records whose structure is decoded on first use (pending records)
// must be indistinguishable from records decoded at load, and the bulk aggregate sum must equal
// adding the records one by one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { Aggregates } from '../../src/core/aggregate';
import { FileIndex, isPending } from '../../src/core/fileIndex';
import { INDEX_VERSION, JsonlIndexStore } from '../../src/core/indexStore';
import type { IndexMeta } from '../../src/core/indexStore';
import type { Category, FileRecord } from '../../src/core/types';
import { makeRecord, makeRecords } from './helpers/indexRecords';

const meta: IndexMeta = { roots: ['/r0', '/r1'], fingerprint: 'lazy' };

function tempDir(): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'ws-index-lazy-'));
	test.after(() => rmSync(dir, { recursive: true, force: true }));
	return dir;
}

/** Records with every kind of field: odd characters, unknown languages, two roots, empty structure. */
function variedRecords(): FileRecord[] {
	const odd: FileRecord = {
		...makeRecord(1), path: 'we\u00efrd/na\tme "q"\\x/\u{1F600}.py', unknown: true, language: 'ext:.py',
		imports: ['a"b', 'c\\d', 'tab\there', 'nl\nhere', '\u00e9'], classes: [{ name: 'K\u00e9"', line: 3 }], functions: [],
	};
	const empty: FileRecord = { ...makeRecord(2), path: 'empty.json', language: 'JSON', category: 'data', imports: [], classes: [], functions: [] };
	return [...makeRecords(200), odd, empty, makeRecord(3, 0, 1), { ...makeRecord(4, 0, 1), unknown: true, language: '(no extension)' }];
}

async function saveAndLoad(records: FileRecord[]) {
	const file = path.join(tempDir(), 'index');
	await new JsonlIndexStore(file, { fsync: false }).save(records, meta);
	return { file, loaded: await new JsonlIndexStore(file).load(meta) };
}

test('records loaded pending equal the saved ones field for field, as JSON, spread and structured clone', async () => {
	const records = variedRecords();
	const { loaded } = await saveAndLoad(records);
	assert.equal(loaded.status, 'ok');
	assert.ok(loaded.pending, 'the fast path leaves the structure pending');
	assert.ok(loaded.pending.records.every(isPending), 'nothing decoded before use');
	// Stored counts: hand-checkable against the saved arrays' lengths.
	for (let i = 0; i < records.length; i++) {
		assert.deepEqual([...loaded.pending.counts.subarray(3 * i, 3 * i + 3)],
			[records[i].imports.length, records[i].classes.length, records[i].functions.length]);
	}
	const index = FileIndex.fromLoad(meta.roots, loaded);
	assert.equal(index.size, records.length);
	for (const r of records) {
		const got = index.get(r.root, r.path);
		assert.ok(got && !isPending(got));
		assert.deepEqual(got, r);
		assert.equal(JSON.stringify(got), JSON.stringify(r), 'same JSON text, keys in the same order');
		assert.deepEqual({ ...got }, r);
		assert.deepEqual(structuredClone(got), r);
		assert.deepEqual(Object.keys(got), Object.keys(r));
		assert.equal(index.get(r.root, r.path), got, 'the same object on every get');
	}
});

test('the records of a load result decode on first read and equal the saved ones', async () => {
	const records = variedRecords();
	const { loaded } = await saveAndLoad(records);
	assert.ok(loaded.pending);
	assert.deepEqual(loaded.records, records);
	assert.equal(JSON.stringify(loaded.records), JSON.stringify(records));
	assert.ok(!loaded.records.some(isPending));
});

test('an index over pending records: values, under, upsert, delete and batches see decoded records; aggregates equal an eager index', async () => {
	const records = variedRecords();
	const { loaded } = await saveAndLoad(records);
	const lazy = FileIndex.fromLoad(meta.roots, loaded);
	const eager = new FileIndex(meta.roots, records);
	assert.deepEqual(lazy.snapshot(), eager.snapshot());
	// Keys and stat never decode.
	assert.equal([...lazy.keys()].length, records.length);
	const st = lazy.stat(0, records[10].path);
	assert.equal(st?.size, records[10].size);
	assert.equal(st?.mtimeMs, records[10].mtimeMs);
	assert.ok(isPending(st as FileRecord));
	const under = [...lazy.under(0, 'src/dir3')];
	assert.ok(under.length > 0);
	for (const r of under) assert.deepEqual(r, records.find((x) => x.root === 0 && x.path === r.path));
	// Changes through every entry point, on records still pending.
	const changes = {
		upserts: [makeRecord(5, 1), makeRecord(6, 0, 1), makeRecord(9999)],
		deletes: [{ root: 0, path: records[7].path }, { root: 0, path: 'no/such/file' }],
	};
	const dl = lazy.applyBatch(changes);
	const de = eager.applyBatch(changes);
	assert.deepEqual(dl, de);
	assert.deepEqual(lazy.delete(0, records[8].path), records[8]);
	eager.delete(0, records[8].path);
	assert.deepEqual(lazy.upsert(makeRecord(12, 2)), records[12]);
	eager.upsert(makeRecord(12, 2));
	assert.deepEqual(lazy.snapshot(), eager.snapshot());
	const values = [...lazy.values()];
	assert.ok(!values.some(isPending));
	assert.deepEqual(values.sort((a, b) => a.root - b.root || (a.path < b.path ? -1 : 1)),
		[...eager.values()].sort((a, b) => a.root - b.root || (a.path < b.path ? -1 : 1)));
});

test('storedUnder hands records over undecoded; an index of copies of them (FileIndex.of) equals one of the decoded records', async () => {
	const records = variedRecords();
	const { loaded } = await saveAndLoad(records);
	const lazy = FileIndex.fromLoad(meta.roots, loaded);
	const byPath = (a: FileRecord, b: FileRecord) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
	const mine = records.filter((r) => r.root === 0);
	const held = [...lazy.storedUnder(0, '')];
	assert.equal(held.length, mine.length);
	assert.ok(held.every(isPending), 'nothing decoded');
	// Copies moved to another root, as the extension makes them for a warm start.
	const sub = FileIndex.of(['/x'], [...lazy.storedUnder(0, '')].map((r) => ({ ...r, root: 0 })));
	const eager = new FileIndex(['/x'], mine);
	assert.deepEqual(sub.snapshot(), eager.snapshot());
	assert.ok([...sub.storedUnder(0, '')].every(isPending), 'the copies are not decoded either');
	assert.ok([...lazy.storedUnder(0, '')].every(isPending), 'the source is still undecoded');
	// Changes on the copy: subtracted by the counts it was built with, decoded only when read.
	const gone = mine[5];
	sub.applyBatch({ upserts: [{ ...mine[6], code: mine[6].code + 1, lines: mine[6].lines + 1 }], deletes: [{ root: 0, path: gone.path }] });
	eager.applyBatch({ upserts: [{ ...mine[6], code: mine[6].code + 1, lines: mine[6].lines + 1 }], deletes: [{ root: 0, path: gone.path }] });
	assert.deepEqual(sub.snapshot(), eager.snapshot());
	assert.deepEqual([...sub.values()].sort(byPath), [...eager.values()].sort(byPath));
	// The source is untouched; `under` gives the same records, decoded.
	assert.deepEqual(lazy.snapshot(), new FileIndex(meta.roots, records).snapshot());
	const dir3 = [...lazy.storedUnder(0, 'src/dir3')].map((r) => r.path);
	assert.ok(dir3.length > 0);
	assert.deepEqual([...lazy.under(0, 'src/dir3')].map((r) => r.path), dir3);
});

test('a load with a journal replays it over pending records', async () => {
	const records = makeRecords(50);
	const file = path.join(tempDir(), 'index');
	const store = new JsonlIndexStore(file, { fsync: false });
	await store.save(records, meta);
	const state = new Map(records.map((r) => [r.path, r]));
	// A changed file, a new one, and one in a folder and a language the base's tables lack.
	const up = [makeRecord(3, 1), makeRecord(77), { ...makeRecord(78), path: 'new/folder/x.rs', language: 'Rust', unknown: true }];
	for (const r of up) state.set(r.path, r);
	state.delete(records[9].path);
	await store.commit({ upserts: up, deletes: [{ root: 0, path: records[9].path }] }, () => state.values(), meta);
	const loaded = await new JsonlIndexStore(file).load(meta);
	assert.ok(loaded.pending);
	const index = FileIndex.fromLoad(meta.roots, loaded);
	assert.equal(index.size, state.size);
	for (const r of state.values()) assert.deepEqual(index.get(0, r.path), r);
	assert.deepEqual(index.snapshot(), new FileIndex(meta.roots, state.values()).snapshot());
});

test('a version 1 index (structure parsed at load) is detected and rebuilt, with a warning', async () => {
	const { file } = await saveAndLoad(makeRecords(3));
	// The first line of a version 1 file, as that version wrote it.
	const v1 = '{"format":"workspace-stats-index","version":1,"gen":1,"roots":["/r0","/r1"],"fingerprint":"lazy","count":0,"bytes":0,"sha1":"da39a3ee5e6b4b0d3255bfef95601890afd80709"}\n';
	writeFileSync(file, v1);
	const r = await new JsonlIndexStore(file).load(meta);
	assert.equal(r.status, 'rebuild');
	assert.match(r.warnings.join('\n'), new RegExp(`format version 1, this build reads version ${INDEX_VERSION}`));
});

test('a damaged language table is a damaged header: rebuild', async () => {
	const { file } = await saveAndLoad(makeRecords(20));
	const text = readFileSync(file, 'utf8');
	assert.ok(text.includes('"Python","code"'));
	writeFileSync(file, text.replace('"Python","code"', '"Pythom","code"'));
	const r = await new JsonlIndexStore(file).load(meta);
	assert.equal(r.status, 'rebuild');
	assert.match(r.warnings[0], /damaged header/);
});

// --- Aggregates.addMany ----------------------------------------------------------------------

test('addMany: a worked example (folders summed once, ancestors carried)', () => {
	const rec = (root: number, p: string, code: number, language = 'Python', category: Category = 'code'): FileRecord => ({
		path: p, root, language, category, size: 1, mtimeMs: 0, bytes: 1, lines: code, code, comment: 0, blank: 0,
		imports: ['x'], classes: [], functions: [{ name: 'f', line: 1 }, { name: 'g', line: 2 }],
	});
	const agg = new Aggregates();
	agg.addMany([rec(0, 'a/b/c.py', 5), rec(0, 'a/d.py', 7), rec(0, 'e.py', 1), rec(1, 'a/x.md', 2, 'Markdown', 'docs')]);
	const s = agg.snapshot();
	assert.deepEqual(s.totals, { files: 4, lines: 15, code: 15, comment: 0, blank: 0, bytes: 4 });
	assert.deepEqual(s.folders.map((f) => [f.root, f.path, f.files, f.code]),
		[[0, '', 3, 13], [0, 'a', 2, 12], [0, 'a/b', 1, 5], [1, '', 1, 2], [1, 'a', 1, 2]]);
	assert.deepEqual(s.languages.map((l) => [l.name, l.files, l.code, l.imports, l.functions]), [['Python', 3, 13, 3, 6], ['Markdown', 1, 2, 1, 2]]);
	// With explicit counts (records not decoded yet), the arrays are not read.
	const agg2 = new Aggregates();
	agg2.addMany([rec(0, 'a/b/c.py', 5)], { counts: Uint32Array.of(4, 1, 9) });
	assert.deepEqual(agg2.snapshot().languages.map((l) => [l.imports, l.classes, l.functions]), [[4, 1, 9]]);
});

const languages: [string, Category, boolean][] = [['Python', 'code', false], ['Markdown', 'docs', false], ['ext:.foo', 'code', true], ['JSON', 'data', false]];
const recordArb: fc.Arbitrary<FileRecord> = fc
	.record({
		root: fc.integer({ min: 0, max: 2 }),
		dirs: fc.array(fc.constantFrom('a', 'b', 'c d', 'é'), { maxLength: 4 }),
		name: fc.constantFrom('x.py', 'y.md', 'z'),
		lang: fc.integer({ min: 0, max: languages.length - 1 }),
		code: fc.nat(50), comment: fc.nat(20), blank: fc.nat(10), bytes: fc.nat(5000),
		ni: fc.nat(3), nc: fc.nat(2), nf: fc.nat(4),
	})
	.map((g) => {
		const [language, category, unknown] = languages[g.lang];
		const r: FileRecord = {
			path: [...g.dirs, g.name].join('/'), root: g.root, language, category, size: g.bytes, mtimeMs: 0, bytes: g.bytes,
			lines: g.code + g.comment + g.blank, code: g.code, comment: g.comment, blank: g.blank,
			imports: Array.from({ length: g.ni }, () => 'm'), classes: Array.from({ length: g.nc }, () => ({ name: 'C', line: 1 })),
			functions: Array.from({ length: g.nf }, () => ({ name: 'f', line: 2 })),
		};
		if (unknown) r.unknown = true;
		return r;
	});

test('addMany equals add on each record in turn, with and without hints (property)', () => {
	fc.assert(
		fc.property(fc.array(recordArb, { maxLength: 60 }), fc.array(recordArb, { maxLength: 5 }), (records, before) => {
			const one = new Aggregates();
			for (const r of before) one.add(r);
			for (const r of records) one.add(r);
			const many = new Aggregates();
			for (const r of before) many.add(r);
			many.addMany(records);
			const counted = new Aggregates();
			for (const r of before) counted.add(r);
			const dirs = [...new Set(records.map((r) => r.path.split('/').slice(0, -1).join('/')))].reverse();
			counted.addMany(records, {
				counts: Uint32Array.from(records.flatMap((r) => [r.imports.length, r.classes.length, r.functions.length])),
				dirs, dirOf: Uint32Array.from(records.map((r) => dirs.indexOf(r.path.split('/').slice(0, -1).join('/')))),
			});
			// Every hint (as the store gives them): sums indexed by language and folder number.
			const indexed = new Aggregates();
			for (const r of before) indexed.add(r);
			const langs = languages.map(([language, category, unknown]) => ({ language, category, unknown })).reverse();
			indexed.addMany(records, {
				counts: Uint32Array.from(records.flatMap((r) => [r.imports.length, r.classes.length, r.functions.length])),
				dirs, dirOf: Uint32Array.from(records.map((r) => dirs.indexOf(r.path.split('/').slice(0, -1).join('/')))),
				langs, langOf: Uint32Array.from(records.map((r) => langs.findIndex((l) => l.language === r.language))),
			});
			const expected = one.snapshot();
			assert.deepEqual(many.snapshot(), expected);
			assert.deepEqual(counted.snapshot(), expected);
			assert.deepEqual(indexed.snapshot(), expected);
			// Live maps too (the delta tracker reads them): same keys, same entries.
			for (const agg of [many, counted, indexed]) {
				assert.deepEqual(new Map([...agg.folders].sort()), new Map([...one.folders].sort()));
				assert.deepEqual(new Map([...agg.languages].sort()), new Map([...one.languages].sort()));
			}
		}),
		{ numRuns: 300, seed: 7 },
	);
});

test('numbers read by hand equal JSON.parse: any mtime (fractions, exponents, negative) and large sizes round-trip exactly (property)', async () => {
	const file = path.join(tempDir(), 'index');
	await fc.assert(
		fc.asyncProperty(
			fc.array(fc.record({
				mtimeMs: fc.oneof(fc.double({ min: -1e13, max: 1e22, noNaN: true, noDefaultInfinity: true }),
					fc.integer({ min: 0, max: 2e12 }).map((x) => x + 0.5), fc.nat().map((x) => 1764290000000 + x / 1e4)),
				size: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER), fc.integer({ min: 2 ** 40, max: 2 ** 52 })),
			}), { minLength: 1, maxLength: 20 }),
			async (nums) => {
				const records = nums.map((x, i) => ({ ...makeRecord(i), mtimeMs: x.mtimeMs === 0 ? 0 : x.mtimeMs, size: x.size }));
				await new JsonlIndexStore(file, { fsync: false }).save(records, meta);
				const loaded = await new JsonlIndexStore(file).load(meta);
				assert.equal(loaded.status, 'ok');
				assert.ok(loaded.pending, 'read on the fast path');
				assert.deepEqual(loaded.pending.records.map((r) => [r.mtimeMs, r.size]), records.map((r) => [r.mtimeMs, r.size]));
			},
		),
		{ numRuns: 150, seed: 5 },
	);
});

test('folders of neighbouring records (shared, prefix-alike, root level) are stored right: aggregates equal an eager index', async () => {
	const paths = ['x.py', 'y.py', 'a/b/1.py', 'a/b/2.py', 'a/bc/3.py', 'a/b2', 'a/c/4.py', 'a/b/5.py', 'z.py', 'ab/6.py', 'ab/7.py', 'a/8.py'];
	const records = paths.map((p, i) => ({ ...makeRecord(i), path: p }));
	const { loaded } = await saveAndLoad(records);
	assert.ok(loaded.pending);
	const snap = FileIndex.fromLoad(meta.roots, loaded).snapshot();
	assert.deepEqual(snap, new FileIndex(meta.roots, records).snapshot());
	// By hand: 'a/b' holds 1, 2 and 5; 'a' holds everything under it (7 files); the root all 12.
	assert.deepEqual(snap.folders.map((f) => [f.path, f.files]),
		[['', 12], ['a', 7], ['a/b', 3], ['a/bc', 1], ['a/c', 1], ['ab', 2]]);
});

test('sample: records spread over the index and the first of each language, decoded, none made up', async () => {
	const records = variedRecords();
	const { loaded } = await saveAndLoad(records);
	const index = FileIndex.fromLoad(meta.roots, loaded);
	const got = index.sample(20);
	// 204 records, one in 11 (0, 11, …, 198: 19 of them), plus the first record of each language
	// not among those: worked out from variedRecords (8 languages in turn from record 0, then
	// the odd ones at 200…203).
	const wantPaths = new Set<string>();
	const langs = new Set<string>();
	records.forEach((r, i) => {
		if (i % 11 === 0 || !langs.has(r.language)) wantPaths.add(`${r.root}:${r.path}`);
		langs.add(r.language);
	});
	assert.deepEqual(new Set(got.map((r) => `${r.root}:${r.path}`)), wantPaths);
	// By hand: 19 spread records, records 1…7 (the other seven languages of makeRecords), record
	// 200 (ext:.py) and 203 ((no extension)).
	assert.equal(got.length, 28);
	for (const r of got) {
		assert.equal(isPending(r), false);
		assert.deepEqual(r, records.find((x) => x.root === r.root && x.path === r.path));
	}
});
