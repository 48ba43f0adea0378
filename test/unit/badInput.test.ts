// Bad input through the CLI and the scanner: each case gets a clear skip reason or a correct
// count, and the scan always finishes (exit 0). Expected counts are worked out by hand.

import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scan } from '../../src/core/scanner';

const REPO = path.resolve(__dirname, '../../..');
const CLI = path.join(REPO, 'out/src/cli/main.js');

interface JFile {
	path: string;
	language: string;
	lines: number;
	code: number;
	comment: number;
	blank: number;
	bytes: number;
}
interface Report {
	totals: { files: number };
	files: JFile[];
	folders?: { path: string; files: number }[];
	skipped: { path: string; reason: string; detail?: string }[];
}

function run(args: string[], extra: { uid?: number; gid?: number } = {}): Report {
	const r = spawnSync(process.execPath, [CLI, ...args, '--format', 'json', '--by-file'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 60_000, ...extra });
	assert.equal(r.status, 0, `exit ${r.status} ${r.signal ?? ''}\n${r.stderr}`);
	return JSON.parse(r.stdout) as Report;
}

const counts = (f: JFile | undefined) => (f ? [f.lines, f.code, f.comment, f.blank] : undefined);

describe('bad input', () => {
	let tmp: string;
	let dir: string;

	before(() => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-bad-'));
		// Readable by the unprivileged user of the permission test.
		fs.chmodSync(tmp, 0o755);
		dir = path.join(tmp, 'tree');
		fs.mkdirSync(dir);
		const w = (rel: string, data: string | Buffer) => {
			fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
			fs.writeFileSync(path.join(dir, rel), data);
		};
		w('binary.py', Buffer.from([0x69, 0x6d, 0x70, 0x00, 0x01, 0x02, 0x0a]));
		w('empty.py', '');
		w('huge.py', 'x = 1\n'.repeat(2_000_000)); // 12,000,000 bytes > 11 MB
		// Invalid UTF-8 in a comment and in a string: still counted, byte-wise.
		w('latin1.py', Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\nx = "\xff"\n', 'latin1'), Buffer.from('\n')]));
		// UTF-16 with BOMs: 3 lines — a comment, code, a blank.
		const text16 = '# hi\r\nx = 1\r\n\r\n';
		w('utf16le.py', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text16, 'utf16le')]));
		const be = Buffer.from(text16, 'utf16le').swap16();
		w('utf16be.py', Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
		// A 10 MB single line (minified-like): one code line.
		w('long.js', 'var a = "' + 'x'.repeat(10 * 1024 * 1024) + '";');
		w('odd names/with space.py', 'x = 1\n');
		w('odd names/new\nline.py', '# c\ny = 2\n');
		// 1,000-deep folders with one file at the bottom.
		const deep = Array.from({ length: 1000 }, () => 'd').join('/');
		w(`deep/${deep}/bottom.py`, 'z = 3\n');
		// Links: followed only with --follow-symlinks.
		fs.mkdirSync(path.join(dir, 'links'));
		fs.symlinkSync('..', path.join(dir, 'links/up')); // loop: leads back to an ancestor
		fs.symlinkSync('self', path.join(dir, 'links/self')); // ELOOP
		fs.symlinkSync('no-such-target', path.join(dir, 'links/dangling'));
		// A name with bytes that are not UTF-8 (must be created with a Buffer path).
		fs.writeFileSync(Buffer.concat([Buffer.from(path.join(dir, 'odd names') + '/bad'), Buffer.from([0xff, 0xfe]), Buffer.from('.py')]), 'w = 4\n');
		// A FIFO: never opened (it would block), reported as special.
		execFileSync('mkfifo', [path.join(dir, 'pipe.py')]);
		// Permissions (only meaningful for the unprivileged run).
		w('locked/secret.py', 's = 1\n');
		fs.chmodSync(path.join(dir, 'locked'), 0o000);
		w('private.py', 'p = 1\n');
		fs.chmodSync(path.join(dir, 'private.py'), 0o000);
	});

	after(() => {
		fs.chmodSync(path.join(dir, 'locked'), 0o755);
		fs.rmSync(tmp, { recursive: true, force: true });
	});

	it('each file gets a count or a skip reason (default options)', () => {
		const t0 = performance.now();
		const r = run([dir, '--max-file-size', '11MB', '--by-folder']);
		const ms = performance.now() - t0;
		const file = (p: string) => r.files.find((f) => f.path === p);
		const skip = (p: string) => r.skipped.find((s) => s.path === p)?.reason;

		assert.equal(skip('binary.py'), 'binary');
		assert.deepEqual(counts(file('empty.py')), [0, 0, 0, 0]);
		assert.equal(skip('huge.py'), 'too-large');
		assert.match(r.skipped.find((s) => s.path === 'huge.py')!.detail!, /12000000 bytes > limit 11534336/);
		// "# café" comment, 'x = "ÿ"' code, blank.
		assert.deepEqual(counts(file('latin1.py')), [3, 1, 1, 1]);
		assert.deepEqual(counts(file('utf16le.py')), [3, 1, 1, 1]);
		assert.deepEqual(counts(file('utf16be.py')), [3, 1, 1, 1]);
		const long = file('long.js')!;
		assert.deepEqual(counts(long), [1, 1, 0, 0]);
		assert.equal(long.bytes, 10 * 1024 * 1024 + 11);
		assert.deepEqual(counts(file('odd names/with space.py')), [1, 1, 0, 0]);
		assert.deepEqual(counts(file('odd names/new\nline.py')), [2, 1, 1, 0]);
		const deepPath = `deep/${Array.from({ length: 1000 }, () => 'd').join('/')}/bottom.py`;
		assert.deepEqual(counts(file(deepPath)), [1, 1, 0, 0]);
		// Every one of the 1,001 folders of the deep chain has the file in its recursive totals.
		assert.equal(r.folders!.filter((f) => f.path.startsWith('deep') && f.files === 1).length, 1001);
		// Not followed by default: links are left out silently (documented walker behaviour).
		assert.equal(r.skipped.filter((s) => s.path.startsWith('links/')).length, 0);
		assert.equal(skip('pipe.py'), 'special');
		// A non-UTF-8 name can't be a JavaScript string path: reported, not miscounted.
		const bad = r.skipped.find((s) => s.path.startsWith('odd names/bad'));
		assert.ok(bad, JSON.stringify(r.skipped));
		assert.equal(bad.reason, 'unreadable');
		// Root may read everything: the locked folder and file are counted here.
		assert.deepEqual(counts(file('locked/secret.py')), [1, 1, 0, 0]);
		assert.deepEqual(counts(file('private.py')), [1, 1, 0, 0]);
		// Nothing else is skipped, and no file is counted twice.
		assert.deepEqual(r.skipped.map((s) => s.reason).sort(), ['binary', 'special', 'too-large', 'unreadable']);
		assert.equal(new Set(r.files.map((f) => f.path)).size, r.files.length);
		// The 10 MB line is linear work: generous bound, a quadratic pass would take minutes.
		assert.ok(ms < 30_000, `scan took ${ms} ms`);
	});

	it('--follow-symlinks: loops and dangling links are reported, the walk ends', () => {
		const r = run([path.join(dir, 'links'), '--follow-symlinks']);
		const reasons = Object.fromEntries(r.skipped.map((s) => [s.path, s.reason]));
		assert.equal(reasons['self'], 'symlink-loop');
		assert.equal(reasons['dangling'], 'dangling-symlink');
		// links/up → the tree itself, whose links/ folder is an ancestor: a loop, not entered twice.
		assert.ok(Object.entries(reasons).some(([p, why]) => p.startsWith('up/') && why === 'symlink-loop'), JSON.stringify(reasons));
		// Files under up/ (the whole tree once) are counted; up/links is not walked again.
		assert.ok(r.files.some((f) => f.path === 'up/empty.py'));
		assert.ok(!r.files.some((f) => f.path.startsWith('up/links/')));
	});

	it('unreadable folder and file (as an unprivileged user)', { skip: process.getuid?.() !== 0 ? 'needs root to switch user' : false }, () => {
		const r = run([dir], { uid: 65534, gid: 65534 });
		const skip = (p: string) => r.skipped.find((s) => s.path === p);
		assert.equal(skip('locked')?.reason, 'unreadable-folder');
		assert.match(skip('locked')!.detail!, /EACCES/);
		assert.equal(skip('private.py')?.reason, 'unreadable');
		assert.match(skip('private.py')!.detail!, /EACCES/);
		assert.ok(!r.files.some((f) => f.path.startsWith('locked/') || f.path === 'private.py'));
		assert.deepEqual(counts(r.files.find((f) => f.path === 'empty.py')), [0, 0, 0, 0]);
	});
});

describe('files that change during the scan', () => {
	let tmp: string;
	before(() => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-vanish-'));
	});
	after(() => {
		fs.rmSync(tmp, { recursive: true, force: true });
	});

	for (const jobs of [1, 2]) {
		it(`files deleted after the walk listed them are 'vanished' (jobs ${jobs})`, async () => {
			const dir = fs.mkdtempSync(path.join(tmp, 'd-'));
			const names = Array.from({ length: 200 }, (_, i) => `f${String(i).padStart(3, '0')}.py`);
			for (const n of names) fs.writeFileSync(path.join(dir, n), 'a = 1\n# c\n');
			let deleted = 0;
			const seen = new Set<string>();
			// On the first record, delete every file not analyzed yet: the walk has listed the
			// folder, small batches are still queued, so some reads must find the file gone.
			const r = await scan([dir], {
				jobs,
				batchSize: 1,
				keepRecords: true,
				onRecord: (rec) => {
					seen.add(rec.path);
					if (deleted > 0) return;
					for (const n of names) {
						if (seen.has(n)) continue;
						fs.rmSync(path.join(dir, n), { force: true });
						deleted++;
					}
				},
			});
			const vanished = r.skipped.filter((s) => s.reason === 'vanished');
			assert.ok(deleted > 0);
			assert.ok(vanished.length > 0, 'some reads found their file gone');
			assert.equal(r.records!.length + vanished.length, names.length);
			assert.equal(r.skipped.length, vanished.length);
			for (const v of vanished) assert.match(v.detail ?? '', /ENOENT/);
			for (const rec of r.records!) assert.deepEqual([rec.lines, rec.code, rec.comment, rec.blank], [2, 1, 1, 0]);
			assert.equal(r.aggregates.totals.files, r.records!.length);
		});
	}

	it('a file replaced by a FIFO after the walk is skipped as special, without hanging', async () => {
		const dir = fs.mkdtempSync(path.join(tmp, 'fifo-'));
		const names = Array.from({ length: 50 }, (_, i) => `g${String(i).padStart(2, '0')}.py`);
		for (const n of names) fs.writeFileSync(path.join(dir, n), 'b = 2\n');
		let replaced: string[] = [];
		const seen = new Set<string>();
		const r = await scan([dir], {
			jobs: 1,
			batchSize: 1,
			onRecord: (rec) => {
				seen.add(rec.path);
				if (replaced.length > 0) return;
				replaced = names.filter((n) => !seen.has(n));
				for (const n of replaced) {
					fs.rmSync(path.join(dir, n));
					execFileSync('mkfifo', [path.join(dir, n)]);
				}
			},
		});
		assert.ok(replaced.length > 0);
		const special = r.skipped.filter((s) => s.reason === 'special').map((s) => s.path);
		assert.ok(special.length > 0);
		assert.equal(r.aggregates.totals.files + special.length, names.length);
	});
});
