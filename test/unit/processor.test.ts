import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FileIndex } from '../../src/core/fileIndex';
import { JsonlIndexStore } from '../../src/core/indexStore';
import { Processor } from '../../src/core/processor';
import type { BatchEvent, ProcessorOptions } from '../../src/core/processor';
import { analyzeFile, scan } from '../../src/core/scanner';
import type { FileRecord } from '../../src/core/types';
import { indexFingerprint } from '../../src/core/warmScan';
import { makeTree, writeFile } from './helpers/tempTree';

function tempDir(): string {
	const dir = fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), 'ws-proc-')));
	test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
	return dir;
}

function sorted(records: Iterable<FileRecord>): FileRecord[] {
	return [...records].sort((a, b) => a.root - b.root || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

interface Setup {
	tree: string;
	indexFile: string;
	index: FileIndex;
	proc: Processor;
	batches: BatchEvent[];
	analyzed: string[];
}

/** A tree, its cold-scanned index, a store, and a started processor recording its batches. */
async function setup(opts: Partial<ProcessorOptions> = {}, files = 30): Promise<Setup> {
	const dir = tempDir();
	const tree = path.join(dir, 'tree');
	makeTree(tree, 77, files);
	const cold = await scan([tree], { keepRecords: true, jobs: 1 });
	const index = new FileIndex([tree], cold.records);
	const indexFile = path.join(dir, 'index');
	const store = new JsonlIndexStore(indexFile, { fsync: false });
	const meta = { roots: [tree], fingerprint: indexFingerprint({}) };
	await store.save(index.values(), meta);
	const analyzed: string[] = [];
	const proc = new Processor({
		index, store, meta, batchWindowMs: 30,
		analyze: (abs, rel, root) => {
			analyzed.push(rel);
			return analyzeFile(abs, rel, root);
		},
		...opts,
	});
	const batches: BatchEvent[] = [];
	proc.onDidProcessBatch((b) => batches.push(b));
	proc.start();
	test.after(() => proc.stop({ drain: false }));
	return { tree, indexFile, index, proc, batches, analyzed };
}

/** The index, the store on disk and a cold scan all agree. */
async function assertMatchesCold(s: Setup): Promise<void> {
	const cold = await scan([s.tree], { keepRecords: true, jobs: 1 });
	assert.deepEqual(sorted(s.index.values()), cold.records);
	assert.deepEqual(s.index.snapshot(), cold.aggregates);
	const loaded = await new JsonlIndexStore(s.indexFile).load();
	assert.equal(loaded.status, 'ok');
	assert.deepEqual(sorted(loaded.records), cold.records);
}

test('a created, a changed and a deleted file show up in one batch with the right totals', async () => {
	const s = await setup();
	const before = s.index.snapshot().totals;
	writeFile(path.join(s.tree, 'new', 'a.py'), 'import os\n\n# c\ndef f():\n    return 1\n');
	const victim = [...s.index.values()].find((r) => r.path.endsWith('.py'))!;
	fs.rmSync(path.join(s.tree, victim.path));
	const edited = [...s.index.values()].find((r) => r.path.endsWith('.js'))!;
	fs.appendFileSync(path.join(s.tree, edited.path), 'function zz() {}\n');
	s.proc.enqueue({ type: 'created', path: path.join(s.tree, 'new', 'a.py') });
	s.proc.enqueue({ type: 'deleted', path: path.join(s.tree, victim.path) });
	s.proc.enqueue({ type: 'changed', path: path.join(s.tree, edited.path) });
	await s.proc.whenIdle();
	assert.equal(s.batches.length, 1);
	const b = s.batches[0];
	assert.deepEqual(b.changed.map((c) => `${c.kind}:${c.path}`).sort(), [`changed:${edited.path}`, `removed:${victim.path}`, 'added:new/a.py'].sort());
	// a.py: 5 lines = 3 code (import, def, return) + 1 comment + 1 blank.
	assert.equal(b.aggregates.totals.after.files, before.files);
	assert.equal(b.aggregates.totals.after.lines, before.lines + 5 - victim.lines + 1);
	assert.equal(b.aggregates.totals.after.comment, before.comment + 1 - victim.comment);
	assert.ok(b.aggregates.folders.some((f) => f.after?.path === 'new' && f.before === null));
	assert.equal(b.events, 3);
	assert.ok(b.timing.windowMs >= 25, `window ${b.timing.windowMs}`);
	await assertMatchesCold(s);
});

test('create + change + delete of a temp file nets to nothing: no analysis, no batch event', async () => {
	const s = await setup();
	const tmp = path.join(s.tree, 'd0', 'x.tmp.py');
	writeFile(tmp, 'x = 1\n');
	s.proc.enqueue({ type: 'created', path: tmp });
	fs.appendFileSync(tmp, 'y = 2\n');
	s.proc.enqueue({ type: 'changed', path: tmp });
	fs.rmSync(tmp);
	s.proc.enqueue({ type: 'deleted', path: tmp });
	await s.proc.whenIdle();
	assert.deepEqual(s.analyzed, []);
	assert.deepEqual(s.batches, []);
	assert.equal(s.proc.stats.batches, 1);
	await assertMatchesCold(s);
});

test('repeated events for one path are analyzed once; a burst is one batch', async () => {
	const s = await setup();
	for (let i = 0; i < 20; i++) writeFile(path.join(s.tree, 'burst', `f${i}.c`), `int f${i}(void) { return ${i}; }\n`);
	for (let rep = 0; rep < 3; rep++) {
		for (let i = 0; i < 20; i++) s.proc.enqueue({ type: rep === 0 ? 'created' : 'changed', path: path.join(s.tree, 'burst', `f${i}.c`) });
	}
	await s.proc.whenIdle();
	assert.equal(s.batches.length, 1);
	assert.equal(s.batches[0].changed.length, 20);
	assert.equal(s.batches[0].events, 60);
	assert.equal(s.analyzed.length, 20);
	await assertMatchesCold(s);
});

test('batches are cut at maxBatch paths', async () => {
	const s = await setup({ maxBatch: 5, batchWindowMs: 1000 });
	for (let i = 0; i < 12; i++) writeFile(path.join(s.tree, 'many', `f${i}.sh`), `echo ${i}\n`);
	for (let i = 0; i < 12; i++) s.proc.enqueue({ type: 'created', path: path.join(s.tree, 'many', `f${i}.sh`) });
	await s.proc.whenIdle();
	assert.deepEqual(s.batches.map((b) => b.changed.length), [5, 5, 2]);
	// Full batches skip the window; only the last (partial) one waits it out.
	assert.deepEqual(s.batches.map((b) => b.timing.windowMs >= 900), [false, false, true]);
	await assertMatchesCold(s);
});

test('a deleted folder drops every record under it; a new folder is rescanned from one event', async () => {
	const s = await setup({}, 60);
	// A copy: the aggregates' own entry is updated (and dropped) by the batch.
	const folder = { ...[...s.index.aggregates.folders.values()].find((f) => f.path !== '' && !f.path.includes('/') && f.files > 3)! };
	fs.rmSync(path.join(s.tree, folder.path), { recursive: true });
	s.proc.enqueue({ type: 'deletedFolder', path: path.join(s.tree, folder.path) });
	await s.proc.whenIdle();
	assert.equal(s.batches.length, 1);
	assert.equal(s.batches[0].changed.filter((c) => c.kind === 'removed').length, folder.files);
	await assertMatchesCold(s);

	writeFile(path.join(s.tree, 'fresh', 'a', 'one.py'), 'print(1)\n');
	writeFile(path.join(s.tree, 'fresh', 'b', 'two.md'), '# Two\n\ntext\n');
	writeFile(path.join(s.tree, 'fresh', 'b', 'skip.log'), 'ignored by .gitignore\n');
	s.proc.enqueue({ type: 'created', path: path.join(s.tree, 'fresh') });
	await s.proc.whenIdle();
	assert.equal(s.batches.length, 2);
	assert.deepEqual(s.batches[1].rescanned, [{ root: 0, path: 'fresh' }]);
	assert.deepEqual(s.batches[1].changed.map((c) => c.path).sort(), ['fresh/a/one.py', 'fresh/b/two.md']);
	await assertMatchesCold(s);
});

test('editing .gitignore re-evaluates its folder', async () => {
	const s = await setup({}, 60);
	const md = [...s.index.values()].filter((r) => r.path.endsWith('.md'));
	assert.ok(md.length > 0);
	fs.appendFileSync(path.join(s.tree, '.gitignore'), '*.md\n');
	s.proc.enqueue({ type: 'changed', path: path.join(s.tree, '.gitignore') });
	await s.proc.whenIdle();
	const removed = s.batches[0].changed.filter((c) => c.kind === 'removed').map((c) => c.path).sort();
	assert.deepEqual(removed, md.map((r) => r.path).sort());
	await assertMatchesCold(s);
});

test('an error in one file is reported with its path and the loop goes on', async () => {
	const s = await setup({
		analyze: (abs, rel, root) => {
			if (rel.endsWith('boom.py')) return Promise.reject(new Error('disk on fire'));
			return analyzeFile(abs, rel, root);
		},
	});
	writeFile(path.join(s.tree, 'boom.py'), 'x = 1\n');
	writeFile(path.join(s.tree, 'fine.py'), 'y = 2\n');
	writeFile(path.join(s.tree, 'bin.dat'), Buffer.from([0, 1, 2, 3]));
	s.proc.enqueue({ type: 'created', path: path.join(s.tree, 'boom.py') });
	s.proc.enqueue({ type: 'created', path: path.join(s.tree, 'fine.py') });
	s.proc.enqueue({ type: 'created', path: path.join(s.tree, 'bin.dat') });
	await s.proc.whenIdle();
	assert.deepEqual(s.batches[0].errors, [{ root: 0, path: 'boom.py', reason: 'analysis failed: disk on fire' }]);
	assert.deepEqual(s.batches[0].skipped.map((k) => [k.path, k.reason]), [['bin.dat', 'binary']]);
	assert.deepEqual(s.batches[0].changed.map((c) => c.path), ['fine.py']);
	// Still alive.
	writeFile(path.join(s.tree, 'later.py'), 'z = 3\n');
	s.proc.enqueue({ type: 'created', path: path.join(s.tree, 'later.py') });
	await s.proc.whenIdle();
	assert.deepEqual(s.batches[1].changed.map((c) => c.path), ['later.py']);
});

test('the analysis cache answers when a file returns to a size and mtime it had', async () => {
	const s = await setup();
	const f = path.join(s.tree, 'cached.py');
	writeFile(f, 'a = 1\n');
	fs.utimesSync(f, 1_700_000_000, 1_700_000_000);
	s.proc.enqueue({ type: 'created', path: f });
	await s.proc.whenIdle();
	writeFile(f, 'a = 1\nb = 2\n');
	s.proc.enqueue({ type: 'changed', path: f });
	await s.proc.whenIdle();
	writeFile(f, 'a = 1\n');
	fs.utimesSync(f, 1_700_000_000, 1_700_000_000);
	s.proc.enqueue({ type: 'changed', path: f });
	await s.proc.whenIdle();
	assert.deepEqual(s.batches.map((b) => b.cache), [{ hits: 0, misses: 1 }, { hits: 0, misses: 1 }, { hits: 1, misses: 0 }]);
	assert.equal(s.analyzed.filter((p) => p === 'cached.py').length, 2);
	await assertMatchesCold(s);
});

test('idle means idle: no timer is left running between batches', async () => {
	const s = await setup();
	await s.proc.whenIdle();
	const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
	const idle = timers();
	writeFile(path.join(s.tree, 'tick.py'), 'pass\n');
	s.proc.enqueue({ type: 'created', path: path.join(s.tree, 'tick.py') });
	assert.equal(timers(), idle, 'the window timer starts only when the loop runs');
	await new Promise((r) => setImmediate(r));
	assert.equal(timers(), idle + 1, 'one window timer while a batch is collected');
	await s.proc.whenIdle();
	assert.equal(timers(), idle);
});

test('stop() drains by default; stop({ drain: false }) abandons, and the index on disk is always a whole batch', async () => {
	const s = await setup({ batchWindowMs: 200 });
	writeFile(path.join(s.tree, 'drained.py'), 'pass\n');
	s.proc.enqueue({ type: 'created', path: path.join(s.tree, 'drained.py') });
	await s.proc.stop();
	assert.ok(s.index.has(0, 'drained.py'));
	assert.equal(s.proc.enqueue({ type: 'created', path: path.join(s.tree, 'x.py') }), false);
	await assertMatchesCold(s);

	const s2 = await setup({ batchWindowMs: 200 });
	writeFile(path.join(s2.tree, 'dropped.py'), 'pass\n');
	s2.proc.enqueue({ type: 'created', path: path.join(s2.tree, 'dropped.py') });
	await s2.proc.stop({ drain: false });
	assert.equal(s2.index.has(0, 'dropped.py'), false);
	const loaded = await new JsonlIndexStore(s2.indexFile).load();
	assert.equal(loaded.status, 'ok');
	assert.deepEqual(sorted(loaded.records), sorted(s2.index.values()));
});

test('an AbortSignal stops the loop', async () => {
	const ac = new AbortController();
	const s = await setup({ signal: ac.signal, batchWindowMs: 3000 });
	writeFile(path.join(s.tree, 'late.py'), 'pass\n');
	s.proc.enqueue({ type: 'created', path: path.join(s.tree, 'late.py') });
	const t0 = performance.now();
	ac.abort();
	await s.proc.stop();
	assert.ok(performance.now() - t0 < 2000, 'the window was cut short');
	assert.equal(s.index.has(0, 'late.py'), false);
	assert.equal(s.proc.enqueue({ type: 'created', path: path.join(s.tree, 'late.py') }), false);
});

test('paths outside the roots are ignored; the listener API disposes', async () => {
	const s = await setup();
	assert.equal(s.proc.enqueue({ type: 'created', path: path.join(path.dirname(s.tree), 'elsewhere.py') }), false);
	const seen: number[] = [];
	const sub = s.proc.onDidProcessBatch((b) => seen.push(b.seq));
	writeFile(path.join(s.tree, 'one.py'), 'pass\n');
	s.proc.enqueue({ type: 'created', path: path.join(s.tree, 'one.py') });
	await s.proc.whenIdle();
	sub.dispose();
	writeFile(path.join(s.tree, 'two.py'), 'pass\n');
	s.proc.enqueue({ type: 'created', path: path.join(s.tree, 'two.py') });
	await s.proc.whenIdle();
	assert.deepEqual(seen, [1]);
	assert.deepEqual(s.batches.map((b) => b.seq), [1, 2]);
});

test('a file replaced by a folder of the same name, and back, from one event each', async () => {
	const s = await setup();
	const p = path.join(s.tree, 'shape');
	writeFile(p, 'def f():\n    pass\n');
	s.proc.enqueue({ type: 'created', path: p });
	await s.proc.whenIdle();
	assert.ok(s.index.has(0, 'shape'));
	fs.rmSync(p);
	writeFile(path.join(p, 'inner.py'), 'x = 1\n');
	s.proc.enqueue({ type: 'created', path: p });
	await s.proc.whenIdle();
	assert.deepEqual(s.batches[1].changed.map((c) => `${c.kind}:${c.path}`).sort(), ['added:shape/inner.py', 'removed:shape']);
	await assertMatchesCold(s);
	fs.rmSync(p, { recursive: true });
	writeFile(p, 'y = 2\n');
	s.proc.enqueue({ type: 'rescan', path: p });
	await s.proc.whenIdle();
	assert.deepEqual(s.batches[2].changed.map((c) => `${c.kind}:${c.path}`).sort(), ['added:shape', 'removed:shape/inner.py']);
	await assertMatchesCold(s);
});

test('ownRoots: two processors share one index, each keeps its own root current with its own options', async () => {
	const dir = tempDir();
	const a = path.join(dir, 'a');
	const b = path.join(dir, 'b');
	// The same text in both: a docstring then one line of code.
	writeFile(path.join(a, 'x.py'), '"""doc"""\nx = 1\n');
	writeFile(path.join(b, 'y.py'), '"""doc"""\ny = 2\n');
	const index = new FileIndex([a, b], []);
	const pa = new Processor({ index, ownRoots: [0], batchWindowMs: 0 });
	// Root a counts docstrings as comments (the default); root b counts them as code.
	const pb = new Processor({ index, ownRoots: [1], batchWindowMs: 0, scanOptions: { docstringsAsCode: true } });
	pa.start();
	pb.start();
	test.after(() => Promise.all([pa.stop({ drain: false }), pb.stop({ drain: false })]));
	assert.equal(pa.enqueue({ type: 'created', path: path.join(b, 'y.py') }), false);
	assert.equal(pb.enqueue({ type: 'created', path: path.join(a, 'x.py') }), false);
	assert.equal(pa.enqueue({ type: 'created', path: path.join(a, 'x.py') }), true);
	assert.equal(pb.enqueue({ type: 'created', path: path.join(b, 'y.py') }), true);
	await Promise.all([pa.whenIdle(), pb.whenIdle()]);
	assert.deepEqual(sorted(index.values()).map((r) => `${r.root}:${r.path}:${r.code}/${r.comment}`), ['0:x.py:1/1', '1:y.py:2/0']);
	assert.deepEqual([pa.stats.events, pb.stats.events], [1, 1]);
});

test('gate: events queue while the gate is closed; the batch runs once it opens', async () => {
	let open!: () => void;
	const closed = new Promise<void>((r) => (open = r));
	let gated = 0;
	const s = await setup({
		batchWindowMs: 0,
		gate: () => {
			gated++;
			return closed;
		},
	});
	writeFile(path.join(s.tree, 'late', 'g.py'), 'g = 1\n');
	s.proc.enqueue({ type: 'created', path: path.join(s.tree, 'late', 'g.py') });
	await new Promise((r) => setTimeout(r, 100));
	assert.equal(gated, 1);
	assert.equal(s.batches.length, 0);
	assert.equal(s.index.has(0, 'late/g.py'), false);
	assert.equal(s.proc.queueLength, 1);
	open();
	await s.proc.whenIdle();
	assert.equal(s.batches.length, 1);
	assert.deepEqual(s.batches[0].changed.map((c) => `${c.kind}:${c.path}`), ['added:late/g.py']);
	await assertMatchesCold(s);
});

test('events under .git, .hg and .svn are dropped at the door; dotted names and ignore files elsewhere are not', async () => {
	const s = await setup({ batchWindowMs: 0 });
	await s.proc.whenIdle();
	const events0 = s.proc.stats.events;
	for (const rel of ['.git/index', '.git/objects/ab/cdef', 'sub/.git/HEAD', '.hg/store/x', 'a/b/.svn/entries', '.git']) {
		assert.equal(s.proc.enqueue({ type: 'changed', path: path.join(s.tree, ...rel.split('/')) }), false, rel);
	}
	assert.equal(s.proc.stats.events, events0);
	// Names that only look alike are indexed.
	writeFile(path.join(s.tree, '.github', 'ci.yml'), 'on: push\n');
	writeFile(path.join(s.tree, 'x', '.gitkeep.py'), 'pass\n');
	writeFile(path.join(s.tree, 'my.git', 'y.py'), 'pass\n');
	for (const rel of ['.github/ci.yml', 'x/.gitkeep.py', 'my.git/y.py']) {
		assert.equal(s.proc.enqueue({ type: 'created', path: path.join(s.tree, ...rel.split('/')) }), true, rel);
	}
	await s.proc.whenIdle();
	for (const rel of ['.github/ci.yml', 'x/.gitkeep.py', 'my.git/y.py']) assert.ok(s.index.has(0, rel), rel);
	// A nested ignore file rescans its folder: a file there it now ignores leaves the index.
	writeFile(path.join(s.tree, 'x', 'drop.py'), 'pass\n');
	s.proc.enqueue({ type: 'created', path: path.join(s.tree, 'x', 'drop.py') });
	await s.proc.whenIdle();
	assert.ok(s.index.has(0, 'x/drop.py'));
	writeFile(path.join(s.tree, 'x', '.gitignore'), 'drop.py\n');
	s.proc.enqueue({ type: 'created', path: path.join(s.tree, 'x', '.gitignore') });
	await s.proc.whenIdle();
	assert.equal(s.index.has(0, 'x/drop.py'), false);
	await assertMatchesCold(s);
});
