// The scanner and its analysis pool: results independent of threads and batch sizes, records
// sorted, aggregates equal to sums of the records, a reusable pool, single-file analysis,
// cancellation, and the worker script found in both layouts (tsc's out/ and the bundle).

import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AnalyzerPool, MAX_CONSECUTIVE_DEATHS, PoolError } from '../../src/core/pool';
import { analyzeFile, scan, SMALL_SCAN } from '../../src/core/scanner';
import type { ScanResult } from '../../src/core/scanner';
import type { FileRecord } from '../../src/core/types';
import { isPending, materialize } from '../../src/core/fileIndex';

const REPO = path.resolve(__dirname, '../../..');

/** Files with hand-counted [lines, code, comment, blank]. */
const FILES: Record<string, { text: string; counts: [number, number, number, number]; language: string }> = {
	'a.py': { text: 'import os\n\n# note\ndef f():\n    return 1\n', counts: [5, 3, 1, 1], language: 'Python' },
	'src/b.ts': { text: '// head\nimport { x } from "./x";\n\nexport class B {}\n', counts: [4, 2, 1, 1], language: 'TypeScript' },
	'src/deep/c.c': { text: '/* a\n   b */\nint main(void) { return 0; }\n', counts: [3, 1, 2, 0], language: 'C' },
	'src/deep/d.js': { text: 'const s = "// not a comment";\n', counts: [1, 1, 0, 0], language: 'JavaScript' },
	'docs/e.md': { text: '# Title\n\ntext\n', counts: [3, 2, 0, 1], language: 'Markdown' },
	'f.py': { text: 'def g():\n    """Doc."""\n    pass\n', counts: [3, 2, 1, 0], language: 'Python' },
};

function strip(r: ScanResult): Omit<ScanResult, 'timing'> {
	const { timing: _t, ...rest } = r;
	return rest;
}

describe('scanner', () => {
	let tmp: string;
	let dir: string;

	before(() => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-scanner-'));
		dir = path.join(tmp, 'tree');
		for (const [rel, f] of Object.entries(FILES)) {
			fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
			fs.writeFileSync(path.join(dir, rel), f.text);
		}
		// Many more files so batches and threads really interleave.
		for (let i = 0; i < 300; i++) {
			fs.mkdirSync(path.join(dir, 'many', String(i % 7)), { recursive: true });
			fs.writeFileSync(path.join(dir, 'many', String(i % 7), `m${i}.py`), `# file ${i}\n${'x = 1\n'.repeat(i % 5)}\n`);
		}
		fs.writeFileSync(path.join(dir, 'bin.dat'), Buffer.from([1, 0, 2]));
	});

	after(() => {
		fs.rmSync(tmp, { recursive: true, force: true });
	});

	it('counts each file as worked out by hand, records sorted by path', async () => {
		const r = await scan([dir], { jobs: 1, keepRecords: true });
		assert.equal(r.version, 1);
		assert.deepEqual(r.roots, [path.resolve(dir)]);
		for (const [rel, f] of Object.entries(FILES)) {
			const rec = r.records!.find((x) => x.path === rel);
			assert.ok(rec, rel);
			assert.deepEqual([rec.lines, rec.code, rec.comment, rec.blank], f.counts, rel);
			assert.equal(rec.language, f.language, rel);
			assert.equal(rec.root, 0);
			assert.equal(rec.size, Buffer.byteLength(f.text));
			assert.ok(rec.mtimeMs > 0);
		}
		const paths = r.records!.map((x) => x.path);
		assert.deepEqual(paths, [...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
		assert.equal(r.records!.length, Object.keys(FILES).length + 300);
		assert.deepEqual(r.skipped, [{ path: 'bin.dat', root: 0, reason: 'binary', detail: r.skipped[0].detail }]);
	});

	it('aggregates equal the sums of the records', async () => {
		const r = await scan([dir], { jobs: 2, keepRecords: true });
		const recs = r.records!;
		const sum = (xs: FileRecord[], k: 'lines' | 'code' | 'comment' | 'blank' | 'bytes') => xs.reduce((s, x) => s + x[k], 0);
		const t = r.aggregates.totals;
		assert.deepEqual(t, { files: recs.length, lines: sum(recs, 'lines'), code: sum(recs, 'code'), comment: sum(recs, 'comment'), blank: sum(recs, 'blank'), bytes: sum(recs, 'bytes') });
		for (const l of r.aggregates.languages) {
			const mine = recs.filter((x) => x.language === l.name);
			assert.equal(l.files, mine.length, l.name);
			assert.equal(l.code, sum(mine, 'code'), l.name);
			assert.equal(l.functions, mine.reduce((s, x) => s + x.functions.length, 0), l.name);
		}
		const many = r.aggregates.folders.find((f) => f.path === 'many')!;
		assert.equal(many.files, 300);
		assert.equal(many.lines, recs.filter((x) => x.path.startsWith('many/')).reduce((s, x) => s + x.lines, 0));
	});

	it('identical results for every jobs value and batch size, small-scan path or workers', async () => {
		const base = strip(await scan([dir], { jobs: 1, keepRecords: true }));
		// By default the workers; with SMALL_SCAN this tree is a small scan (analyzed on the
		// calling thread); `files: 100` holds its first 100 files, then sends them on.
		for (const smallScan of [undefined, SMALL_SCAN, { files: 100, bytes: SMALL_SCAN.bytes }]) {
			for (const [jobs, batchSize] of [[0, 1], [2, 1], [2, 7], [3, 64], [2, 1000]]) {
				const r = await scan([dir], { jobs, batchSize, keepRecords: true, smallScan });
				assert.deepEqual(strip(r), base, `jobs ${jobs} batch ${batchSize} smallScan ${JSON.stringify(smallScan)}`);
			}
		}
		// The measured-slower strategy (reads on the calling thread) gives the same result too.
		assert.deepEqual(strip(await scan([dir], { jobs: 2, readOn: 'main', keepRecords: true })), base, 'readOn main');
		// And the walk that lists folders with synchronous calls (the CLI's).
		assert.deepEqual(strip(await scan([dir], { jobs: 2, keepRecords: true, syncListing: true, smallScan: SMALL_SCAN })), base, 'syncListing');
	});

	it('a scan that keeps no records sums structure the workers only counted: the same aggregates', async () => {
		const base = await scan([dir], { jobs: 1, keepRecords: true });
		// Something to count: the fixtures have imports, classes and functions.
		const sum = (k: 'imports' | 'classes' | 'functions') => base.aggregates.languages.reduce((s, l) => s + l[k], 0);
		assert.ok(sum('imports') > 0 && sum('classes') > 0 && sum('functions') > 0, JSON.stringify(base.aggregates.languages));
		for (const [jobs, batchSize] of [[2, 1], [2, 7], [3, 64]]) {
			const r = await scan([dir], { jobs, batchSize });
			assert.equal(r.records, undefined);
			assert.deepEqual(r.aggregates, base.aggregates, `jobs ${jobs} batch ${batchSize}`);
			assert.deepEqual(r.skipped, base.skipped);
		}
	});

	it('pendingStructure: records from the workers come with their structure as text, and decode to a full scan\'s', async () => {
		const base = await scan([dir], { jobs: 1, keepRecords: true });
		const seen: FileRecord[] = [];
		const r = await scan([dir], { jobs: 2, batchSize: 7, keepRecords: true, pendingStructure: true, onRecord: (x) => seen.push(x) });
		assert.ok(r.records!.every(isPending), 'every record pending');
		assert.equal(seen.length, r.records!.length);
		// Summed from the counts the workers packed, not from the text's length.
		assert.deepEqual(r.aggregates, base.aggregates);
		assert.deepEqual(r.records!.map((x) => materialize(x)), base.records);
		// On the calling thread (one job) they come in full.
		assert.ok(!(await scan([dir], { jobs: 1, keepRecords: true, pendingStructure: true })).records!.some(isPending));
	});

	it('a small walk is analyzed on the calling thread: no worker starts; past its limits, they do', { skip: fs.existsSync('/proc/self/task') ? false : 'threads counted from /proc' }, async () => {
		const threads = () => fs.readdirSync('/proc/self/task').length;
		const most = async (smallScan?: { files: number; bytes: number }) => {
			let n = 0;
			await scan([dir], { jobs: 2, smallScan, onRecord: () => (n = Math.max(n, threads())) });
			return n;
		};
		const local = await most(SMALL_SCAN);
		// Off (the default), over the file limit, over the byte limit: the pool's two workers are
		// running while records come.
		assert.ok((await most()) >= local + 2, 'off by default');
		assert.ok((await most({ files: 10, bytes: SMALL_SCAN.bytes })) >= local + 2, 'more files than the limit start workers');
		assert.ok((await most({ files: SMALL_SCAN.files, bytes: 1000 })) >= local + 2, 'more bytes than the limit start workers');
	});

	it('records are not kept unless asked; onRecord sees each file once', async () => {
		const seen: string[] = [];
		const r = await scan([dir], { jobs: 2, onRecord: (x) => seen.push(x.path) });
		assert.equal(r.records, undefined);
		assert.equal(seen.length, r.aggregates.totals.files);
		assert.equal(new Set(seen).size, seen.length);
	});

	it('timing: total and the documented phases', async () => {
		const r = await scan([dir], { jobs: 2 });
		for (const k of ['totalMs', 'walk', 'read', 'analyze', 'aggregate', 'sort']) {
			assert.equal(typeof r.timing[k], 'number', k);
			assert.ok(r.timing[k] >= 0, k);
		}
		assert.ok(r.timing.analyze > 0);
	});

	it('several roots: records refer to their root by index', async () => {
		const r = await scan([path.join(dir, 'src'), path.join(dir, 'docs')], { jobs: 2, keepRecords: true });
		assert.deepEqual(r.records!.map((x) => [x.root, x.path]), [[0, 'b.ts'], [0, 'deep/c.c'], [0, 'deep/d.js'], [1, 'e.md']]);
		assert.deepEqual(r.aggregates.folders.map((f) => [f.root, f.path]), [[0, ''], [0, 'deep'], [1, '']]);
	});

	it('an aborted scan rejects and leaves no worker behind', async () => {
		const ac = new AbortController();
		let n = 0;
		await assert.rejects(
			scan([dir], { jobs: 2, batchSize: 4, signal: ac.signal, onRecord: () => (++n === 10 ? ac.abort() : undefined) }),
			(e: Error) => e.name === 'AbortError',
		);
	});

	it('an error thrown by onRecord ends the scan with that error', async () => {
		await assert.rejects(scan([dir], { jobs: 2, onRecord: () => { throw new Error('boom'); } }), /boom/);
	});
});

describe('AnalyzerPool', () => {
	let tmp: string;
	before(() => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-pool-'));
		fs.writeFileSync(path.join(tmp, 'a.py'), 'def f():\n    """Doc."""\n    return 1\n');
		fs.writeFileSync(path.join(tmp, 'b.py'), '# c\n');
	});
	after(() => {
		fs.rmSync(tmp, { recursive: true, force: true });
	});

	const job = (n: string) => ({ absPath: path.join(tmp, n), relPath: n, root: 0 });

	it('keeps its workers across batches and scans; options can change between batches', async () => {
		const pool = new AnalyzerPool({ jobs: 2 });
		pool.start();
		assert.equal(pool.size, 2);
		try {
			const first = await pool.analyze([job('a.py'), job('b.py'), job('gone.py')]);
			assert.deepEqual(first.outcomes.map((o) => ('reason' in o ? o.reason : [o.code, o.comment])), [[2, 1], [0, 1], 'vanished']);
			pool.setOptions({ docstringsAsCode: true });
			const second = await pool.analyze([job('a.py')]);
			assert.deepEqual(second.outcomes.map((o) => ('reason' in o ? o.reason : [o.code, o.comment])), [[3, 0]]);
			// A scan given the pool uses it (its options replace the pool's) and leaves it open.
			const r = await scan([tmp], { pool, keepRecords: true });
			assert.equal(r.aggregates.totals.comment, 2);
			assert.equal(pool.size, 2);
			const many = await Promise.all(Array.from({ length: 20 }, () => pool.analyze([job('b.py')])));
			assert.equal(many.length, 20);
			assert.equal(pool.inFlight, 0);
		} finally {
			await pool.close();
		}
		assert.throws(() => pool.start(), /closed/);
	});

	it('a worker that dies rejects its batch (no hang) and is replaced', async () => {
		const dying = path.join(tmp, 'dyingWorker.js');
		fs.writeFileSync(dying, "require('node:worker_threads').parentPort.on('message', () => process.exit(3));\n");
		const pool = new AnalyzerPool({ jobs: 2, workerFile: dying });
		try {
			await assert.rejects(pool.analyze([job('a.py')]), (e: Error) => PoolError.is(e, 'worker-died') && /exited with code 3/.test(e.message));
			assert.equal(pool.size, 2);
			// Workers that always die: after MAX_CONSECUTIVE_DEATHS replacements the pool gives up
			// (no endless respawning) and says so.
			for (let i = 1; i <= MAX_CONSECUTIVE_DEATHS; i++) await assert.rejects(pool.analyze([job('a.py')]), /worker died/);
			await assert.rejects(pool.analyze([job('a.py')]), (e: Error) => PoolError.is(e, 'pool-broken'));
			await assert.rejects(pool.analyze([job('a.py')]), (e: Error) => PoolError.is(e, 'pool-broken'));
			assert.equal(pool.size, 0);
		} finally {
			await pool.close();
		}
	});

	it('a scan survives a worker crash: the lost batch is reported file by file', async () => {
		// Both first workers die on their first batch; their replacements are real workers.
		const marker = path.join(tmp, 'died-once');
		const flaky = path.join(tmp, 'flakyWorker.js');
		const real = path.join(REPO, 'out/src/core/analyzeWorker.js');
		fs.writeFileSync(flaky, [
			"const fs = require('node:fs');",
			`if (fs.existsSync(${JSON.stringify(marker)})) require(${JSON.stringify(real)});`,
			"else require('node:worker_threads').parentPort.once('message', () => { fs.writeFileSync(" + JSON.stringify(marker) + ", ''); process.exit(7); });",
		].join('\n'));
		const dir = path.join(tmp, 'many');
		fs.mkdirSync(dir);
		for (let i = 0; i < 100; i++) fs.writeFileSync(path.join(dir, `f${i}.py`), '# c\nx = 1\n');
		const pool = new AnalyzerPool({ jobs: 2, workerFile: flaky });
		try {
			const r = await scan([dir], { pool, batchSize: 10, keepRecords: true });
			const lost = r.skipped.filter((s) => s.reason === 'unreadable' && /worker died: exited with code 7/.test(s.detail ?? ''));
			assert.ok(lost.length >= 10, `lost ${lost.length}`);
			assert.equal(lost.length, r.skipped.length);
			assert.equal(r.records!.length + lost.length, 100);
			for (const rec of r.records!) assert.deepEqual([rec.code, rec.comment], [1, 1]);
		} finally {
			await pool.close();
		}
	});

	it('falls back to the calling thread when the worker script is missing', async () => {
		const pool = new AnalyzerPool({ jobs: 2, workerFile: path.join(tmp, 'missing.js') });
		try {
			const r = await pool.analyze([job('b.py')]);
			assert.equal(pool.size, 0);
			assert.equal(r.outcomes.length, 1);
		} finally {
			await pool.close();
		}
	});
});

describe('analyzeFile', () => {
	let tmp: string;
	before(() => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-afile-'));
	});
	after(() => {
		fs.rmSync(tmp, { recursive: true, force: true });
	});

	it('analyzes one file, or says why not', async () => {
		fs.writeFileSync(path.join(tmp, 'x.py'), 'import sys\n# c\n\nclass K:\n    def m(self):\n        pass\n');
		const rec = await analyzeFile(path.join(tmp, 'x.py'), 'x.py', 3);
		assert.ok(!('reason' in rec));
		assert.deepEqual([rec.path, rec.root, rec.language, rec.lines, rec.code, rec.comment, rec.blank], ['x.py', 3, 'Python', 6, 4, 1, 1]);
		assert.deepEqual(rec.classes, [{ name: 'K', line: 4 }]);
		assert.deepEqual(rec.functions, [{ name: 'm', line: 5 }]);
		assert.deepEqual(rec.imports, ['sys']);

		const gone = await analyzeFile(path.join(tmp, 'nope.py'), 'nope.py', 0);
		assert.equal('reason' in gone && gone.reason, 'vanished');
		const big = await analyzeFile(path.join(tmp, 'x.py'), 'x.py', 0, { maxFileSize: 10 });
		assert.equal('reason' in big && big.reason, 'too-large');
		execFileSync('mkfifo', [path.join(tmp, 'p.py')]);
		const fifo = await analyzeFile(path.join(tmp, 'p.py'), 'p.py', 0);
		assert.equal('reason' in fifo && fifo.reason, 'special');
	});
});

describe('bundle layout', () => {
	const cli = path.join(REPO, 'dist/cli.js');
	const worker = path.join(REPO, 'dist/analyzeWorker.js');
	it('dist/cli.js finds dist/analyzeWorker.js and scans with worker threads', { skip: fs.existsSync(cli) ? false : 'dist/ not built (npm test builds it first)' }, () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-dist-'));
		try {
			// More files than a small scan (analyzed without workers, see SMALL_SCAN).
			for (let i = 0; i < SMALL_SCAN.files + 1; i++) fs.writeFileSync(path.join(dir, `f${i}.py`), '# c\nx = 1\n');
			const r = spawnSync(process.execPath, [cli, dir, '--format', 'json', '--jobs', '2'], { encoding: 'utf8' });
			assert.equal(r.status, 0, r.stderr);
			const j = JSON.parse(r.stdout) as { totals: { files: number; code: number; comment: number } };
			assert.deepEqual([j.totals.files, j.totals.code, j.totals.comment], Array(3).fill(SMALL_SCAN.files + 1));
			// No warning: the worker script was found (else: 'analyzing on the calling thread').
			assert.equal(r.stderr, '');
			assert.ok(fs.existsSync(worker));
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});
