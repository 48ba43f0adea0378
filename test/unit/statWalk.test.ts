// The threaded stat walk (statWalk.ts) against the walker it stands in for (walk.ts, itself
// checked against git and by hand in walk.test.ts): the same files with the same sizes and
// mtimes, the same skips with the same reasons, with 1, 2 and 3 threads sharing the tree.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StatWalk } from '../../src/core/statWalk';
import type { StatWalkOptions } from '../../src/core/statWalk';
import { walk } from '../../src/core/walk';
import { makeTree } from './helpers/tempTree';

const made: string[] = [];
after(() => {
	for (const d of made) execFileSync('rm', ['-rf', d]);
});

function tmp(): string {
	const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ws-statwalk-')));
	made.push(d);
	return d;
}

function mk(root: string, files: Record<string, string>): void {
	for (const [rel, text] of Object.entries(files)) {
		const p = path.join(root, rel);
		fs.mkdirSync(path.dirname(p), { recursive: true });
		fs.writeFileSync(p, text);
	}
}

interface Listing {
	files: string[];
	skipped: string[];
}

async function byWalk(roots: string[], opts: StatWalkOptions): Promise<Listing> {
	const files: string[] = [];
	const skipped: string[] = [];
	for await (const b of walk(roots, { ...opts, stat: true })) {
		for (const f of b.files) files.push(`${f.root}:${f.relPath} ${f.size} ${f.mtimeMs}`);
		for (const s of b.skipped) skipped.push(`${s.root}:${s.path} ${s.reason} ${s.detail ?? ''}`);
	}
	return { files: files.sort(), skipped: skipped.sort() };
}

async function byStatWalk(roots: string[], opts: StatWalkOptions): Promise<Listing & { chunks: number }> {
	const files: string[] = [];
	const skipped: string[] = [];
	let chunks = 0;
	for await (const c of new StatWalk(roots, opts)) {
		chunks++;
		c.paths.forEach((p, i) => files.push(`${c.root}:${p} ${c.stats[2 * i]} ${c.stats[2 * i + 1]}`));
		for (const s of c.skipped) skipped.push(`${s.root}:${s.path} ${s.reason} ${s.detail ?? ''}`);
	}
	return { files: files.sort(), skipped: skipped.sort(), chunks };
}

async function agree(roots: string[], opts: StatWalkOptions = {}, minFiles = 1): Promise<void> {
	const expected = await byWalk(roots, opts);
	assert.ok(expected.files.length >= minFiles, `the tree has ${expected.files.length} files`);
	for (const threads of [1, 2, 3]) {
		for (const callingThread of [false, true]) {
			const got = await byStatWalk(roots, { ...opts, threads, callingThread });
			const how = `${threads} threads${callingThread ? ' (this one among them)' : ''}`;
			assert.deepEqual(got.files, expected.files, `${how}: files`);
			assert.deepEqual(got.skipped, expected.skipped, `${how}: skipped`);
		}
	}
}

test('a tree of many folders with nested ignore files: same files, sizes, mtimes as walk()', async () => {
	const root = tmp();
	makeTree(root, 7, 400);
	// Deeper ignore files (one re-includes what the root's excludes), shared with folders handed between threads.
	mk(root, {
		'd1/.gitignore': '*.json\n!keep.json\n',
		'd1/keep.json': '{}',
		'd1/d2/.ignore': '*.md\n',
		'd2/.gitignore': '!*.log\n',
		'd2/d3/x.log': 'kept by d2/.gitignore\n',
	});
	for (let i = 0; i < 60; i++) mk(root, { [`wide/w${i}/f.ts`]: `export const x${i} = ${i};\n` });
	await agree([root], {}, 300);
	await agree([root], { respectIgnoreFiles: false }, 300);
});

test('include and exclude globs, negated ones, pruned folders', async () => {
	const root = tmp();
	makeTree(root, 3, 200);
	await agree([root], { exclude: ['d1', '*.json', '!d0/**/*.json'] });
	await agree([root], { include: ['**/*.ts', 'd2'], exclude: ['d3/'] });
});

test('several roots: a folder, a file, a missing root, in order', async () => {
	const a = tmp();
	const b = tmp();
	makeTree(a, 1, 50);
	mk(b, { 'one.py': 'x = 1\n', 'sub/two.py': '' });
	await agree([a, path.join(b, 'one.py'), path.join(b, 'missing'), b]);
});

test('symbolic links: ignored by default; followed, with loops and dangling links reported', async () => {
	const root = tmp();
	const outside = tmp();
	mk(outside, { 'o.txt': 'abc', 'in/p.txt': '' });
	mk(root, { 'a.txt': '', 'd/e.txt': 'xy' });
	fs.symlinkSync(outside, path.join(root, 'linkdir'));
	fs.symlinkSync(path.join(root, 'a.txt'), path.join(root, 'linkfile'));
	fs.symlinkSync('missing', path.join(root, 'dangling'));
	fs.symlinkSync('..', path.join(root, 'd', 'up'));
	fs.symlinkSync('me', path.join(root, 'me'));
	fs.symlinkSync(root, path.join(outside, 'in', 'back'));
	await agree([root]);
	await agree([root], { followSymlinks: true });
	const got = await byStatWalk([root], { followSymlinks: true, threads: 2 });
	assert.deepEqual(got.skipped.map((s) => s.split(' ').slice(0, 2).join(' ')), ['0:d/up symlink-loop', '0:dangling dangling-symlink', '0:linkdir/in/back symlink-loop', '0:me symlink-loop']);
});

test('special files and names that are not UTF-8', { skip: process.platform !== 'linux' }, async () => {
	const root = tmp();
	mk(root, { 'a b.txt': '', 'new\nline.txt': 'x', 'ünï/cödé.py': 'y = 2\n' });
	execFileSync('mkfifo', [path.join(root, 'pipe')]);
	const rootBuf = Buffer.from(root + '/');
	fs.writeFileSync(Buffer.concat([rootBuf, Buffer.from([0x66, 0xff, 0x2e, 0x74])]), 'x');
	const badDir = Buffer.concat([rootBuf, Buffer.from([0x64, 0xc3, 0x28])]);
	fs.mkdirSync(badDir);
	fs.writeFileSync(Buffer.concat([badDir, Buffer.from('/inside.txt')]), 'x');
	await agree([root]);
	const got = await byStatWalk([root], { threads: 2 });
	assert.deepEqual(got.skipped.map((s) => s.split(' ').slice(0, 2).join(' ')), ['0:d\uFFFD( unreadable-folder', '0:f\uFFFD.t unreadable', '0:pipe special']);
});

test('an aborted signal stops the workers and the iteration throws its reason', async () => {
	const root = tmp();
	makeTree(root, 2, 100);
	const ac = new AbortController();
	const reason = new Error('stop now');
	const w = new StatWalk([root], { threads: 2, signal: ac.signal });
	ac.abort(reason);
	await assert.rejects(async () => {
		for await (const _ of w) { /* drain */ }
	}, (e) => e === reason);
});

test('closing a walk whose calling-thread part never started, or one under way, ends every thread', async () => {
	const root = tmp();
	makeTree(root, 4, 300);
	const idle = new StatWalk([root], { threads: 2, callingThread: true, awaitDigests: true });
	await idle.close();
	const busy = new StatWalk([root], { threads: 3, callingThread: true, awaitDigests: true });
	busy.digests(undefined);
	let n = 0;
	for await (const c of busy) {
		n += c.paths.length;
		break;
	}
	assert.ok(n > 0);
});
