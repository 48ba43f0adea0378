// Changing a setting rescans what it affects.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { api, cliJson, folderPaths, readTree, waitFor } from './helpers';

describe('settings', () => {
	const config = () => vscode.workspace.getConfiguration('workspaceStats', vscode.workspace.workspaceFolders![0].uri);

	after(async () => {
		await config().update('exclude', undefined, vscode.ConfigurationTarget.Workspace);
		await config().update('showStatusBar', undefined, vscode.ConfigurationTarget.Workspace);
		await config().update('likeCloc', undefined, vscode.ConfigurationTarget.Workspace);
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

	it('likeCloc: a rescan counts as cloc does, as the CLI does with --like-cloc, and back', async () => {
		const a = await api();
		const root = vscode.workspace.workspaceFolders![0].uri;
		const uri = vscode.Uri.joinPath(root, 'src', 'globs.js');
		// By hand: 4 code lines and 1 comment; read as cloc reads it (no strings), the glob's `/*`
		// opens a comment that the doc comment's `*/` closes: 2 code lines and 3 comment lines.
		await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode("const g = ['**/*.js'];\nlet b = 1;\nlet c = 2;\n/** doc */\nfunction f() {}\n"));
		const counts = () => {
			const r = a.model.index.get(0, 'src/globs.js');
			return r && [r.code, r.comment, r.functions.length];
		};
		try {
			await waitFor(() => counts()?.[0] === 4, 'the new file counted');
			assert.deepStrictEqual(counts(), [4, 1, 1]);
			const scans = a.model.scanCount;
			await config().update('likeCloc', true, vscode.ConfigurationTarget.Workspace);
			await waitFor(() => a.model.scanCount > scans && a.model.state === 'idle', 'a rescan');
			assert.deepStrictEqual(counts(), [2, 3, 1]);
			const cli = await cliJson(folderPaths(), ['--exclude', '**/node_modules', '--like-cloc']);
			const js = cli.languages.find((l) => l.name === 'JavaScript')!;
			const mine = a.model.index.aggregates.languages.get('JavaScript')!;
			assert.deepStrictEqual([mine.files, mine.code, mine.comment, mine.blank], [js.files, js.code, js.comment, js.blank]);
			const again = a.model.scanCount;
			await config().update('likeCloc', undefined, vscode.ConfigurationTarget.Workspace);
			await waitFor(() => a.model.scanCount > again && a.model.state === 'idle', 'a rescan back');
			assert.deepStrictEqual(counts(), [4, 1, 1]);
		} finally {
			await config().update('likeCloc', undefined, vscode.ConfigurationTarget.Workspace);
			await vscode.workspace.fs.delete(uri);
			await waitFor(() => !a.model.index.has(0, 'src/globs.js'), 'the file gone');
		}
	});

	it('showStatusBar: false hides the item', async () => {
		const a = await api();
		await config().update('showStatusBar', false, vscode.ConfigurationTarget.Workspace);
		await waitFor(() => !a.statusBar.visible, 'the item hidden');
		await config().update('showStatusBar', undefined, vscode.ConfigurationTarget.Workspace);
		await waitFor(() => a.statusBar.visible, 'the item shown again');
	});
});
