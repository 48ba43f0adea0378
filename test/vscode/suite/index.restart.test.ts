// The second launch on the folder the main launch left behind (same server, so the same workspace
// storage): the saved index is shown at once, with no scan.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { api, cliJson, filesLines, folderPaths, n, readTree, waitFor } from './helpers';

describe('restart with a saved index', () => {
	it('shows the saved index without scanning', async () => {
		const a = await api();
		await waitFor(() => a.model.indexStatus !== undefined && a.model.state === 'idle', 'the index load');
		assert.strictEqual(a.model.indexStatus, 'ok');
		assert.strictEqual(a.model.scanCount, 0, 'a scan ran at start-up');
		assert.strictEqual(a.model.last?.kind, 'index');
		console.log(`    index loaded in ${a.model.last.ms.toFixed(1)} ms`);
		const cli = await cliJson(folderPaths());
		const t = a.model.index.aggregates.totals;
		assert.deepStrictEqual({ files: t.files, lines: t.lines, code: t.code, comment: t.comment, blank: t.blank, bytes: t.bytes }, cli.totals);
		const rows = await readTree(a.overview, 2);
		assert.deepStrictEqual(rows.find((r) => r.label === 'Languages')?.children?.map((r) => r.label), cli.languages.map((l) => l.name));
		assert.strictEqual(rows.find((r) => r.label === 'Skipped')?.description, String(cli.skipped.length), 'skipped files are restored too');
		assert.strictEqual((await readTree(a.folders, 1))[0].description, filesLines(cli.totals.files, cli.totals.lines));
		assert.match(a.statusBar.item.text, new RegExp(`^\\$\\(graph\\) ${n(cli.totals.files)} files · ${n(cli.totals.lines)} lines · `));
		assert.match((a.statusBar.item.tooltip as vscode.MarkdownString).value, /Loaded from the saved index/);
	});

	it('showing a view refreshes with a warm scan that reads nothing unchanged', async () => {
		const a = await api();
		await vscode.commands.executeCommand('workspaceStats.folders.focus');
		await waitFor(() => a.model.scannedThisSession, 'the background refresh');
		assert.strictEqual(a.model.scanCount, 1);
		assert.strictEqual(a.model.last?.kind, 'scan');
		assert.strictEqual(a.model.last.reused, a.model.index.size);
		assert.strictEqual(a.model.last.added + a.model.last.changed + a.model.last.removed, 0);
	});
});
