// `workspace-stats watch [--index PATH] [--window MS] [scan options] DIR...`: keeps the counts of
// folders current with the background processor over Node's recursive `fs.watch`, printing one
// line per batch (what changed, the new totals, the time it took) until Ctrl+C / SIGTERM.
// With `--format json`, one JSON object per line instead (events `ready`, `batch`, `stopped`).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileIndex } from '../core/fileIndex';
import { isIndexStoreFile } from '../core/indexStore';
import { AnalyzerPool } from '../core/pool';
import { Processor } from '../core/processor';
import type { BatchEvent } from '../core/processor';
import { analyzeOptionsOf, scan } from '../core/scanner';
import type { Logger, Totals } from '../core/types';
import { scanWithIndex } from '../core/warmScan';
import { checkPaths, parseWholeNumber, repeatNote, resolveUserPaths, stderrLogger, UsageError } from './args';
import { takeIndexFlag } from './indexCommand';
import type { CliIo } from './main';
import { parseScanArgs } from './scanCommand';
import { readVersion } from './version';

export const WATCH_HELP = `Usage: workspace-stats watch [options] DIR...

Counts DIR once (through the index with --index), then watches it and prints one
line per batch of changes: what changed, the new totals, the time taken.
Stop with Ctrl+C; the index is saved after every batch.

Exit status: 0 stopped by Ctrl+C or SIGTERM; 1 a watched folder was removed or
moved away (or watching failed): a message on stderr, then the last batch and
the stopped line; 2 usage error.

Options:
      --index PATH         load and keep the index in PATH (warm start)
      --window MS          wait MS milliseconds after a change for more before
                           processing them as one batch (default 50)
  -f, --format FORMAT      table (default: one text line per batch) or json (one
                           JSON object per line)
  -h, --help               show this help
  -V, --version            show the version
  and the scan options: --include, --exclude, --no-ignore, --follow-symlinks,
  --max-file-size, --docstrings-as-code, --like-cloc, --jobs (see workspace-stats --help)
`;

/**
 * Why the watch ended: a signal (status 0), or a watched folder removed or the watching over
 * otherwise (status 1, with a message on stderr).
 */
type StopReason =
	| { code: 0; reason: 'signal' }
	| { code: 1; reason: 'removed' | 'watcher-ended'; root?: string; message: string };

function isFolder(p: string): boolean {
	try {
		return fs.statSync(p).isDirectory();
	} catch {
		return false;
	}
}

/** Restarts of a root's watcher are this far apart at least, and twice the last one's time. */
const RESTART_MIN_MS = 100;
/** Gone paths remembered until the next restart; past this it re-lists the whole root. */
const MAX_GONE = 10_000;

function exists(p: string): boolean {
	try {
		fs.lstatSync(p);
		return true;
	} catch {
		return false;
	}
}

interface RootWatchHooks {
	proc: Processor;
	logger: Logger;
	/** The index's path: its own files' events are dropped (see `isIndexStoreFile`). */
	indexAbs: string | undefined;
	/** The root is gone: watching it is over. */
	removed(root: string): void;
	/** The watcher closed on its own. */
	ended(message: string): void;
}

/**
 * One root's recursive `fs.watch`, feeding the processor, kept working over a flaw of Node 20's
 * recursive watcher on Linux (lib/internal/fs/recursive_watch.js: one non-recursive fs.watch
 * per file and per folder, kept in a map by path). When an entry goes away (deleted, or renamed:
 * the old name goes), it closes the watch of every path that *starts with* the entry's path,
 * with no separator check: after `mv d1 d1moved` (or `rm -r d1` next to `d10/`) the watches
 * of `d1moved/…` are closed too, and changes under it make no event from then on. A file
 * that lost its watch heals itself (a change to it is also an event of its folder, which makes
 * Node list the folder again and watch it anew); a folder does not. A new folder, created or
 * moved in under a name that is not such a prefix, is followed correctly.
 *
 * So for each gone path we note its name; a moment later (coalesced: one check per window) the
 * folders beside it whose names start with that name (itself, if back) are the blind ones. If
 * there are any, the watcher is re-created (a new one first, then the old one closed, so no
 * folder is unwatched in between), and those folders are queued: the processor re-lists them
 * and reconciles them with the index, which picks up what changed while they were blind.
 *
 * Cost of a restart: what Node does at start, synchronously on this thread: a readdir of every
 * folder and a stat and an fs.watch of every file and folder of the root (measured here: 0.7 s
 * for 10,600 entries, about 65 µs each), plus the re-listing of the blind folders. Hence only the
 * gone names that prefix a folder's name restart (rare: renames to a longer name, `d1` next to
 * `d10`), not every new folder, and restarts are spaced by twice the last one's time, so even a
 * checkout that renames hundreds of folders costs a few restarts, at most a third of the time.
 */
class RootWatch {
	private w: fs.FSWatcher | undefined;
	private closed = false;
	/** Names gone (from 'rename' events of paths that no longer exist), by parent folder. */
	private gone = new Map<string, Set<string>>();
	private goneCount = 0;
	private overflow = false;
	private timer: NodeJS.Timeout | undefined;
	private lastRestartMs = 0;

	constructor(readonly root: string, private readonly h: RootWatchHooks) {}

	start(): void {
		try {
			this.w = this.open();
		} catch (e) {
			if (isFolder(this.root)) throw e;
			// Removed since the initial scan.
			this.h.proc.enqueue({ type: 'rescan', path: this.root });
			this.h.removed(this.root);
			return;
		}
		// Removed while the watcher was starting: it may never say so.
		if (!isFolder(this.root)) this.h.removed(this.root);
	}

	close(): void {
		this.closed = true;
		clearTimeout(this.timer);
		this.w?.close();
	}

	private open(): fs.FSWatcher {
		const w = fs.watch(this.root, { recursive: true }, this.onEvent);
		w.on('error', (e) => {
			if (w !== this.w || this.closed) return;
			this.h.logger.warn(`watching ${this.root}: ${e.message}; rescanning it`);
			this.h.proc.enqueue({ type: 'rescan', path: this.root });
			if (!isFolder(this.root)) this.h.removed(this.root);
		});
		// Node's watchers emit 'close' only for our own close(); any other is the end of watching.
		w.on('close', () => {
			if (w === this.w && !this.closed) this.h.ended(`the watcher of ${this.root} closed`);
		});
		return w;
	}

	private readonly onEvent = (type: string, filename: string | Buffer | null): void => {
		if (this.closed) return;
		const { proc, indexAbs } = this.h;
		// No name: the watcher cannot say what changed; look at the whole folder again.
		if (filename === null) {
			proc.enqueue({ type: 'rescan', path: this.root });
			return;
		}
		const abs = path.join(this.root, filename.toString());
		if (type === 'rename') {
			if (abs === this.root) {
				// The root itself ('' from Node's Linux watcher) went away: Node has closed every
				// watch under it, so nothing would come any more (the queued rescan of the root
				// drops its files in the final drain).
				if (!isFolder(this.root)) {
					proc.enqueue({ type: 'rescan', path: this.root });
					this.h.removed(this.root);
					return;
				}
			} else if (!exists(abs)) {
				this.noteGone(abs);
			}
		}
		if (indexAbs && isIndexStoreFile(indexAbs, abs)) return;
		proc.enqueue({ type: type === 'rename' ? 'created' : 'changed', path: abs });
	};

	private noteGone(abs: string): void {
		if (this.goneCount >= MAX_GONE) {
			this.overflow = true;
		} else {
			const dir = path.dirname(abs);
			let names = this.gone.get(dir);
			if (!names) this.gone.set(dir, (names = new Set()));
			names.add(path.basename(abs));
			this.goneCount++;
		}
		this.timer ??= setTimeout(this.check, Math.max(RESTART_MIN_MS, 2 * this.lastRestartMs));
	}

	private readonly check = (): void => {
		this.timer = undefined;
		if (this.closed) return;
		if (!isFolder(this.root)) {
			this.h.proc.enqueue({ type: 'rescan', path: this.root });
			this.h.removed(this.root);
			return;
		}
		const blind = this.overflow ? [this.root] : this.blindFolders();
		this.gone.clear();
		this.goneCount = 0;
		this.overflow = false;
		if (blind.length === 0) return;
		const t0 = performance.now();
		let fresh: fs.FSWatcher;
		try {
			fresh = this.open();
		} catch (e) {
			if (!isFolder(this.root)) {
				this.h.proc.enqueue({ type: 'rescan', path: this.root });
				this.h.removed(this.root);
				return;
			}
			// Keep the old watcher (blind in places) and say so; a later gone name tries again.
			this.h.logger.warn(`watching ${this.root}: could not restart the watcher (${(e as Error).message}); changes under ${blind.join(', ')} may be missed`);
			return;
		}
		const old = this.w;
		this.w = fresh;
		old?.close();
		this.lastRestartMs = performance.now() - t0;
		this.h.logger.info(`[watch] ${this.root}: watcher re-created in ${this.lastRestartMs.toFixed(0)} ms; re-listing ${blind.length} folder(s)`);
		for (const f of blind) this.h.proc.enqueue(f === this.root ? { type: 'rescan', path: f } : { type: 'created', path: f });
	};

	/** Folders beside the gone names whose names start with one of them (see the class comment). */
	private blindFolders(): string[] {
		const out: string[] = [];
		for (const [dir, names] of this.gone) {
			let entries: fs.Dirent[];
			try {
				entries = fs.readdirSync(dir, { withFileTypes: true });
			} catch {
				continue; // gone too
			}
			for (const e of entries) {
				if (!e.isDirectory()) continue;
				for (let k = 1; k <= e.name.length; k++) {
					if (names.has(e.name.slice(0, k))) {
						out.push(path.join(dir, e.name));
						break;
					}
				}
			}
		}
		return out;
	}
}

function takeWindow(args: string[]): { windowMs: number; rest: string[] } {
	const rest: string[] = [];
	let windowMs = 50;
	for (let i = 0; i < args.length; i++) {
		const a = args[i];
		if (a === '--') {
			rest.push(...args.slice(i));
			break;
		}
		if (a === '--window' || a.startsWith('--window=')) {
			const v = a === '--window' ? args[++i] : a.slice('--window='.length);
			if (v === undefined) throw new UsageError('--window: needs a number of milliseconds');
			windowMs = parseWholeNumber(v, '--window');
			continue;
		}
		rest.push(a);
	}
	return { windowMs, rest };
}

const num = (n: number) => n.toLocaleString('en-US');

function totalsText(t: Totals): string {
	return `${num(t.files)} files, ${num(t.lines)} lines (${num(t.code)} code, ${num(t.comment)} comment, ${num(t.blank)} blank)`;
}

function batchLine(b: BatchEvent, roots: string[]): string {
	const show = (root: number, p: string) => (roots.length > 1 ? path.join(roots[root], p) : p);
	const by = { added: [] as string[], changed: [] as string[], removed: [] as string[] };
	for (const c of b.changed) by[c.kind].push(show(c.root, c.path));
	const parts: string[] = [];
	for (const [kind, sign] of [['added', '+'], ['changed', '~'], ['removed', '-']] as const) {
		const list = by[kind];
		if (list.length === 0) continue;
		const names = list.slice(0, 5).map((p) => JSON.stringify(p)).join(' ');
		parts.push(`${sign}${list.length} ${names}${list.length > 5 ? ` …(+${list.length - 5})` : ''}`);
	}
	if (parts.length === 0) parts.push('no file changed');
	let line = `batch ${b.seq}: ${parts.join(', ')} → ${totalsText(b.aggregates.totals.after)} in ${b.timing.processMs.toFixed(1)} ms`;
	if (b.skipped.length > 0) line += `; skipped ${b.skipped.map((s) => `${JSON.stringify(s.path)} (${s.reason})`).join(', ')}`;
	if (b.errors.length > 0) line += `; ${b.errors.length} error(s): ${b.errors.map((e) => `${JSON.stringify(e.path)}: ${e.reason}`).join('; ')}`;
	return line + '\n';
}

function batchJson(b: BatchEvent, roots: string[]): string {
	const by = { added: [] as string[], changed: [] as string[], removed: [] as string[] };
	for (const c of b.changed) by[c.kind].push(roots.length > 1 ? path.join(roots[c.root], c.path) : c.path);
	return JSON.stringify({
		event: 'batch', seq: b.seq, ...by, totals: b.aggregates.totals.after,
		skipped: b.skipped.map((s) => ({ path: s.path, reason: s.reason })), errors: b.errors,
		rescanned: b.rescanned.map((r) => r.path), events: b.events, timing: b.timing,
	}) + '\n';
}

export async function runWatch(args: string[], io: CliIo): Promise<number> {
	const { indexPath, rest: r1 } = takeIndexFlag(args);
	const { windowMs, rest } = takeWindow(r1);
	const o = parseScanArgs(rest);
	if (o.help) {
		io.stdout.write(WATCH_HELP);
		return 0;
	}
	if (o.version) {
		io.stdout.write(`${readVersion()}\n`);
		return 0;
	}
	if (o.jobsNote) io.stderr.write(`workspace-stats: ${o.jobsNote}\n`);
	if (o.format !== 'table' && o.format !== 'json') throw new UsageError(`watch --format: table or json, got '${o.format}'`);
	if (o.byFile || o.byFolder) throw new UsageError('watch prints batches: --by-file and --by-folder do not apply');
	const roots = resolveUserPaths(o.paths, repeatNote(io.stderr));
	checkPaths(roots);
	for (const r of roots) if (!fs.statSync(r).isDirectory()) throw new UsageError(`watch needs folders: ${r} is not one`);
	const json = o.format === 'json';
	const logger = stderrLogger(io.stderr);
	const scanOpts = { ...o.scan, keepRecords: false, syncListing: true, logger };

	// Initial state: through the index (warm) or a cold scan.
	let index: FileIndex;
	let ready: Record<string, unknown>;
	let processorStore: Pick<ConstructorParameters<typeof Processor>[0], 'store' | 'meta'> = {};
	if (indexPath !== undefined) {
		const res = await scanWithIndex(roots, resolveUserPaths([indexPath])[0], scanOpts);
		index = res.index;
		processorStore = { store: res.store, meta: res.meta };
		ready = { mode: res.mode, ...(res.warm ? { warm: res.warm } : {}), ms: res.timing.totalMs };
	} else {
		// The records only go into the index: their structure stays text until read.
		const res = await scan(roots, { ...scanOpts, keepRecords: true, pendingStructure: true });
		index = FileIndex.of(res.roots, res.records ?? []);
		ready = { mode: 'cold', ms: res.timing.totalMs };
	}
	// Signal handlers before the ready line: whoever reads it may stop us at once.
	let why: StopReason | undefined;
	let settle!: () => void;
	const stopped = new Promise<void>((resolve) => (settle = resolve));
	const stop = (r: StopReason) => {
		if (why) return;
		why = r;
		settle();
	};
	const onSignal = () => stop({ code: 0, reason: 'signal' });
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	const absRoots = index.roots;
	const totals = index.snapshot().totals;

	const pool = new AnalyzerPool({ jobs: o.scan.jobs ?? os.availableParallelism(), analyze: analyzeOptionsOf(o.scan), logger });
	const proc = new Processor({ index, ...processorStore, scanOptions: o.scan, pool, batchWindowMs: windowMs, logger });
	proc.onDidProcessBatch((b) => io.stdout.write(json ? batchJson(b, absRoots) : batchLine(b, absRoots)));
	proc.start();

	// An index kept inside a watched folder would report its own writes: the events of its files
	// (the base, journal, digests and their temp files; not other files named like it) are
	// dropped, so those files count as they were at start-up, as in a scan's result.
	const indexAbs = indexPath === undefined ? undefined : resolveUserPaths([indexPath])[0];
	if (indexAbs && absRoots.some((r) => indexAbs.startsWith(r + path.sep))) {
		logger.warn(`the index ${indexAbs} is inside a watched folder; keep it outside to keep it out of the counts`);
	}
	const rootRemoved = (root: string) => stop({ code: 1, reason: 'removed', root, message: `watched folder ${root} was removed or moved away` });
	const watches = absRoots.map((root) => new RootWatch(root, {
		proc, logger, indexAbs, removed: rootRemoved,
		ended: (message) => stop({ code: 1, reason: 'watcher-ended', root, message }),
	}));
	for (const w of watches) w.start();
	// The catch-all: nothing left to wait for while watching means every watcher has ended (the
	// signal listeners do not keep the process alive, the analyzer workers are unref'd). Without
	// this the process would end here, silently and with status 0.
	const onBeforeExit = () => stop({ code: 1, reason: 'watcher-ended', message: `nothing is being watched any more (${absRoots.join(', ')})` });
	process.on('beforeExit', onBeforeExit);
	// The ready line only now, in the same turn as the watchers' start: whoever reads it may change
	// files at once, and a file created before a watcher has listed its folder makes no event.
	io.stdout.write(json
		? JSON.stringify({ event: 'ready', roots: absRoots, totals, ...ready }) + '\n'
		: `watching ${absRoots.join(', ')}: ${totalsText(totals)} (${ready.mode} start in ${(ready.ms as number).toFixed(0)} ms); Ctrl+C stops\n`);

	await stopped;
	const end0 = why!;
	process.off('SIGINT', onSignal);
	process.off('SIGTERM', onSignal);
	process.off('beforeExit', onBeforeExit);
	for (const w of watches) w.close();
	if (end0.code !== 0) io.stderr.write(`workspace-stats: ${end0.message}; stopping\n`);
	// Drain: what was seen is processed and saved before we exit.
	await proc.stop({ drain: true });
	await pool.close();
	const end = index.snapshot().totals;
	io.stdout.write(json
		? JSON.stringify({ event: 'stopped', reason: end0.reason, ...(end0.code !== 0 && end0.root ? { root: end0.root } : {}), totals: end, stats: proc.stats }) + '\n'
		: `stopped: ${totalsText(end)}\n`);
	return end0.code;
}
