// Each command, run as the palette runs it, on the single-root fixture.
import * as assert from 'node:assert';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { JsonReport } from '../../../src/core/report';
import type { UpdateInfo } from '../../../src/host/model';
import { api, cliJson, folderPaths, REPO } from './helpers';

function cliText(args: string[]): Promise<string> {
	return new Promise((resolve, reject) => execFile(process.execPath, [path.join(REPO, 'dist', 'cli.js'), '--jobs', '1', ...args], (err, out, stderr) => (err ? reject(new Error(stderr)) : resolve(out))));
}

/** The report without what differs between two runs (timing). */
function comparable(r: JsonReport): Omit<JsonReport, 'timing'> {
	const { timing: _timing, ...rest } = r;
	return rest;
}

describe('commands', () => {
	const tmp = fs.mkdtempSync(path.join(process.env.WSTATS_TEST_RUN_DIR ?? os.tmpdir(), 'export-'));

	it('Scan Workspace: a warm scan that re-reads nothing unchanged', async () => {
		const a = await api();
		await vscode.commands.executeCommand('workspaceStats.scan'); // the first one of a --grep run is cold
		const info = await vscode.commands.executeCommand<UpdateInfo>('workspaceStats.scan');
		assert.ok(info);
		assert.strictEqual(info.kind, 'scan');
		assert.strictEqual(info.added + info.changed + info.removed, 0);
		assert.strictEqual(info.reused, a.model.index.size);
	});

	it('Export Results: JSON equals the CLI JSON', async () => {
		const target = vscode.Uri.file(path.join(tmp, 'stats.json'));
		const saved = await vscode.commands.executeCommand<vscode.Uri>('workspaceStats.export', target);
		assert.strictEqual(saved?.fsPath, target.fsPath);
		const exported = JSON.parse(fs.readFileSync(target.fsPath, 'utf8')) as JsonReport;
		assert.deepStrictEqual(comparable(exported), comparable(await cliJson(folderPaths())));
	});

	it('Export Results: CSV (per file) and Markdown equal the CLI output', async () => {
		const csv = vscode.Uri.file(path.join(tmp, 'stats.csv'));
		await vscode.commands.executeCommand('workspaceStats.export', csv);
		assert.strictEqual(fs.readFileSync(csv.fsPath, 'utf8'), await cliText(['--format', 'csv', '--by-file', ...folderPaths()]));
		const md = vscode.Uri.file(path.join(tmp, 'stats.md'));
		await vscode.commands.executeCommand('workspaceStats.export', md);
		assert.strictEqual(fs.readFileSync(md.fsPath, 'utf8'), await cliText(['--format', 'markdown', '--by-folder', ...folderPaths()]));
	});

	it('Export Results: an unknown extension is an error, not a file', async () => {
		const bad = vscode.Uri.file(path.join(tmp, 'stats.xlsx'));
		assert.strictEqual(await vscode.commands.executeCommand('workspaceStats.export', bad), undefined);
		assert.strictEqual(fs.existsSync(bad.fsPath), false);
	});

	it('Copy Summary: totals and languages on the clipboard', async () => {
		const cli = await cliJson(folderPaths());
		const text = await vscode.commands.executeCommand<string>('workspaceStats.copySummary');
		assert.ok(text?.startsWith(`**alpha**: ${cli.totals.files} files, ${cli.totals.lines} lines (${cli.totals.code} code`), text);
		for (const l of cli.languages) assert.ok(text.includes(`| ${l.name} | ${l.files} | ${l.code} | ${l.comment} | ${l.blank} |`), `${l.name} row missing:\n${text}`);
		assert.strictEqual(await vscode.env.clipboard.readText(), text);
	});

	it('Count Lines in Folder: equals the CLI on that folder', async () => {
		const src = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'src');
		const report = await vscode.commands.executeCommand<JsonReport>('workspaceStats.countFolder', src);
		assert.ok(report);
		const cli = await cliJson([src.fsPath]);
		assert.deepStrictEqual(report.totals, cli.totals);
		assert.deepStrictEqual(report.languages, cli.languages);
	});

	it('Show Log and Run Benchmark', async () => {
		await vscode.commands.executeCommand('workspaceStats.showLog');
		const rows = await vscode.commands.executeCommand<{ name: string; ms: number }[]>('workspaceStats.runBenchmark');
		assert.ok(rows, 'the benchmark failed (see the log)');
		const names = rows.map((r) => r.name);
		for (const want of ['walk (traversal bound)', 'read every byte (I/O bound)', 'full scan (counts + structure)']) assert.ok(names.includes(want), `${want} missing in ${names.join(', ')}`);
		assert.ok(names.some((n) => n.startsWith('before: one glob per file type')));
		assert.ok(names.some((n) => n.startsWith('before: a split per question')));
		assert.ok(names.some((n) => /^before: \d+ records read line by line/.test(n)), names.join(', '));
		assert.ok(rows.every((r) => Number.isFinite(r.ms) && r.ms >= 0));
	});

	it('Clear Index: forgets the results and deletes the saved index', async () => {
		const a = await api();
		const index = a.model.storagePath('index.jsonl');
		assert.ok(index && fs.existsSync(index), 'no saved index after the scans');
		await vscode.commands.executeCommand('workspaceStats.clearIndex');
		assert.strictEqual(a.model.index.size, 0);
		assert.strictEqual(fs.existsSync(index), false);
		assert.strictEqual(a.statusBar.item.text, '$(graph) Workspace Stats');
		assert.deepStrictEqual(await a.overview.getChildren(), []);
	});

	it('Rescan from Scratch: a cold scan that reads every file again', async () => {
		const a = await api();
		const before = a.model.scanCount;
		const info = await vscode.commands.executeCommand<UpdateInfo>('workspaceStats.rescan');
		assert.ok(info);
		assert.strictEqual(info.kind, 'rescan');
		assert.strictEqual(a.model.scanCount, before + 1);
		const cli = await cliJson(folderPaths());
		assert.strictEqual(info.added, cli.totals.files);
		assert.strictEqual(a.model.index.aggregates.totals.lines, cli.totals.lines);
		assert.ok(fs.existsSync(a.model.storagePath('index.jsonl')!));
	});

	it('Cancel Scan with nothing running does nothing', async () => {
		const a = await api();
		await vscode.commands.executeCommand('workspaceStats.cancel');
		assert.strictEqual(a.model.state, 'idle');
	});
});
