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
import { startWatch } from './helpers/watchCli';

const T = (files: number, lines: number, code: number, comment: number, blank: number, bytes: number): Totals => ({ files, lines, code, comment, blank, bytes });

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
