#!/usr/bin/env node
// `npm test`: build, type-check, lint, the Node tests over src/core and the CLI, then the
// integration and UI tests inside a real VS Code. Any failing step fails the run.
import { spawnSync } from 'node:child_process';

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
