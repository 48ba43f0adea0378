// `workspace-stats watch` when folders are renamed or removed under it: Node 20's recursive
// fs.watch on Linux loses the watches of a folder whose name starts with the name of an entry
// that went away (`mv d1 d1moved`), and ends without a word when the watched folder itself goes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Totals } from '../../src/core/types';
import { writeFile } from './helpers/tempTree';
import { coldTotals, startWatch } from './helpers/watchCli';

const T = (files: number, lines: number, code: number, comment: number, blank: number, bytes: number): Totals => ({ files, lines, code, comment, blank, bytes });

test('watch: edits, new files and deletion inside a folder renamed during the watch show up', { timeout: 60_000 }, async () => {
	const dir = fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), 'ws-watchmv-')));
	const tree = path.join(dir, 'tree');
	writeFile(path.join(tree, 'a.py'), 'a = 1\n'); // 1 line: 1 code; 6 bytes
	writeFile(path.join(tree, 'd1', 'd2', 'q.py'), 'q = 1\n'); // the same
	const w = startWatch(['--window', '30', '--jobs', '1', tree]);
	try {
		await w.waitFor('ready', (ls) => ls.some((l) => l.event === 'ready'));
		assert.deepEqual(w.lines[0].totals, T(2, 2, 2, 0, 0, 12));
		/** Does `op`, waits for a batch whose totals are `want` (and that names `expect`), checks a cold scan agrees. */
		const step = async (name: string, op: () => void, want: Totals, expect: { added?: string[]; removed?: string[] } = {}) => {
			const from = w.lines.length;
			op();
			await w.waitFor(name, (ls) => {
				const bs = ls.slice(from).filter((l) => l.event === 'batch');
				if (bs.length === 0 || JSON.stringify(bs[bs.length - 1].totals) !== JSON.stringify(want)) return false;
				return (['added', 'removed'] as const).every((k) => (expect[k] ?? []).every((p) => bs.some((b) => b[k]?.includes(p))));
			}, 8_000);
			assert.deepEqual(await coldTotals(tree), want, `${name}: cold scan`);
		};
		const d = (...p: string[]) => path.join(tree, ...p);

		await step('rename d1 → d1moved', () => fs.renameSync(d('d1'), d('d1moved')), T(2, 2, 2, 0, 0, 12), { added: ['d1moved/d2/q.py'], removed: ['d1/d2/q.py'] });
		// q.py now: 4 lines (2 code, 1 comment, 1 blank), 19 bytes.
		await step('edit d1moved/d2/q.py', () => fs.writeFileSync(d('d1moved', 'd2', 'q.py'), 'q = 1\n# two\n\nr = 2\n'), T(2, 5, 3, 1, 1, 25));
		// new.py: 1 code line, 6 bytes; z.py: 2 lines (1 code, 1 comment), 10 bytes.
		await step('new files in d1moved', () => {
			writeFile(d('d1moved', 'd2', 'new.py'), 'n = 1\n');
			writeFile(d('d1moved', 'z.py'), 'z = 1\n# z\n');
		}, T(4, 8, 5, 2, 1, 41), { added: ['d1moved/d2/new.py', 'd1moved/z.py'] });
		// Renamed again, then z.py gets a blank line (3 lines, 11 bytes).
		await step('rename d1moved → d1moved2', () => fs.renameSync(d('d1moved'), d('d1moved2')), T(4, 8, 5, 2, 1, 41), { added: ['d1moved2/z.py'] });
		await step('edit d1moved2/z.py', () => fs.appendFileSync(d('d1moved2', 'z.py'), '\n'), T(4, 9, 5, 2, 2, 42));
		await step('rm -rf d1moved2', () => fs.rmSync(d('d1moved2'), { recursive: true }), T(1, 1, 1, 0, 0, 6), { removed: ['d1moved2/z.py', 'd1moved2/d2/q.py', 'd1moved2/d2/new.py'] });

		w.p.kill('SIGINT');
		assert.equal(await w.waitExit(), 0, w.stderr());
		const last = w.lines[w.lines.length - 1];
		assert.equal(last.event, 'stopped');
		assert.deepEqual(last.totals, T(1, 1, 1, 0, 0, 6));
		assert.deepEqual(await coldTotals(tree), last.totals);
	} finally {
		if (w.p.exitCode === null) w.p.kill('SIGKILL');
		fs.rmSync(dir, { recursive: true, force: true });
	}
});

test('watch: the watched folder removed during the watch: a message, the stopped event and exit status 1', { timeout: 60_000 }, async () => {
	const dir = fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), 'ws-watchrm-')));
	const tree = path.join(dir, 'tree');
	writeFile(path.join(tree, 'a.py'), 'a = 1\n'); // 1 line: 1 code; 6 bytes
	writeFile(path.join(tree, 's', 'b.py'), 'b = 1\n# b\n'); // 2 lines: 1 code, 1 comment; 10 bytes
	fs.mkdirSync(path.join(tree, 'e')); // an empty folder too (the QA report's second case)
	const w = startWatch(['--window', '30', '--jobs', '1', tree]);
	try {
		await w.waitFor('ready', (ls) => ls.some((l) => l.event === 'ready'));
		assert.deepEqual(w.lines[0].totals, T(2, 3, 2, 1, 0, 16));
		fs.rmSync(tree, { recursive: true });
		assert.equal(await w.waitExit(10_000), 1, `exit status; stderr: ${w.stderr()}`);
		assert.match(w.stderr(), new RegExp(`^workspace-stats: watched folder ${tree.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} was removed or moved away; stopping$`, 'm'));
		const last = w.lines[w.lines.length - 1];
		assert.equal(last.event, 'stopped', JSON.stringify(w.lines));
		assert.equal(last.reason, 'removed');
		assert.equal(last.root, tree);
		// Its files are gone from the totals: the removal was processed before the stop.
		assert.deepEqual(last.totals, T(0, 0, 0, 0, 0, 0));
	} finally {
		if (w.p.exitCode === null) w.p.kill('SIGKILL');
		fs.rmSync(dir, { recursive: true, force: true });
	}
});
