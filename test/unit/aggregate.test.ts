import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aggregates, parentFolders } from '../../src/core/aggregate';
import type { FileRecord } from '../../src/core/types';

function rec(path: string, language: string, code: number, comment: number, blank: number): FileRecord {
	return {
		path, root: 0, language, category: 'code', size: 10, mtimeMs: 0, bytes: 10,
		lines: code + comment + blank, code, comment, blank,
		imports: ['a'], classes: [], functions: [{ name: 'f', line: 1 }],
	};
}

test('parentFolders lists the root and every ancestor folder', () => {
	assert.deepEqual(parentFolders('a/b/c.py'), ['', 'a', 'a/b']);
	assert.deepEqual(parentFolders('c.py'), ['']);
});

test('adding then removing a record leaves nothing behind', () => {
	const agg = new Aggregates();
	const a = rec('src/a.py', 'Python', 3, 2, 1);
	const b = rec('src/lib/b.ts', 'TypeScript', 5, 0, 0);
	agg.add(a);
	agg.add(b);
	const snap = agg.snapshot();
	assert.deepEqual(snap.totals, { files: 2, lines: 11, code: 8, comment: 2, blank: 1, bytes: 20 });
	assert.deepEqual(snap.languages.map((l) => [l.name, l.code, l.functions]), [['TypeScript', 5, 1], ['Python', 3, 1]]);
	assert.deepEqual(snap.folders.map((f) => [f.path, f.files, f.lines]), [['', 2, 11], ['src', 2, 11], ['src/lib', 1, 5]]);
	agg.remove(b);
	agg.remove(a);
	const empty = agg.snapshot();
	assert.equal(empty.totals.files, 0);
	assert.equal(empty.languages.length, 0);
	assert.equal(empty.folders.length, 0);
});
