// Roots inside other roots (`workspace-stats . src`, a multi-root workspace holding a repository
// and one of its packages): every file is counted once, under the innermost root given, by the
// cold scan, the warm start and the processor alike. Expected counts are worked out by hand from
// the files written below.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FileIndex } from '../../src/core/fileIndex';
import { nestedIn } from '../../src/core/matcher';
import { Processor } from '../../src/core/processor';
import { scan } from '../../src/core/scanner';
import type { FileRecord } from '../../src/core/types';
import { scanWithIndex } from '../../src/core/warmScan';

function tree(): { top: string; sub: string; deep: string; index: string } {
	const dir = fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), 'ws-nested-')));
	test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
	const top = path.join(dir, 'repo');
	const sub = path.join(top, 'pkg');
	const deep = path.join(sub, 'lib', 'inner');
	fs.mkdirSync(deep, { recursive: true });
	// repo/a.py: 2 lines, 1 code + 1 comment.
	fs.writeFileSync(path.join(top, 'a.py'), 'x = 1\n# note\n');
	// repo/pkg/b.py: 3 lines, 2 code + 1 blank.
	fs.writeFileSync(path.join(sub, 'b.py'), 'y = 2\n\nz = 3\n');
	// repo/pkg/lib/c.py: 1 line, 1 code.
	fs.writeFileSync(path.join(sub, 'lib', 'c.py'), 'w = 4\n');
	// repo/pkg/lib/inner/d.py: 4 lines, 1 code + 3 comment.
	fs.writeFileSync(path.join(deep, 'd.py'), '# a\n# b\n# c\nv = 5\n');
	// repo/pkgs.py: a sibling whose name starts like the nested root's; it belongs to repo.
	fs.writeFileSync(path.join(top, 'pkgs.py'), 'u = 6\n');
	return { top, sub, deep, index: path.join(dir, 'index') };
}

const byRoot = (records: readonly FileRecord[]) => records.map((r) => `${r.root}:${r.path}`).sort();

test('nestedIn: only roots strictly inside, as root-relative folders', () => {
	assert.deepEqual([...nestedIn('/w/repo', ['/w/repo', '/w/repo/pkg', '/w/repo/pkg/lib', '/w/repos', '/w/other', '/w'])].sort(), ['pkg', 'pkg/lib']);
	assert.deepEqual([...nestedIn('/w/repo/pkg', ['/w/repo', '/w/repo/pkg'])], []);
});

test('a cold scan counts each file once, under the innermost root', async () => {
	const t = tree();
	for (const jobs of [1, 2]) {
		// Outer root first, then nested ones, in any order.
		const res = await scan([t.top, t.deep, t.sub], { keepRecords: true, jobs, respectIgnoreFiles: false });
		assert.deepEqual(byRoot(res.records!), ['0:a.py', '0:pkgs.py', '1:d.py', '2:b.py', '2:lib/c.py']);
		// 5 files; lines 2 + 3 + 1 + 4 + 1 = 11; code 1 + 2 + 1 + 1 + 1 = 6; comment 1 + 3 = 4; blank 1.
		const { files, lines, code, comment, blank } = res.aggregates.totals;
		assert.deepEqual({ files, lines, code, comment, blank }, { files: 5, lines: 11, code: 6, comment: 4, blank: 1 });
	}
});

test('the warm start and the processor keep files in the innermost root', async () => {
	const t = tree();
	const roots = [t.top, t.sub];
	const opts = { respectIgnoreFiles: false, jobs: 1 };
	const cold = await scanWithIndex(roots, t.index, { ...opts, keepRecords: true });
	assert.deepEqual(byRoot([...cold.index.values()]), ['0:a.py', '0:pkgs.py', '1:b.py', '1:lib/c.py', '1:lib/inner/d.py']);
	fs.writeFileSync(path.join(t.sub, 'e.py'), 'q = 7\nr = 8\n'); // +1 file, 2 code lines
	// As the CLI runs it (no records kept: folder digests decide what is re-read), once with the
	// walk a small index uses and once with the stat threads a big one uses.
	let warm = cold;
	for (const statThreads of [undefined, 2]) {
		warm = await scanWithIndex(roots, t.index, { ...opts, statThreads });
		assert.equal(warm.mode, 'warm');
		assert.deepEqual(byRoot([...warm.index.values()]), ['0:a.py', '0:pkgs.py', '1:b.py', '1:e.py', '1:lib/c.py', '1:lib/inner/d.py']);
	}

	const index = new FileIndex(roots, [...warm.index.values()]);
	const proc = new Processor({ index, batchWindowMs: 0, scanOptions: { respectIgnoreFiles: false } });
	proc.start();
	try {
		// A file changed in the nested root, one deleted there, and a rescan of the outer root:
		// the outer root's rescan must neither take the nested root's files nor drop them.
		fs.writeFileSync(path.join(t.sub, 'b.py'), 'y = 2\n'); // 3 lines → 1 line of code
		fs.rmSync(path.join(t.sub, 'lib', 'c.py'));
		proc.enqueue({ type: 'changed', path: path.join(t.sub, 'b.py') });
		proc.enqueue({ type: 'deleted', path: path.join(t.sub, 'lib', 'c.py') });
		proc.enqueue({ type: 'rescan', path: t.top });
		await proc.whenIdle();
	} finally {
		await proc.stop();
	}
	assert.deepEqual(byRoot([...index.values()]), ['0:a.py', '0:pkgs.py', '1:b.py', '1:e.py', '1:lib/inner/d.py']);
	// a 2 + pkgs 1 + b 1 + e 2 + d 4 = 10 lines; code 1 + 1 + 1 + 2 + 1 = 6; comment 1 + 3 = 4; blank 0.
	const { files, lines, code, comment, blank } = index.snapshot().totals;
	assert.deepEqual({ files, lines, code, comment, blank }, { files: 5, lines: 10, code: 6, comment: 4, blank: 0 });
	const again = await scan(roots, { keepRecords: true, jobs: 1, respectIgnoreFiles: false });
	assert.deepEqual(index.snapshot(), again.aggregates);
});
