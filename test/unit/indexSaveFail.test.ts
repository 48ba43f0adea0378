// An index that cannot be saved (a read-only folder, a path that is a folder or runs through a
// file, a full disk) does not fail a scan that finished: the result is complete, a warning says
// why the index was not saved, and the command line prints the report and exits with 1.
// Run as root in CI, so no test here depends on permissions.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { JsonlIndexStore } from '../../src/core/indexStore';
import { scan } from '../../src/core/scanner';
import { scanWithIndex } from '../../src/core/warmScan';
import type { IndexedScanOptions } from '../../src/core/warmScan';
import type { Logger } from '../../src/core/types';
import { makeTree, writeFile } from './helpers/tempTree';

const cli = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js');

function tempDir(): string {
	const dir = fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), 'ws-idxfail-')));
	test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
	return dir;
}

function run(args: string[]) {
	return spawnSync(process.execPath, [cli, '--format', 'json', '--jobs', '1', ...args], { encoding: 'utf8' });
}

function withoutTiming(stdout: string): unknown {
	const j = JSON.parse(stdout) as Record<string, unknown>;
	delete j.timing;
	return j;
}

test('--index PATH that is a folder: the report is printed, one warning says why the index was not saved, exit 1', () => {
	const dir = tempDir();
	const tree = path.join(dir, 'tree');
	makeTree(tree, 7, 20);
	const idx = path.join(dir, 'idx');
	fs.mkdirSync(idx);
	const r = run(['--index', idx, tree]);
	assert.equal(r.status, 1, r.stderr);
	assert.deepEqual(withoutTiming(r.stdout), withoutTiming(run([tree]).stdout));
	const lines = r.stderr.trimEnd().split('\n');
	assert.equal(lines.length, 2, r.stderr);
	// The loader's warning, as before, then the saver's: no stack trace.
	assert.match(lines[0], /^workspace-stats: warning: \[index\] index .*\/idx could not be read \(EISDIR: .*\); rebuilding it by a scan$/);
	assert.ok(lines[1].startsWith(`workspace-stats: warning: [index] index ${idx} could not be saved (EISDIR: illegal operation on a directory, rename `), lines[1]);
	assert.ok(lines[1].endsWith('); the result is complete, but the index was not updated'), lines[1]);
	// Nothing left behind: the folder as it was, no temp file beside it.
	assert.deepEqual(fs.readdirSync(idx), []);
	assert.deepEqual(fs.readdirSync(dir).sort(), ['idx', 'tree']);
});

test('--index PATH under a regular file: the report is printed, the warning says why, exit 1', () => {
	const dir = tempDir();
	const tree = path.join(dir, 'tree');
	makeTree(tree, 8, 10);
	const file = path.join(dir, 'file.txt');
	fs.writeFileSync(file, 'x');
	const idx = path.join(file, 'idx');
	const r = run(['--index', idx, tree]);
	assert.equal(r.status, 1, r.stderr);
	assert.deepEqual(withoutTiming(r.stdout), withoutTiming(run([tree]).stdout));
	assert.ok(r.stderr.includes(`workspace-stats: warning: [index] index ${idx} could not be saved (ENOTDIR: not a directory, open '${idx}.tmp-`), r.stderr);
	assert.ok(!/^\s+at /m.test(r.stderr), r.stderr);
});

test('a warm start whose save fails (ENOSPC): complete result, saveError and a warning; a bug (no code) still throws', async (t) => {
	const dir = tempDir();
	const tree = path.join(dir, 'tree');
	const idx = path.join(dir, 'idx');
	makeTree(tree, 9, 30);
	const warnings: string[] = [];
	const logger: Logger = { trace() {}, debug() {}, info() {}, warn: (m) => warnings.push(String(m)), error: (m) => warnings.push(String(m)) };
	const opts: IndexedScanOptions = { jobs: 1, fsync: false, logger };
	const first = await scanWithIndex([tree], idx, opts);
	assert.equal(first.mode, 'cold');
	assert.equal(first.saveError, undefined);
	assert.deepEqual(warnings, []);

	writeFile(path.join(tree, 'new.py'), 'a = 1\nb = 2\n');
	const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
	const fail = async () => {
		throw enospc;
	};
	t.mock.method(JsonlIndexStore.prototype, 'commit', fail);
	t.mock.method(JsonlIndexStore.prototype, 'save', fail);
	t.mock.method(JsonlIndexStore.prototype, 'writeDigests', fail);
	const warm = await scanWithIndex([tree], idx, opts);
	assert.equal(warm.mode, 'warm');
	const want = `index ${idx} could not be saved (ENOSPC: no space left on device, write); the result is complete, but the index was not updated`;
	assert.equal(warm.saveError, want);
	assert.deepEqual(warnings, [`[index] ${want}`]);
	const cold = await scan([tree], { jobs: 1 });
	assert.deepEqual(warm.aggregates, cold.aggregates);

	// An error without a system code is a bug: not hidden behind a warning.
	writeFile(path.join(tree, 'new2.py'), 'c = 3\n');
	const bug = async () => {
		throw new TypeError('x is not a function');
	};
	t.mock.restoreAll();
	t.mock.method(JsonlIndexStore.prototype, 'commit', bug);
	t.mock.method(JsonlIndexStore.prototype, 'save', bug);
	t.mock.method(JsonlIndexStore.prototype, 'writeDigests', bug);
	await assert.rejects(scanWithIndex([tree], idx, opts), /x is not a function/);
});
