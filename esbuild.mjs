// Bundles the extension, the CLI and the analysis worker into dist/, and packages the .vsix.
//   node esbuild.mjs [--watch] [--production] [--vsix [out.vsix]]
// The worker is its own bundle: the pool starts it from a file next to the code that
// spawns it (dist/analyzeWorker.js beside dist/cli.js and dist/extension.js).
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const REPO = path.dirname(fileURLToPath(import.meta.url));
const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {import('esbuild').BuildOptions} */
const common = {
	bundle: true,
	platform: 'node',
	target: 'node20',
	format: 'cjs',
	sourcemap: !production,
	minify: production,
	logLevel: 'warning',
	legalComments: 'none',
};

const builds = [
	{ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
	{ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
	{ ...common, entryPoints: ['src/core/analyzeWorker.ts'], outfile: 'dist/analyzeWorker.js' },
	// The warm start's stat walk (statWalk.ts), also started from a file next to its caller.
	{ ...common, entryPoints: ['src/core/statWorker.ts'], outfile: 'dist/statWorker.js' },
];

// The .vsix is made by @vscode/vsce from a staging folder that holds only what ships: vsce lists
// the whole folder before it applies .vscodeignore, and the repository holds the VS Code server
// of the tests (.vscode-test/, hundreds of thousands of files), which made packaging in place
// take over a minute.
/** What ships; keep in step with .vscodeignore (which vsce still applies in the staging folder). */
const SHIPPED = ['package.json', 'package.nls.json', 'README.md', 'LICENSE', '.vscodeignore', 'dist/extension.js', 'dist/analyzeWorker.js', 'dist/statWorker.js', 'media'];

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

/**
 * What `analyzeRule` says of every structure rule of the language table, as the JSON text the
 * bundles get for `WS_RULE_ANALYSIS` (see languages.ts): each worker then skips the rule parser
 * and its optimizing compile. Worked out by the same code, bundled in memory and run here.
 */
export async function ruleAnalysisJson() {
	const r = await esbuild.build({ ...common, sourcemap: false, minify: false, entryPoints: ['src/core/languages.ts'], write: false });
	const mod = { exports: {} };
	new Function('module', 'exports', 'require', r.outputFiles[0].text)(mod, mod.exports, createRequire(import.meta.url));
	return JSON.stringify(mod.exports.ruleAnalysisTable());
}

async function main() {
	if (watch) {
		// No precomputed rules while watching: languages.json may change; workers analyze them.
		const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
		await Promise.all(contexts.map((c) => c.watch()));
		console.log('[esbuild] watching');
	} else {
		const rules = await ruleAnalysisJson();
		await Promise.all(builds.map((b) => esbuild.build({ ...b, define: { ...b.define, WS_RULE_ANALYSIS: rules } })));
	}
	const v = process.argv.indexOf('--vsix');
	if (v !== -1) {
		const next = process.argv[v + 1];
		const { out, log } = packageVsix(next && !next.startsWith('--') ? next : undefined);
		process.stdout.write(log);
		console.log(`${out}: ${(fs.statSync(out).size / 1024).toFixed(0)} KB`);
	}
}

if (isMain) {
	main().catch((e) => {
		console.error(e.message ?? e);
		process.exit(1);
	});
}
