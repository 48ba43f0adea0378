// FileIndex.applyBatch sums a batch per language, category and folder and subtracts replaced
// records without decoding their structure (counted off the stored text). Checked here against
// counts and sums worked out independently: array lengths, and totals summed from a plain map.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { countStructure, encodeStructure, FileIndex, fileKey, isPending } from '../../src/core/fileIndex';
import type { IndexChanges, PendingRecords } from '../../src/core/fileIndex';
import type { Category, FileRecord, SymbolRef } from '../../src/core/types';

// Names with every character JSON escapes or that the counter must not be fooled by.
const nameArb = fc.oneof(
	fc.string({ maxLength: 6 }),
	fc.constantFrom('"', '\\', ',', '[', ']', '\\"', '"]', '],[', 'a\\', '\u2028', '\u{1F600}', '\n', '\t', ''),
	fc.string({ unit: fc.constantFrom('"', '\\', ',', '[', ']', 'x'), maxLength: 5 }),
);
const symbolArb: fc.Arbitrary<SymbolRef> = fc.record({ name: nameArb, line: fc.integer({ min: 1, max: 100_000 }) });

test('countStructure counts imports, classes and functions of any stored structure text', () => {
	fc.assert(
		fc.property(fc.array(nameArb, { maxLength: 6 }), fc.array(symbolArb, { maxLength: 5 }), fc.array(symbolArb, { maxLength: 5 }), (imports, classes, functions) => {
			const r = { imports, classes, functions } as unknown as FileRecord;
			const out = new Float64Array(3);
			countStructure(encodeStructure(r), out);
			assert.deepEqual([...out], [imports.length, classes.length, functions.length]);
		}),
		{ numRuns: 2000, seed: 11 },
	);
	const out = new Float64Array([9, 9, 9]);
	countStructure('', out);
	assert.deepEqual([...out], [0, 0, 0]);
	countStructure('[["a,b","c"],["K",3],[]]', out);
	assert.deepEqual([...out], [2, 1, 0]);
});

// --- batches over an index whose records are still pending ------------------------------------

const paths = ['a.py', 'src/b.ts', 'src/lib/c.ts', 'src/lib/d.py', 'docs/readme.md', 'docs/x/y/z.md', 'e.json', 'src/lib/deep/er/f.ts'];
const languages: [string, Category, boolean][] = [['Python', 'code', false], ['TypeScript', 'code', false], ['Markdown', 'docs', false], ['JSON', 'data', false], ['ext:.zz', 'data', true]];

const recordArb: fc.Arbitrary<FileRecord> = fc
	.record({
		root: fc.integer({ min: 0, max: 1 }),
		path: fc.constantFrom(...paths),
		lang: fc.integer({ min: 0, max: languages.length - 1 }),
		code: fc.nat(50),
		comment: fc.nat(20),
		blank: fc.nat(10),
		bytes: fc.nat(5000),
		mtimeMs: fc.nat(3),
		imports: fc.array(nameArb, { maxLength: 3 }),
		classes: fc.array(symbolArb, { maxLength: 2 }),
		functions: fc.array(symbolArb, { maxLength: 3 }),
	})
	.map((g) => {
		const r: FileRecord = {
			path: g.path, root: g.root, language: languages[g.lang][0], category: languages[g.lang][1],
			size: g.bytes, mtimeMs: g.mtimeMs, bytes: g.bytes,
			lines: g.code + g.comment + g.blank, code: g.code, comment: g.comment, blank: g.blank,
			imports: g.imports, classes: g.classes, functions: g.functions,
		};
		if (languages[g.lang][2]) r.unknown = true;
		return r;
	});

const keyArb = fc.record({ root: fc.integer({ min: 0, max: 1 }), path: fc.constantFrom(...paths) });
const batchArb: fc.Arbitrary<IndexChanges> = fc.record({ upserts: fc.array(recordArb, { maxLength: 8 }), deletes: fc.array(keyArb, { maxLength: 4 }) });

/** Records as the store hands them over: structure kept as text, counts beside them. */
function pendingOf(records: FileRecord[]): PendingRecords {
	const counts = new Uint32Array(3 * records.length);
	const out = records.map((r, i) => {
		counts[3 * i] = r.imports.length;
		counts[3 * i + 1] = r.classes.length;
		counts[3 * i + 2] = r.functions.length;
		const p: FileRecord = { ...r, imports: encodeStructure(r) as unknown as string[], classes: null as unknown as SymbolRef[], functions: null as unknown as SymbolRef[] };
		return p;
	});
	return { records: out, counts };
}

type Nine = [number, number, number, number, number, number, number, number, number];

/** Sums recomputed from a plain map of records: per language, category and folder. */
function expected(model: Map<string, FileRecord>) {
	const add = (m: Map<string, Nine>, k: string, r: FileRecord) => {
		const s = m.get(k) ?? [0, 0, 0, 0, 0, 0, 0, 0, 0];
		const v = [1, r.lines, r.code, r.comment, r.blank, r.bytes, r.imports.length, r.classes.length, r.functions.length];
		for (let i = 0; i < 9; i++) s[i] += v[i];
		m.set(k, s);
	};
	const langs = new Map<string, Nine>();
	const cats = new Map<string, Nine>();
	const folders = new Map<string, Nine>();
	for (const r of model.values()) {
		add(langs, `${r.language}|${r.category}|${r.unknown === true}`, r);
		add(cats, r.category, r);
		const parts = r.path.split('/');
		for (let i = 0; i < parts.length; i++) add(folders, `${r.root}:${parts.slice(0, i).join('/')}`, r);
	}
	return { langs, cats, folders: new Map([...folders].map(([k, s]) => [k, s.slice(0, 6)])) };
}

function actual(index: FileIndex) {
	const snap = index.snapshot();
	const nine = (l: { files: number; lines: number; code: number; comment: number; blank: number; bytes: number; imports: number; classes: number; functions: number }): Nine =>
		[l.files, l.lines, l.code, l.comment, l.blank, l.bytes, l.imports, l.classes, l.functions];
	return {
		langs: new Map(snap.languages.map((l) => [`${l.name}|${l.category}|${l.unknown === true}`, nine(l)])),
		cats: new Map(snap.categories.map((c) => [c.name, nine(c)])),
		folders: new Map(snap.folders.map((f) => [`${f.root}:${f.path}`, [f.files, f.lines, f.code, f.comment, f.blank, f.bytes]])),
	};
}

test('batches over pending records keep the aggregates equal to sums recomputed from the records', () => {
	fc.assert(
		fc.property(fc.uniqueArray(recordArb, { selector: (r) => fileKey(r.root, r.path), maxLength: 12 }), fc.array(batchArb, { minLength: 1, maxLength: 6 }), (initial, batches) => {
			const pending = pendingOf(initial);
			const index = FileIndex.fromLoad(['/r0', '/r1'], { records: [], pending });
			const model = new Map(initial.map((r) => [fileKey(r.root, r.path), r]));
			for (const b of batches) {
				index.applyBatch(b);
				for (const d of b.deletes) model.delete(fileKey(d.root, d.path));
				for (const r of b.upserts) model.set(fileKey(r.root, r.path), r);
				assert.deepEqual(actual(index), expected(model));
			}
			assert.equal(index.size, model.size);
		}),
		{ numRuns: 400, seed: 5 },
	);
});

test('a batch reports each change once, decodes only the records it must compare, and the folder deltas add up', () => {
	const rec = (path: string, code: number, mtimeMs = 1): FileRecord => ({
		path, root: 0, language: 'TypeScript', category: 'code', size: code, mtimeMs, bytes: code,
		lines: code, code, comment: 0, blank: 0, imports: ['x'], classes: [], functions: [{ name: 'f', line: 1 }],
	});
	const initial = [rec('a/b/1.ts', 1), rec('a/b/2.ts', 2), rec('a/c/3.ts', 3), rec('d/4.ts', 4), rec('5.ts', 5)];
	const pending = pendingOf(initial);
	const index = FileIndex.fromLoad(['/r'], { records: [], pending });
	const d = index.applyBatch({
		upserts: [rec('a/b/1.ts', 10, 2), rec('a/b/2.ts', 2), rec('a/c/3.ts', 30, 2), rec('6.ts', 6)],
		deletes: [{ root: 0, path: 'd/4.ts' }],
	});
	// Subtracted without decoding: only 2.ts, whose numbers matched, had its structure compared.
	assert.deepEqual(pending.records.map(isPending), [true, false, true, true, true]);
	// 2.ts is identical (not reported); 4.ts removed, 1 and 3 changed, 6 added.
	assert.deepEqual(d.changed.map((c) => `${c.kind}:${c.path}`), ['removed:d/4.ts', 'changed:a/b/1.ts', 'changed:a/c/3.ts', 'added:6.ts']);
	assert.deepEqual(d.aggregates.totals, {
		before: { files: 5, lines: 15, code: 15, comment: 0, blank: 0, bytes: 15 },
		after: { files: 5, lines: 53, code: 53, comment: 0, blank: 0, bytes: 53 },
	});
	const f = new Map(d.aggregates.folders.map((e) => [(e.before ?? e.after)!.path, [e.before?.code ?? null, e.after?.code ?? null]]));
	assert.deepEqual(f, new Map<string, (number | null)[]>([['', [15, 53]], ['a', [6, 42]], ['a/b', [3, 12]], ['a/c', [3, 30]], ['d', [4, null]]]));
	const l = d.aggregates.languages;
	assert.equal(l.length, 1);
	assert.deepEqual([l[0].before?.functions, l[0].after?.functions, l[0].before?.code, l[0].after?.code], [5, 5, 15, 53]);
});

test('a batch applied in parts reports the net change of every file and entry, as one batch would (property)', () => {
	fc.assert(
		fc.property(fc.uniqueArray(recordArb, { selector: (r) => fileKey(r.root, r.path), maxLength: 12 }), fc.array(batchArb, { minLength: 1, maxLength: 5 }), (initial, parts) => {
			const index = FileIndex.fromLoad(['/r0', '/r1'], { records: [], pending: pendingOf(initial) });
			const model = new Map(initial.map((r) => [fileKey(r.root, r.path), r]));
			const before = new Map(model);
			const snapBefore = index.snapshot();
			const batch = index.beginBatch();
			for (const p of parts) {
				batch.apply(p);
				for (const d of p.deletes) model.delete(fileKey(d.root, d.path));
				for (const r of p.upserts) model.set(fileKey(r.root, r.path), r);
				// Every part leaves the aggregates current.
				assert.deepEqual(actual(index), expected(model));
			}
			const delta = batch.finish();
			const snapAfter = index.snapshot();
			// Each file once, with its net kind.
			const kinds = new Map(delta.changed.map((c) => [fileKey(c.root, c.path), c.kind]));
			assert.equal(kinds.size, delta.changed.length);
			for (const k of new Set([...before.keys(), ...model.keys()])) {
				const was = before.get(k);
				const now = model.get(k);
				if (!was && now) assert.equal(kinds.get(k), 'added', k);
				else if (was && !now) assert.equal(kinds.get(k), 'removed', k);
				else if (!was && !now) assert.equal(kinds.get(k), undefined, k);
				else if (JSON.stringify(was) !== JSON.stringify(now)) assert.equal(kinds.get(k), 'changed', k);
				else assert.ok(kinds.get(k) === undefined || kinds.get(k) === 'changed', k);
			}
			// The entry deltas patch the old snapshot into the new one.
			assert.deepEqual(delta.aggregates.totals, { before: snapBefore.totals, after: snapAfter.totals });
			const langs = new Map(snapBefore.languages.map((l) => [l.name, l]));
			for (const d of delta.aggregates.languages) {
				const name = (d.before ?? d.after)!.name;
				assert.deepEqual(langs.get(name) ?? null, d.before);
				if (d.after) langs.set(name, d.after);
				else langs.delete(name);
			}
			assert.deepEqual(langs, new Map(snapAfter.languages.map((l) => [l.name, l])));
			const folders = new Map(snapBefore.folders.map((f) => [`${f.root}:${f.path}`, f]));
			for (const d of delta.aggregates.folders) {
				const f = (d.before ?? d.after)!;
				assert.deepEqual(folders.get(`${f.root}:${f.path}`) ?? null, d.before);
				if (d.after) folders.set(`${f.root}:${f.path}`, d.after);
				else folders.delete(`${f.root}:${f.path}`);
			}
			assert.deepEqual(folders, new Map(snapAfter.folders.map((f) => [`${f.root}:${f.path}`, f])));
		}),
		{ numRuns: 400, seed: 9 },
	);
});

test('the same record object upserted, removed and upserted again across parts is reported by its net kind', () => {
	const rec = (path: string, code: number): FileRecord => ({
		path, root: 0, language: 'TypeScript', category: 'code', size: code, mtimeMs: 1, bytes: code,
		lines: code, code, comment: 0, blank: 0, imports: [], classes: [], functions: [],
	});
	const index = FileIndex.fromLoad(['/r'], { records: [], pending: pendingOf([rec('old.ts', 1), rec('kept.ts', 2)]) });
	const fresh = rec('new.ts', 3);
	const edit = rec('old.ts', 4);
	const batch = index.beginBatch();
	batch.apply({ upserts: [fresh, edit], deletes: [] });
	assert.ok(batch.touched('new.ts') && batch.touched('old.ts') && !batch.touched('kept.ts'));
	batch.apply({ upserts: [], deletes: [{ root: 0, path: 'new.ts' }, { root: 0, path: 'old.ts' }] });
	// new.ts came and went: nothing; old.ts was removed (its key still counts as touched).
	assert.ok(!batch.touched('new.ts') && batch.touched('old.ts'));
	batch.apply({ upserts: [fresh, edit, rec('kept.ts', 2)], deletes: [] });
	const d = batch.finish();
	// old.ts: changed (removed then back); new.ts: added (after an add that was undone); kept.ts: identical.
	assert.deepEqual(d.changed.map((c) => `${c.kind}:${c.path}`), ['changed:old.ts', 'added:new.ts']);
	assert.ok(batch.holds(index.get(0, 'new.ts')!) && batch.holds(index.get(0, 'kept.ts')!));
	assert.equal(index.get(0, 'old.ts'), edit);
	assert.deepEqual(d.aggregates.totals.after, { files: 3, lines: 9, code: 9, comment: 0, blank: 0, bytes: 9 });
	// Removed keys leave the index's order; re-added ones go to its end, in upsert order.
	assert.deepEqual([...index.values()].map((r) => r.path), ['kept.ts', 'new.ts', 'old.ts']);
});
