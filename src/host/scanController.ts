// When scans happen: never during activation. The persisted index is loaded right after it (the
// views and the status bar show the last results at once); the first scan starts when a view
// becomes visible, a command needs results, or `scanOnStartup` is set. Then the watchers keep the
// index current; settings and folder changes rescan what they affect. Progress shows on the views;
// cancellation comes from the status bar item, the view title or the Cancel Scan command.
import * as vscode from 'vscode';
import type { Logger } from '../core/types';
import { Disposable } from './dispose';
import type { LiveUpdates } from './liveUpdates';
import { CancelledError } from './model';
import type { StatsModel, UpdateInfo } from './model';
import { affectsScan, scanOnStartup } from './settings';

export const VIEW_IDS = ['workspaceStats.overview', 'workspaceStats.folders'] as const;

export class ScanController extends Disposable {
	private first: Promise<void> | undefined;

	constructor(
		private readonly model: StatsModel,
		private readonly live: LiveUpdates,
		private readonly log: Logger,
	) {
		super();
		this.register(model.onDidChangeState((s) => void vscode.commands.executeCommand('setContext', 'workspaceStats.scanning', s === 'scanning')));
		this.register(model.onDidChange(() => void vscode.commands.executeCommand('setContext', 'workspaceStats.hasResults', model.hasResults)));
		this.register(vscode.workspace.onDidChangeConfiguration((e) => this.onConfigurationChanged(e)));
		this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.onFoldersChanged()));
	}

	/** After activation: show the persisted index, start the watchers, scan when asked to. */
	async startUp(): Promise<void> {
		if (this.model.folders.length === 0) return;
		if (await this.model.loadIndex()) this.live.start();
		if (scanOnStartup()) await this.ensureFresh().catch((e: unknown) => this.background(e));
	}

	/** A view became visible. */
	onViewVisible(): void {
		this.ensureFresh().catch((e: unknown) => this.background(e));
	}

	/** Results of this session: the first call scans (after loading the index); later calls wait for a running scan. */
	async ensureFresh(): Promise<void> {
		if (this.model.folders.length === 0) return;
		this.first ??= (async () => {
			await this.model.loadIndex();
			if (!this.model.scannedThisSession) await this.scan({});
		})().finally(() => {
			// A cancelled first scan leaves the next trigger free to try again.
			if (!this.model.scannedThisSession) this.first = undefined;
		});
		await this.first;
		await this.model.idle();
	}

	/** Scans with progress on the views. Rejects with CancelledError when cancelled. */
	async scan(opts: { fromScratch?: boolean; roots?: number[] }): Promise<UpdateInfo> {
		const run = this.model.scan(opts);
		// Progress bars on both views while the scan runs (a view location has no cancel button:
		// the status bar item and the view title's stop button cancel).
		for (const viewId of VIEW_IDS) void vscode.window.withProgress({ location: { viewId } }, () => run.catch(() => undefined));
		const info = await run;
		if (!this.live.running) this.live.start();
		return info;
	}

	private onConfigurationChanged(e: vscode.ConfigurationChangeEvent): void {
		if (!this.model.hasResults) return;
		const roots = this.model.folders.map((f, i) => (affectsScan(e, f.uri) ? i : -1)).filter((i) => i >= 0);
		if (roots.length === 0) return;
		this.log.info(`settings changed: rescanning ${roots.map((i) => this.model.folders[i].name).join(', ')}`);
		this.scan({ roots }).catch((err: unknown) => this.background(err));
	}

	private onFoldersChanged(): void {
		const added = this.model.setFolders(vscode.workspace.workspaceFolders ?? []);
		this.log.info(`workspace folders changed: ${this.model.folders.map((f) => f.name).join(', ') || 'none'}`);
		if (this.live.running) this.live.start();
		if (added.length && this.model.scannedThisSession) this.scan({ roots: added }).catch((err: unknown) => this.background(err));
	}

	/** Errors of work the user did not ask for go to the log only. */
	private background(e: unknown): void {
		if (CancelledError.is(e)) this.log.info('scan cancelled');
		else this.log.error(e instanceof Error ? e : String(e));
	}
}
