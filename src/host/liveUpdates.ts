// Live updates: one FileSystemWatcher per workspace folder feeds a queue that coalesces repeats
// per path (create + change + delete of a temp file nets to a delete of something the index does
// not have: nothing) and is drained as one batch a short while after the last event. A storm
// (a branch switch touching thousands of files) collapses into a rescan of the folders involved,
// so the queue never grows without bound. VS Code's watcher already leaves out
// `files.watcherExclude`; the model applies our own excludes and ignore files per path.
//
// TODO(lead): the core's long-lived processor (src/core/processor.ts, issue 3) can replace the
// drain loop here once it lands: feed it these events and listen to its onDidProcessBatch.
import * as vscode from 'vscode';
import type { Logger } from '../core/types';
import { Disposable } from './dispose';
import { CancelledError } from './model';
import type { PathChange, StatsModel, UpdateInfo } from './model';

export interface LiveUpdateOptions {
	/**
	 * Quiet time after the last event before a batch is processed, in milliseconds.
	 * @default 50
	 */
	debounceMs?: number;
	/**
	 * Pending paths beyond which the batch becomes a rescan of the affected folders.
	 * @default 2000
	 */
	stormThreshold?: number;
}

const IGNORE_FILES = new Set(['.gitignore', '.ignore']);

export class LiveUpdates extends Disposable {
	private readonly pending = new Map<string, PathChange>();
	private readonly stormRoots = new Set<number>();
	private storm = false;
	private timer: ReturnType<typeof setTimeout> | undefined;
	private draining: Promise<void> = Promise.resolve();
	private watchers: vscode.Disposable[] = [];
	private readonly debounceMs: number;
	private readonly stormThreshold: number;
	/** Largest number of pending paths seen (for the log and tests). */
	peakQueue = 0;

	private readonly _onDidUpdate = this.register(new vscode.EventEmitter<UpdateInfo>());
	/** Fires after each applied batch. */
	readonly onDidUpdate = this._onDidUpdate.event;

	constructor(
		private readonly model: StatsModel,
		private readonly log: Logger,
		opts: LiveUpdateOptions = {},
	) {
		super();
		this.debounceMs = opts.debounceMs ?? 50;
		this.stormThreshold = opts.stormThreshold ?? 2000;
		this.register({ dispose: () => this.stop() });
	}

	/** (Re)creates the watchers for the model's folders. */
	start(): void {
		this.stop();
		for (const folder of this.model.folders) {
			const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '**/*'));
			w.onDidCreate((u) => this.push(u, 'changed'));
			w.onDidChange((u) => this.push(u, 'changed'));
			w.onDidDelete((u) => this.push(u, 'deleted'));
			this.watchers.push(w);
		}
		this.log.debug(`watching ${this.model.folders.length} folder(s)`);
	}

	get running(): boolean {
		return this.watchers.length > 0;
	}

	stop(): void {
		for (const w of this.watchers.splice(0)) w.dispose();
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		this.pending.clear();
	}

	private push(uri: vscode.Uri, kind: PathChange): void {
		if (uri.scheme !== 'file') return;
		const abs = uri.fsPath;
		const loc = this.model.locate(abs);
		if (!loc) return;
		if (IGNORE_FILES.has(abs.slice(abs.lastIndexOf('/') + 1))) {
			// Other ignore rules: what the folder contains may change anywhere below it.
			this.model.invalidateFilter(loc.root);
			this.storm = true;
			this.stormRoots.add(loc.root);
		}
		if (this.storm) this.stormRoots.add(loc.root);
		else {
			this.pending.set(abs, kind);
			if (this.pending.size > this.peakQueue) this.peakQueue = this.pending.size;
			if (this.pending.size > this.stormThreshold) {
				// Collapse: forget the paths, remember only which folders to rescan.
				this.storm = true;
				for (const p of this.pending.keys()) {
					const l = this.model.locate(p);
					if (l) this.stormRoots.add(l.root);
				}
				this.pending.clear();
				this.log.info(`more than ${this.stormThreshold} changes pending: rescanning the folders involved instead`);
			}
		}
		if (this.timer) clearTimeout(this.timer);
		this.timer = setTimeout(() => {
			this.timer = undefined;
			this.draining = this.draining.then(() => this.drain());
		}, this.debounceMs);
	}

	/** Resolves when every event received so far has been applied (tests, export). */
	async settled(): Promise<void> {
		while (this.timer || this.pending.size > 0 || this.storm) {
			if (this.timer) await new Promise((r) => setTimeout(r, this.debounceMs));
			await this.draining;
			if (!this.timer && this.pending.size === 0 && !this.storm) break;
		}
		await this.draining;
	}

	private async drain(): Promise<void> {
		try {
			if (this.storm) {
				const roots = [...this.stormRoots];
				this.storm = false;
				this.stormRoots.clear();
				this.pending.clear();
				const info = await this.model.scan({ roots });
				this._onDidUpdate.fire(info);
				return;
			}
			if (this.pending.size === 0) return;
			// A scan in progress read some files before these events: apply them after it.
			await this.model.idle();
			const batch = new Map(this.pending);
			this.pending.clear();
			const info = await this.model.update(batch);
			if (info) {
				this.log.info(`${batch.size} event(s): +${info.added} ~${info.changed} -${info.removed} in ${info.ms.toFixed(1)} ms`);
				this._onDidUpdate.fire(info);
			}
		} catch (e) {
			// Background work: errors go to the log only.
			if (CancelledError.is(e)) this.log.info('rescan after many changes was cancelled');
			else this.log.error(e instanceof Error ? e : String(e));
		}
	}
}
