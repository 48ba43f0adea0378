// The read buffer of SyncAnalyzer (what each analysis worker reads files into): one buffer
// reused from file to file, grown by doubling up to 1 MiB, and a bigger one (a big file's) kept
// only while `holdBigBuffer` is set (a worker's, which drops it when idle). Files of every
// size, in orders that shrink and grow the buffer, must each count as they are written: a read
// that left bytes of an earlier, longer file in the counted part would add its lines.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SyncAnalyzer } from '../../src/core/analyzeWorker';
import type { AnalyzeOutcome } from '../../src/core/analyzeWorker';

const LINE = 'x = 1\n'; // 6 bytes, one code line of Python
const MiB = 1 << 20;

/** Line counts of the files (each is LINE repeated): sizes around the growth steps and over 1 MiB. */
const SIZES: Record<string, number> = {
	'tiny.py': 1,
	'a64k.py': Math.ceil((64 * 1024) / 6) + 1, // just over the first buffer
	'a200k.py': 35000,
	'big3m.py': Math.ceil((3 * MiB) / 6),
	'small.py': 3,
	'big2m.py': Math.ceil((2 * MiB) / 6), // smaller than the big buffer before it
	'big5m.py': Math.ceil((5 * MiB) / 6), // bigger: grows it
	'a900k.py': 150000,
};

let dir: string;

before(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-readbuf-'));
	for (const [name, n] of Object.entries(SIZES)) fs.writeFileSync(path.join(dir, name), LINE.repeat(n));
	fs.writeFileSync(path.join(dir, 'empty.py'), '');
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));

function linesOf(o: AnalyzeOutcome): number[] {
	assert.ok(!('reason' in o), `skipped: ${JSON.stringify(o)}`);
	const r = o as { lines: number; code: number; comment: number; blank: number };
	return [r.lines, r.code, r.comment, r.blank];
}

describe('SyncAnalyzer read buffer', () => {
	for (const hold of [false, true]) {
		it(`every file counts as written, whatever came before (holdBigBuffer ${hold})`, () => {
			const a = new SyncAnalyzer();
			a.holdBigBuffer = hold;
			const order = [...Object.keys(SIZES), 'empty.py', 'tiny.py', 'big5m.py', 'small.py', 'a64k.py'];
			for (const name of order) {
				const o = a.analyzeOne({ absPath: path.join(dir, name), relPath: name, root: 0 });
				const n = name === 'empty.py' ? 0 : SIZES[name];
				assert.deepEqual(linesOf(o), [n, n, 0, 0], name);
				// A big file's buffer stays only when held; a small file never makes one.
				const big = fs.statSync(path.join(dir, name)).size >= MiB;
				if (big) assert.equal(a.holdsBigBuffer, hold, `${name}: big buffer kept`);
			}
		});
	}

	it('a held big buffer is reused by the next big file and dropped on demand', () => {
		const a = new SyncAnalyzer();
		a.holdBigBuffer = true;
		a.analyzeOne({ absPath: path.join(dir, 'big3m.py'), relPath: 'big3m.py', root: 0 });
		assert.equal(a.holdsBigBuffer, true);
		// Smaller files after it are read into the same buffer and count as written.
		assert.deepEqual(linesOf(a.analyzeOne({ absPath: path.join(dir, 'small.py'), relPath: 'small.py', root: 0 })), [3, 3, 0, 0]);
		assert.equal(a.holdsBigBuffer, true);
		a.dropBigBuffer();
		assert.equal(a.holdsBigBuffer, false);
		const n = SIZES['big2m.py'];
		assert.deepEqual(linesOf(a.analyzeOne({ absPath: path.join(dir, 'big2m.py'), relPath: 'big2m.py', root: 0 })), [n, n, 0, 0]);
	});
});
