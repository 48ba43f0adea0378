#!/usr/bin/env node
// `npm test`: build, type-check, lint, the Node tests over src/core and the CLI, then the
// integration and UI tests inside a real VS Code. Any failing step fails the run.
import { spawnSync } from 'node:child_process';

// The accuracy tests compare with cloc and universal-ctags (Debian packages). As root they are
// installed when missing (the VS Code step installs its own packages the same way); otherwise
// the run fails naming them. Never skipped.
const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const missing = [['cloc', 'cloc'], ['ctags', 'universal-ctags']].filter(([cmd]) => !have(cmd)).map(([, pkg]) => pkg);
if (missing.length) {
	if (process.getuid?.() !== 0) {
		console.error(`missing Debian packages for the accuracy tests: ${missing.join(' ')}\n  install them with: sudo apt-get install -y ${missing.join(' ')}`);
		process.exit(2);
	}
	console.log(`\n== apt-get install ${missing.join(' ')}`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...missing]]) {
		if (spawnSync('apt-get', args, { stdio: 'inherit', env }).status !== 0) {
			console.error(`apt-get ${args.join(' ')} failed`);
			process.exit(2);
		}
	}
}

const steps = [
	['build', 'node', ['esbuild.mjs']],
	['compile tests', 'npx', ['tsc', '-p', 'tsconfig.json']],
	['lint', 'npx', ['eslint', 'src', 'test']],
	['unit + CLI tests', 'node', ['--test', '--test-concurrency=2', 'out/test/unit/']],
	// Real VS Code (installed into .vscode-test/ on first use); a missing prerequisite fails, never skips.
	['VS Code integration + UI tests', 'node', ['test/vscode/run.mjs', '--no-build']],
];

for (const [name, cmd, args] of steps) {
	console.log(`\n== ${name}: ${cmd} ${args.join(' ')}`);
	const r = spawnSync(cmd, args, { stdio: 'inherit' });
	if (r.status !== 0) {
		console.error(`\n${name} failed (exit ${r.status ?? r.signal})`);
		process.exit(r.status || 1);
	}
}
