#!/usr/bin/env node
// `npm start -- [folder]`: builds the extension, starts the same VS Code server the tests use
// (installed into .vscode-test/ on first use) with the extension loaded from this repository on
// `folder` (default: the folder npm was started from), bound to 127.0.0.1, and prints the URL to
// open in a browser. Ctrl-C stops the server.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { workbenchUrl } from './browser.mjs';
import { ensureInstalled, SetupError } from './install.mjs';
import { startServer } from './server.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function main() {
	// npm runs scripts in the package folder; INIT_CWD is where the user typed `npm start`.
	const folder = path.resolve(process.env.INIT_CWD ?? process.cwd(), process.argv[2] ?? '.');
	if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new SetupError(`not a folder: ${folder}`);
	ensureInstalled({ quiet: true });
	const b = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: REPO, stdio: 'inherit' });
	if (b.status !== 0) throw new SetupError('build failed');
	const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wstats-start-'));
	const server = await startServer({ runDir, port: process.env.PORT ? Number(process.env.PORT) : undefined });
	const stop = async () => {
		await server.stop();
		fs.rmSync(runDir, { recursive: true, force: true });
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	console.log(`\nWorkspace Stats on ${folder}\n\n  ${workbenchUrl(server.url, { folder, extensionDevelopmentPath: REPO })}\n\n(VS Code ${'1.100.3'} server, log: ${server.log}; Ctrl-C stops it)`);
}

main().catch((e) => {
	console.error(e instanceof SetupError ? e.message : e.stack);
	process.exit(2);
});
