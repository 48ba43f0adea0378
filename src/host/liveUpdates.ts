// Live updates: the VS Code side of the core's long-lived processor (src/core/processor.ts).
// One FileSystemWatcher per workspace folder feeds that folder's Processor; the processor
// coalesces repeats, waits out bursts, collapses storms into folder rescans, applies each batch
// to the shared index and fires one event per batch, which the model turns into view refreshes
// of the changed nodes and the status bar's "what changed". VS Code's watcher already leaves out
// `files.watcherExclude`; the processor's filters (our excludes and ignore files, built from the
// folder's settings) decide the rest.
//
// One processor per folder because settings are per folder: each is built with its folder's scan
// options over the model's index (`ownRoots`), and re-created when the index is replaced (index
// load, rescan from scratch, folders added or removed) or the folder's settings change. Each has
// an analyzer pool with the folder's options for big batches (a storm's rescans, a folder moved
// in), so those are analyzed off the extension host's thread; its workers start on first use.
import * as vscode from 'vscode';
import type { FileIndex } from '../core/fileIndex';
import { AnalyzerPool } from '../core/pool';
import { Processor } from '../core/processor';
import type { BatchEvent, ChangeEvent } from '../core/processor';
import type { Logger } from '../core/types';
import { analyzeOptionsOf } from '../core/scanner';
import { Disposable } from './dispose';
import { analysisThreads } from './model';
import type { StatsModel, UpdateInfo } from './model';

export interface LiveUpdateOptions {
	/**
	 * How long a processor waits after the first event of a batch for more to arrive, in milliseconds.
	 * @default 50
	 */
	batchWindowMs?: number;
	/**
	 * Pending paths per folder beyond which they collapse into rescans of their top folders.
	 * @default 2000
	 */
	stormThreshold?: number;
}

interface FolderProcessor {
	processor: Processor;
	pool: AnalyzerPool;
	/** What it was built for: the index object, the folder and its settings. */
	index: FileIndex;
	key: string;
}

export class LiveUpdates extends Disposable {
	private watchers: vscode.Disposable[] = [];
	/** By root index (the model's folder order). */
	private processors: (FolderProcessor | undefined)[] = [];
	/** Processors being stopped: `settled` waits for them too. */
	private stopping: Promise<void>[] = [];
	private readonly batchWindowMs: number;
	private readonly stormThreshold: number;

	private readonly _onDidUpdate = this.register(new vscode.EventEmitter<UpdateInfo>());
	/** Fires after each applied batch. */
	readonly onDidUpdate = this._onDidUpdate.event;

	constructor(
		private readonly model: StatsModel,
		private readonly log: Logger,
		opts: LiveUpdateOptions = {},
	) {
		super();
		this.batchWindowMs = opts.batchWindowMs ?? 50;
		this.stormThreshold = opts.stormThreshold ?? 2000;
		// The index or a folder's settings may have been replaced: keep the processors in step.
		this.register(model.onDidChange(() => {
			if (this.running) this.sync();
		}));
		this.register({ dispose: () => this.stop() });
	}

	/** (Re)creates the watchers for the model's folders and starts their processors. */
	start(): void {
		this.stop();
		for (const folder of this.model.folders) {
			const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '**/*'));
			w.onDidCreate((u) => this.push(u, 'created'));
			w.onDidChange((u) => this.push(u, 'changed'));
			w.onDidDelete((u) => this.push(u, 'deleted'));
			this.watchers.push(w);
		}
		this.sync();
		this.log.debug(`watching ${this.model.folders.length} folder(s)`);
	}

	get running(): boolean {
		return this.watchers.length > 0;
	}

	/** Worker threads the folders' pools run now (0 until a big batch needs them). */
	get workers(): number {
		return this.processors.reduce((n, p) => n + (p?.pool.size ?? 0), 0);
	}

	/** Largest number of entries any folder's processor had queued (for the log and tests). */
	get peakQueue(): number {
		return Math.max(0, ...this.processors.map((p) => p?.processor.stats.peakQueue ?? 0));
	}

	stop(): void {
		for (const w of this.watchers.splice(0)) w.dispose();
		for (let i = 0; i < this.processors.length; i++) this.retire(i);
		this.processors = [];
	}

	/** Resolves when every event received so far has been applied and saved (tests, export, shutdown). */
	async settled(): Promise<void> {
		const current = () => this.processors.filter((p) => p !== undefined);
		for (;;) {
			const procs = current();
			await Promise.all([...this.stopping, ...procs.map((p) => p.processor.whenIdle())]);
			// A processor created meanwhile may hold newer events.
			const now = current();
			if (this.stopping.length === 0 && now.length === procs.length && now.every((p, i) => p === procs[i])) break;
		}
		await this.model.flush();
	}

	/** One processor per folder, built for the current index and the folder's current settings. */
	private sync(): void {
		const index = this.model.index;
		const n = this.model.folders.length;
		for (let i = n; i < this.processors.length; i++) this.retire(i);
		this.processors.length = n;
		for (let i = 0; i < n; i++) {
			const settings = this.model.settingsOf(i)!;
			const key = `${this.model.folders[i].uri.fsPath}\u0000${settings.fingerprint}`;
			const cur = this.processors[i];
			if (cur && cur.index === index && cur.key === key) continue;
			this.retire(i);
			const pool = new AnalyzerPool({ jobs: analysisThreads(), analyze: analyzeOptionsOf(settings.options), logger: this.log });
			const processor = new Processor({
				index,
				ownRoots: [i],
				scanOptions: settings.options,
				pool,
				batchWindowMs: this.batchWindowMs,
				stormThreshold: this.stormThreshold,
				// A full scan in progress read the disk before these events: apply them after it.
				gate: () => this.model.idle(),
				logger: this.log,
			});
			processor.onDidProcessBatch((b) => this.onBatch(b));
			processor.start();
			this.processors[i] = { processor, pool, index, key };
		}
	}

	/**
	 * Stops a folder's processor. Its queued events are dropped: it is replaced because the index
	 * or the settings changed, and the scan that follows reads the disk afresh.
	 */
	private retire(i: number): void {
		const cur = this.processors[i];
		if (!cur) return;
		this.processors[i] = undefined;
		const done = cur.processor.stop({ drain: false }).then(() => cur.pool.close()).finally(() => {
			this.stopping = this.stopping.filter((p) => p !== done);
		});
		this.stopping.push(done);
	}

	private push(uri: vscode.Uri, type: 'created' | 'changed' | 'deleted'): void {
		if (uri.scheme !== 'file') return;
		const abs = uri.fsPath;
		const loc = this.model.locate(abs);
		if (!loc) return;
		const p = this.processors[loc.root];
		if (!p) return;
		// A deleted folder arrives as one event for the folder; the processor drops its records.
		const ev: ChangeEvent = { type, path: abs };
		if (p.processor.enqueue(ev) && type === 'deleted') this.model.deleted(loc.root, loc.rel);
	}

	private onBatch(b: BatchEvent): void {
		try {
			const info = this.model.applyProcessed(b);
			// The processor logs the batch's errors itself.
			if (!info) return;
			this.log.info(`${b.events} event(s), ${b.paths} path(s)${b.rescanned.length ? `, ${b.rescanned.length} folder(s) re-listed` : ''}: +${info.added} ~${info.changed} -${info.removed} in ${b.timing.processMs.toFixed(1)} ms (window ${b.timing.windowMs.toFixed(0)} ms)`);
			this._onDidUpdate.fire(info);
		} catch (e) {
			// Background work: errors go to the log only.
			this.log.error(e instanceof Error ? e : String(e));
		}
	}
}
