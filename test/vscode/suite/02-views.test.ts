// The views' contents equal the CLI's JSON for the same folder (after the scan 01-activation started).
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import type { JsonReport } from '../../../src/core/report';
import { api, cliJson, filesLines, folderPaths, n, readTree, share } from './helpers';
import type { Row } from './helpers';

const CATEGORY_LABELS: Record<string, string> = { code: 'Code', docs: 'Docs', data: 'Data', config: 'Config' };

/** The Folders tree the CLI's JSON implies: folders then files, each biggest (lines) first. */
function expectedFolders(cli: JsonReport, root: number, folder: string): Row[] {
	const parent = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
	const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
	const folders = (cli.folders ?? []).filter((f) => f.root === root && f.path !== '' && parent(f.path) === folder)
		.sort((a, b) => b.lines - a.lines || b.files - a.files || (a.path < b.path ? -1 : 1))
		.map((f): Row => ({ id: '', label: base(f.path), description: filesLines(f.files, f.lines), children: expectedFolders(cli, root, f.path) }));
	const files = (cli.files ?? []).filter((f) => f.root === root && parent(f.path) === folder)
		.sort((a, b) => b.lines - a.lines || (a.path < b.path ? -1 : 1))
		.map((f): Row => ({ id: '', label: base(f.path), description: `${f.language} · ${f.lines === 1 ? '1 line' : `${n(f.lines)} lines`}` }));
	return [...folders, ...files];
}

const strip = (rows: Row[]): Row[] => rows.map((r) => ({ id: '', label: r.label, description: r.description, ...(r.children ? { children: strip(r.children) } : {}) }));

describe('views equal the CLI', () => {
	let cli: JsonReport;

	before(async () => {
		const a = await api();
		await vscode.commands.executeCommand('workspaceStats.scan');
		assert.strictEqual(a.model.state, 'idle');
		cli = await cliJson(folderPaths());
		assert.ok(cli.totals.files >= 6, 'fixture too small');
	});

	it('Overview: totals', async () => {
		const rows = await readTree((await api()).overview, 1);
		const t = cli.totals;
		assert.deepStrictEqual(rows.slice(0, 6).map((r) => [r.label, r.description]), [
			['Files', n(t.files)],
			['Lines', n(t.lines)],
			['Code', `${n(t.code)} · ${share(t.code, t.lines)}`],
			['Comments', `${n(t.comment)} · ${share(t.comment, t.lines)}`],
			['Blank', `${n(t.blank)} · ${share(t.blank, t.lines)}`],
			['Size', t.bytes < 1024 ? `${t.bytes} B` : `${(t.bytes / 1024).toFixed(1)} KB`],
		]);
	});

	it('Overview: languages by code lines, with files, lines and share', async () => {
		const rows = await readTree((await api()).overview, 2);
		const langs = rows.find((r) => r.label === 'Languages');
		assert.ok(langs?.children);
		assert.strictEqual(langs.description, String(cli.languages.length));
		assert.deepStrictEqual(langs.children.map((r) => [r.label, r.description]),
			cli.languages.map((l) => [l.name, `${filesLines(l.files, l.lines)} · ${share(l.code, cli.totals.code)}`]));
	});

	it('Overview: categories', async () => {
		const rows = await readTree((await api()).overview, 2);
		const cats = rows.find((r) => r.label === 'Categories');
		assert.ok(cats?.children);
		assert.deepStrictEqual(cats.children.map((r) => [r.label, r.description]),
			cli.categories.map((c) => [CATEGORY_LABELS[c.name], `${filesLines(c.files, c.lines)} · ${share(c.code, cli.totals.code)}`]));
	});

	it('Overview: skipped files grouped by reason', async () => {
		const rows = await readTree((await api()).overview, 3);
		const skipped = rows.find((r) => r.label === 'Skipped');
		assert.ok(skipped?.children, `no Skipped group in ${JSON.stringify(rows.map((r) => r.label))}`);
		assert.strictEqual(skipped.description, String(cli.skipped.length));
		assert.deepStrictEqual(skipped.children.map((r) => [r.label, r.children?.map((c) => c.label)]), [['Binary', cli.skipped.filter((s) => s.reason === 'binary').map((s) => s.path)]]);
		assert.deepStrictEqual(cli.skipped.map((s) => s.path), ['assets/logo.bin']);
	});

	it('Folders: one root, recursive totals, biggest first, files with language and lines', async () => {
		const rows = await readTree((await api()).folders);
		assert.strictEqual(rows.length, 1);
		assert.strictEqual(rows[0].label, 'alpha');
		const root = (cli.folders ?? []).find((f) => f.path === '');
		assert.ok(root);
		assert.strictEqual(rows[0].description, filesLines(root.files, root.lines));
		assert.deepStrictEqual(strip(rows[0].children ?? []), expectedFolders(cli, 0, ''));
	});

	it('tree items have stable ids', async () => {
		const a = await api();
		const first = await readTree(a.folders);
		await vscode.commands.executeCommand('workspaceStats.scan');
		const second = await readTree(a.folders);
		const ids = (rows: Row[]): string[] => rows.flatMap((r) => [r.id, ...ids(r.children ?? [])]);
		assert.ok(ids(first).every((id) => id.length > 0));
		assert.deepStrictEqual(ids(second), ids(first));
		assert.strictEqual(new Set(ids(first)).size, ids(first).length, 'ids are not unique');
	});

	it('Structure: imports, classes and functions of a file, with lines (worked out by hand)', async () => {
		const a = await api();
		const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'src', 'shapes.py');
		await vscode.commands.executeCommand('workspaceStats._showStructure', uri);
		const rows = await readTree(a.structure);
		assert.deepStrictEqual(rows.map((r) => [r.label, r.description, r.children?.map((c) => [c.label, c.description])]), [
			['Imports', '2', [['math', ''], ['typing', '']]],
			['Classes', '1', [['Circle', 'line 6']]],
			['Functions', '3', [['__init__', 'line 7'], ['area', 'line 10'], ['total', 'line 15']]],
		]);
		const file = cli.files?.find((f) => f.path === 'src/shapes.py');
		assert.deepStrictEqual(file?.functions.map((f) => f.name), ['__init__', 'area', 'total']);
	});

	it('Structure: clicking a function opens the file at its line', async () => {
		const a = await api();
		const fns = (await a.structure.getChildren())?.find((g) => g.kind === 'group' && g.group === 'functions');
		assert.ok(fns);
		const area = a.structure.getChildren(fns).find((c) => c.kind === 'symbol' && c.symbol.name === 'area');
		assert.ok(area);
		const cmd = a.structure.getTreeItem(area).command;
		assert.ok(cmd);
		await vscode.commands.executeCommand(cmd.command, ...(cmd.arguments ?? []));
		const ed = vscode.window.activeTextEditor;
		assert.ok(ed && ed.document.uri.path.endsWith('/src/shapes.py'));
		assert.strictEqual(ed.selection.active.line, 9);
		assert.match(ed.document.lineAt(9).text, /def area/);
	});

	it('the active editor drives the Structure view', async () => {
		const a = await api();
		const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'src', 'app.js');
		await vscode.window.showTextDocument(uri);
		await (async () => {
			for (let i = 0; i < 100 && a.structure.currentFile?.path !== uri.path; i++) await new Promise((r) => setTimeout(r, 20));
		})();
		await a.structure.ready();
		const rows = await readTree(a.structure);
		assert.deepStrictEqual(rows.find((r) => r.label === 'Functions')?.children?.map((c) => [c.label, c.description]), [['main', 'line 7'], ['run', 'line 13']]);
		assert.deepStrictEqual(rows.find((r) => r.label === 'Classes')?.children?.map((c) => c.label), ['Runner']);
	});

	it('status bar: files · lines · time', async () => {
		const a = await api();
		const t = cli.totals;
		assert.match(a.statusBar.item.text, new RegExp(`^\\$\\(graph\\) ${n(t.files)} files · ${n(t.lines)} lines · (<1 ms|\\d+ ms|\\d+\\.\\d s)$`));
		const tip = a.statusBar.item.tooltip as vscode.MarkdownString;
		assert.match(tip.value, /\| walk \|/);
		assert.match(tip.value, /\| index save \|/);
		assert.strictEqual((a.statusBar.item.command as vscode.Command).command, 'workspaceStats.overview.focus');
	});
});
