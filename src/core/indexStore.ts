// The index on disk: a JSONL base file plus an append-only journal of batches.
//
// Base file (`path`): line 1 is a JSON header
//   { format: 'workspace-stats-index', version: 1, gen, roots, fingerprint, count, bytes, sha1 }
// then one record per line, as a positional array (half the bytes of an object, so half the
// parse time):
//   [path, root, language, category, size, mtimeMs, bytes, lines, code, comment, blank,
//    imports[], classes[name, line, name, line…], functions[…], unknown (0|1), fnv]
// `fnv` is FNV-1a of the line without it: the header's SHA-1 over the body verifies the whole
// file in one native call on the fast path; the per-line hash is only read when that fails, to
// keep the records that are intact.
//
// Journal (`path + '.journal'`): one line per batch, `<fnv hex> {"g":gen,"u":[records],"d":[[root,path]…]}`.
// A batch is one write of one line, so a process killed mid-append leaves a torn last line that
// fails its hash and is dropped: the state before that batch. Lines whose `g` differs from the
// base's generation belong to an older base and are ignored (a crash between a compaction's
// rename and the journal's removal leaves such lines behind).
//
// Every full write goes to a temp file, is fsync'ed, renamed over the base, and the folder is
// fsync'ed, so a crash at any moment leaves either the old or the new base. Journal appends are
// not fsync'ed by default (see `syncJournal`). When the journal
// grows past a share of the base, the next commit rewrites the base (compaction).
//
// Loading is one readFile of each file and, on the fast path, one JSON.parse of the whole body.

import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as nodePath from 'node:path';
import { fileKey } from './fileIndex';
import type { FileKey, IndexChanges } from './fileIndex';
import type { Category, FileRecord, Logger, SymbolRef } from './types';
import { silentLogger } from './types';

export const INDEX_FORMAT = 'workspace-stats-index';
export const INDEX_VERSION = 1;

/** What an index was built for: loading it for other roots or options means a rebuild. */
export interface IndexMeta {
	/** Absolute root folders; records' `root` indexes this array. */
	roots: string[];
	/** Opaque string naming every option that changes records (filters, analyzer options). */
	fingerprint: string;
}

interface Header extends IndexMeta {
	format: string;
	version: number;
	/** Generation: +1 on every full write; journal lines carry the generation they apply to. */
	gen: number;
	count: number;
	/** Body length in bytes. */
	bytes: number;
	/** SHA-1 (hex) of the body. */
	sha1: string;
}

/**
 * - `ok`: loaded as written (a torn last journal line from an interrupted write is dropped
 *   silently: that is the state before the write, which is the contract).
 * - `missing`: no index at the path; start from a cold scan.
 * - `repaired`: damage found; the intact records were kept (see `warnings`); a warm scan
 *   re-analyzes whatever is missing or stale.
 * - `rebuild`: nothing usable (empty, not an index, other version, other roots/options); scan
 *   from scratch.
 */
export type LoadStatus = 'ok' | 'missing' | 'repaired' | 'rebuild';

export interface LoadResult {
	status: LoadStatus;
	records: FileRecord[];
	/** The meta the file was written with, when its header could be read. */
	meta?: IndexMeta;
	/** One human-readable line per problem found; shown to the user. */
	warnings: string[];
	timing: { readMs: number; parseMs: number; totalMs: number };
}

export interface CommitInfo {
	/** True when this commit rewrote the base (compaction) instead of appending. */
	compacted: boolean;
	ms: number;
}

/** A persistent store for the index. Two implementations are measured: JSONL (kept) and SQLite. */
export interface IndexStoreBackend {
	readonly path: string;
	/** Reads the whole index. Never throws for a damaged or missing file: see `status` and `warnings`. */
	load(expect?: IndexMeta): Promise<LoadResult>;
	/** Writes every record atomically (replaces whatever was there). */
	save(records: Iterable<FileRecord>, meta: IndexMeta): Promise<void>;
	/**
	 * Persists one batch atomically. `all` gives every record after the batch, used when the
	 * store decides to rewrite in full (first write, compaction).
	 */
	commit(changes: IndexChanges, all: () => Iterable<FileRecord>, meta: IndexMeta): Promise<CommitInfo>;
}

export interface IndexStoreOptions {
	/**
	 * fsync files (and the folder after a rename) so a power loss cannot lose or tear a write.
	 * A killed process never needs it (the page cache survives it); turning it off trades
	 * durability for speed in tests and benchmarks.
	 * @default true
	 */
	fsync?: boolean;
	/**
	 * Also fdatasync each journal append. Off by default: a kill never loses an append, and an
	 * append lost or torn by a power cut is detected by its hash and dropped, leaving the state
	 * of an earlier batch — the index is a cache of the files, and the next warm start re-reads
	 * whatever it missed. On, every batch costs one disk flush (~1–10 ms).
	 * @default false
	 */
	syncJournal?: boolean;
	/**
	 * Compact (rewrite the base, empty the journal) once the journal exceeds this share of the
	 * base's size. Lower: smaller journal to replay at load, more full rewrites.
	 * @default 0.25
	 */
	compactRatio?: number;
	/**
	 * …and is at least this many bytes, so a tiny index is not rewritten on every batch.
	 * @default 262144 (256 KiB)
	 */
	compactMinBytes?: number;
	/** @default silentLogger */
	logger?: Logger;
}

// --- encoding ---------------------------------------------------------------------------------

/** FNV-1a (32 bit) over UTF-16 code units: cheap, only used to spot damaged lines. */
export function fnv1a(s: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < s.length; i++) {
		h ^= s.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return h >>> 0;
}

type Tuple = [string, number, string, Category, number, number, number, number, number, number, number, string[], (string | number)[], (string | number)[], 0 | 1];

function flatSymbols(list: SymbolRef[]): (string | number)[] {
	const out: (string | number)[] = new Array(list.length * 2);
	for (let i = 0; i < list.length; i++) {
		out[2 * i] = list[i].name;
		out[2 * i + 1] = list[i].line;
	}
	return out;
}

function toTuple(r: FileRecord): Tuple {
	return [r.path, r.root, r.language, r.category, r.size, r.mtimeMs, r.bytes, r.lines, r.code, r.comment, r.blank,
		r.imports, flatSymbols(r.classes), flatSymbols(r.functions), r.unknown ? 1 : 0];
}

const categories = new Set<unknown>(['code', 'docs', 'data', 'config']);

function symbols(flat: unknown): SymbolRef[] | undefined {
	if (!Array.isArray(flat) || flat.length % 2 !== 0) return undefined;
	const out: SymbolRef[] = new Array(flat.length / 2);
	for (let i = 0; i < flat.length; i += 2) {
		const name = flat[i];
		const line = flat[i + 1];
		if (typeof name !== 'string' || typeof line !== 'number') return undefined;
		out[i / 2] = { name, line };
	}
	return out;
}

function isCount(v: unknown): v is number {
	return typeof v === 'number' && v >= 0 && Number.isInteger(v);
}

/** Turns a stored tuple back into a record; undefined when its shape is wrong. */
function fromTuple(t: unknown): FileRecord | undefined {
	if (!Array.isArray(t) || t.length < 15) return undefined;
	const [path, root, language, category, size, mtimeMs, bytes, lines, code, comment, blank, imports] = t;
	if (typeof path !== 'string' || path === '' || !isCount(root) || typeof language !== 'string' || !categories.has(category) ||
		!isCount(size) || typeof mtimeMs !== 'number' || !isCount(bytes) || !isCount(lines) || !isCount(code) ||
		!isCount(comment) || !isCount(blank) || code + comment + blank !== lines || !Array.isArray(imports)) return undefined;
	for (const i of imports) if (typeof i !== 'string') return undefined;
	const classes = symbols(t[12]);
	const functions = symbols(t[13]);
	if (!classes || !functions) return undefined;
	const r: FileRecord = {
		path, root, language, category: category as Category, size, mtimeMs, bytes, lines, code, comment, blank,
		imports: imports as string[], classes, functions,
	};
	if (t[14] === 1) r.unknown = true;
	return r;
}

function encodeLine(r: FileRecord): string {
	const s = JSON.stringify(toTuple(r));
	return `${s.slice(0, -1)},${fnv1a(s)}]`;
}

/** Checks a base line's own hash; returns the record or undefined. */
function decodeCheckedLine(line: string): FileRecord | undefined {
	const comma = line.lastIndexOf(',');
	if (comma < 0 || !line.endsWith(']')) return undefined;
	const h = Number(line.slice(comma + 1, -1));
	if (fnv1a(line.slice(0, comma) + ']') !== h) return undefined;
	try {
		return fromTuple(JSON.parse(line));
	} catch {
		return undefined;
	}
}

function encodeBatch(gen: number, changes: IndexChanges): string {
	const json = JSON.stringify({ g: gen, u: changes.upserts.map(toTuple), d: changes.deletes.map((d) => [d.root, d.path]) });
	return `${fnv1a(json).toString(16).padStart(8, '0')} ${json}\n`;
}

interface Batch { g: number; upserts: FileRecord[]; deletes: FileKey[] }

function decodeBatch(line: string): Batch | undefined {
	if (line.length < 10 || line[8] !== ' ') return undefined;
	const json = line.slice(9);
	if (fnv1a(json).toString(16).padStart(8, '0') !== line.slice(0, 8)) return undefined;
	try {
		const o = JSON.parse(json) as { g: unknown; u: unknown; d: unknown };
		if (!isCount(o.g) || !Array.isArray(o.u) || !Array.isArray(o.d)) return undefined;
		const upserts: FileRecord[] = [];
		for (const t of o.u) {
			const r = fromTuple(t);
			if (!r) return undefined;
			upserts.push(r);
		}
		const deletes: FileKey[] = [];
		for (const d of o.d) {
			if (!Array.isArray(d) || !isCount(d[0]) || typeof d[1] !== 'string') return undefined;
			deletes.push({ root: d[0], path: d[1] });
		}
		return { g: o.g, upserts, deletes };
	} catch {
		return undefined;
	}
}

function sha1(buf: Uint8Array): string {
	return createHash('sha1').update(buf).digest('hex');
}

function errCode(e: unknown): string | undefined {
	return (e as NodeJS.ErrnoException | undefined)?.code;
}

// --- atomic file writes ---------------------------------------------------------------------

let tmpCounter = 0;

/**
 * Writes `chunks` to `path` atomically: a temp file in the same folder, fsync, rename over
 * the target, fsync the folder (so the rename itself survives a power loss).
 */
export async function writeFileAtomic(path: string, chunks: Uint8Array[], fsync = true): Promise<void> {
	const tmp = `${path}.tmp-${process.pid}-${++tmpCounter}`;
	const fh = await fsp.open(tmp, 'w');
	try {
		await fh.writev(chunks);
		if (fsync) await fh.sync();
	} catch (e) {
		await fh.close();
		await fsp.rm(tmp, { force: true });
		throw e;
	}
	await fh.close();
	try {
		await fsp.rename(tmp, path);
	} catch (e) {
		await fsp.rm(tmp, { force: true });
		throw e;
	}
	if (fsync) await syncDir(nodePath.dirname(path));
}

async function syncDir(dir: string): Promise<void> {
	let fh: fsp.FileHandle | undefined;
	try {
		fh = await fsp.open(dir, 'r');
		await fh.sync();
	} catch (e) {
		// Windows cannot open or fsync a folder; its rename is already durable (MoveFileEx).
		if (!['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'EBADF'].includes(errCode(e) ?? '')) throw e;
	} finally {
		await fh?.close();
	}
}

/** Removes temp files that a killed writer left next to `path`. */
async function removeStaleTemps(path: string): Promise<void> {
	const dir = nodePath.dirname(path);
	const prefix = nodePath.basename(path) + '.tmp-';
	let names: string[];
	try {
		names = await fsp.readdir(dir);
	} catch {
		return;
	}
	await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => fsp.rm(nodePath.join(dir, n), { force: true })));
}

// --- the store ----------------------------------------------------------------------------

export class JsonlIndexStore implements IndexStoreBackend {
	readonly journalPath: string;
	private readonly fsync: boolean;
	private readonly syncJournal: boolean;
	private readonly compactRatio: number;
	private readonly compactMinBytes: number;
	private readonly logger: Logger;
	/** Generation of the base on disk; undefined until loaded or saved (the next commit writes in full). */
	private gen: number | undefined;
	private baseBytes = 0;
	private journalBytes = 0;
	/** The journal has damage or a torn tail: appending to it would glue onto the bad bytes. */
	private mustCompact = false;

	/** @param path The base file; the journal and temp files sit beside it. */
	constructor(readonly path: string, opts: IndexStoreOptions = {}) {
		this.journalPath = path + '.journal';
		this.fsync = opts.fsync ?? true;
		this.syncJournal = opts.syncJournal ?? false;
		this.compactRatio = opts.compactRatio ?? 0.25;
		this.compactMinBytes = opts.compactMinBytes ?? 256 * 1024;
		this.logger = opts.logger ?? silentLogger;
		if (!(this.compactRatio >= 0)) throw new TypeError(`compactRatio must be a number ≥ 0, got ${opts.compactRatio}`);
		if (!(this.compactMinBytes >= 0)) throw new TypeError(`compactMinBytes must be a number ≥ 0, got ${opts.compactMinBytes}`);
	}

	async load(expect?: IndexMeta): Promise<LoadResult> {
		const t0 = performance.now();
		const warnings: string[] = [];
		const done = (status: LoadStatus, records: FileRecord[], readMs: number, meta?: IndexMeta): LoadResult => {
			for (const w of warnings) this.logger.warn(`[index] ${w}`);
			const totalMs = performance.now() - t0;
			return { status, records, meta, warnings, timing: { readMs, parseMs: totalMs - readMs, totalMs } };
		};
		this.gen = undefined;
		this.mustCompact = false;
		this.journalBytes = 0;
		await removeStaleTemps(this.path);

		let buf: Buffer;
		let journal: Buffer | undefined;
		try {
			[buf, journal] = await Promise.all([
				fsp.readFile(this.path),
				fsp.readFile(this.journalPath).catch((e) => (errCode(e) === 'ENOENT' ? undefined : Promise.reject(e))),
			]);
		} catch (e) {
			const readMs = performance.now() - t0;
			if (errCode(e) === 'ENOENT') return done('missing', [], readMs);
			warnings.push(`index ${this.path} could not be read (${(e as Error).message}); rebuilding it by a scan`);
			return done('rebuild', [], readMs);
		}
		const readMs = performance.now() - t0;
		this.baseBytes = buf.length;

		// Header.
		if (buf.length === 0) {
			warnings.push(`index ${this.path} is empty; rebuilding it by a scan`);
			return done('rebuild', [], readMs);
		}
		const nl = buf.indexOf(10);
		let header: Header;
		try {
			header = JSON.parse(buf.toString('utf8', 0, nl < 0 ? buf.length : nl)) as Header;
		} catch {
			warnings.push(`index ${this.path} has an unreadable header (not an index, or damaged); rebuilding it by a scan`);
			return done('rebuild', [], readMs);
		}
		if (header === null || typeof header !== 'object' || header.format !== INDEX_FORMAT) {
			warnings.push(`${this.path} is not a workspace-stats index; rebuilding it by a scan`);
			return done('rebuild', [], readMs);
		}
		if (header.version !== INDEX_VERSION) {
			warnings.push(`index ${this.path} has format version ${String(header.version)}, this build reads version ${INDEX_VERSION}; rebuilding it by a scan`);
			return done('rebuild', [], readMs);
		}
		if (!Array.isArray(header.roots) || typeof header.fingerprint !== 'string' || !isCount(header.gen) || !isCount(header.count)) {
			warnings.push(`index ${this.path} has a damaged header; rebuilding it by a scan`);
			return done('rebuild', [], readMs);
		}
		const meta: IndexMeta = { roots: header.roots, fingerprint: header.fingerprint };
		if (expect && (expect.fingerprint !== meta.fingerprint || expect.roots.length !== meta.roots.length ||
			expect.roots.some((r, i) => r !== meta.roots[i]))) {
			warnings.push(`index ${this.path} was built for other folders or options; rebuilding it by a scan`);
			return done('rebuild', [], readMs, meta);
		}

		// Body: fast path (whole-file hash, one parse), else salvage line by line.
		const body = nl < 0 ? buf.subarray(buf.length) : buf.subarray(nl + 1);
		let records: FileRecord[] | undefined;
		let repaired = false;
		if (body.length === header.bytes && sha1(body) === header.sha1) {
			records = this.parseBody(body);
			if (records && records.length !== header.count) records = undefined;
		}
		if (!records) {
			const lines = body.toString('utf8').split('\n');
			if (lines[lines.length - 1] === '') lines.pop();
			records = [];
			for (const line of lines) {
				const r = decodeCheckedLine(line);
				if (r) records.push(r);
			}
			const lost = Math.max(header.count - records.length, 0);
			warnings.push(`index ${this.path} is damaged: kept ${records.length} intact records, ${lost} lost (of ${header.count}); they will be re-analyzed`);
			repaired = true;
			this.mustCompact = true;
		}
		this.gen = header.gen;

		// Journal.
		if (journal && journal.length > 0) {
			this.journalBytes = journal.length;
			// Net effect per file of the batches (null: deleted), then one pass over the base that
			// only builds keys for paths the journal touched (a journal is small, the base is not).
			const touched = new Map<string, FileRecord | null>();
			let applied = 0;
			let stale = 0;
			const text = journal.toString('utf8');
			const torn = !text.endsWith('\n');
			const lines = text.split('\n');
			lines.pop(); // '' after the last newline, or the torn tail
			for (let i = 0; i < lines.length; i++) {
				const b = decodeBatch(lines[i]);
				if (!b) {
					warnings.push(`index journal ${this.journalPath} is damaged at batch ${i + 1} of ${lines.length}: kept the ${applied} batches before it; later changes will be re-analyzed`);
					repaired = true;
					break;
				}
				if (b.g !== header.gen) {
					stale++;
					continue;
				}
				for (const d of b.deletes) touched.set(fileKey(d.root, d.path), null);
				for (const r of b.upserts) touched.set(fileKey(r.root, r.path), r);
				applied++;
			}
			if (torn) this.logger.info(`[index] the last write to ${this.journalPath} was interrupted; kept the state before it`);
			if (torn || repaired || stale) this.mustCompact = true;
			if (touched.size > 0) {
				const paths = new Set<string>();
				for (const v of touched.keys()) paths.add(v.slice(v.indexOf('\u0000') + 1));
				const out: FileRecord[] = [];
				for (const r of records) if (!paths.has(r.path) || !touched.has(fileKey(r.root, r.path))) out.push(r);
				for (const r of touched.values()) if (r) out.push(r);
				records = out;
			}
		}
		return done(repaired ? 'repaired' : 'ok', records, readMs, meta);
	}

	/** One JSON.parse for the whole body; undefined when any record is malformed. */
	private parseBody(body: Buffer): FileRecord[] | undefined {
		if (body.length === 0) return [];
		let text = body.toString('utf8');
		if (text.endsWith('\n')) text = text.slice(0, -1);
		let tuples: unknown[];
		try {
			// JSON escapes newlines inside strings, so raw newlines only separate records.
			tuples = JSON.parse('[' + text.replaceAll('\n', ',') + ']') as unknown[];
		} catch {
			return undefined;
		}
		const out: FileRecord[] = new Array(tuples.length);
		for (let i = 0; i < tuples.length; i++) {
			const r = fromTuple(tuples[i]);
			if (!r) return undefined;
			out[i] = r;
		}
		return out;
	}

	async save(records: Iterable<FileRecord>, meta: IndexMeta): Promise<void> {
		const lines: string[] = [];
		for (const r of records) lines.push(encodeLine(r));
		const body = Buffer.from(lines.length ? lines.join('\n') + '\n' : '', 'utf8');
		const gen = (this.gen ?? 0) + 1;
		const header: Header = {
			format: INDEX_FORMAT, version: INDEX_VERSION, gen, roots: meta.roots, fingerprint: meta.fingerprint,
			count: lines.length, bytes: body.length, sha1: sha1(body),
		};
		await writeFileAtomic(this.path, [Buffer.from(JSON.stringify(header) + '\n', 'utf8'), body], this.fsync);
		this.gen = gen;
		this.baseBytes = body.length;
		// The journal's lines now carry an old generation: harmless if this removal is lost.
		await fsp.rm(this.journalPath, { force: true });
		this.journalBytes = 0;
		this.mustCompact = false;
	}

	async commit(changes: IndexChanges, all: () => Iterable<FileRecord>, meta: IndexMeta): Promise<CommitInfo> {
		const t0 = performance.now();
		if (this.gen === undefined || this.mustCompact ||
			this.journalBytes > Math.max(this.compactMinBytes, this.compactRatio * this.baseBytes)) {
			await this.save(all(), meta);
			return { compacted: true, ms: performance.now() - t0 };
		}
		const line = Buffer.from(encodeBatch(this.gen, changes), 'utf8');
		try {
			const fh = await fsp.open(this.journalPath, 'a');
			try {
				// One append of one line: the unit the loader accepts or drops whole.
				await fh.writeFile(line);
				if (this.syncJournal) await fh.datasync();
			} finally {
				await fh.close();
			}
		} catch (e) {
			// Part of the line may be on disk: never append after it; rewrite in full next time.
			this.mustCompact = true;
			throw e;
		}
		this.journalBytes += line.length;
		return { compacted: false, ms: performance.now() - t0 };
	}
}
