// Files created, edited (saved in an editor), renamed and deleted, and a folder deleted: the
// watcher → model → views path, checked against the CLI after every step.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WorkspaceStatsApi } from '../../../src/extension';
import { api, cliJson, filesLines, folderPaths, readTree, waitFor } from './helpers';

const root = () => vscode.workspace.workspaceFolders![0].uri;
const file = (...p: string[]) => vscode.Uri.joinPath(root(), ...p);
const write = (uri: vscode.Uri, text: string) => vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));

/** The Folders view's row for a root-relative path (walks the tree the way the view does). */
async function folderRow(a: WorkspaceStatsApi, rel: string) {
	let rows = await readTree(a.folders);
	let row = rows[0];
	for (const part of rel.split('/')) {
		row = (row.children ?? []).find((r) => r.label === part)!;
		if (!row) return undefined;
		rows = row.children ?? [];
	}
	return row;
}

/** The views agree with the CLI on the disk's current content. */
async function assertMatchesCli(a: WorkspaceStatsApi): Promise<void> {
	const cli = await cliJson(folderPaths());
	const t = a.model.index.aggregates.totals;
	assert.deepStrictEqual({ files: t.files, lines: t.lines, code: t.code, comment: t.comment, blank: t.blank, bytes: t.bytes }, cli.totals);
	const rows = await readTree(a.folders);
	assert.strictEqual(rows[0].description, filesLines(cli.totals.files, cli.totals.lines));
}

describe('live updates', () => {
	before(async () => {
		const a = await api();
		await a.controller.ensureFresh();
		assert.ok(a.live.running, 'the watchers did not start after the first scan');
	});

	it('a new file appears in the views', async () => {
		const a = await api();
		await write(file('src', 'extra.js'), '// extra\nfunction extra() {\n\treturn 1;\n}\n');
		await waitFor(() => a.model.index.has(0, 'src/extra.js'), 'src/extra.js in the index');
		await waitFor(async () => (await folderRow(a, 'src/extra.js'))?.description === 'JavaScript · 4 lines', 'the Folders row of src/extra.js');
		await assertMatchesCli(a);
		assert.match(a.statusBar.item.text, /^\$\(graph\) \d+ files · \d+ lines · /);
		assert.strictEqual(a.model.last?.kind, 'update');
	});

	it('saving an edit in an editor updates the views and the status bar within a second', async () => {
		const a = await api();
		const uri = file('src', 'shapes.py');
		const doc = await vscode.workspace.openTextDocument(uri);
		const editor = await vscode.window.showTextDocument(doc);
		await editor.edit((b) => b.insert(new vscode.Position(doc.lineCount, 0), '\n\ndef perimeter(c):\n    return 2 * math.pi * c.r\n'));
		const linesBefore = a.model.index.get(0, 'src/shapes.py')!.lines;
		const t0 = Date.now();
		await doc.save();
		await waitFor(() => a.model.index.get(0, 'src/shapes.py')?.functions.some((f) => f.name === 'perimeter'), 'the new function in the index', 5000);
		const statusText = a.statusBar.item.text;
		const ms = Date.now() - t0;
		console.log(`    save → views updated in ${ms} ms`);
		// The target is 1 s (measured and reported); on a loaded CI machine only a gross regression fails.
		assert.ok(ms < 5000, `took ${ms} ms`);
		assert.strictEqual(a.model.index.get(0, 'src/shapes.py')!.lines, linesBefore + 4);
		assert.match(statusText, new RegExp(` ${a.model.index.aggregates.totals.lines} lines`));
		await a.structure.ready();
		const fns = (await readTree(a.structure)).find((r) => r.label === 'Functions');
		assert.deepStrictEqual(fns?.children?.map((c) => [c.label, c.description]).at(-1), ['perimeter', 'line 19']);
		await assertMatchesCli(a);
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('a renamed file moves in the views', async () => {
		const a = await api();
		await vscode.workspace.fs.rename(file('src', 'extra.js'), file('src', 'util', 'more.js'));
		await waitFor(() => !a.model.index.has(0, 'src/extra.js') && a.model.index.has(0, 'src/util/more.js'), 'the rename in the index');
		assert.strictEqual(await folderRow(a, 'src/extra.js'), undefined);
		assert.ok(await folderRow(a, 'src/util/more.js'));
		await assertMatchesCli(a);
	});

	it('a deleted file disappears', async () => {
		const a = await api();
		await vscode.workspace.fs.delete(file('src', 'util', 'more.js'));
		await waitFor(() => !a.model.index.has(0, 'src/util/more.js'), 'the deletion in the index');
		assert.strictEqual(await folderRow(a, 'src/util/more.js'), undefined);
		await assertMatchesCli(a);
	});

	it('a deleted folder takes its files, its sub-folders and its skipped files with it', async () => {
		const a = await api();
		await write(file('gone', 'deep', 'a.py'), 'import os\n');
		await write(file('gone', 'b.md'), '# B\n');
		await write(file('gone', 'blob.bin'), '\u0000\u0001binary');
		await waitFor(() => a.model.index.has(0, 'gone/deep/a.py') && a.model.index.has(0, 'gone/b.md') && a.model.skipped().some((s) => s.path === 'gone/blob.bin'), 'the new folder in the index');
		assert.ok(await folderRow(a, 'gone/deep'));
		await vscode.workspace.fs.delete(file('gone'), { recursive: true });
		await waitFor(() => ![...a.model.index.values()].some((r) => r.path.startsWith('gone/')), 'the folder gone from the index');
		await waitFor(() => !a.model.skipped().some((s) => s.path.startsWith('gone/')), 'its skipped file gone');
		assert.strictEqual(await folderRow(a, 'gone'), undefined);
		assert.strictEqual(a.model.index.aggregates.folders.has(`0\u0000gone`), false);
		await assertMatchesCli(a);
	});

	it('a folder of many files moved in is analyzed by the folder\'s worker pool, off the host\'s thread', async () => {
		const a = await api();
		// Staged under node_modules (excluded by default), then moved in with one rename.
		const staging = file('node_modules', 'staged');
		const N = 120;
		fs.mkdirSync(staging.fsPath, { recursive: true });
		for (let i = 0; i < N; i++) fs.writeFileSync(path.join(staging.fsPath, `m${i}.js`), `// m\nconst v${i} = ${i};\n`);
		const before = { ...a.model.index.aggregates.totals };
		fs.renameSync(staging.fsPath, file('many').fsPath);
		await waitFor(() => [...a.model.index.under(0, 'many')].length === N, `the ${N} files of many/ in the index`);
		const t = a.model.index.aggregates.totals;
		// Worked out by hand: each file is one comment line and one code line.
		assert.deepStrictEqual([t.files - before.files, t.code - before.code, t.comment - before.comment], [N, N, N]);
		assert.ok(a.live.workers >= 2, `pool workers: ${a.live.workers}`);
		await assertMatchesCli(a);
		fs.rmSync(file('node_modules').fsPath, { recursive: true, force: true });
		await vscode.workspace.fs.delete(file('many'), { recursive: true });
		await waitFor(() => [...a.model.index.under(0, 'many')].length === 0, 'many/ gone from the index');
		await a.live.settled();
		await assertMatchesCli(a);
	});

	it('a burst of events is coalesced (a temp file created and deleted leaves nothing)', async () => {
		const a = await api();
		const before = a.model.index.size;
		for (let i = 0; i < 20; i++) await write(file('src', `tmp${i}.js`), `// ${i}\n`);
		for (let i = 0; i < 20; i++) await vscode.workspace.fs.delete(file('src', `tmp${i}.js`));
		await new Promise((r) => setTimeout(r, 300));
		await a.live.settled();
		assert.strictEqual(a.model.index.size, before);
		await assertMatchesCli(a);
	});
});
