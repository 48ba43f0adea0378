// Changing a setting rescans what it affects.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { api, cliJson, folderPaths, readTree, waitFor } from './helpers';

describe('settings', () => {
	const config = () => vscode.workspace.getConfiguration('workspaceStats', vscode.workspace.workspaceFolders![0].uri);

	after(async () => {
		await config().update('exclude', undefined, vscode.ConfigurationTarget.Workspace);
		await config().update('showStatusBar', undefined, vscode.ConfigurationTarget.Workspace);
	});

	it('exclude: a changed setting rescans, and the views follow', async () => {
		const a = await api();
		await a.controller.ensureFresh();
		assert.ok(a.model.index.aggregates.languages.has('Markdown'));
		const scans = a.model.scanCount;
		await config().update('exclude', ['**/node_modules', 'docs'], vscode.ConfigurationTarget.Workspace);
		await waitFor(() => a.model.scanCount > scans && a.model.state === 'idle' && !a.model.index.aggregates.languages.has('Markdown'), 'a rescan without docs/');
		const cli = await cliJson(folderPaths(), ['--exclude', '**/node_modules', '--exclude', 'docs', '--exclude', '.vscode']);
		// .vscode/settings.json (written by this test) is counted by the extension, not by the CLI call.
		const langs = (await readTree(a.overview, 2)).find((r) => r.label === 'Languages')!.children!.map((r) => r.label);
		assert.ok(!langs.includes('Markdown'), langs.join());
		assert.strictEqual(a.model.index.aggregates.totals.files, cli.totals.files + 1);
		assert.ok(a.model.index.has(0, '.vscode/settings.json'));
	});

	it('exclude back to the default brings the files back', async () => {
		const a = await api();
		await config().update('exclude', undefined, vscode.ConfigurationTarget.Workspace);
		await waitFor(() => a.model.state === 'idle' && a.model.index.aggregates.languages.has('Markdown'), 'docs/ back');
		await a.live.settled();
		const cli = await cliJson(folderPaths(), ['--exclude', '**/node_modules']);
		assert.strictEqual(a.model.index.aggregates.totals.lines, cli.totals.lines);
	});

	it('showStatusBar: false hides the item', async () => {
		const a = await api();
		await config().update('showStatusBar', false, vscode.ConfigurationTarget.Workspace);
		await waitFor(() => !a.statusBar.visible, 'the item hidden');
		await config().update('showStatusBar', undefined, vscode.ConfigurationTarget.Workspace);
		await waitFor(() => a.statusBar.visible, 'the item shown again');
	});
});
