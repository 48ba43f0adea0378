import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FileIndex, fileKey } from '../../src/core/fileIndex';
import type { IndexChanges } from '../../src/core/fileIndex';
import type { Category, FileRecord } from '../../src/core/types';

// --- generators ---------------------------------------------------------------------------

const paths = ['a.py', 'src/b.ts', 'src/lib/c.ts', 'src/lib/d.py', 'docs/readme.md', 'docs/x/y/z.md', 'e.json'];
const languages: [string, Category][] = [['Python', 'code'], ['TypeScript', 'code'], ['Markdown', 'docs'], ['JSON', 'data']];

const recordArb: fc.Arbitrary<FileRecord> = fc
	.record({
		root: fc.integer({ min: 0, max: 1 }),
		path: fc.constantFrom(...paths),
		lang: fc.integer({ min: 0, max: languages.length - 1 }),
		code: fc.nat(50),
		comment: fc.nat(20),
		blank: fc.nat(10),
		bytes: fc.nat(5000),
		mtimeMs: fc.nat(1000),
		imports: fc.array(fc.constantFrom('os', 'sys', './x'), { maxLength: 3 }),
		classes: fc.array(fc.record({ name: fc.constantFrom('A', 'B'), line: fc.integer({ min: 1, max: 80 }) }), { maxLength: 2 }),
		functions: fc.array(fc.record({ name: fc.constantFrom('f', 'g', 'h'), line: fc.integer({ min: 1, max: 80 }) }), { maxLength: 4 }),
	})
	.map((g) => ({
		path: g.path, root: g.root, language: languages[g.lang][0], category: languages[g.lang][1],
		size: g.bytes, mtimeMs: g.mtimeMs, bytes: g.bytes,
		lines: g.code + g.comment + g.blank, code: g.code, comment: g.comment, blank: g.blank,
		imports: g.imports, classes: g.classes, functions: g.functions,
	}));

const keyArb = fc.record({ root: fc.integer({ min: 0, max: 1 }), path: fc.constantFrom(...paths) });

type Op =
	| { op: 'upsert'; r: FileRecord }
	| { op: 'delete'; root: number; path: string }
	| { op: 'batch'; changes: IndexChanges };

const opArb: fc.Arbitrary<Op> = fc.oneof(
	recordArb.map((r) => ({ op: 'upsert' as const, r })),
	keyArb.map((k) => ({ op: 'delete' as const, ...k })),
	fc.record({ upserts: fc.array(recordArb, { maxLength: 5 }), deletes: fc.array(keyArb, { maxLength: 3 }) })
		.map((changes) => ({ op: 'batch' as const, changes })),
);

// --- an independent model: a plain map, and sums recomputed from it ------------------------

interface Sums { files: number; lines: number; code: number; comment: number; blank: number; bytes: number; imports: number; classes: number; functions: number }

function sumBy(records: FileRecord[], keyOf: (r: FileRecord) => string[]): Map<string, Sums> {
	const out = new Map<string, Sums>();
	for (const r of records) {
		for (const k of keyOf(r)) {
			const s = out.get(k) ?? { files: 0, lines: 0, code: 0, comment: 0, blank: 0, bytes: 0, imports: 0, classes: 0, functions: 0 };
			s.files++; s.lines += r.lines; s.code += r.code; s.comment += r.comment; s.blank += r.blank; s.bytes += r.bytes;
			s.imports += r.imports.length; s.classes += r.classes.length; s.functions += r.functions.length;
			out.set(k, s);
		}
	}
	return out;
}

function folderKeysOf(r: FileRecord): string[] {
	const parts = r.path.split('/');
	const out = [`${r.root}:`];
	for (let i = 1; i < parts.length; i++) out.push(`${r.root}:${parts.slice(0, i).join('/')}`);
	return out;
}

function checkAgainstModel(index: FileIndex, model: Map<string, FileRecord>): void {
	const records = [...model.values()];
	assert.equal(index.size, records.length);
	const snap = index.snapshot();
	const t = sumBy(records, () => ['all']).get('all');
	assert.deepEqual(snap.totals, t
		? { files: t.files, lines: t.lines, code: t.code, comment: t.comment, blank: t.blank, bytes: t.bytes }
		: { files: 0, lines: 0, code: 0, comment: 0, blank: 0, bytes: 0 });
	const langs = sumBy(records, (r) => [r.language]);
	assert.deepEqual(
		new Map(snap.languages.map((l) => [l.name, { files: l.files, lines: l.lines, code: l.code, comment: l.comment, blank: l.blank, bytes: l.bytes, imports: l.imports, classes: l.classes, functions: l.functions }])),
		langs,
	);
	const cats = sumBy(records, (r) => [r.category]);
	assert.deepEqual(new Set(snap.categories.map((c) => c.name)), new Set(cats.keys()));
	for (const c of snap.categories) assert.equal(c.code, cats.get(c.name)?.code);
	const folders = sumBy(records, folderKeysOf);
	assert.deepEqual(
		new Map(snap.folders.map((f) => [`${f.root}:${f.path}`, [f.files, f.lines, f.code, f.comment, f.blank, f.bytes]])),
		new Map([...folders].map(([k, s]) => [k, [s.files, s.lines, s.code, s.comment, s.blank, s.bytes]])),
	);
}

test('aggregates equal sums recomputed from the records after any sequence of updates', () => {
	fc.assert(
		fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
			const index = new FileIndex(['/r0', '/r1']);
			const model = new Map<string, FileRecord>();
			for (const o of ops) {
				if (o.op === 'upsert') {
					index.upsert(o.r);
					model.set(fileKey(o.r.root, o.r.path), o.r);
				} else if (o.op === 'delete') {
					index.delete(o.root, o.path);
					model.delete(fileKey(o.root, o.path));
				} else {
					index.applyBatch(o.changes);
					for (const d of o.changes.deletes) model.delete(fileKey(d.root, d.path));
					for (const r of o.changes.upserts) model.set(fileKey(r.root, r.path), r);
				}
			}
			checkAgainstModel(index, model);
		}),
		{ numRuns: 300, seed: 42 },
	);
});

test('batch deltas carry every aggregate entry that moved, with its before and after', () => {
	fc.assert(
		fc.property(fc.array(recordArb, { maxLength: 10 }), fc.array(opArb.filter((o) => o.op === 'batch'), { minLength: 1, maxLength: 5 }), (initial, batches) => {
			const index = new FileIndex([], initial);
			for (const b of batches) {
				if (b.op !== 'batch') continue;
				const before = index.snapshot();
				const delta = index.applyBatch(b.changes);
				const after = index.snapshot();
				assert.deepEqual(delta.aggregates.totals, { before: before.totals, after: after.totals });
				// Patch the old snapshot with the delta: it must give the new snapshot.
				const langs = new Map(before.languages.map((l) => [l.name, l]));
				for (const d of delta.aggregates.languages) {
					const name = (d.before ?? d.after)!.name;
					assert.deepEqual(langs.get(name) ?? null, d.before);
					if (d.after) langs.set(name, d.after); else langs.delete(name);
				}
				assert.deepEqual(langs, new Map(after.languages.map((l) => [l.name, l])));
				const folders = new Map(before.folders.map((f) => [`${f.root}:${f.path}`, f]));
				for (const d of delta.aggregates.folders) {
					const f = (d.before ?? d.after)!;
					if (d.after) folders.set(`${f.root}:${f.path}`, d.after); else folders.delete(`${f.root}:${f.path}`);
				}
				assert.deepEqual(folders, new Map(after.folders.map((f) => [`${f.root}:${f.path}`, f])));
			}
		}),
		{ numRuns: 200, seed: 7 },
	);
});

test('applyBatch reports added, changed and removed files, and skips identical upserts', () => {
	const r = (path: string, code: number): FileRecord => ({
		path, root: 0, language: 'Python', category: 'code', size: 1, mtimeMs: 1, bytes: 1,
		lines: code, code, comment: 0, blank: 0, imports: [], classes: [], functions: [],
	});
	const index = new FileIndex([], [r('a.py', 1), r('b.py', 2)]);
	const d = index.applyBatch({ upserts: [r('a.py', 1), r('b.py', 5), r('c/d.py', 3)], deletes: [{ root: 0, path: 'a.py' }, { root: 0, path: 'nope.py' }] });
	// a.py: deleted then re-added identically in one batch → 'changed' (it was removed first).
	assert.deepEqual(d.changed.map((c) => `${c.kind}:${c.path}`).sort(), ['added:c/d.py', 'changed:a.py', 'changed:b.py']);
	assert.deepEqual(d.aggregates.totals.after, { files: 3, lines: 9, code: 9, comment: 0, blank: 0, bytes: 3 });
	assert.deepEqual(d.aggregates.folders.map((f) => f.after?.path ?? f.before?.path).sort(), ['', 'c']);
	const none = index.applyBatch({ upserts: [r('b.py', 5)], deletes: [] });
	assert.deepEqual(none.changed, []);
	assert.deepEqual(none.aggregates.languages, []);
	const rm = index.applyBatch({ upserts: [], deletes: [{ root: 0, path: 'c/d.py' }] });
	assert.deepEqual(rm.changed, [{ root: 0, path: 'c/d.py', kind: 'removed' }]);
	assert.deepEqual(rm.aggregates.folders.find((f) => f.before?.path === 'c'), { before: { root: 0, path: 'c', files: 1, lines: 3, code: 3, comment: 0, blank: 0, bytes: 1 }, after: null });
});
