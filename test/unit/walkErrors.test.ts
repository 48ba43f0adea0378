// The walker facing a hostile file system: folders it may not list and files or folders that
// disappear while it runs. Nothing is faked: permissions are real (when the tests run as root,
// which ignores permission bits, the walk runs in a child process as the unprivileged user
// `nobody`), and deletions really happen between batches.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { walk, type WalkBatch, type WalkRunOptions } from '../../src/core/walk';

const made: string[] = [];
after(() => {
	for (const d of made) {
		execFileSync('chmod', ['-R', 'u+rwx', d]);
		fs.rmSync(d, { recursive: true, force: true });
	}
});

function tmp(): string {
	const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ws-walkerr-')));
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

interface Result {
	files: string[];
	skipped: { path: string; reason: string; detail?: string }[];
}

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

let bundled: string | undefined;
/**
 * The compiled walker bundled (with picomatch and ignore) into one file `nobody` can read: the
 * work tree itself may sit in a folder only root can enter (e.g. /root in CI).
 */
function unprivilegedWalker(): string {
	if (bundled !== undefined) return bundled;
	const dir = tmp();
	fs.chmodSync(dir, 0o755);
	const out = path.join(dir, 'walk.bundle.js');
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- dev-only tool, loaded on demand
	const esbuild = require('esbuild') as typeof import('esbuild');
	esbuild.buildSync({ entryPoints: [path.resolve(__dirname, '../../src/core/walk.js')], bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'silent' });
	fs.chmodSync(out, 0o644);
	bundled = out;
	return out;
}

/** Walks `root`; as root, in a child process running as `nobody` so that permissions apply. */
async function walkAsUnprivileged(root: string, opts: WalkRunOptions): Promise<Result> {
	if (!isRoot) {
		const batches: WalkBatch[] = [];
		for await (const b of walk([root], opts)) batches.push(b);
		return {
			files: batches.flatMap((b) => b.files.map((f) => f.relPath)).sort(),
			skipped: batches.flatMap((b) => b.skipped).sort((a, b) => a.path.localeCompare(b.path)),
		};
	}
	const walkJs = unprivilegedWalker();
	const script = `
		const { walk } = require(${JSON.stringify(walkJs)});
		(async () => {
			const files = [], skipped = [];
			for await (const b of walk([${JSON.stringify(root)}], ${JSON.stringify(opts)})) {
				for (const f of b.files) files.push(f.relPath);
				for (const s of b.skipped) skipped.push({ path: s.path, reason: s.reason, detail: s.detail });
			}
			files.sort();
			skipped.sort((a, b) => a.path.localeCompare(b.path));
			process.stdout.write(JSON.stringify({ files, skipped, uid: process.getuid() }));
		})().catch((e) => { console.error(e); process.exit(1); });`;
	const r = spawnSync(process.execPath, ['-e', script], { uid: NOBODY, gid: NOBODY, encoding: 'utf8', cwd: os.tmpdir() });
	assert.equal(r.status, 0, `child failed: ${r.stderr}`);
	const out = JSON.parse(r.stdout) as Result & { uid: number };
	assert.equal(out.uid, NOBODY);
	return { files: out.files, skipped: out.skipped };
}

test('an unreadable folder is skipped with its reason; the walk goes on; excluded folders are never opened', { skip: process.platform === 'win32' }, async () => {
	const root = tmp();
	mk(root, {
		'a.txt': '',
		'open/b.txt': '',
		'secret/s.txt': '',
		'node_modules/m.js': '',
		'node_modules/locked/x.js': '',
		'ignored/locked/y.js': '',
		'.gitignore': 'ignored/\n',
	});
	// Everything readable by others except the two locked folders.
	execFileSync('chmod', ['-R', 'a+rX', root]);
	fs.chmodSync(path.join(root, 'secret'), 0o000);
	fs.chmodSync(path.join(root, 'node_modules', 'locked'), 0o000);
	fs.chmodSync(path.join(root, 'ignored', 'locked'), 0o000);

	for (const syncListing of [false, true]) {
		const all = await walkAsUnprivileged(root, { syncListing });
		assert.deepEqual(all.files, ['.gitignore', 'a.txt', 'node_modules/m.js', 'open/b.txt']);
		assert.deepEqual(all.skipped.map((s) => `${s.path} ${s.reason}`), ['node_modules/locked unreadable-folder', 'secret unreadable-folder']);
		assert.match(all.skipped[1].detail ?? '', /EACCES/);
	}
	// ignored/ (by .gitignore) was pruned: its locked subfolder was never opened, so not reported.

	const pruned = await walkAsUnprivileged(root, { exclude: ['node_modules'] });
	assert.deepEqual(pruned.files, ['.gitignore', 'a.txt', 'open/b.txt']);
	assert.deepEqual(pruned.skipped.map((s) => `${s.path} ${s.reason}`), ['secret unreadable-folder']);

	// the root itself unreadable: one skip with its absolute path
	const lockedRoot = path.join(root, 'secret');
	const r = await walkAsUnprivileged(lockedRoot, {});
	assert.deepEqual(r.files, []);
	assert.deepEqual(r.skipped.map((s) => `${s.path} ${s.reason}`), [`${lockedRoot} unreadable-folder`]);
});

test('folders deleted between batches are reported as vanished; the walk completes', async () => {
	const root = tmp();
	const files: Record<string, string> = {};
	const DIRS = 40;
	for (let i = 0; i < DIRS; i++) for (let j = 0; j < 5; j++) files[`d${i}/f${j}.txt`] = 'x';
	mk(root, files);
	const yielded: string[] = [];
	const vanished: string[] = [];
	let first = true;
	for await (const b of walk([root], { concurrency: 1 })) {
		for (const f of b.files) yielded.push(f.relPath);
		for (const s of b.skipped) {
			assert.equal(s.reason, 'vanished', `${s.path}: ${s.reason} ${s.detail}`);
			vanished.push(s.path);
		}
		if (first) {
			first = false;
			// Pause between batches: delete every folder the walk has not finished.
			for (let i = 0; i < DIRS; i++) fs.rmSync(path.join(root, `d${i}`), { recursive: true, force: true });
		}
	}
	// Each folder is accounted for exactly once: its 5 files yielded, or the folder (or its files) reported vanished.
	const byDir = new Map<string, number>();
	for (const p of [...yielded, ...vanished]) {
		const d = p.split('/')[0];
		byDir.set(d, (byDir.get(d) ?? 0) + 1);
	}
	assert.equal(byDir.size, DIRS);
	// With one folder listed at a time, at most the folder of the first batch and the one being
	// listed when it was delivered can have been read before the deletion.
	const vanishedDirs = vanished.filter((p) => !p.includes('/'));
	assert.ok(vanishedDirs.length >= DIRS - 2, `${vanishedDirs.length} folders vanished`);
	assert.ok(yielded.length >= 5);
	assert.equal(new Set(yielded).size, yielded.length, 'no file twice');
});

test('files deleted while their folder is being stat-ed are vanished or yielded, never both, never a crash', async () => {
	// The deletion races the walk, so the split varies; the invariant must hold on every attempt, and
	// within a few attempts at least one file must have been seen by the listing and gone at its stat.
	let sawVanished = false;
	for (let attempt = 0; attempt < 5 && !sawVanished; attempt++) {
		const root = tmp();
		const N = 3000;
		const names: string[] = [];
		for (let i = 0; i < N; i++) names.push(`f${i}.txt`);
		mk(root, Object.fromEntries(names.map((n) => [`big/${n}`, 'x'])));
		const it = walk([root], { stat: true });
		const collecting = (async () => {
			const got: WalkBatch[] = [];
			for (let r = await it.next(); !r.done; r = await it.next()) got.push(r.value);
			return got;
		})();
		// Delete concurrently with the walk.
		for (let i = N - 1; i >= 0; i -= 50) {
			await Promise.all(names.slice(Math.max(0, i - 49), i + 1).map((n) => fs.promises.unlink(path.join(root, 'big', n))));
		}
		const batches = await collecting;
		const yielded = batches.flatMap((b) => b.files.map((f) => f.relPath));
		const skipped = batches.flatMap((b) => b.skipped);
		for (const s of skipped) assert.equal(s.reason, 'vanished', `${s.path}: ${s.detail}`);
		const vanished = new Set(skipped.map((s) => s.path));
		for (const f of yielded) assert.ok(!vanished.has(f), `${f} both yielded and vanished`);
		assert.equal(new Set(yielded).size, yielded.length, 'no file twice');
		assert.ok(yielded.length + vanished.size <= N);
		for (const b of batches) for (const f of b.files) assert.ok(f.size >= 0, 'stat-ed files have a size');
		sawVanished = vanished.size > 0;
	}
	assert.ok(sawVanished, 'no file was ever reported vanished');
});
