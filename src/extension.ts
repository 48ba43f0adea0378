// Workspace Stats in VS Code. activate() only wires things up — no file is read and nothing is
// scanned here (see host/scanController.ts for when scans happen) — and returns a small API the
// integration tests use to read the views' contents.
import * as vscode from 'vscode';
import { registerCommands } from './host/commands';
import { FoldersProvider } from './host/foldersTree';
import { LiveUpdates } from './host/liveUpdates';
import { Log } from './host/log';
import { StatsModel } from './host/model';
import { OverviewProvider } from './host/overviewTree';
import { ScanController } from './host/scanController';
import { StatusBar } from './host/statusBar';
import { StructureProvider } from './host/structureTree';
import { registerViews } from './host/views';

/** What activate() returns: the model, the providers and the status bar, for tests. */
export interface WorkspaceStatsApi {
	model: StatsModel;
	live: LiveUpdates;
	controller: ScanController;
	overview: OverviewProvider;
	folders: FoldersProvider;
	structure: StructureProvider;
	statusBar: StatusBar;
	/** Milliseconds activate() took. */
	activationMs: number;
}

export function activate(context: vscode.ExtensionContext): WorkspaceStatsApi {
	const t0 = performance.now();
	const log = new Log('Workspace Stats');
	const model = new StatsModel(context.storageUri, { scanner: log.for('scanner'), index: log.for('index') });
	const live = new LiveUpdates(model, log.for('watcher'));
	const controller = new ScanController(model, live, log.for('scanner'));
	const overview = new OverviewProvider(model);
	const folders = new FoldersProvider(model);
	const structure = new StructureProvider(model);
	const statusBar = new StatusBar(model);
	context.subscriptions.push(
		log, model, live, controller, overview, folders, structure, statusBar,
		...registerViews({ model, controller, overview, folders, structure }),
		...registerCommands({ model, controller, structure, log }),
	);
	// The saved index (and scanOnStartup) after activation, never inside it.
	setTimeout(() => void controller.startUp(), 0);
	const activationMs = performance.now() - t0;
	log.for('activate').info(`activated in ${activationMs.toFixed(1)} ms`);
	running = { model, live };
	return { model, live, controller, overview, folders, structure, statusBar, activationMs };
}

let running: { model: StatsModel; live: LiveUpdates } | undefined;

/** Applies pending file events and finishes the index write, so the next start loads the latest state. */
export async function deactivate(): Promise<void> {
	const r = running;
	running = undefined;
	if (!r) return;
	const flush = (async () => {
		await r.live.settled();
		await r.model.flush();
	})();
	// VS Code waits a few seconds at most; never hang the shutdown.
	await Promise.race([flush, new Promise((resolve) => setTimeout(resolve, 2000))]);
}
