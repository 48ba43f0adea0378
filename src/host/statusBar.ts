// The status bar item (left, workspace-wide): `files · lines · time of the last scan or update`,
// a spinner while scanning (click cancels), a Markdown tooltip with the phase timings, when it
// last updated and what changed; a click otherwise focuses the Overview.
import * as vscode from 'vscode';
import { Disposable } from './dispose';
import { bytes, duration, num } from './format';
import type { StatsModel, UpdateInfo } from './model';
import { showStatusBar } from './settings';

export class StatusBar extends Disposable {
	readonly item: vscode.StatusBarItem;
	private progressTimer: ReturnType<typeof setTimeout> | undefined;

	constructor(private readonly model: StatsModel) {
		super();
		this.item = this.register(vscode.window.createStatusBarItem('workspaceStats.status', vscode.StatusBarAlignment.Left, 50));
		this.item.name = vscode.l10n.t('Workspace Stats');
		this.register(model.onDidChange(() => this.update()));
		this.register(model.onDidChangeState(() => this.update()));
		// Progress events come often: redraw at most every 250 ms.
		this.register(model.onDidProgress(() => {
			this.progressTimer ??= setTimeout(() => {
				this.progressTimer = undefined;
				this.update();
			}, 250);
		}));
		this.register({ dispose: () => this.progressTimer && clearTimeout(this.progressTimer) });
		this.register(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('workspaceStats.showStatusBar') && this.update()));
		this.update();
	}

	/** Whether the item is shown (StatusBarItem has no getter for it). */
	visible = false;

	update(): void {
		if (!showStatusBar() || this.model.folders.length === 0) {
			this.item.hide();
			this.visible = false;
			return;
		}
		const m = this.model;
		if (m.state === 'scanning') {
			this.item.text = `$(sync~spin) ${vscode.l10n.t('Scanning… {0} files', num(m.progress.files))}`;
			this.item.tooltip = vscode.l10n.t('Workspace Stats is scanning. Click to cancel.');
			this.item.command = { command: 'workspaceStats.cancel', title: vscode.l10n.t('Cancel Scan') };
			this.item.accessibilityInformation = { label: vscode.l10n.t('Scanning, {0} files so far. Activate to cancel.', m.progress.files) };
		} else if (m.state === 'loading') {
			this.item.text = `$(sync~spin) ${vscode.l10n.t('Loading index…')}`;
			this.item.tooltip = undefined;
			this.item.command = undefined;
		} else if (!m.hasResults) {
			this.item.text = `$(graph) ${vscode.l10n.t('Workspace Stats')}`;
			this.item.tooltip = vscode.l10n.t('Not scanned yet. Click to show the Overview and scan.');
			this.item.command = { command: 'workspaceStats.overview.focus', title: vscode.l10n.t('Show Overview') };
		} else {
			const t = m.index.aggregates.totals;
			const last = m.last;
			this.item.text = `$(graph) ${statusText(t.files, t.lines, last)}`;
			this.item.tooltip = this.tooltip();
			this.item.command = { command: 'workspaceStats.overview.focus', title: vscode.l10n.t('Show Overview') };
			this.item.accessibilityInformation = undefined;
		}
		this.item.show();
		this.visible = true;
	}

	private tooltip(): vscode.MarkdownString {
		const m = this.model;
		const t = m.index.aggregates.totals;
		const md = new vscode.MarkdownString(undefined, true);
		md.appendMarkdown(`**${vscode.l10n.t('Workspace Stats')}**\n\n`);
		md.appendMarkdown(`${vscode.l10n.t('{0} files, {1} lines: {2} code, {3} comment, {4} blank; {5}', num(t.files), num(t.lines), num(t.code), num(t.comment), num(t.blank), bytes(t.bytes))}\n\n`);
		const last = m.last;
		if (last) {
			md.appendMarkdown(`${vscode.l10n.t('{0} at {1}, took {2}', kindLabel(last.kind), new Date(last.at).toLocaleTimeString(vscode.env.language), duration(last.ms))}\n\n`);
			const phases = Object.entries(last.phases).filter(([, ms]) => ms >= 0.05);
			if (phases.length) {
				md.appendMarkdown(`| ${vscode.l10n.t('Phase')} | ms |\n|---|---:|\n`);
				for (const [k, ms] of phases) md.appendMarkdown(`| ${k} | ${ms < 10 ? ms.toFixed(1) : Math.round(ms)} |\n`);
				md.appendMarkdown('\n');
			}
			if (last.kind !== 'index') {
				md.appendMarkdown(`${vscode.l10n.t('Changed: {0} added, {1} changed, {2} removed', last.added, last.changed, last.removed)}`);
				if (last.examples.length) md.appendMarkdown(` (${last.examples.map((p) => '`' + p + '`').join(', ')}${last.added + last.changed + last.removed > last.examples.length ? ', …' : ''})`);
				md.appendMarkdown('\n\n');
			}
		}
		md.appendMarkdown(vscode.l10n.t('Click to show the Overview.'));
		return md;
	}
}

function kindLabel(kind: UpdateInfo['kind']): string {
	switch (kind) {
		case 'scan': return vscode.l10n.t('Scanned');
		case 'rescan': return vscode.l10n.t('Rescanned from scratch');
		case 'index': return vscode.l10n.t('Loaded from the saved index');
		case 'update': return vscode.l10n.t('Updated');
	}
}

/** `12 files · 1,234 lines · 35 ms`: the time the last scan or update took. */
export function statusText(files: number, lines: number, last: UpdateInfo | undefined): string {
	const parts = [vscode.l10n.t('{0} files', num(files)), vscode.l10n.t('{0} lines', num(lines))];
	if (last) parts.push(duration(last.ms));
	return parts.join(' · ');
}
