// @vscode/test-cli (`npx vscode-test`): the same compiled integration tests in desktop VS Code,
// where it can be downloaded (this project's CI cannot: it uses test/vscode/run.mjs and the
// VS Code server instead). Build first: `npm run build && npm run build:tests`.
// The tests edit files in the workspace they open and restore them; the restart suite needs a
// second launch on the same folder, which is what the second entry is.
import { defineConfig } from '@vscode/test-cli';

const mocha = { ui: 'bdd', timeout: 30000, color: true };

export default defineConfig([
	{
		label: 'integration',
		files: 'out/test/vscode/suite/!(*.restart|*.multiRoot).test.js',
		workspaceFolder: 'test/vscode/workspace/alpha',
		version: '1.100.3',
		mocha,
	},
	{
		label: 'restart',
		files: 'out/test/vscode/suite/*.restart.test.js',
		workspaceFolder: 'test/vscode/workspace/alpha',
		version: '1.100.3',
		mocha,
	},
	{
		label: 'multi-root',
		files: 'out/test/vscode/suite/*.multiRoot.test.js',
		workspaceFolder: 'test/vscode/workspace/multi.code-workspace',
		version: '1.100.3',
		mocha,
	},
]);
