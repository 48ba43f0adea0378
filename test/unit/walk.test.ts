// The walker on real temporary trees. Expected file lists are worked out by hand from the rules
// each test writes; the gitignore cases are also checked against git itself when it is installed.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { walk, type WalkBatch, type WalkRunOptions } from '../../src/core/walk';
import { createPathFilter, normalizeGlob } from '../../src/core/matcher';

const made: string[] = [];
after(() => {
	// rm -rf copes with non-UTF-8 names and 1,000-deep trees.
	for (const d of made) execFileSync('rm', ['-rf', d]);
});

function tmp(): string {
	const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ws-walk-')));
	made.push(d);
	return d;
}

/** Writes `files` (root-relative path → content) under `root`. */
function mk(root: string, files: Record<string, string>): void {
	for (const [rel, text] of Object.entries(files)) {
		const p = path.join(root, rel);
		fs.mkdirSync(path.dirname(p), { recursive: true });
		fs.writeFileSync(p, text);
	}
}

interface Collected {
	files: string[];
	skipped: string[];
	batches: WalkBatch[];
}

/** The walk's files and skips; checks first that listing with synchronous calls finds the same. */
async function collect(roots: string[], opts: WalkRunOptions = {}): Promise<Collected> {
	const run = async (o: WalkRunOptions): Promise<Collected> => {
		const batches: WalkBatch[] = [];
		for await (const b of walk(roots, o)) batches.push(b);
		const files = batches.flatMap((b) => b.files.map((f) => (roots.length > 1 ? `${f.root}:${f.relPath}` : f.relPath))).sort();
		const skipped = batches.flatMap((b) => b.skipped.map((s) => `${s.path} ${s.reason}`)).sort();
		return { files, skipped, batches };
	};
	if (opts.syncListing === undefined && !opts.signal && !opts.filters) {
		const sync = await run({ ...opts, syncListing: true });
		const pooled = await run(opts);
		assert.deepEqual([sync.files, sync.skipped], [pooled.files, pooled.skipped], 'syncListing: the same files and skips');
		return pooled;
	}
	return run(opts);
}

function hasGit(): boolean {
	try {
		execFileSync('git', ['--version'], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
}

/** Files git would list as untracked-and-not-ignored (an independent oracle for .gitignore). */
function gitListing(root: string): string[] {
	execFileSync('git', ['init', '-q'], { cwd: root });
	const out = execFileSync('git', ['ls-files', '-z', '--others', '--exclude-standard'], { cwd: root });
	fs.rmSync(path.join(root, '.git'), { recursive: true, force: true });
	return out.toString('utf8').split('\0').filter(Boolean).sort();
}

test('yields every file once with root-relative / paths; .git, .hg, .svn are never entered', async () => {
	const root = tmp();
	mk(root, {
		'a.txt': 'hello',
		'src/b.ts': 'x',
		'src/deep/c.py': '',
		'.git/config': 'x',
		'.hg/store': 'x',
		'sub/.svn/entries': 'x',
		'sub/.git': 'gitdir: ../.git/modules/sub',
		'.env': 'A=1',
	});
	const r = await collect([root]);
	assert.deepEqual(r.files, ['.env', 'a.txt', 'src/b.ts', 'src/deep/c.py']);
	assert.deepEqual(r.skipped, []);
	const a = r.batches.flatMap((b) => b.files).find((f) => f.relPath === 'a.txt')!;
	assert.equal(a.absPath, path.join(root, 'a.txt'));
	assert.equal(a.size, 5);
	assert.equal(a.root, 0);
	assert.ok(Math.abs(a.mtimeMs - fs.statSync(path.join(root, 'a.txt')).mtimeMs) < 1);
});

test('stat: false leaves size and mtimeMs at -1', async () => {
	const root = tmp();
	mk(root, { 'a.txt': 'hello', 'b/c.txt': 'x' });
	const all = (await collect([root], { stat: false })).batches.flatMap((b) => b.files);
	assert.equal(all.length, 2);
	for (const f of all) assert.deepEqual([f.size, f.mtimeMs], [-1, -1]);
});

test('several roots: root index on every entry; a file root and a missing root', async () => {
	const r1 = tmp();
	const r2 = tmp();
	mk(r1, { 'x.js': '1' });
	mk(r2, { 'y/z.js': '22' });
	const missing = path.join(r1, 'nope');
	const r = await collect([r1, r2, path.join(r2, 'y', 'z.js'), missing]);
	assert.deepEqual(r.files, ['0:x.js', '1:y/z.js', '2:z.js']);
	assert.deepEqual(r.skipped, [`${missing} vanished`]);
});

// --- .gitignore / .ignore ---------------------------------------------------------------------

const GITIGNORE_TREE: Record<string, string> = {
	'.gitignore': '*.log\n!keep.log\n/build\nlogs/\nsub/vendor/\n*.dat\n',
	'.ignore': '!special.dat\nsecret.txt\n',
	'a.log': '', // *.log
	'keep.log': '', // re-included by !keep.log
	'build/out.js': '', // /build (anchored) prunes the root's build
	'sub/build/kept.js': '', // /build is anchored: sub/build stays
	'logs/x.txt': '', // logs/ is a folder pattern
	'sub/logs': '', // ... so a FILE named logs stays
	'sub/.gitignore': '!a.log\n*.tmp\n!vendor/\n',
	'sub/a.log': '', // deeper !a.log beats the root's *.log
	'sub/deep/a.log': '', // !a.log has no slash: any depth below sub
	'sub/deep/b.log': '', // the root's *.log applies in subfolders
	'sub/t.tmp': '', // sub's *.tmp
	't.tmp': '', // ... does not apply above sub
	'sub/vendor/v.js': '', // root excludes sub/vendor/, sub/.gitignore's !vendor/ re-includes it (deeper wins)
	'x.dat': '', // *.dat
	'special.dat': '', // .ignore's !special.dat beats .gitignore's *.dat (same folder)
	'secret.txt': '', // .ignore
	'logs2/.gitignore': 'logs/\n!logs/important.txt\n',
	'logs2/logs/important.txt': '', // a file in an excluded folder cannot be re-included
	'src/main.c': '',
};

const GITIGNORE_EXPECTED = [
	'.gitignore',
	'.ignore',
	'keep.log',
	'logs2/.gitignore',
	'special.dat',
	'src/main.c',
	'sub/.gitignore',
	'sub/a.log',
	'sub/build/kept.js',
	'sub/deep/a.log',
	'sub/logs',
	'sub/vendor/v.js',
	't.tmp',
];

test('.gitignore and .ignore: nested, negation, anchored, folder-only, parents, precedence', async () => {
	const root = tmp();
	mk(root, GITIGNORE_TREE);
	const r = await collect([root]);
	assert.deepEqual(r.files, GITIGNORE_EXPECTED);
	assert.deepEqual(r.skipped, []);
});

test('.gitignore semantics agree with git itself (without .ignore, which git does not read)', { skip: !hasGit() && 'git not installed' }, async () => {
	const root = tmp();
	const tree = { ...GITIGNORE_TREE };
	delete tree['.ignore'];
	mk(root, tree);
	const ours = (await collect([root])).files;
	assert.deepEqual(ours, gitListing(root));
	// and the .ignore-free expectation by hand: special.dat and secret.txt change places
	const byHand = GITIGNORE_EXPECTED.filter((f) => f !== '.ignore' && f !== 'special.dat').concat('secret.txt').sort();
	assert.deepEqual(ours, byHand);
});

// Tricky gitignore forms; for each tree the expected list was worked out by hand and is also
// compared with git's own listing.
const GIT_CASES: { name: string; tree: Record<string, string>; expected: string[] }[] = [
	{
		name: 'whitelist: /* then !/src/ and !*.md',
		tree: { '.gitignore': '/*\n!/.gitignore\n!/src/\n!*.md\n', 'a.txt': '', 'r.md': '', 'lib/x.md': '', 'src/y.c': '', 'src/z.md': '' },
		expected: ['.gitignore', 'r.md', 'src/y.c', 'src/z.md'],
	},
	{
		name: 'foo/** ignores the contents, not the folder, so !foo/keep.txt works',
		tree: { '.gitignore': 'foo/**\n!foo/keep.txt\n', 'foo/keep.txt': '', 'foo/drop.txt': '', 'foo/sub/x.txt': '', 'bar/foo/y.txt': '' },
		expected: ['.gitignore', 'bar/foo/y.txt', 'foo/keep.txt'],
	},
	{
		name: '**/tmp/**, a/**/b.txt, docs/*.txt (a middle slash anchors)',
		tree: {
			'.gitignore': '**/tmp/**\na/**/b.txt\ndocs/*.txt\n',
			'tmp/1': '', 'x/tmp/2': '', 'a/b.txt': '', 'a/q/r/b.txt': '', 'c/a/b.txt': '', 'docs/d.txt': '', 'docs/deep/e.txt': '', 'z/docs/f.txt': '',
		},
		expected: ['.gitignore', 'c/a/b.txt', 'docs/deep/e.txt', 'z/docs/f.txt'],
	},
	{
		name: 'escapes and trailing spaces: \\#, \\!, "name   "',
		tree: { '.gitignore': '\\#hash.txt\n\\!bang.txt\ntrail.txt   \n# a comment\n', '#hash.txt': '', '!bang.txt': '', 'trail.txt': '', 'other.txt': '' },
		expected: ['.gitignore', 'other.txt'],
	},
	{
		name: 'nested: a/.gitignore keeps only folders and *.keep below a',
		tree: { 'a/.gitignore': '*\n!*/\n!*.keep\n', 'a/x.txt': '', 'a/y.keep': '', 'a/b/z.keep': '', 'a/b/w.c': '', 'top.c': '' },
		expected: ['a/b/z.keep', 'a/y.keep', 'top.c'],
	},
];

for (const c of GIT_CASES) {
	test(`gitignore: ${c.name}`, async () => {
		const root = tmp();
		mk(root, c.tree);
		const ours = (await collect([root])).files;
		assert.deepEqual(ours, c.expected);
		if (hasGit()) assert.deepEqual(ours, gitListing(root), 'git lists the same files');
	});
}

test('respectIgnoreFiles: false walks everything', async () => {
	const root = tmp();
	mk(root, GITIGNORE_TREE);
	const r = await collect([root], { respectIgnoreFiles: false });
	assert.deepEqual(r.files, Object.keys(GITIGNORE_TREE).sort());
});

test('PathFilter.isIncluded answers exactly what the walk yields, path by path', async () => {
	const root = tmp();
	mk(root, GITIGNORE_TREE);
	const filter = await createPathFilter(root, { exclude: ['sub/deep'] });
	const yielded = new Set((await collect([root], { exclude: ['sub/deep'] })).files);
	assert.ok(!yielded.has('sub/deep/a.log'));
	for (const rel of Object.keys(GITIGNORE_TREE)) {
		assert.equal(await filter.isIncluded(rel), yielded.has(rel), rel);
	}
	assert.equal(await filter.isIncluded('sub/vendor', true), true);
	assert.equal(await filter.isIncluded('logs', true), false);
	assert.equal(await filter.isIncluded('.git/config'), false);
	// a new ignore file is seen after invalidate()
	fs.writeFileSync(path.join(root, 'src', '.gitignore'), '*.c\n');
	filter.invalidate('src');
	assert.equal(await filter.isIncluded('src/main.c'), false);
});

test('ancestors inside a git repository: their rules apply below the root, never to the root itself', async () => {
	const repo = tmp();
	mk(repo, {
		'.git/info/exclude': '*.bak\n',
		'.gitignore': '*.log\nsub/skipme/\nsub2/\n',
		'sub/.keep': '',
		'sub/a.log': '',
		'sub/b.txt': '',
		'sub/c.bak': '',
		'sub/skipme/x.txt': '',
		'sub/inner/.gitignore': '!*.log\n',
		'sub/inner/d.log': '',
		'sub2/e.txt': '',
	});
	assert.deepEqual((await collect([path.join(repo, 'sub')])).files, ['.keep', 'b.txt', 'inner/.gitignore', 'inner/d.log']);
	// sub2/ is ignored by the repository, but it is the folder asked for: walked
	assert.deepEqual((await collect([path.join(repo, 'sub2')])).files, ['e.txt']);
	// outside a repository, parent folders' ignore files are not read
	fs.rmSync(path.join(repo, '.git'), { recursive: true });
	assert.deepEqual((await collect([path.join(repo, 'sub')])).files, ['.keep', 'a.log', 'b.txt', 'c.bak', 'inner/.gitignore', 'inner/d.log', 'skipme/x.txt']);
});

// --- globs --------------------------------------------------------------------------------------

const GLOB_TREE: Record<string, string> = {
	'src/a.ts': '',
	'src/lib/b.ts': '',
	'src/lib/b.min.js': '',
	'src/c.js': '',
	'app.min.js': '',
	'app.js': '',
	'dist/out.js': '',
	'pkg/dist/out.ts': '',
	'node_modules/m/index.js': '',
	'pkg/node_modules/n/index.ts': '',
	'src/node_modules/o.ts': '',
	'docs/dist': '', // a file named dist
};

test('exclude globs: **/node_modules/**, *.min.js, dist (basename at any depth)', async () => {
	const root = tmp();
	mk(root, GLOB_TREE);
	const r = await collect([root], { exclude: ['**/node_modules/**', '*.min.js', 'dist'] });
	assert.deepEqual(r.files, ['app.js', 'src/a.ts', 'src/c.js', 'src/lib/b.ts']);
});

test('exclude: folder-only (dist/), anchored (/dist), plain node_modules', async () => {
	const root = tmp();
	mk(root, GLOB_TREE);
	assert.deepEqual((await collect([root], { exclude: ['dist/', 'node_modules'] })).files, ['app.js', 'app.min.js', 'docs/dist', 'src/a.ts', 'src/c.js', 'src/lib/b.min.js', 'src/lib/b.ts']);
	assert.deepEqual((await collect([root], { exclude: ['/dist', '**/node_modules'] })).files, ['app.js', 'app.min.js', 'docs/dist', 'pkg/dist/out.ts', 'src/a.ts', 'src/c.js', 'src/lib/b.min.js', 'src/lib/b.ts']);
});

test('include globs apply to files only: src/**/*.ts, *.ts, a folder name', async () => {
	const root = tmp();
	mk(root, GLOB_TREE);
	assert.deepEqual((await collect([root], { include: ['src/**/*.ts'] })).files, ['src/a.ts', 'src/lib/b.ts', 'src/node_modules/o.ts']);
	assert.deepEqual((await collect([root], { include: ['*.ts'], exclude: ['node_modules'] })).files, ['pkg/dist/out.ts', 'src/a.ts', 'src/lib/b.ts']);
	assert.deepEqual((await collect([root], { include: ['lib'] })).files, ['src/lib/b.min.js', 'src/lib/b.ts']);
});

test('negated globs take paths back out of their list', async () => {
	const root = tmp();
	mk(root, GLOB_TREE);
	// every .js file but app.js; folders are still entered (a negated glob never prunes everything)
	assert.deepEqual((await collect([root], { exclude: ['*.js', '!app.js', 'node_modules'] })).files, ['app.js', 'docs/dist', 'pkg/dist/out.ts', 'src/a.ts', 'src/lib/b.ts']);
	// dist folders excluded except pkg/dist
	assert.deepEqual((await collect([root], { exclude: ['dist', '!pkg/dist'], include: ['*.ts', '*.js'] })).files.filter((f) => f.includes('dist')), ['pkg/dist/out.ts']);
	// include src but not *.min.js
	assert.deepEqual((await collect([root], { include: ['src', '!*.min.js'] })).files, ['src/a.ts', 'src/c.js', 'src/lib/b.ts', 'src/node_modules/o.ts']);
});

test('normalizeGlob: bare names match at any depth, / anchors, inner / is root-relative', () => {
	assert.equal(normalizeGlob('node_modules'), '**/node_modules');
	assert.equal(normalizeGlob('*.min.js'), '**/*.min.js');
	assert.equal(normalizeGlob('dist/'), '**/dist/');
	assert.equal(normalizeGlob('/build'), 'build');
	assert.equal(normalizeGlob('./src/**/*.ts'), 'src/**/*.ts');
	assert.equal(normalizeGlob('**/node_modules/**'), '**/node_modules/**');
	assert.equal(normalizeGlob('  '), '');
});

test('excluded folders are pruned: a symlink loop inside one is never seen', async () => {
	const root = tmp();
	mk(root, { 'keep.txt': '', 'node_modules/x.js': '' });
	fs.symlinkSync('..', path.join(root, 'node_modules', 'loop'));
	fs.symlinkSync('nowhere', path.join(root, 'node_modules', 'dangling'));
	const pruned = await collect([root], { exclude: ['node_modules'], followSymlinks: true });
	assert.deepEqual(pruned.files, ['keep.txt']);
	assert.deepEqual(pruned.skipped, []);
	// control: without the exclude the folder is listed and both links are reported
	const control = await collect([root], { followSymlinks: true });
	assert.deepEqual(control.skipped, ['node_modules/dangling dangling-symlink', 'node_modules/loop symlink-loop']);
});

// --- symlinks, special files --------------------------------------------------------------------

test('symlinks are not followed (nor reported) by default', async () => {
	const root = tmp();
	const outside = tmp();
	mk(outside, { 'o.txt': '' });
	mk(root, { 'a.txt': '' });
	fs.symlinkSync(outside, path.join(root, 'linkdir'));
	fs.symlinkSync(path.join(root, 'a.txt'), path.join(root, 'linkfile'));
	fs.symlinkSync('missing', path.join(root, 'dangling'));
	fs.symlinkSync('.', path.join(root, 'self'));
	const r = await collect([root]);
	assert.deepEqual(r.files, ['a.txt']);
	assert.deepEqual(r.skipped, []);
});

test('followSymlinks: links walked as targets, loops and dangling links reported, walk ends', async () => {
	const root = tmp();
	const outside = tmp();
	mk(outside, { 'o.txt': 'abc', 'in/p.txt': '' });
	mk(root, { 'a.txt': '', 'd/e.txt': '' });
	fs.symlinkSync(outside, path.join(root, 'linkdir'));
	fs.symlinkSync(path.join(root, 'a.txt'), path.join(root, 'linkfile'));
	fs.symlinkSync('missing', path.join(root, 'dangling'));
	fs.symlinkSync('..', path.join(root, 'd', 'up')); // d/up → root: a loop
	fs.symlinkSync('me', path.join(root, 'me')); // points at itself: ELOOP
	fs.symlinkSync(root, path.join(outside, 'in', 'back')); // root/linkdir/in/back → root: a loop
	const r = await collect([root], { followSymlinks: true });
	assert.deepEqual(r.files, ['a.txt', 'd/e.txt', 'linkdir/in/p.txt', 'linkdir/o.txt', 'linkfile']);
	assert.deepEqual(r.skipped, ['d/up symlink-loop', 'dangling dangling-symlink', 'linkdir/in/back symlink-loop', 'me symlink-loop']);
	const lf = r.batches.flatMap((b) => b.files).find((f) => f.relPath === 'linkdir/o.txt')!;
	assert.equal(lf.size, 3);
});

test('a FIFO is reported as special; the walk goes on', { skip: process.platform === 'win32' }, async () => {
	const root = tmp();
	mk(root, { 'a.txt': '' });
	execFileSync('mkfifo', [path.join(root, 'pipe')]);
	const r = await collect([root]);
	assert.deepEqual(r.files, ['a.txt']);
	assert.deepEqual(r.skipped, ['pipe special']);
});

// --- odd names, depth, abort --------------------------------------------------------------------

test('odd names: spaces, newlines, U+FFFD are fine; non-UTF-8 names are skipped with a lossy path', { skip: process.platform !== 'linux' }, async () => {
	const root = tmp();
	mk(root, { 'a b.txt': '', 'new\nline.txt': '', 'x\uFFFD.txt': '', 'ünï/cödé.py': '' });
	const rootBuf = Buffer.from(root + '/');
	fs.writeFileSync(Buffer.concat([rootBuf, Buffer.from([0x66, 0xff, 0x2e, 0x74])]), 'x'); // "f\xff.t"
	const badDir = Buffer.concat([rootBuf, Buffer.from([0x64, 0xc3, 0x28])]); // "d" + invalid 2-byte sequence
	fs.mkdirSync(badDir);
	fs.writeFileSync(Buffer.concat([badDir, Buffer.from('/inside.txt')]), 'x');
	const r = await collect([root]);
	assert.deepEqual(r.files, ['a b.txt', 'new\nline.txt', 'x\uFFFD.txt', 'ünï/cödé.py'].sort());
	assert.deepEqual(r.skipped, ['d\uFFFD( unreadable-folder', 'f\uFFFD.t unreadable']);
});

test('1,000-deep folders: no recursion limit', async () => {
	const root = tmp();
	const parts = Array.from({ length: 1000 }, () => 'd');
	fs.mkdirSync(path.join(root, ...parts), { recursive: true });
	fs.writeFileSync(path.join(root, ...parts, 'leaf.txt'), 'x');
	fs.writeFileSync(path.join(root, 'd', 'top.txt'), 'x');
	const r = await collect([root]);
	assert.deepEqual(r.files, [[...parts, 'leaf.txt'].join('/'), 'd/top.txt']);
});

test('abort: an aborted signal stops the walk promptly with its reason', async () => {
	const root = tmp();
	const files: Record<string, string> = {};
	for (let i = 0; i < 300; i++) files[`d${i}/f.txt`] = '';
	mk(root, files);
	const ac = new AbortController();
	let seen = 0;
	await assert.rejects(
		(async () => {
			for await (const b of walk([root], { signal: ac.signal })) {
				seen += b.files.length;
				ac.abort();
			}
		})(),
		{ name: 'AbortError' },
	);
	assert.ok(seen > 0 && seen < 300, `stopped after ${seen} of 300 files`);
	// already aborted: nothing is yielded
	await assert.rejects(collect([root], { signal: AbortSignal.abort() }), { name: 'AbortError' });
});

test('abort right after the first next() rejects with the signal reason', async () => {
	const root = tmp();
	mk(root, { 'a/b.txt': '' });
	const ac = new AbortController();
	const it = walk([root], { signal: ac.signal });
	const p = it.next();
	ac.abort(new Error('stop now'));
	await assert.rejects(p, /stop now/);
});

test('a consumer that stops early (break) ends the walk cleanly', async () => {
	const root = tmp();
	const files: Record<string, string> = {};
	for (let i = 0; i < 50; i++) files[`d${i}/f.txt`] = '';
	mk(root, files);
	let n = 0;
	for await (const b of walk([root])) {
		n += b.files.length;
		break;
	}
	assert.ok(n > 0);
});

test('a shared filter: the walk records the ignore rules it read, isIncluded reuses them', async () => {
	const root = tmp();
	mk(root, { 'a/.gitignore': '*.tmp\n', 'a/x.tmp': '', 'a/y.txt': '' });
	const filter = await createPathFilter(root);
	assert.deepEqual((await collect([root], { filters: [filter] })).files, ['a/.gitignore', 'a/y.txt']);
	// the ignore file is gone from disk, but the filter still holds what the walk read...
	fs.rmSync(path.join(root, 'a', '.gitignore'));
	assert.equal(await filter.isIncluded('a/x.tmp'), false);
	// ...until told that it changed
	filter.invalidate('a');
	assert.equal(await filter.isIncluded('a/x.tmp'), true);
});

test('bad options fail eagerly with the option named', async () => {
	await assert.rejects(collect(['.'], { concurrency: 0 }), /concurrency/);
	await assert.rejects(collect(['.', '..'], { filters: [] }), /filters/);
});
