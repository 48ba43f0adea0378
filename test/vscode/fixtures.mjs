// The workspaces the VS Code tests open, shared by test/vscode/run.mjs and .vscode-test.mjs.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A throw-away copy of test/vscode/workspace (the tests edit, rename and delete files in it). */
export function copyWorkspace(dest) {
	fs.cpSync(path.join(REPO, 'test', 'vscode', 'workspace'), dest, { recursive: true });
	return dest;
}

/**
 * A generated tree (test/tools/gen-synth.mjs, 10,000 files, with its manifest of exact counts),
 * made once into .vscode-test/. It gets an empty .git folder so it is the top of its own repository
 * and the project's .gitignore (which lists .vscode-test/) does not apply to it.
 * @returns {{ dir: string, manifest: string }}
 */
export function largeTree() {
	const dir = path.join(REPO, '.vscode-test', 'synth-10000');
	const manifest = `${dir}.manifest.json`;
	if (!fs.existsSync(manifest)) {
		const tmp = `${dir}.tmp`;
		fs.rmSync(tmp, { recursive: true, force: true });
		console.log('[vscode] generating the 10,000-file tree for the large-scan tests (once)');
		const r = spawnSync(process.execPath, [path.join(REPO, 'test', 'tools', 'gen-synth.mjs'), tmp, '10000', '--manifest', `${tmp}.json`], { stdio: ['ignore', 'ignore', 'inherit'] });
		if (r.status !== 0) throw new Error('test/tools/gen-synth.mjs failed');
		fs.mkdirSync(path.join(tmp, '.git'));
		fs.rmSync(dir, { recursive: true, force: true });
		fs.renameSync(tmp, dir);
		fs.renameSync(`${tmp}.json`, manifest);
	}
	return { dir, manifest };
}
