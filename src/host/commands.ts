// The commands of the "Workspace Stats" palette category. Errors of a command the user ran show a
// message with "Show Log"; cancellation is not an error. Each command returns its result, which
// the integration tests read.
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { formatReport, toJsonReport } from '../core/report';
import type { JsonReport, ReportFormat } from '../core/report';
import { scan } from '../core/scanner';
import type { ScanResult } from '../core/scanner';
import type { Logger } from '../core/types';
import { runBenchmark } from './benchmark';
import { duration, num } from './format';
import type { Log } from './log';
import { CancelledError } from './model';
import type { StatsModel, UpdateInfo } from './model';
import type { ScanController } from './scanController';
import { readFolderSettings } from './settings';
import type { StructureProvider } from './structureTree';

export interface CommandDeps {
	model: StatsModel;
	controller: ScanController;
	structure: StructureProvider;
	log: Log;
}

/** The host edge: a CancellationToken becomes the AbortSignal the core takes. */
export function toAbortSignal(token: vscode.CancellationToken): AbortSignal {
	const c = new AbortController();
	if (token.isCancellationRequested) c.abort(new CancelledError('cancelled'));
	else token.onCancellationRequested(() => c.abort(new CancelledError('cancelled')));
	return c.signal;
}

const SHOW_LOG = (): string => vscode.l10n.t('Show Log');

export function registerCommands(d: CommandDeps): vscode.Disposable[] {
	const logger = d.log.for('commands');
	/** Wraps a user command: errors → message with "Show Log"; cancellation → quiet. */
	const command = <A extends unknown[], R>(id: string, fn: (...args: A) => Thenable<R> | R) =>
		vscode.commands.registerCommand(`workspaceStats.${id}`, async (...args: A): Promise<R | undefined> => {
			try {
				return await fn(...args);
			} catch (e) {
				if (CancelledError.is(e)) {
					logger.info(`${id}: cancelled`);
					return undefined;
				}
				logger.error(e instanceof Error ? e : String(e));
				const message = e instanceof Error ? e.message : String(e);
				void vscode.window.showErrorMessage(vscode.l10n.t('Workspace Stats: {0}', message), SHOW_LOG()).then((pick) => pick && d.log.show());
				return undefined;
			}
		});

	return [
		command('scan', async (): Promise<UpdateInfo> => {
			await d.model.loadIndex();
			return d.controller.scan({});
		}),
		command('rescan', () => d.controller.scan({ fromScratch: true })),
		command('cancel', () => d.model.cancel()),
		command('countFolder', (uri?: vscode.Uri) => countFolder(d, logger, uri)),
		command('export', (uri?: vscode.Uri) => exportResults(d, uri)),
		command('copySummary', async () => {
			await d.controller.ensureFresh();
			const text = summary(d.model);
			await vscode.env.clipboard.writeText(text);
			vscode.window.setStatusBarMessage(vscode.l10n.t('Workspace Stats: summary copied'), 3000);
			return text;
		}),
		command('showLog', () => d.log.show()),
		command('runBenchmark', () => vscode.window.withProgress(
			{ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Workspace Stats: running the benchmark'), cancellable: true },
			async (progress, token) => {
				d.log.show();
				return runBenchmark(d.model, d.log.for('benchmark'), toAbortSignal(token), (m) => progress.report({ message: m }));
			},
		)),
		command('clearIndex', async () => {
			await d.model.clearIndex();
			vscode.window.setStatusBarMessage(vscode.l10n.t('Workspace Stats: index cleared'), 3000);
		}),
		// A file picked in the Folders view: its structure, and the file in a preview editor
		// (the tree keeps the focus, so the keyboard can go on through the tree).
		command('_showStructure', async (uri?: vscode.Uri) => {
			if (!uri) return;
			await d.structure.show(uri);
			await vscode.window.showTextDocument(uri, { preview: true, preserveFocus: true });
		}),
	];
}

// --- Count Lines in Folder --------------------------------------------------------------------

async function countFolder(d: CommandDeps, logger: Logger, uri?: vscode.Uri): Promise<JsonReport | undefined> {
	if (!uri) {
		const picked = await vscode.window.showOpenDialog({
			canSelectFolders: true, canSelectFiles: false, canSelectMany: false,
			defaultUri: d.model.folders[0]?.uri, openLabel: vscode.l10n.t('Count Lines'),
		});
		uri = picked?.[0];
		if (!uri) return undefined;
	}
	const folder = uri;
	// The folder's workspace settings apply (excludes, .gitignore, limits); outside the workspace, the defaults.
	const owner = vscode.workspace.getWorkspaceFolder(folder);
	const options = readFolderSettings(owner?.uri ?? folder).options;
	const name = vscode.workspace.asRelativePath(folder, true);
	const result: ScanResult = await vscode.window.withProgress(
		{ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Counting lines in {0}', name), cancellable: true },
		(progress, token) => scan([folder.fsPath], {
			...options, keepRecords: false, jobs: 2, signal: toAbortSignal(token), logger: d.log.for('scanner'),
			onProgress: (p) => progress.report({ message: vscode.l10n.t('{0} files', num(p.files)) }),
		}),
	);
	const report = toJsonReport(result);
	const t = report.totals;
	logger.info(`count lines in ${folder.fsPath}:\n${formatReport('table', report)}`);
	const message = vscode.l10n.t('{0}: {1} files, {2} lines ({3} code, {4} comment, {5} blank) in {6}', name, num(t.files), num(t.lines), num(t.code), num(t.comment), num(t.blank), duration(result.timing.totalMs));
	void vscode.window.showInformationMessage(message, SHOW_LOG()).then((pick) => pick && d.log.show());
	return report;
}

// --- Export ----------------------------------------------------------------------------------

const FORMAT_BY_EXT: Record<string, ReportFormat> = { '.json': 'json', '.csv': 'csv', '.md': 'markdown', '.markdown': 'markdown' };

/** The model as the core's ScanResult, so every format comes from the same code as the CLI's. */
export function modelAsScanResult(model: StatsModel): ScanResult {
	const records = [...model.index.values()].sort((a, b) => a.root - b.root || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
	const timing = { totalMs: model.last?.ms ?? 0, ...(model.last?.phases ?? {}) };
	return { version: 1, roots: [...model.index.roots], aggregates: model.index.snapshot(), records, skipped: model.skipped(), timing };
}

async function exportResults(d: CommandDeps, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
	await d.controller.ensureFresh();
	if (!target) {
		const base = d.model.folders[0]?.uri;
		target = await vscode.window.showSaveDialog({
			title: vscode.l10n.t('Export Workspace Stats'),
			defaultUri: base && vscode.Uri.joinPath(base, 'workspace-stats.json'),
			filters: { JSON: ['json'], CSV: ['csv'], Markdown: ['md'] },
		});
		if (!target) return undefined;
	}
	const ext = nodePath.extname(target.path).toLowerCase();
	const format = FORMAT_BY_EXT[ext];
	if (!format) throw new Error(vscode.l10n.t('cannot export to "{0}": use .json, .csv or .md', nodePath.basename(target.path)));
	// JSON: everything; CSV: one row per file (the table people pivot); Markdown: languages and folders.
	const report = toJsonReport(modelAsScanResult(d.model), { byFolder: format !== 'csv', byFile: format !== 'markdown' });
	await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(formatReport(format, report)));
	const saved = target;
	void vscode.window.showInformationMessage(vscode.l10n.t('Workspace Stats exported to {0}', vscode.workspace.asRelativePath(saved)), vscode.l10n.t('Open')).then((pick) => {
		if (pick) void vscode.commands.executeCommand('vscode.open', saved);
	});
	return saved;
}

// --- Copy Summary ----------------------------------------------------------------------------

/** A short Markdown summary: totals and the ten biggest languages. */
export function summary(model: StatsModel): string {
	const s = model.index.snapshot();
	const t = s.totals;
	const names = model.folders.map((f) => f.name).join(', ');
	const lines = [
		`**${names}**: ${vscode.l10n.t('{0} files, {1} lines ({2} code, {3} comment, {4} blank)', num(t.files), num(t.lines), num(t.code), num(t.comment), num(t.blank))}`,
		'',
		`| ${vscode.l10n.t('Language')} | ${vscode.l10n.t('Files')} | ${vscode.l10n.t('Code')} | ${vscode.l10n.t('Comments')} | ${vscode.l10n.t('Blank')} |`,
		'|---|---:|---:|---:|---:|',
		...s.languages.slice(0, 10).map((l) => `| ${l.name} | ${num(l.files)} | ${num(l.code)} | ${num(l.comment)} | ${num(l.blank)} |`),
	];
	if (s.languages.length > 10) lines.push(`| ${vscode.l10n.t('{0} more', s.languages.length - 10)} | | | | |`);
	return lines.join('\n') + '\n';
}
