// @vscode/test-cli (`npx vscode-test`): the same compiled integration tests in desktop VS Code,
// where it can be downloaded (this project's CI cannot: it uses test/vscode/run.mjs and the
// VS Code server instead). Build first: `npm run build && npm run build:tests`.
// Like the harness, it opens throw-away copies of test/vscode/workspace (the tests edit files);
// the restart suite is a second launch on the first one's copy.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineConfig } from '@vscode/test-cli';
import { copyWorkspace, largeTree } from './test/vscode/fixtures.mjs';

const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wstats-desktop-'));
const ws = copyWorkspace(path.join(runDir, 'ws'));
const multi = copyWorkspace(path.join(runDir, 'multi'));
const large = largeTree();
const env = { WSTATS_TEST_RUN_DIR: runDir, WSTATS_TEST_LARGE: large.dir, WSTATS_TEST_LARGE_MANIFEST: large.manifest };
const mocha = { ui: 'bdd', timeout: 30000, color: true };

export default defineConfig([
	{ label: 'integration', files: 'out/test/vscode/suite/!(*.restart|*.multiRoot).test.js', workspaceFolder: path.join(ws, 'alpha'), version: '1.100.3', env, mocha },
	{ label: 'restart', files: 'out/test/vscode/suite/*.restart.test.js', workspaceFolder: path.join(ws, 'alpha'), version: '1.100.3', env, mocha },
	{ label: 'multi-root', files: 'out/test/vscode/suite/*.multiRoot.test.js', workspaceFolder: path.join(multi, 'multi.code-workspace'), version: '1.100.3', env, mocha: { ...mocha, timeout: 120000 } },
]);
