import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isIndexStoreFile, JsonlIndexStore } from '../../src/core/indexStore';
import { makeTree, writeFile } from './helpers/tempTree';
import { cli, coldTotals, startWatch } from './helpers/watchCli';
import type { Line } from './helpers/watchCli';

test('watch: create, modify, rename and delete files; each change shows up in a batch with the right totals', { timeout: 120_000 }, async () => {
	const dir = fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), 'ws-watch-')));
	const tree = path.join(dir, 'tree');
	const indexFile = path.join(dir, 'state', 'index.jsonl');
	makeTree(tree, 3, 25);
	const w = startWatch(['--index', indexFile, '--window', '30', '--jobs', '1', tree]);
	try {
		await w.waitFor('ready', (ls) => ls.some((l) => l.event === 'ready'));
		const ready = w.lines.find((l) => l.event === 'ready')!;
		assert.deepEqual(ready.totals, await coldTotals(tree));

		const batchesSince = (n: number) => w.lines.slice(n).filter((l) => l.event === 'batch');
		/** Does one operation, then waits until the batches name `expect` and the totals equal a cold scan. */
		const step = async (name: string, op: () => void, expect: { added?: string[]; changed?: string[]; removed?: string[] }) => {
			const from = w.lines.length;
			op();
			const want = await coldTotals(tree);
			await w.waitFor(name, (ls) => {
				const bs = batchesSince(from);
				if (bs.length === 0) return false;
				for (const kind of ['added', 'changed', 'removed'] as const) {
					for (const p of expect[kind] ?? []) if (!bs.some((b) => b[kind]?.includes(p))) return false;
				}
				return JSON.stringify(bs[bs.length - 1].totals) === JSON.stringify(want) && ls.length > 0;
			});
			for (const b of batchesSince(from)) assert.deepEqual(b.errors, [], `${name}: errors`);
		};

		// a.py: 5 lines, 3 code, 1 comment, 1 blank, 37 bytes.
		const before = ready.totals;
		await step('create', () => writeFile(path.join(tree, 'a.py'), 'import os\n\n# c\ndef f():\n    return 1\n'), { added: ['a.py'] });
		const afterCreate = w.lines[w.lines.length - 1].totals;
		assert.deepEqual(afterCreate, { ...before, files: before.files + 1, lines: before.lines + 5, code: before.code + 3, comment: before.comment + 1, blank: before.blank + 1, bytes: before.bytes + 37 });

		await step('modify', () => fs.appendFileSync(path.join(tree, 'a.py'), 'x = 2\n'), { changed: ['a.py'] });
		await step('rename', () => {
			fs.mkdirSync(path.join(tree, 'moved'));
			fs.renameSync(path.join(tree, 'a.py'), path.join(tree, 'moved', 'b.py'));
		}, { removed: ['a.py'], added: ['moved/b.py'] });
		await step('delete', () => fs.rmSync(path.join(tree, 'moved', 'b.py')), { removed: ['moved/b.py'] });
		const victim = fs.readdirSync(tree, { withFileTypes: true }).find((d) => d.isDirectory() && d.name.startsWith('d'))!.name;
		await step('delete a folder', () => fs.rmSync(path.join(tree, victim), { recursive: true }), {});
		await step('create a folder with files', () => {
			writeFile(path.join(tree, 'new', 'deep', 'x.c'), 'int main(void) { return 0; } // c\n');
			writeFile(path.join(tree, 'new', 'y.md'), '# Y\n\ntext\n');
		}, { added: ['new/deep/x.c', 'new/y.md'] });

		// A temp file created and deleted at once changes nothing.
		const n = w.lines.length;
		writeFile(path.join(tree, 'tmp.swp.py'), 'x\n');
		fs.rmSync(path.join(tree, 'tmp.swp.py'));
		await new Promise((r) => setTimeout(r, 300));
		for (const b of batchesSince(n)) assert.ok(!b.added?.includes('tmp.swp.py') || b.removed?.includes('tmp.swp.py'));

		w.p.kill('SIGINT');
		assert.equal(await w.exited, 0, w.stderr());
		const last = w.lines[w.lines.length - 1];
		assert.equal(last.event, 'stopped');
		const want = await coldTotals(tree);
		assert.deepEqual(last.totals, want);
		// The index on disk is current too.
		const loaded = await new JsonlIndexStore(indexFile).load();
		assert.equal(loaded.status, 'ok');
		assert.equal(loaded.records.length, want.files);
		assert.equal(loaded.records.reduce((s, r) => s + r.code, 0), want.code);
	} finally {
		if (w.p.exitCode === null) w.p.kill('SIGKILL');
		fs.rmSync(dir, { recursive: true, force: true });
	}
});

test('watch --index: a second start is warm and sees changes made while it was not running', { timeout: 60_000 }, async () => {
	const dir = fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), 'ws-watch2-')));
	const tree = path.join(dir, 'tree');
	const indexFile = path.join(dir, 'index.jsonl');
	makeTree(tree, 8, 20);
	try {
		const first = startWatch(['--index', indexFile, '--jobs', '1', tree]);
		await first.waitFor('ready', (ls) => ls.some((l) => l.event === 'ready'));
		first.p.kill('SIGTERM');
		assert.equal(await first.exited, 0);
		writeFile(path.join(tree, 'offline.py'), 'def g():\n    pass\n');
		const second = startWatch(['--index', indexFile, '--jobs', '1', tree]);
		await second.waitFor('ready', (ls) => ls.some((l) => l.event === 'ready'));
		const ready = second.lines[0] as Line & { mode: string; warm: { analyzed: number } };
		assert.equal(ready.mode, 'warm');
		assert.equal(ready.warm.analyzed, 1);
		assert.deepEqual(ready.totals, await coldTotals(tree));
		second.p.kill('SIGTERM');
		assert.equal(await second.exited, 0);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
});

test('watch -V and watch --version print the version and exit 0 instead of watching', { timeout: 30_000 }, () => {
	const dir = fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), 'ws-watchv-')));
	// The version in package.json (out/test/unit → the project folder), not what the CLI reads.
	const want = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
	try {
		for (const flag of ['-V', '--version']) {
			// Run in an empty folder: a watch would start on it and never end (killed by the timeout).
			const r = spawnSync(process.execPath, [cli, 'watch', flag], { cwd: dir, encoding: 'utf8', timeout: 8_000 });
			assert.equal(r.signal, null, `watch ${flag} was still running after 8 s; stdout: ${r.stdout}`);
			assert.equal(r.status, 0, r.stderr);
			assert.equal(r.stdout, `${want}\n`);
			assert.equal(r.stderr, '');
		}
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
});


test('watch: a file created as soon as the ready line is read shows up', { timeout: 60_000 }, async () => {
	const dir = fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), 'ws-watchready-')));
	const tree = path.join(dir, 'tree');
	writeFile(path.join(tree, 'a.py'), 'a = 1\n'); // 1 line: 1 code; 6 bytes
	const w = startWatch(['--window', '30', '--jobs', '1', tree]);
	try {
		await w.waitFor('ready', (ls) => ls.some((l) => l.event === 'ready'));
		writeFile(path.join(tree, 'b.py'), 'b = 1\n# b\n'); // 2 lines: 1 code, 1 comment; 10 bytes
		const want = { files: 2, lines: 3, code: 2, comment: 1, blank: 0, bytes: 16 };
		await w.waitFor('b.py', () => w.batches().some((b) => b.added?.includes('b.py') && JSON.stringify(b.totals) === JSON.stringify(want)), 8_000);
		assert.deepEqual(await coldTotals(tree), want);
		w.p.kill('SIGINT');
		assert.equal(await w.waitExit(), 0, w.stderr());
	} finally {
		if (w.p.exitCode === null) w.p.kill('SIGKILL');
		fs.rmSync(dir, { recursive: true, force: true });
	}
});
test('watch --index idx inside the root: idx.py, idxdir/x.py and idx.tmp-a.py count; the index\'s own writes make no batch', { timeout: 60_000 }, async () => {
	const dir = fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), 'ws-watchidx-')));
	const tree = path.join(dir, 'tree');
	const T = (files: number, lines: number, code: number, comment: number, blank: number, bytes: number) => ({ files, lines, code, comment, blank, bytes });
	writeFile(path.join(tree, 'a.py'), 'a = 1\n'); // 1 line: 1 code; 6 bytes
	const w = startWatch(['--index', 'idx', '--window', '30', '--jobs', '1', '.'], { cwd: tree });
	try {
		await w.waitFor('ready', (ls) => ls.some((l) => l.event === 'ready'));
		assert.deepEqual(w.lines[0].totals, T(1, 1, 1, 0, 0, 6));
		const step = async (name: string, op: () => void, added: string, want: ReturnType<typeof T>) => {
			const from = w.lines.length;
			op();
			await w.waitFor(name, (ls) => {
				const bs = ls.slice(from).filter((l) => l.event === 'batch');
				return bs.some((b) => b.added?.includes(added)) && JSON.stringify(bs[bs.length - 1].totals) === JSON.stringify(want);
			}, 8_000);
		};
		// idx.py: 2 lines (1 code, 1 comment), 10 bytes.
		await step('idx.py', () => writeFile(path.join(tree, 'idx.py'), 'i = 1\n# i\n'), 'idx.py', T(2, 3, 2, 1, 0, 16));
		// idxdir/x.py: 2 lines (1 code, 1 blank), 7 bytes.
		await step('idxdir/x.py', () => writeFile(path.join(tree, 'idxdir', 'x.py'), 'x = 1\n\n'), 'idxdir/x.py', T(3, 5, 3, 1, 1, 23));
		// Named like the store's temp files (idx.tmp-PID-N) but not one: 1 line, 6 bytes.
		await step('idx.tmp-a.py', () => writeFile(path.join(tree, 'idx.tmp-a.py'), 't = 1\n'), 'idx.tmp-a.py', T(4, 6, 4, 1, 1, 29));
		// Every batch was saved to idx / idx.journal in the watched folder. Had those writes been
		// watched, each would make a batch naming them (and that batch's save another one). Showing
		// that nothing comes needs a wait: 500 ms, many times the 30 ms window and a save.
		const n = w.lines.length;
		await new Promise((r) => setTimeout(r, 500));
		assert.deepEqual(w.lines.slice(n), []);
		const named = w.batches().flatMap((b) => [...(b.added ?? []), ...(b.changed ?? []), ...(b.removed ?? [])]);
		assert.deepEqual(named.sort(), ['idx.py', 'idx.tmp-a.py', 'idxdir/x.py']);
		assert.ok(fs.existsSync(path.join(tree, 'idx')), 'the index was written in the watched folder');

		w.p.kill('SIGINT');
		assert.equal(await w.waitExit(), 0, w.stderr());
		const last = w.lines[w.lines.length - 1];
		assert.equal(last.event, 'stopped');
		assert.deepEqual(last.totals, T(4, 6, 4, 1, 1, 29));
		// A cold scan counts the index's files too (the watch keeps them as they were at start: absent).
		assert.deepEqual(await coldTotals(tree, { exclude: ['/idx', '/idx.journal', '/idx.digests'] }), last.totals);
	} finally {
		if (w.p.exitCode === null) w.p.kill('SIGKILL');
		fs.rmSync(dir, { recursive: true, force: true });
	}
});

test('isIndexStoreFile: the index\'s base, journal, digests and temp files, nothing else that starts with its path', () => {
	const idx = path.join(tmpdir(), 'w', 'idx');
	for (const tail of ['', '.journal', '.digests', '.tmp-123-4', '.digests.tmp-9-10']) assert.equal(isIndexStoreFile(idx, idx + tail), true, tail);
	for (const tail of ['.py', 'dir/q.py', `${path.sep}x`, '.tmp-a.py', '.tmp-1-2.py', '.journal.md', '.digests2', '.tmp-', 'x']) assert.equal(isIndexStoreFile(idx, idx + tail), false, tail);
	assert.equal(isIndexStoreFile(idx, path.join(tmpdir(), 'w', 'id')), false);
});
