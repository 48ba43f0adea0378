// End-to-end: the CLI on a tree made by test/tools/gen-synth.mjs (a copy of the shared corpus
// generator). Its manifest states exact per-language counts in cloc's conventions, computed by
// the generator as it wrote each line — an independent source, not our analyzer.
//
// Empty files: cloc skips zero-byte files, but the generator's manifest counts them in `files`
// (with 0 lines, and separately in `emptyFiles`); we count them too, so `files` is compared
// as is. The generator's `.gitignore` files are not source files in its manifest; the scanner
// yields them like any file (as `git ls-files` does), so they are checked separately.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

const REPO = path.resolve(__dirname, '../../..');
const CLI = path.join(REPO, 'out/src/cli/main.js');
const GEN = path.join(REPO, 'test/tools/gen-synth.mjs');
const N_FILES = 2000;
const SEED = 20261128;

interface ManifestLang {
	files: number;
	blank: number;
	comment: number;
	code: number;
	bytes: number;
	emptyFiles: number;
	imports: number;
	classes: number;
	functions: number;
}
interface Manifest {
	totals: { emptyFiles: number; gitignoreFiles: number };
	allFiles: { byLanguage: Record<string, ManifestLang> };
	nonIgnoredFiles: { byLanguage: Record<string, ManifestLang> };
}
interface ManifestFile {
	path: string;
	language: string;
	ignored: boolean;
	bytes: number;
	lines: number;
	code: number;
	comment: number;
	blank: number;
	imports: number;
	classes: number;
	functions: number;
}
interface Lang {
	name: string;
	files: number;
	lines: number;
	code: number;
	comment: number;
	blank: number;
	bytes: number;
	imports: number;
	classes: number;
	functions: number;
}
interface JFile {
	root: number;
	path: string;
	language: string;
	lines: number;
	code: number;
	comment: number;
	blank: number;
	bytes: number;
	imports: string[];
	classes: { name: string; line: number }[];
	functions: { name: string; line: number }[];
}
interface Report {
	version: number;
	roots: string[];
	totals: Omit<Lang, 'name' | 'imports' | 'classes' | 'functions'>;
	languages: Lang[];
	folders?: ({ root: number; path: string } & Omit<Lang, 'name' | 'imports' | 'classes' | 'functions'>)[];
	files?: JFile[];
	skipped: { root: number; path: string; reason: string }[];
	timing: Record<string, number>;
}

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
	const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
	return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cliJson(args: string[]): Report {
	const r = cli([...args, '--format', 'json']);
	assert.equal(r.status, 0, r.stderr);
	return JSON.parse(r.stdout) as Report;
}

/** RFC 4180 parser (quoted fields, doubled quotes, CRLF) written for the test. */
function parseCsv(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let field = '';
	let i = 0;
	let quoted = false;
	while (i < text.length) {
		const c = text[i];
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') {
				field += '"';
				i += 2;
			} else if (c === '"') {
				quoted = false;
				i++;
			} else {
				field += c;
				i++;
			}
		} else if (c === '"') {
			quoted = true;
			i++;
		} else if (c === ',') {
			row.push(field);
			field = '';
			i++;
		} else if (c === '\r' && text[i + 1] === '\n') {
			row.push(field);
			rows.push(row);
			row = [];
			field = '';
			i += 2;
		} else {
			field += c;
			i++;
		}
	}
	assert.equal(field, '', 'CSV must end with CRLF');
	return rows;
}

/** Every file named `.gitignore` under dir (the generator's, not in its manifest). */
function gitignoreFiles(dir: string, rel = ''): string[] {
	const out: string[] = [];
	for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
		const r = rel ? `${rel}/${e.name}` : e.name;
		if (e.isDirectory()) out.push(...gitignoreFiles(dir, r));
		else if (e.name === '.gitignore') out.push(r);
	}
	return out;
}

function checkAgainstManifest(report: Report, expected: Record<string, ManifestLang>, gitignores: number): void {
	const seen = new Set<string>();
	for (const [name, m] of Object.entries(expected)) {
		const l = report.languages.find((x) => x.name === name);
		assert.ok(l, `language ${name} missing from the report (have: ${report.languages.map((x) => x.name).join(', ')})`);
		seen.add(name);
		const got = { files: l.files, code: l.code, comment: l.comment, blank: l.blank, lines: l.lines, bytes: l.bytes, imports: l.imports, classes: l.classes, functions: l.functions };
		const want = { files: m.files, code: m.code, comment: m.comment, blank: m.blank, lines: m.code + m.comment + m.blank, bytes: m.bytes, imports: m.imports, classes: m.classes, functions: m.functions };
		assert.deepEqual(got, want, `counts of ${name}`);
	}
	// Whatever else is in the report must be the .gitignore files, and only them.
	const others = report.languages.filter((l) => !seen.has(l.name));
	assert.equal(others.reduce((s, l) => s + l.files, 0), gitignores, `non-manifest languages: ${JSON.stringify(others)}`);
}

describe('CLI end-to-end on a gen-synth tree', () => {
	let tmp: string;
	let tree: string;
	let manifest: Manifest;
	let perFile: ManifestFile[];
	let gitignores: string[];
	let jsonByFile: Report;

	before(() => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-cli-e2e-'));
		tree = path.join(tmp, 'tree');
		const g = spawnSync(process.execPath, [GEN, tree, String(N_FILES), '--seed', String(SEED), '--manifest', path.join(tmp, 'manifest.json'), '--files', path.join(tmp, 'files.jsonl')], { encoding: 'utf8' });
		assert.equal(g.status, 0, g.stderr);
		manifest = JSON.parse(fs.readFileSync(path.join(tmp, 'manifest.json'), 'utf8')) as Manifest;
		perFile = fs.readFileSync(path.join(tmp, 'files.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ManifestFile);
		gitignores = gitignoreFiles(tree);
		assert.equal(gitignores.length, manifest.totals.gitignoreFiles);
		jsonByFile = cliJson([tree, '--by-file', '--by-folder', '--jobs', '2']);
	});

	after(() => {
		fs.rmSync(tmp, { recursive: true, force: true });
	});

	it('per-language counts equal the manifest (non-ignored files), exactly', () => {
		// Every .gitignore of the generator sits in a kept folder: all of them are scanned.
		checkAgainstManifest(jsonByFile, manifest.nonIgnoredFiles.byLanguage, gitignores.length);
		assert.equal(jsonByFile.skipped.length, 0, JSON.stringify(jsonByFile.skipped.slice(0, 5)));
	});

	it('empty files are counted as files with 0 lines, as many as the manifest says', () => {
		for (const [name, m] of Object.entries(manifest.nonIgnoredFiles.byLanguage)) {
			const empty = jsonByFile.files!.filter((f) => f.language === name && f.lines === 0);
			assert.equal(empty.length, m.emptyFiles, `empty ${name} files`);
			for (const f of empty) assert.equal(f.bytes, 0);
		}
	});

	it('--by-file counts equal the generator\'s per-file list', () => {
		const kept = perFile.filter((f) => !f.ignored);
		const files = jsonByFile.files!;
		const byPath = new Map(files.map((f) => [f.path, f]));
		const gi = new Set(gitignores);
		assert.deepEqual(files.filter((f) => !gi.has(f.path)).map((f) => f.path).sort(), kept.map((f) => f.path).sort());
		const mismatches: string[] = [];
		for (const m of kept) {
			const f = byPath.get(m.path)!;
			const got = { language: f.language, lines: f.lines, code: f.code, comment: f.comment, blank: f.blank, bytes: f.bytes, imports: f.imports.length, classes: f.classes.length, functions: f.functions.length };
			const want = { language: m.language, lines: m.lines, code: m.code, comment: m.comment, blank: m.blank, bytes: m.bytes, imports: m.imports, classes: m.classes, functions: m.functions };
			try {
				assert.deepEqual(got, want);
			} catch {
				mismatches.push(`${m.path}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
			}
		}
		assert.deepEqual(mismatches, []);
		// Records are sorted by root then path.
		const paths = files.map((f) => f.path);
		assert.deepEqual(paths, [...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
	});

	it('--by-folder: the root folder holds the totals, every folder its files recursively', () => {
		const folders = jsonByFile.folders!;
		const root = folders.find((f) => f.path === '')!;
		assert.deepEqual({ ...root, root: undefined, path: undefined }, { ...jsonByFile.totals, root: undefined, path: undefined });
		// Recompute a few folders from the generator's per-file list (plus .gitignore files).
		for (const folder of ['packages', 'apps', 'docs']) {
			const f = folders.find((x) => x.path === folder);
			const want = perFile.filter((m) => !m.ignored && m.path.startsWith(folder + '/'));
			const giHere = gitignores.filter((p) => p.startsWith(folder + '/'));
			assert.ok(f, `folder ${folder}`);
			assert.equal(f.files, want.length + giHere.length, `files in ${folder}`);
			assert.equal(f.code - giHere.reduce((s, p) => s + jsonByFile.files!.find((x) => x.path === p)!.code, 0), want.reduce((s, m) => s + m.code, 0), `code in ${folder}`);
			assert.equal(f.comment, want.reduce((s, m) => s + m.comment, 0) + giHere.reduce((s, p) => s + jsonByFile.files!.find((x) => x.path === p)!.comment, 0), `comments in ${folder}`);
		}
	});

	it('--no-ignore counts equal the manifest (all files)', () => {
		const all = cliJson([tree, '--no-ignore']);
		checkAgainstManifest(all, manifest.allFiles.byLanguage, gitignores.length);
	});

	it('--jobs 1, 2 and 3 give identical results (timing aside)', () => {
		const strip = (r: Report) => ({ ...r, timing: undefined });
		const j1 = cliJson([tree, '--by-file', '--by-folder', '--jobs', '1']);
		const j3 = cliJson([tree, '--by-file', '--by-folder', '--jobs', '3']);
		assert.deepEqual(strip(j1), strip(jsonByFile));
		assert.deepEqual(strip(j3), strip(jsonByFile));
	});

	it('JSON: schema fields and timing phases', () => {
		const r = jsonByFile;
		assert.equal(r.version, 1);
		assert.deepEqual(r.roots, [path.resolve(tree)]);
		for (const k of ['files', 'lines', 'code', 'comment', 'blank', 'bytes']) assert.equal(typeof (r.totals as Record<string, number>)[k], 'number');
		for (const k of ['totalMs', 'walk', 'read', 'analyze', 'aggregate']) assert.equal(typeof r.timing[k], 'number', `timing.${k}`);
		const sum = r.languages.reduce((s, l) => s + l.code, 0);
		assert.equal(sum, r.totals.code);
		for (const l of r.languages) assert.equal(l.code + l.comment + l.blank, l.lines, `invariant for ${l.name}`);
	});

	it('CSV (languages, files, folders) parses back and agrees with JSON', () => {
		const byLang = cli([tree, '--format', 'csv']);
		assert.equal(byLang.status, 0, byLang.stderr);
		const rows = parseCsv(byLang.stdout);
		assert.deepEqual(rows[0], ['language', 'category', 'files', 'lines', 'code', 'comment', 'blank', 'bytes', 'imports', 'classes', 'functions']);
		assert.deepEqual(
			rows.slice(1).map((r) => [r[0], ...r.slice(2).map(Number)]),
			jsonByFile.languages.map((l) => [l.name, l.files, l.lines, l.code, l.comment, l.blank, l.bytes, l.imports, l.classes, l.functions]),
		);

		const byFile = parseCsv(cli([tree, '--format', 'csv', '--by-file']).stdout);
		assert.deepEqual(byFile[0], ['root', 'path', 'language', 'lines', 'code', 'comment', 'blank', 'bytes', 'imports', 'classes', 'functions']);
		assert.deepEqual(
			byFile.slice(1).map((r) => [Number(r[0]), r[1], r[2], ...r.slice(3).map(Number)]),
			jsonByFile.files!.map((f) => [f.root, f.path, f.language, f.lines, f.code, f.comment, f.blank, f.bytes, f.imports.length, f.classes.length, f.functions.length]),
		);

		const byFolder = parseCsv(cli([tree, '--format', 'csv', '--by-folder']).stdout);
		assert.deepEqual(
			byFolder.slice(1).map((r) => [Number(r[0]), r[1], ...r.slice(2).map(Number)]),
			jsonByFile.folders!.map((f) => [f.root, f.path, f.files, f.lines, f.code, f.comment, f.blank, f.bytes]),
		);
	});

	it('Markdown tables parse back and agree with JSON', () => {
		const md = cli([tree, '--format', 'markdown', '--by-file']);
		assert.equal(md.status, 0, md.stderr);
		const sections = md.stdout.split(/^## /m);
		// Cells are split at ' | ' (names here have no '|'), then CommonMark's backslash escapes of
		// ASCII punctuation are undone, as a Markdown reader does (`C\#` is `C#`).
		const tableRows = (sec: string) =>
			sec.split('\n').filter((l) => l.startsWith('| ')).slice(2).map((l) => l.slice(2, -2).split(' | ').map((c) => c.replace(/\\([!-/:-@[-`{-~])/g, '$1')));
		const langSec = sections.find((s) => s.startsWith('Languages'))!;
		const langRows = tableRows(langSec);
		const total = langRows.pop()!;
		assert.deepEqual(
			langRows.map((r) => [r[0], ...r.slice(1).map(Number)]),
			jsonByFile.languages.map((l) => [l.name, l.files, l.lines, l.code, l.comment, l.blank, l.bytes, l.imports, l.classes, l.functions]),
		);
		const t = jsonByFile.totals;
		assert.deepEqual(total.slice(0, 7), ['**Total**', ...[t.files, t.lines, t.code, t.comment, t.blank, t.bytes].map(String)]);
		const fileRows = tableRows(sections.find((s) => s.startsWith('Files'))!);
		assert.deepEqual(
			fileRows.map((r) => [r[0], r[1], ...r.slice(2).map(Number)]),
			jsonByFile.files!.map((f) => [f.path, f.language, f.lines, f.code, f.comment, f.blank, f.bytes, f.imports.length, f.classes.length, f.functions.length]),
		);
	});

	it('the text table parses back and agrees with JSON', () => {
		const tb = cli([tree]);
		assert.equal(tb.status, 0, tb.stderr);
		const lines = tb.stdout.split('\n');
		const head = lines.findIndex((l) => /^ Language\s+Files\s+Lines\s+Code\s+Comments\s+Blanks\s+Bytes$/.test(l));
		assert.ok(head > 0, tb.stdout.slice(0, 500));
		const rows: (string | number)[][] = [];
		for (let i = head + 2; !lines[i].startsWith('---'); i++) {
			const m = /^ (.+?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$/.exec(lines[i]);
			assert.ok(m, `row: ${lines[i]}`);
			rows.push([m[1], ...m.slice(2).map(Number)]);
		}
		assert.deepEqual(rows, jsonByFile.languages.map((l) => [l.name, l.files, l.lines, l.code, l.comment, l.blank, l.bytes]));
		const totalLine = lines.find((l) => l.startsWith(' Total '))!;
		const t = jsonByFile.totals;
		assert.deepEqual(totalLine.trim().split(/\s+/).slice(1).map(Number), [t.files, t.lines, t.code, t.comment, t.blank, t.bytes]);
	});

	it('two roots: paths stay relative to their root, told apart by "root"', () => {
		const sub = ['docs', 'apps'].map((d) => path.join(tree, d));
		const r = cliJson([...sub, '--by-file']);
		assert.deepEqual(r.roots, sub);
		const single = sub.map((s) => cliJson([s, '--by-file']));
		assert.deepEqual(r.files!.filter((f) => f.root === 0).map((f) => ({ ...f, root: 0 })), single[0].files);
		assert.deepEqual(r.files!.filter((f) => f.root === 1).map((f) => ({ ...f, root: 0 })), single[1].files);
		assert.equal(r.totals.code, single[0].totals.code + single[1].totals.code);
	});

	it('a root given twice counts once, with a note on stderr; with --index too', () => {
		const docs = path.join(tree, 'docs');
		const once = cliJson([docs]);
		for (const extra of [[], ['--index', path.join(tmp, 'twice.idx')]]) {
			const r = cli([docs, docs + path.sep, path.relative(process.cwd(), docs), '--format', 'json', ...extra]);
			assert.equal(r.status, 0, r.stderr);
			const twice = JSON.parse(r.stdout) as Report;
			assert.deepEqual(twice.roots, [docs]);
			assert.deepEqual(twice.totals, once.totals);
			assert.equal(r.stderr.split(`${docs} is given more than once; counted once`).length - 1, 2, r.stderr);
		}
	});
});

describe('CLI usage', () => {
	const usage = (args: string[], pattern: RegExp) => {
		const r = cli(args);
		assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
		assert.match(r.stderr, pattern);
		assert.equal(r.stdout, '');
	};

	it('unknown flag → exit 2', () => usage(['--frobnicate', '.'], /Unknown option '--frobnicate'/));
	it('bad --jobs → exit 2', () => usage(['--jobs', 'many', '.'], /--jobs: expected a whole number, got 'many'/));
	it('negative --jobs → exit 2', () => usage(['--jobs=-1', '.'], /--jobs/));
	it('bad --max-file-size → exit 2', () => usage(['--max-file-size', '10XB', '.'], /--max-file-size: expected a size/));
	it('bad --format → exit 2', () => usage(['--format', 'xml', '.'], /--format: expected one of table, json, csv, markdown, got 'xml'/));
	it('--format without a value → exit 2', () => usage(['--format'], /--format/));
	it('missing path → exit 2', () => usage([path.join(os.tmpdir(), 'ws-no-such-folder-' + process.pid)], /no such file or folder/));
	it('csv with --by-file and --by-folder → exit 2', () => usage(['--format', 'csv', '--by-file', '--by-folder', '.'], /one table/));

	it('--help and --version exit 0', () => {
		const h = cli(['--help']);
		assert.equal(h.status, 0);
		assert.match(h.stdout, /^Usage: workspace-stats/);
		for (const flag of ['--format', '--by-file', '--by-folder', '--include', '--exclude', '--no-ignore', '--follow-symlinks', '--max-file-size', '--docstrings-as-code', '--like-cloc', '--jobs']) {
			assert.ok(h.stdout.includes(flag), `help mentions ${flag}`);
		}
		const v = cli(['--version']);
		assert.equal(v.status, 0);
		const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
		assert.equal(v.stdout, `${pkg.version}\n`);
	});

	it('--help mentions --index and the watch command, and points to watch --help', () => {
		const h = cli(['--help']);
		assert.equal(h.status, 0);
		assert.match(h.stdout, /^ +--index PATH +\S/m);
		assert.match(h.stdout, /^ +workspace-stats watch \[options\] DIR\.\.\.$/m);
		assert.ok(h.stdout.includes('workspace-stats watch --help'), h.stdout);
		// …which exists.
		const w = cli(['watch', '--help']);
		assert.equal(w.status, 0);
		assert.match(w.stdout, /^Usage: workspace-stats watch/);
	});

	it('progress goes to stderr only when it is a terminal', { skip: fs.existsSync('/usr/bin/script') ? false : 'needs script(1) for a pseudo-terminal' }, () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-cli-tty-'));
		try {
			for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(dir, `f${i}.py`), 'x = 1\n');
			const piped = cli([dir, '--format', 'json']);
			assert.equal(piped.stderr, '');
			assert.ok(!piped.stdout.includes('scanning'));
			// script(1) gives the CLI a pseudo-terminal; stdout and stderr both land in its output.
			const cmd = [process.execPath, CLI, dir, '--format', 'json'].map((a) => `'${a}'`).join(' ');
			const tty = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8' });
			assert.equal(tty.status, 0, tty.stderr);
			assert.match(tty.stdout, /scanning: \d+ files, [\d.]+ MB/);
			// The progress line is erased before the report is written.
			assert.ok(tty.stdout.includes('\r\x1b[K{'), JSON.stringify(tty.stdout.slice(0, 200)));
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});

	it('--max-file-size units: 1k = 1024 bytes', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-cli-size-'));
		try {
			fs.writeFileSync(path.join(dir, 'a.py'), 'x = 1\n'.repeat(1024 / 6) + 'y\n'.repeat(2)); // 1024 bytes
			fs.writeFileSync(path.join(dir, 'b.py'), 'x = 1\n'.repeat(1024 / 6) + 'y\n'.repeat(3)); // 1026 bytes
			const r = cliJson([dir, '--max-file-size', '1k']);
			assert.equal(r.totals.files, 1);
			assert.deepEqual(r.skipped.map((s) => [s.path, s.reason]), [['b.py', 'too-large']]);
			const r2 = cliJson([dir, '--max-file-size', '1025']);
			assert.equal(r2.totals.files, 1);
			const r3 = cliJson([dir, '--max-file-size', '0']);
			assert.equal(r3.totals.files, 2);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});

	it('--max-file-size under one byte but not 0 → exit 2 (it used to mean "no limit")', () => {
		usage(['--max-file-size', '0.5', '.'], /--max-file-size: '0\.5' is less than one byte \(use 0 for no limit\)/);
		usage(['--max-file-size', '0.9b', '.'], /--max-file-size: '0\.9b' is less than one byte/);
		// 0 itself still means no limit, and a fraction of a unit is still bytes: 0.5k = 512.
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-cli-size0-'));
		try {
			fs.writeFileSync(path.join(dir, 'a.py'), 'x = 1\n'.repeat(100)); // 600 bytes
			assert.equal(cliJson([dir, '--max-file-size', '0.0']).totals.files, 1);
			assert.deepEqual(cliJson([dir, '--max-file-size', '0.5k']).skipped.map((s) => [s.path, s.reason]), [['a.py', 'too-large']]);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});

	it('--jobs above the maximum (4 per core, at least 8) is clamped, with a note on stderr', () => {
		// Worked out here, not read from the code: the documented maximum.
		const max = Math.max(8, 4 * os.availableParallelism());
		// max + 3, not 100000: without the clamp this test must not start 100,000 threads.
		const asked = max + 3;
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-cli-jobs-'));
		try {
			fs.writeFileSync(path.join(dir, 'a.py'), 'x = 1\n# c\n\n');
			const r = cli([dir, '--jobs', String(asked), '--format', 'json']);
			assert.equal(r.status, 0, r.stderr);
			assert.equal(r.stderr, `workspace-stats: --jobs ${asked}: using ${max} threads (at most 4 per core, at least 8)\n`);
			// 'x = 1\n' (6 bytes) + '# c\n' (4) + '\n' (1) = 11 bytes.
			assert.deepEqual((JSON.parse(r.stdout) as Report).totals, { files: 1, lines: 3, code: 1, comment: 1, blank: 1, bytes: 11 });
			// At the maximum: no note.
			const atMax = cli([dir, '--jobs', String(max), '--format', 'json']);
			assert.equal(atMax.status, 0, atMax.stderr);
			assert.equal(atMax.stderr, '');
			// Through the index too.
			const idx = cli([dir, '--jobs', String(asked), '--format', 'json', '--index', path.join(dir, '..', path.basename(dir) + '.idx')]);
			fs.rmSync(path.join(dir, '..', path.basename(dir) + '.idx'), { force: true });
			assert.equal(idx.status, 0, idx.stderr);
			assert.equal(idx.stderr, `workspace-stats: --jobs ${asked}: using ${max} threads (at most 4 per core, at least 8)\n`);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});

	it('--like-cloc reaches the scan, and an index built without it is not reused with it', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-cli-cloc-'));
		try {
			fs.mkdirSync(path.join(dir, 'src'));
			// By hand: 4 code lines and 1 comment; cloc's reading (no strings) opens a comment
			// at the glob's `/*` that the doc comment's `*/` closes: 2 code, 3 comment.
			fs.writeFileSync(path.join(dir, 'src/a.ts'), "const g = ['**/*.ts'];\nlet b = 1;\nlet c = 2;\n/** doc */\nfunction f() {}\n");
			const idx = path.join(dir, 'idx');
			const ts = (r: Report) => r.languages.find((l) => l.name === 'TypeScript')!;
			for (const [args, want] of [[[], [4, 1]], [['--like-cloc'], [2, 3]], [[], [4, 1]]] as [string[], number[]][]) {
				const r = cliJson([path.join(dir, 'src'), '--index', idx, ...args]);
				assert.deepEqual([ts(r).code, ts(r).comment], want, args.join(' '));
				assert.equal(ts(r).functions, 1);
			}
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});

	it('include/exclude (repeatable) and --docstrings-as-code reach the scan', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-cli-opts-'));
		try {
			fs.mkdirSync(path.join(dir, 'src'));
			fs.mkdirSync(path.join(dir, 'vendor'));
			fs.writeFileSync(path.join(dir, 'src/a.py'), 'def f():\n    """Doc."""\n    return 1\n');
			fs.writeFileSync(path.join(dir, 'src/b.js'), 'let a = 1;\n');
			fs.writeFileSync(path.join(dir, 'vendor/c.py'), 'x = 1\n');
			fs.writeFileSync(path.join(dir, 'd.md'), '# T\n');
			const r = cliJson([dir, '--include', '*.py', '--include', '*.js', '--exclude', 'vendor', '--by-file']);
			assert.deepEqual(r.files!.map((f) => f.path), ['src/a.py', 'src/b.js']);
			const py = r.languages.find((l) => l.name === 'Python')!;
			assert.deepEqual([py.code, py.comment], [2, 1]);
			const r2 = cliJson([dir, '--include', 'src/**', '--docstrings-as-code']);
			const py2 = r2.languages.find((l) => l.name === 'Python')!;
			assert.deepEqual([py2.code, py2.comment], [3, 0]);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});
