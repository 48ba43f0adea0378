// Records the analysis pool hands over with their structure still text (`structure: 'text'`):
// once in a FileIndex they must be indistinguishable from records built in full — decoded on
// first read, counted right in the aggregates without being decoded, compared right.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { Packer, unpackOutcomes } from '../../src/core/analyzeWorker';
import type { AnalyzeJob } from '../../src/core/analyzeWorker';
import { encodeStructure, FileIndex, isPending, materialize, packCounts, pendingCounts, stringifyStructure } from '../../src/core/fileIndex';
import { AnalyzerPool } from '../../src/core/pool';
import type { FileRecord, SymbolRef } from '../../src/core/types';
import { makeRecord, makeRecords } from './helpers/indexRecords';

const jobOf = (r: FileRecord): AnalyzeJob => ({ absPath: `/abs/${r.path}`, relPath: r.path, root: r.root });

/** `records` through a worker's packer and the pool's unpacking, in either form. */
function roundTrip(records: FileRecord[], text: boolean): FileRecord[] {
	const packer = new Packer();
	packer.form = text ? 'text' : 'objects';
	for (const r of records) packer.addRecord(r, r.size, r.mtimeMs);
	return unpackOutcomes(packer.finish(), records.map(jobOf)) as FileRecord[];
}

const nameArb = fc.oneof(
	fc.string({ maxLength: 8 }),
	fc.string({ unit: 'binary', maxLength: 6 }),
	fc.constantFrom('a"b', 'back\\slash', 'tab\there', '\u0001', 'é', '\u2028', '\u{1F600}', '\ud800', 'plain_name'),
);
const symbolsArb: fc.Arbitrary<SymbolRef[]> = fc.array(fc.record({ name: nameArb, line: fc.oneof(fc.nat(100_000), fc.constant(2 ** 53 + 2)) }), { maxLength: 4 });

test('encodeStructure built by hand is JSON.stringify\'s text, for any names and lines (property)', () => {
	fc.assert(
		fc.property(fc.array(nameArb, { maxLength: 4 }), symbolsArb, symbolsArb, (imports, classes, functions) => {
			const s = { imports, classes, functions };
			assert.equal(encodeStructure(s), stringifyStructure(s));
		}),
		{ numRuns: 500, seed: 31 },
	);
	// By hand: the empty structure is '', a plain one has no spaces.
	assert.equal(encodeStructure({ imports: [], classes: [], functions: [] }), '');
	assert.equal(encodeStructure({ imports: ['os'], classes: [{ name: 'A', line: 2 }], functions: [] }), '[["os"],["A",2],[]]');
});

test('the pool\'s text form decodes to exactly the records of its object form, keys in the same order (property)', () => {
	fc.assert(
		fc.property(fc.array(fc.tuple(fc.nat(1000), fc.array(nameArb, { maxLength: 4 }), symbolsArb, symbolsArb), { maxLength: 12 }), (gen) => {
			const records = gen.map(([i, imports, classes, functions]) => ({ ...makeRecord(i), imports, classes, functions }));
			const objects = roundTrip(records, false);
			const pending = roundTrip(records, true);
			const counts = new Float64Array(3);
			pending.forEach((p, i) => {
				assert.ok(isPending(p));
				const r = records[i];
				// Counts without decoding: packed by the pool (small lists), same as the lists' lengths.
				pendingCounts(p, p.imports as unknown as string, counts);
				assert.deepEqual([...counts], [r.imports.length, r.classes.length, r.functions.length]);
				assert.equal(JSON.stringify(materialize(p)), JSON.stringify(objects[i]));
				assert.ok(!isPending(p));
			});
		}),
		{ numRuns: 200, seed: 37 },
	);
});

test('the pool\'s counts form: records without structure, their counts apart, skips left out (property)', () => {
	fc.assert(
		fc.property(fc.array(fc.tuple(fc.nat(1000), fc.array(nameArb, { maxLength: 4 }), symbolsArb, symbolsArb, fc.boolean()), { maxLength: 12 }), (gen) => {
			const packer = new Packer();
			packer.form = 'counts';
			const jobs: AnalyzeJob[] = [];
			const kept: FileRecord[] = [];
			gen.forEach(([i, imports, classes, functions, skip]) => {
				const r = { ...makeRecord(i), imports, classes, functions };
				jobs.push(jobOf(r));
				if (skip) packer.addSkip({ path: r.path, root: r.root, reason: 'binary' });
				else {
					packer.addRecord(r, r.size, r.mtimeMs);
					kept.push(r);
				}
			});
			const counts = new Uint32Array(3 * jobs.length);
			const out = unpackOutcomes(packer.finish(), jobs, counts);
			const records = out.filter((o): o is FileRecord => !('reason' in o));
			assert.equal(records.length, kept.length);
			const objects = roundTrip(kept, false);
			records.forEach((x, i) => {
				const r = kept[i];
				assert.deepEqual([counts[3 * i], counts[3 * i + 1], counts[3 * i + 2]], [r.imports.length, r.classes.length, r.functions.length]);
				// Everything else as the object form has it; no structure, and none can be added.
				const o = objects[i];
				assert.deepEqual({ ...x, imports: o.imports, classes: o.classes, functions: o.functions }, o);
				assert.deepEqual([x.imports, x.classes, x.functions], [[], [], []]);
				assert.ok(Object.isFrozen(x.imports) && Object.isFrozen(x.functions));
			});
			assert.ok(counts.subarray(3 * kept.length).every((c) => c === 0));
		}),
		{ numRuns: 200, seed: 41 },
	);
});

test('a counts batch is not unpacked without somewhere to put its counts', () => {
	const packer = new Packer();
	packer.form = 'counts';
	const r = makeRecord(3);
	packer.addRecord(r, r.size, r.mtimeMs);
	assert.throws(() => unpackOutcomes(packer.finish(), [jobOf(r)]), /counts/);
});

test('counts too big to pack are read off the text', () => {
	assert.equal(packCounts(1023, 1023, 1023), 1023 | (1023 << 10) | (1023 << 20));
	assert.equal(packCounts(1024, 0, 0), null);
	const big = { ...makeRecord(5), imports: Array.from({ length: 1500 }, (_, i) => `m${i}`), classes: [{ name: 'A', line: 1 }], functions: [] };
	const [p] = roundTrip([big], true);
	assert.equal(p.functions, null);
	const counts = new Float64Array(3);
	pendingCounts(p, p.imports as unknown as string, counts);
	assert.deepEqual([...counts], [1500, 1, 0]);
});

test('a FileIndex fed pending records in batches: same aggregates and records as one fed full records', () => {
	const base = makeRecords(300);
	const edits = base.filter((_, i) => i % 3 === 0).map((r, k) => makeRecord(k * 3, 1, r.root));
	const added = [makeRecord(1000), makeRecord(1001, 0, 1)];
	const eager = new FileIndex(['/r0', '/r1'], base);
	const lazy = new FileIndex(['/r0', '/r1'], base);
	const de = eager.applyBatch({ upserts: [...edits, ...added], deletes: [{ root: 0, path: base[1].path }] });
	const dl = lazy.applyBatch({ upserts: roundTrip([...edits, ...added], true), deletes: [{ root: 0, path: base[1].path }] });
	assert.deepEqual(dl, de);
	assert.deepEqual(lazy.snapshot(), eager.snapshot());
	// The delta by hand: 100 edited, 2 added, 1 removed.
	assert.deepEqual([dl.changed.filter((c) => c.kind === 'changed').length, dl.changed.filter((c) => c.kind === 'added').length,
		dl.changed.filter((c) => c.kind === 'removed').length], [100, 2, 1]);
	// Records come out decoded, equal to the full ones.
	const get = lazy.get(0, edits[1].path)!;
	assert.ok(!isPending(get));
	assert.deepEqual(get, edits[1]);
	assert.deepEqual([...lazy.values()].sort(byPath), [...eager.values()].sort(byPath));
	for (const r of lazy.values()) assert.ok(!isPending(r));
	// A pending upsert equal to the stored record is no change.
	const same = lazy.applyBatch({ upserts: roundTrip([edits[2]], true), deletes: [] });
	assert.deepEqual(same.changed, []);
});

test('pending records added while values() is part-way through are still decoded by the next pass', () => {
	const index = new FileIndex(['/r0'], makeRecords(20));
	// Some records pending; a pass (which decodes them) stops half-way, and a batch replaces a
	// record the pass has gone by with a pending one.
	index.applyBatch({ upserts: roundTrip([makeRecord(15, 1)], true), deletes: [] });
	const it = index.values();
	for (let i = 0; i < 10; i++) it.next();
	index.applyBatch({ upserts: roundTrip([makeRecord(3, 2)], true), deletes: [] });
	for (let r = it.next(); !r.done; r = it.next()) {
		// finish the pass
	}
	for (const r of index.values()) assert.ok(!isPending(r), r.path);
});

test('a real pool returns pending records on request, and full ones otherwise', { timeout: 60_000 }, async () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'ws-pending-'));
	const pool = new AnalyzerPool({ jobs: 2 });
	try {
		writeFileSync(path.join(dir, 'a.py'), 'import os\nfrom x import y\n\nclass K:\n    def m(self):\n        pass\n\ndef f():\n    return "é"\n');
		const job: AnalyzeJob = { absPath: path.join(dir, 'a.py'), relPath: 'a.py', root: 0 };
		const full = (await pool.analyze([job])).outcomes[0] as FileRecord;
		const pending = (await pool.analyze([job], { structure: 'text' })).outcomes[0] as FileRecord;
		const counted = await pool.analyze([job], { structure: 'counts' });
		assert.deepEqual([...counted.structureCounts!], [2, 1, 2]);
		assert.deepEqual(counted.outcomes[0], { ...full, imports: [], classes: [], functions: [] });
		assert.ok(!isPending(full));
		assert.ok(isPending(pending));
		// By hand: imports os and x, class K at 4, method m at 5 and function f at 8.
		assert.equal(pending.imports as unknown, '[["os","x"],["K",4],["m",5,"f",8]]');
		assert.deepEqual(materialize(pending), full);
	} finally {
		await pool.close();
		rmSync(dir, { recursive: true, force: true });
	}
});

function byPath(a: FileRecord, b: FileRecord): number {
	return a.root - b.root || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}
