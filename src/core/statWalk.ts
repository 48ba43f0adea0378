// The stat walk of a warm start, on worker threads: list every folder and stat every file, as
// `walk()` does with `stat: true`, but with synchronous calls on a few threads that share the
// tree between them, so the calling thread (the CLI's, or the extension host's) never blocks on
// it and is free to load the index meanwhile.
//
// Why threads: on the 100k-file benchmark tree a stat costs ~3 µs of one core (2 of them in the
// kernel) and a listing ~1.3 ms per 1,000 files; on the calling thread that was ~0.5 s of a
// warm start's ~1 s, serial with loading the index. Synchronous calls on a worker cost less
// than the promise or callback APIs (no thread-pool round trip per call).
//
// Sharing the tree: each worker walks depth-first from its own stack. A worker that runs out
// raises a flag in a shared Int32Array and sleeps (Atomics.wait); a busy worker checks the flags
// after every folder and hands half of its stack (the shallowest folders: the biggest subtrees)
// straight to the idle one over their MessageChannel. The calling thread only receives results,
// so a long task there (parsing the index) never stalls the walk. The walk is over when every
// worker is idle at once (the donor counts the receiver busy before sending, so work in flight
// never looks finished).
//
// Semantics are `walk()`'s (see walk.ts), entry for entry: the same filters (matcher.ts), skips
// and reasons, symlink handling and lossy-name checks; test/unit/statWalk.test.ts checks the two
// agree. Results travel packed: per chunk, one string of root-relative paths joined by NUL (no
// path holds one) and a Float64Array of sizes and mtimes (transferred).

import fs from 'node:fs';
import path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { ALWAYS_SKIPPED, IGNORE_FILE_NAMES, createPathFilter, extendChain, isIgnored } from './matcher';
import type { PathFilter, PathFilterOptions, RuleChain } from './matcher';
import type { Skipped, SkipReason } from './types';
import { addToDigest } from './dirSums';

export const STAT_WORKER_MARKER = 'workspace-stats-stat-walk';

/** Files a worker gathers before it posts them to the calling thread. */
const POST_EVERY = 4096;

/** What the walk needs besides the roots: `walk()`'s filter options and symlink choice. */
export interface StatWalkOptions extends PathFilterOptions {
	/** Follow symbolic links (see walk.ts). @default false */
	followSymlinks?: boolean;
	/** Abort the walk: the workers are stopped and the iteration throws the signal's reason. */
	signal?: AbortSignal;
	/** @default 2 */
	threads?: number;
	/** The worker script. @default `statWorker.js` next to this module */
	workerFile?: string;
	/**
	 * The workers wait for `digests()` before they start (they boot meanwhile): a folder whose
	 * files match its digest is then reported by number only, not file by file.
	 * @default false
	 */
	awaitDigests?: boolean;
	/**
	 * The calling thread is one of the `threads`: it walks too (starting at once, or when it gets
	 * the digests), blocking its event loop until the walk is over. One thread fewer to start;
	 * for a command line only, never for a thread that must stay responsive (an extension host).
	 * @default false
	 */
	callingThread?: boolean;
}

/** Folder digests to match against: the index header's `sums` (see dirSums.ts) and folder table. */
export interface DigestInput {
	sums: number[];
	dirs: string[];
}

/** One packed chunk of results: `paths[i]` has size `stats[2i]` and mtime `stats[2i + 1]`. */
export interface StatChunk {
	root: number;
	/** The root is a file, walked as itself: its one path is its base name, its absolute path the root's. */
	fileRoot?: boolean;
	paths: string[];
	stats: Float64Array;
	skipped: (Skipped & { root: number })[];
	/**
	 * Folders whose files matched their digest (numbers of digests: entry k is `sums[5k…5k+4]`);
	 * their files are not in `paths`.
	 */
	matched?: number[];
}

/** The default worker script: `dist/statWorker.js` in the bundles, `out/src/core/statWorker.js` under tsc. */
export function defaultStatWorkerFile(): string {
	return path.join(__dirname, 'statWorker.js');
}

/** True when the worker script is there (a build without it falls back to `walk()`). */
export function statWorkerAvailable(file = defaultStatWorkerFile()): boolean {
	return fs.existsSync(file);
}

// --- messages -----------------------------------------------------------------------------------

/** A folder waiting to be listed, as it travels between workers. */
interface WireItem {
	root: number;
	abs: string;
	rel: string;
	/** Folder ('' for the root) whose ignore layer tops this folder's chain; null: the root's base chain. */
	chain: string | null;
	/** Device+inode keys of the folder's ancestors, outermost first (only with followSymlinks). */
	anc: string[] | null;
	viaLink: boolean;
	/** The root itself: stat-ed first (a file root is yielded itself, as by `walk()`). */
	isRoot?: boolean;
}

/** Items handed to another worker, with the texts of every ignore layer their chains use. */
interface Donation {
	items: WireItem[];
	/** [root, folder, parent layer folder (null: base), texts] from shallowest to deepest. */
	layers: [number, string, string | null, string[]][];
}

interface WorkerData {
	marker: typeof STAT_WORKER_MARKER;
	id: number;
	roots: string[];
	opts: PathFilterOptions & { followSymlinks: boolean };
	shared: SharedArrayBuffer;
	/** Port to each other worker (undefined at this worker's own index). */
	peers: (MessagePort | undefined)[];
	initial: WireItem[];
	/** Wait for a message with the digests (or null) before walking. */
	awaitDigests: boolean;
}

type FromWorker =
	| { type: 'chunk'; root: number; paths: string; stats: Float64Array; skipped: (Skipped & { root: number })[]; fileRoot?: boolean; matched?: number[] }
	| { type: 'end' }
	| { type: 'error'; message: string; stack?: string };

// Shared Int32Array: [0] idle workers, [1] done, [2 + i] worker i's state.
const IDLE = 0;
const DONE = 1;
const BUSY = 0;
const WANTS = 1;
const SERVED = 2;
const FINISHED = 3;
const CLAIMED = 4;

// --- the calling thread -------------------------------------------------------------------------

/**
 * A running stat walk: started at construction (so it overlaps whatever the caller does next),
 * iterated for its chunks. Iterate it once; `close()` stops the workers early.
 */
export class StatWalk implements AsyncIterable<StatChunk> {
	private readonly workers: Worker[] = [];
	private readonly queue: StatChunk[] = [];
	private ended = 0;
	private failure: { e: unknown } | undefined;
	private wake: (() => void) | undefined;
	private closed = false;
	private readonly onAbort = () => this.fail(this.signal?.reason ?? new DOMException('The walk was aborted', 'AbortError'));
	private readonly signal: AbortSignal | undefined;
	/** The participants' shared state (see the header). */
	private readonly shared: Int32Array;
	/** Participant 0's data when the calling thread walks too. */
	private here: WorkerData | undefined;
	/** Threads walking (workers, and this one with `callingThread`): each ends with 'end'. */
	private participants = 0;

	constructor(roots: string[], opts: StatWalkOptions = {}) {
		this.signal = opts.signal;
		const n = Math.max(1, Math.min(opts.threads ?? 2, 16));
		const shared = new SharedArrayBuffer(4 * (2 + n));
		this.shared = new Int32Array(shared);
		const ports: (MessagePort | undefined)[][] = Array.from({ length: n }, () => new Array<MessagePort | undefined>(n));
		for (let i = 0; i < n; i++) {
			for (let j = i + 1; j < n; j++) {
				const ch = new MessageChannel();
				ports[i][j] = ch.port1;
				ports[j][i] = ch.port2;
			}
		}
		const initial: WireItem[] = roots.map((r, i) => ({ root: i, abs: path.resolve(r), rel: '', chain: null, anc: null, viaLink: false, isRoot: true }));
		// Roots are walked in order: the first is on top of the stack.
		initial.reverse();
		const file = opts.workerFile ?? defaultStatWorkerFile();
		for (let i = 0; i < n; i++) {
			const data: WorkerData = {
				marker: STAT_WORKER_MARKER, id: i, roots: roots.map((r) => path.resolve(r)),
				opts: { include: opts.include, exclude: opts.exclude, respectIgnoreFiles: opts.respectIgnoreFiles, followSymlinks: opts.followSymlinks ?? false },
				shared, peers: ports[i], initial: i === 0 ? initial : [], awaitDigests: opts.awaitDigests ?? false,
			};
			if (i === 0 && opts.callingThread) {
				this.here = data;
				this.participants++;
				if (!data.awaitDigests) setImmediate(() => this.runHere(null));
				continue;
			}
			this.participants++;
			const w = new Worker(file, {
				workerData: data,
				transferList: ports[i].filter((p): p is MessagePort => p !== undefined),
				resourceLimits: { maxYoungGenerationSizeMb: 8 },
			});
			w.on('message', (m: FromWorker) => this.onMessage(m));
			w.on('error', (e) => this.fail(e));
			w.on('exit', (code) => {
				if (code !== 0 && !this.closed) this.fail(new Error(`stat walk: a worker exited with code ${code}`));
			});
			this.workers.push(w);
		}
		opts.signal?.addEventListener('abort', this.onAbort);
		if (opts.signal?.aborted) this.onAbort();
	}

	private onMessage(m: FromWorker): void {
		if (m.type === 'chunk') {
			const c: StatChunk = { root: m.root, paths: m.paths === '' ? [] : m.paths.split('\0'), stats: m.stats, skipped: m.skipped };
			if (m.fileRoot) c.fileRoot = true;
			if (m.matched) c.matched = m.matched;
			this.queue.push(c);
		}
		else if (m.type === 'end') this.ended++;
		else {
			const e = new Error(`stat walk: ${m.message}`);
			if (m.stack) e.stack = m.stack;
			this.fail(e);
		}
		this.notify();
	}

	private fail(e: unknown): void {
		this.failure ??= { e };
		this.notify();
	}

	private notify(): void {
		const w = this.wake;
		this.wake = undefined;
		w?.();
	}

	/** Gives the workers the digests to match (undefined: none); needed once with `awaitDigests`. */
	digests(d: DigestInput | undefined): void {
		for (const w of this.workers) w.postMessage(d ?? null);
		if (this.here) this.runHere(d ?? null);
	}

	/** Walks on this thread as participant 0 (`callingThread`). */
	private runHere(d: DigestInput | null): void {
		const data = this.here;
		if (!data || this.closed) return;
		this.here = undefined;
		void runParticipant(data, (m) => this.onMessage(m), d);
	}

	/** Stops the workers (idempotent). */
	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		// Participants still walking or waiting for work stop (this thread's, at its next folder).
		finish(this.shared);
		this.signal?.removeEventListener('abort', this.onAbort);
		await Promise.all(this.workers.map((w) => w.terminate()));
	}

	async *[Symbol.asyncIterator](): AsyncGenerator<StatChunk> {
		try {
			for (;;) {
				if (this.failure) throw this.failure.e;
				if (this.queue.length > 0) {
					yield this.queue.shift()!;
					continue;
				}
				if (this.ended === this.participants) return;
				await new Promise<void>((resolve) => {
					this.wake = resolve;
				});
			}
		} finally {
			await this.close();
		}
	}
}

// --- the worker ---------------------------------------------------------------------------------

function errCode(e: unknown): string | undefined {
	return (e as NodeJS.ErrnoException | undefined)?.code;
}

function errText(e: unknown): string {
	return e instanceof Error ? e.message : String(e);
}

interface AncestorKey {
	key: string;
	parent: AncestorKey | null;
}

/** A folder on this worker's stack (chain and ancestors as live objects). */
interface Item {
	root: number;
	abs: string;
	rel: string;
	chain: string | null;
	anc: AncestorKey | null;
	viaLink: boolean;
	isRoot: boolean;
}

/** An ignore layer this worker knows: its chain and what it was built from (to hand it on). */
interface Layer {
	chain: RuleChain | null;
	parent: string | null;
	texts: string[];
}

/** Lossy (decoded) names of the entries of `dir` whose raw bytes are not valid UTF-8. */
function lossyNamesSync(dir: string): Set<string> {
	const out = new Set<string>();
	try {
		for (const b of fs.readdirSync(dir, { encoding: 'buffer' })) {
			const s = b.toString('utf8');
			if (!Buffer.from(s, 'utf8').equals(b)) out.add(s);
		}
	} catch {
		// The folder vanished between the two listings: nothing to mark.
	}
	return out;
}

/** Runs one worker of the walk (called by statWorker.ts); posts chunks, then 'end'. */
export async function runStatWorker(data: WorkerData, port: MessagePort): Promise<void> {
	const digests = data.awaitDigests ? new Promise<DigestInput | null>((resolve) => port.once('message', resolve)) : null;
	await runParticipant(data, (m, transfer) => port.postMessage(m, transfer), digests);
}

type Post = (m: FromWorker, transfer?: ArrayBuffer[]) => void;

async function runParticipant(data: WorkerData, post: Post, digests: Promise<DigestInput | null> | DigestInput | null): Promise<void> {
	const port = { postMessage: post };
	try {
		await work(data, port, digests);
		port.postMessage({ type: 'end' } satisfies FromWorker);
	} catch (e) {
		// Wake the others so they do not wait for this one forever; the calling thread fails the walk.
		finish(new Int32Array(data.shared));
		port.postMessage({ type: 'error', message: errText(e), stack: e instanceof Error ? e.stack : undefined } satisfies FromWorker);
	}
}

/** Marks the walk over and wakes every participant waiting for work. */
function finish(s: Int32Array): void {
	Atomics.store(s, DONE, 1);
	for (let j = 2; j < s.length; j++) {
		Atomics.store(s, j, FINISHED);
		Atomics.notify(s, j);
	}
}

async function work(data: WorkerData, port: { postMessage: Post }, digests: Promise<DigestInput | null> | DigestInput | null): Promise<void> {
	const { id, roots, opts, peers } = data;
	const n = peers.length;
	const s = new Int32Array(data.shared);
	const follow = opts.followSymlinks;
	const filters: PathFilter[] = await Promise.all(roots.map((r) => createPathFilter(r, opts, roots)));
	/** Ignore layers per root, by folder. */
	const layers: Map<string, Layer>[] = roots.map(() => new Map());
	const chainOf = (root: number, dir: string | null): RuleChain | null => (dir === null ? filters[root].baseChain : layers[root].get(dir)!.chain);

	const stack: Item[] = data.initial.map((w) => ({ ...w, anc: null, isRoot: w.isRoot === true }));

	/** Per root: folder → [count, sum1, sum2, digest number]. */
	let table: Map<string, number[]>[] | undefined;
	const d = await digests;
	if (d) {
		table = roots.map(() => new Map());
		for (let k = 0; 5 * k + 4 < d.sums.length; k++) {
			const [root, dir, count, s1, s2] = d.sums.slice(5 * k, 5 * k + 5);
			const name = d.dirs[dir];
			if (root < roots.length && typeof name === 'string') table[root].set(name, [count, s1, s2, k]);
		}
	}
	let matched: number[] = [];
	// Results not yet posted (one root at a time).
	let outRoot = -1;
	let outPaths: string[] = [];
	let outStats: number[] = [];
	let outSkipped: (Skipped & { root: number })[] = [];
	const post = (fileRoot?: boolean) => {
		if (outPaths.length === 0 && outSkipped.length === 0 && matched.length === 0) return;
		const stats = Float64Array.from(outStats);
		const m: FromWorker = { type: 'chunk', root: outRoot, paths: outPaths.join('\0'), stats, skipped: outSkipped };
		if (fileRoot) m.fileRoot = true;
		if (matched.length > 0) m.matched = matched;
		port.postMessage(m, [stats.buffer]);
		matched = [];
		outPaths = [];
		outStats = [];
		outSkipped = [];
	};
	const toRoot = (root: number) => {
		if (root !== outRoot) {
			post();
			outRoot = root;
		}
	};

	const list = (item: Item) => {
		const root = item.root;
		const filter = filters[root];
		const rootAbs = filter.root;
		toRoot(root);
		const skip = (p: string, reason: SkipReason, detail?: string) => {
			outSkipped.push(detail === undefined ? { path: p, reason, root } : { path: p, reason, detail, root });
		};
		const digest = [0, 0, 0];
		const addFile = (rel: string, st: fs.Stats, name?: string) => {
			outPaths.push(rel);
			outStats.push(st.size, st.mtimeMs);
			if (name !== undefined) addToDigest(digest, name, st.size, st.mtimeMs);
		};
		if (item.isRoot) {
			let st: fs.Stats;
			try {
				st = fs.statSync(rootAbs);
			} catch (e) {
				skip(rootAbs, errCode(e) === 'ENOENT' ? 'vanished' : 'unreadable-folder', errText(e));
				return;
			}
			if (!st.isDirectory()) {
				if (st.isFile()) {
					post();
					addFile(path.basename(rootAbs), st);
					post(true);
				} else skip(rootAbs, 'special');
				return;
			}
		}
		const shownPath = item.rel === '' ? rootAbs : item.rel;
		let ancestors = item.anc;
		if (follow) {
			let st: fs.Stats;
			try {
				st = fs.statSync(item.abs);
			} catch (e) {
				skip(shownPath, errCode(e) === 'ENOENT' ? 'vanished' : 'unreadable-folder', errText(e));
				return;
			}
			const key = `${st.dev}:${st.ino}`;
			for (let a = ancestors; a !== null; a = a.parent) {
				if (a.key === key) {
					skip(shownPath, 'symlink-loop', `links back to an ancestor folder${item.viaLink ? '' : ' (bind mount?)'}`);
					return;
				}
			}
			ancestors = { key, parent: ancestors };
		}

		let dirents: fs.Dirent[];
		try {
			dirents = fs.readdirSync(item.abs, { withFileTypes: true });
		} catch (e) {
			const code = errCode(e);
			skip(shownPath, code === 'ENOENT' || code === 'ENOTDIR' ? 'vanished' : 'unreadable-folder', errText(e));
			return;
		}

		let lossy: Set<string> | undefined;
		for (const d of dirents) {
			if (d.name.includes('\uFFFD')) {
				lossy = lossyNamesSync(item.abs);
				break;
			}
		}

		let chainDir = item.chain;
		let chain = chainOf(root, chainDir);
		if (filter.respectIgnoreFiles && dirents.some((d) => (IGNORE_FILE_NAMES as readonly string[]).includes(d.name))) {
			const texts = IGNORE_FILE_NAMES.map((nm) => {
				try {
					return fs.readFileSync(item.abs + path.sep + nm, 'utf8');
				} catch {
					return '';
				}
			});
			const next = extendChain(chain, item.rel, texts);
			if (next !== chain) {
				layers[root].set(item.rel, { chain: next, parent: chainDir, texts });
				chain = next;
				chainDir = item.rel;
			}
		}

		const sep = item.abs.endsWith(path.sep) ? '' : path.sep;
		const statFile = (abs: string, rel: string, name: string) => {
			let st: fs.Stats;
			try {
				st = fs.statSync(abs);
			} catch (e) {
				skip(rel, errCode(e) === 'ENOENT' ? 'vanished' : 'unreadable', errText(e));
				return;
			}
			addFile(rel, st, name);
		};
		const fileTaken = (rel: string, name: string): boolean => {
			if (filter.dropsFile(rel) || isIgnored(chain, rel, false)) return false;
			if (lossy?.has(name)) {
				skip(rel, 'unreadable', 'file name is not valid UTF-8 (path shown lossily)');
				return false;
			}
			return true;
		};
		const addDir = (abs: string, rel: string, name: string, viaLink: boolean) => {
			if (filter.excludesDir(rel) || isIgnored(chain, rel, true)) return;
			if (lossy?.has(name)) {
				skip(rel, 'unreadable-folder', 'folder name is not valid UTF-8 (path shown lossily)');
				return;
			}
			stack.push({ root, abs, rel, chain: chainDir, anc: ancestors, viaLink, isRoot: false });
		};

		const prefix = item.rel === '' ? '' : item.rel + '/';
		const first = outPaths.length;
		for (const d of dirents) {
			const name = d.name;
			if (ALWAYS_SKIPPED.has(name)) continue;
			const rel = prefix + name;
			const abs = item.abs + sep + name;
			if (d.isFile()) {
				if (fileTaken(rel, name)) statFile(abs, rel, name);
			} else if (d.isDirectory()) addDir(abs, rel, name, false);
			else if (d.isSymbolicLink()) {
				if (!follow) continue;
				if (filter.excludesPath(rel) || isIgnored(chain, rel, false)) continue;
				let st: fs.Stats;
				try {
					st = fs.statSync(abs);
				} catch (e) {
					const code = errCode(e);
					if (code === 'ELOOP') skip(rel, 'symlink-loop', errText(e));
					else if (code === 'ENOENT' || code === 'ENOTDIR') skip(rel, 'dangling-symlink', errText(e));
					else skip(rel, 'unreadable', errText(e));
					continue;
				}
				if (st.isDirectory()) addDir(abs, rel, name, true);
				else if (st.isFile()) {
					if (fileTaken(rel, name)) addFile(rel, st, name);
				} else if (!filter.dropsFile(rel) && !isIgnored(chain, rel, false)) skip(rel, 'special');
			} else if (!filter.dropsFile(rel) && !isIgnored(chain, rel, false)) {
				skip(rel, 'special');
			}
		}
		// The folder's files are the indexed ones, unchanged: report its number, not its files.
		const e = table?.[root].get(item.rel);
		if (e !== undefined && e[0] === digest[0] && e[1] === digest[1] && e[2] === digest[2] && e[0] === outPaths.length - first) {
			outPaths.length = first;
			outStats.length = 2 * first;
			matched.push(e[3]);
		}
	};

	/** Hands the shallower half of the stack to worker `j`, which is waiting for work. */
	const donate = (j: number) => {
		const give = stack.splice(0, stack.length >> 1);
		const items: WireItem[] = [];
		const sent = new Set<string>();
		const chainLayers: Donation['layers'] = [];
		const addLayers = (root: number, dir: string | null) => {
			const path: [number, string, string | null, string[]][] = [];
			for (let d = dir; d !== null && !sent.has(`${root}\0${d}`); ) {
				sent.add(`${root}\0${d}`);
				const l = layers[root].get(d)!;
				path.push([root, d, l.parent, l.texts]);
				d = l.parent;
			}
			for (let k = path.length - 1; k >= 0; k--) chainLayers.push(path[k]);
		};
		for (const it of give) {
			addLayers(it.root, it.chain);
			let anc: string[] | null = null;
			if (it.anc) {
				anc = [];
				for (let a: AncestorKey | null = it.anc; a !== null; a = a.parent) anc.push(a.key);
				anc.reverse();
			}
			items.push({ root: it.root, abs: it.abs, rel: it.rel, chain: it.chain, anc, viaLink: it.viaLink, isRoot: it.isRoot || undefined });
		}
		peers[j]!.postMessage({ items, layers: chainLayers } satisfies Donation);
		// The receiver counts as busy from now on (before it even wakes): see the header.
		Atomics.sub(s, IDLE, 1);
		Atomics.store(s, 2 + j, SERVED);
		Atomics.notify(s, 2 + j);
	};

	const receive = (d: Donation) => {
		for (const [root, dir, parent, texts] of d.layers) {
			if (layers[root].has(dir)) continue;
			layers[root].set(dir, { chain: extendChain(chainOf(root, parent), dir, texts), parent, texts });
		}
		for (const w of d.items) {
			let anc: AncestorKey | null = null;
			for (const key of w.anc ?? []) anc = { key, parent: anc };
			stack.push({ root: w.root, abs: w.abs, rel: w.rel, chain: w.chain, anc, viaLink: w.viaLink, isRoot: w.isRoot === true });
		}
	};

	for (;;) {
		while (stack.length > 0) {
			// Stopped (closed, or another participant failed): the results are not wanted.
			if (Atomics.load(s, DONE) === 1) return;
			list(stack.pop()!);
			if (outPaths.length >= POST_EVERY) post();
			if (stack.length >= 2 && n > 1) {
				for (let j = 0; j < n && stack.length >= 2; j++) {
					if (j !== id && Atomics.load(s, 2 + j) === WANTS && Atomics.compareExchange(s, 2 + j, WANTS, CLAIMED) === WANTS) donate(j);
				}
			}
		}
		post();
		if (Atomics.load(s, DONE) === 1) return;
		if (Atomics.add(s, IDLE, 1) + 1 === n) {
			// Everyone is idle and nothing is in flight: the walk is over.
			finish(s);
			return;
		}
		if (Atomics.compareExchange(s, 2 + id, BUSY, WANTS) !== BUSY) return; // FINISHED meanwhile
		for (;;) {
			const v = Atomics.load(s, 2 + id);
			if (v === FINISHED) return;
			if (v === SERVED) break;
			Atomics.wait(s, 2 + id, v, 1000);
		}
		let got: { message: unknown } | undefined;
		while (got === undefined) {
			for (let j = 0; j < n && got === undefined; j++) if (j !== id) got = receiveMessageOnPort(peers[j]!);
			// The donor posts before it flags SERVED, so the message is there; yield the core if not yet.
			if (got === undefined) Atomics.wait(s, DONE, 0, 1);
		}
		Atomics.store(s, 2 + id, BUSY);
		receive(got.message as Donation);
	}
}
