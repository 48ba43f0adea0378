import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { makeTree, writeFile } from './helpers/tempTree';

const cli = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js');

function run(args: string[]): { code: number | null; json: Record<string, unknown>; stderr: string } {
	const r = spawnSync(process.execPath, [cli, '--format', 'json', '--by-file', '--by-folder', '--jobs', '1', ...args], { encoding: 'utf8' });
	assert.equal(r.status, 0, r.stderr);
	const json = JSON.parse(r.stdout) as Record<string, unknown>;
	delete json.timing;
	return { code: r.status, json, stderr: r.stderr };
}

test('workspace-stats --index: cold, then warm after edits, equal to a plain scan; a damaged index is reported and rebuilt', { timeout: 60_000 }, () => {
	const dir = fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), 'ws-index-cli-')));
	try {
		const tree = path.join(dir, 'tree');
		const idx = path.join(dir, 'state', 'idx.jsonl');
		makeTree(tree, 21, 40);
		const first = run(['--index', idx, tree]);
		assert.deepEqual(first.json, run([tree]).json);
		assert.ok(fs.existsSync(idx));

		writeFile(path.join(tree, 'added.py'), 'class A:\n    def m(self):\n        pass\n');
		const victim = fs.readdirSync(tree, { recursive: true, encoding: 'utf8' }).find((f) => /\.(md|js|c|sh)$/.test(f))!;
		fs.rmSync(path.join(tree, victim));
		const warm = run([`--index=${idx}`, tree]);
		assert.deepEqual(warm.json, run([tree]).json);
		assert.equal(warm.stderr, '');
		assert.ok(fs.existsSync(idx + '.journal'), 'the warm run appended its changes');

		// Damage the base: one record garbled.
		const lines = fs.readFileSync(idx, 'utf8').split('\n');
		lines[3] = lines[3].replace(/"/g, "'");
		fs.writeFileSync(idx, lines.join('\n'));
		const repaired = run(['--index', idx, tree]);
		assert.match(repaired.stderr, /warning: \[index\] index .* is damaged: kept \d+ intact records, 1 lost/);
		assert.deepEqual(repaired.json, run([tree]).json);
		// …and rewritten whole: the next run is clean.
		assert.equal(run(['--index', idx, tree]).stderr, '');

		// Not an index at all.
		fs.writeFileSync(idx, 'hello\n');
		const rebuilt = run(['--index', idx, tree]);
		assert.match(rebuilt.stderr, /unreadable header/);
		assert.deepEqual(rebuilt.json, run([tree]).json);

		// Other options: the index is rebuilt, not reused.
		const other = run(['--index', idx, '--exclude', '*.py', tree]);
		assert.match(other.stderr, /other folders or options/);
		assert.deepEqual(other.json, run(['--exclude', '*.py', tree]).json);

		const usage = spawnSync(process.execPath, [cli, '--index'], { encoding: 'utf8' });
		assert.equal(usage.status, 2);
		assert.match(usage.stderr, /--index: needs the path/);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
});
