#!/usr/bin/env node
// `npm run package`: the .vsix, made by @vscode/vsce from a staging folder that holds only what
// ships (the files .vscodeignore lets through). vsce lists the whole folder before it applies
// .vscodeignore, and the repository holds the VS Code server of the tests (.vscode-test/, ~300 MB,
// hundreds of thousands of files), which made packaging in place take over a minute.
//   node scripts/package.mjs [out.vsix]      (build first: node esbuild.mjs --production)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** What ships; keep in step with .vscodeignore (which vsce still applies in the staging folder). */
const SHIPPED = ['package.json', 'package.nls.json', 'README.md', 'LICENSE', '.vscodeignore', 'dist/extension.js', 'dist/analyzeWorker.js', 'media', 'l10n'];

export function packageVsix(out = path.join(REPO, 'workspace-stats.vsix')) {
	const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'wstats-vsix-'));
	try {
		for (const f of SHIPPED) {
			const from = path.join(REPO, f);
			if (!fs.existsSync(from)) {
				if (f.startsWith('dist/')) throw new Error(`${f} is missing: run \`node esbuild.mjs --production\` first`);
				continue;
			}
			fs.cpSync(from, path.join(stage, f), { recursive: true });
		}
		const vsce = path.join(REPO, 'node_modules', '@vscode', 'vsce', 'vsce');
		// --no-rewrite-relative-links: the README's screenshots are relative (media/…) and there is no
		// public repository URL to rewrite them against; VS Code shows them from the package itself.
		const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', path.resolve(out)], { cwd: stage, encoding: 'utf8' });
		if (r.status !== 0) throw new Error(`vsce package failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
		return { out: path.resolve(out), log: r.stdout };
	} finally {
		fs.rmSync(stage, { recursive: true, force: true });
	}
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	try {
		const { out, log } = packageVsix(process.argv[2]);
		process.stdout.write(log);
		console.log(`${out}: ${(fs.statSync(out).size / 1024).toFixed(0)} KB`);
	} catch (e) {
		console.error(e.message);
		process.exit(1);
	}
}
