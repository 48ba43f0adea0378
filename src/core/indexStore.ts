// The index on disk: a JSONL base file plus an append-only journal of batches.
//
// Base file (`path`), format version 3: line 1 is a JSON header
//   { format: 'workspace-stats-index', version: 3, gen, roots, fingerprint, count,
//     langs: [[language, category, unknown (0|1)], …], dirs: [folder, …], tablesCheck,
//     sums: [root, dir, count, sum1, sum2, …], aggs: {aggregate snapshot}, skips?: [[root, path, reason, detail, size, mtimeMs], …], sumsCheck,
//     bytes, check: 'crc32:<hex>' | 'sha1:<hex>' }
// (`sums`, `aggs`, `skips` are optional: see "Folder digests" below; readers take the keys in any
// order; the save writes `bytes` and `check`, the body's length and checksum, last and padded with
// spaces, so that it can write the header first and them over it once the body is written)
// then one line per record: a positional JSON array of its numbers, a tab, and its structure as
// JSON text ('' when it has none):
//   [path, root, lang, dir, size, mtimeMs, bytes, code, comment, blank, imports, classes, functions, fnv]\t[[imports…], [class, line, …], [function, line, …]]
// `lang` indexes the header's `langs` (shared strings, fewer bytes), `dir` its `dirs` (the folder
// the file is directly in: the aggregates sum per folder without building a string per file); `lines` is code + comment
// + blank; `imports`/`classes`/`functions` are the structure's counts, so the aggregates never
// need the structure itself; `fnv` is FNV-1a of the line without `,fnv`. JSON text never holds a
// raw tab or newline, so both are safe separators.
//
// Loading (the fast path): the header line, then the body read through one reused 1 MiB buffer,
// its CRC-32 checked against the header as it is read, each line's numbers read off its bytes,
// and its path and structure text copied out as strings: records are handed to
// `FileIndex.fromLoad` as *pending* (see fileIndex.ts), their structure decoded on first use.
// Only when the checksum fails is the file read whole and its lines checked one by one against
// their own hash, to keep the intact records. (Versions 1 and 2 parsed every structure array at
// load: 1.5M small objects for 100k files.) Saving writes the body through a reused buffer too:
// neither holds the whole file in memory (see `spareBlocks` for why that matters).
//
// Folder digests (dirSums.ts): `sums` holds, per folder with records, their count and two sums
// of a hash of each file's (name, size, mtime); `aggs` the aggregates of all records; `skips` the
// files left out for their content (binary, too large) with the size and mtime they were judged
// at, which the digests cover too. `open()` reads only the header line when the journal is empty
// and these are there: a warm start whose walk matches every digest answers from `aggs` without
// parsing (or even reading) a record; the body is read and checked by its checksum only when the
// records are needed (`OpenResult.load`). Journal batches make the digests stale: `open` then
// reads everything, as `load` does.
//
// Journal (`path + '.journal'`): one line per batch, `<fnv hex> {"g":gen,"u":[records],"d":[[root,path]…]}`,
// records as version 1's full tuples (a journal is small):
//   [path, root, language, category, size, mtimeMs, bytes, lines, code, comment, blank,
//    imports[], classes[name, line, …], functions[…], unknown (0|1)]
// A batch is one write of one line, so a process killed mid-append leaves a torn last line that
// fails its hash and is dropped: the state before that batch. Lines whose `g` differs from the
// base's generation belong to an older base and are ignored (a crash between a compaction's
// rename and the journal's removal leaves such lines behind).
//
// Every full write goes to a temp file, is fsync'ed, renamed over the base, and the folder is
// fsync'ed, so a crash at any moment leaves either the old or the new base (a big temp file is
// also flushed in the background while it is written: see `EarlyFlush`). Journal appends are
// not fsync'ed by default (see `syncJournal`). When the journal
// grows past a share of the base, the next commit rewrites the base (compaction).

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as nodePath from 'node:path';
import * as zlib from 'node:zlib';
import { decodeStructure, encodeStructure, fileKey, flatSymbols, isPlain, materialize, pendingCounts, structureCountsOf } from './fileIndex';
import type { FileKey, IndexChanges, PendingRecords } from './fileIndex';
import { Aggregates } from './aggregate';
import type { AggregateSnapshot } from './aggregate';
import { DigestTable } from './dirSums';
import type { Category, FileRecord, Logger, Skipped, SkipReason, SymbolRef } from './types';
import { silentLogger, smallInt } from './types';

export const INDEX_FORMAT = 'workspace-stats-index';
export const INDEX_VERSION = 3;

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
	/** Checksum of the body: `crc32:<hex>` (where the runtime has zlib.crc32), else `sha1:<hex>`. */
	check: string;
	/** Language table: records name a language by its index here. */
	langs: [string, Category, 0 | 1][];
	/** Folder table (root-relative, '' for a root): records name the folder they are directly in. */
	dirs: string[];
	/** Checksum (as `check`) of `JSON.stringify([langs, dirs])`: the tables are outside the body's checksum and every line's hash. */
	tablesCheck: string;
	/**
	 * Folder digests of the records (see dirSums.ts): `[root, dir, count, sum1, sum2]` per folder
	 * holding records, `dir` indexing `dirs`. Optional: a base without them is loaded as usual.
	 */
	sums?: number[];
	/** The aggregates of the records, as `Aggregates.snapshot()` gives them (with `sums`). */
	aggs?: AggregateSnapshot;
	/** Checksum (as `check`) of `JSON.stringify([sums, aggs])`, or of `[sums, aggs, skips]` when there are skips. */
	sumsCheck?: string;
	/** Files left out for their content, with the size and mtime they were judged at: `[root, path, reason, detail, size, mtimeMs]`. */
	skips?: [number, string, string, string | null, number, number][];
}

/**
 * A file the analysis left out for what it holds (`binary`, `too-large`), with the size and
 * mtime it had when it was judged (stat-ed before it was read): while they hold, the verdict
 * does too. Kept in the header, covered by the folder digests.
 */
export interface StoredSkip extends Skipped {
	root: number;
	size: number;
	mtimeMs: number;
}

/** Skip reasons that depend only on a file's content (and the options in the fingerprint), so they can be kept. */
export const CONTENT_SKIPS: ReadonlySet<string> = new Set(['binary', 'too-large']);

function storedSkips(raw: Header['skips']): StoredSkip[] {
	const out: StoredSkip[] = [];
	if (!Array.isArray(raw)) return out;
	for (const t of raw) {
		if (!Array.isArray(t) || !isCount(t[0]) || typeof t[1] !== 'string' || !CONTENT_SKIPS.has(t[2]) || typeof t[4] !== 'number' || typeof t[5] !== 'number') return [];
		const sk: StoredSkip = { root: t[0], path: t[1], reason: t[2] as SkipReason, size: t[4], mtimeMs: t[5] };
		if (typeof t[3] === 'string') sk.detail = t[3];
		out.push(sk);
	}
	return out;
}

/** A base whose header was read and checked, before its records are parsed. */
interface HeaderStage {
	t0: number;
	readMs: number;
	header: Header;
	langs: LangRow[];
	/** The records' text; undefined when only the header was read (read and checked when parsed). */
	body: Buffer | undefined;
	journal: Buffer | undefined;
	meta: IndexMeta;
	/** The header line as read (with its newline). */
	head: Buffer;
	expect: IndexMeta | undefined;
	/** Set by `open`: see `OpenResult.quick`. */
	quick?: OpenResult['quick'];
}

/** The digests file (`path + '.digests'`): `<checksum of the JSON>\t<JSON>`. */
interface DigestsFile {
	/** The base generation and the journal (length and checksum) it describes. */
	gen: number;
	journalBytes: number;
	journalCheck: string;
	count: number;
	sums: number[];
	dirs: string[];
	aggs: AggregateSnapshot;
	skips: NonNullable<Header['skips']>;
}

/** What `open` found: enough to skip parsing when nothing changed, and the full load on demand. */
export interface OpenResult {
	status: LoadStatus;
	meta?: IndexMeta;
	/** Problems found so far (`load()` may find more, e.g. damaged records or journal lines). */
	warnings: string[];
	/**
	 * The base's folder digests, folder table and aggregates, when they describe the index exactly
	 * (intact base, no journal batch to replay).
	 */
	quick?: { sums: number[]; dirs: string[]; aggregates: AggregateSnapshot; count: number; skips: StoredSkip[] };
	/** The full load (records parsed on the first call; later calls return the same result). */
	load(): LoadResult;
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
	/**
	 * Every record, fully decoded. With `pending` set this is computed on first read (decoding
	 * every structure: use `FileIndex.fromLoad(roots, result)` instead, which decodes lazily).
	 */
	records: FileRecord[];
	/**
	 * The same records before their structure is decoded, for `FileIndex.fromLoad`; absent when
	 * the records were decoded at load (damaged file, another backend).
	 */
	pending?: PendingRecords;
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
	/**
	 * Writes every record atomically (replaces whatever was there). `skips` and `aggregates`:
	 * see `JsonlIndexStore.save`; a store may ignore them. Records may be pending (see
	 * fileIndex.ts `materialize`), here and in `commit`.
	 */
	save(records: Iterable<FileRecord>, meta: IndexMeta, skips?: readonly StoredSkip[], aggregates?: AggregateSnapshot): Promise<void>;
	/**
	 * Optional: runs a save's per-record work over `sample` records (no write), so a big `save`
	 * soon after starts in optimized code (see `JsonlIndexStore.warmUp`).
	 */
	warmUp?(sample: readonly FileRecord[]): void;
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

const FNV_PRIME = 0x01000193;
const FNV_BASIS = 0x811c9dc5;

/**
 * FNV-1a (32 bit) over UTF-16 code units: cheap, only used to spot damaged lines. `seed`: the
 * hash of the text before `s` (hashing a concatenation without building it).
 */
export function fnv1a(s: string, seed = FNV_BASIS): number {
	let h = seed;
	for (let i = 0; i < s.length; i++) {
		h ^= s.charCodeAt(i);
		h = Math.imul(h, FNV_PRIME);
	}
	return h >>> 0;
}

type Tuple = [string, number, string, Category, number, number, number, number, number, number, number, string[], (string | number)[], (string | number)[], 0 | 1];

function toTuple(record: FileRecord): Tuple {
	const r = materialize(record);
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

/** Language table of a base file under construction: (language, category, unknown) → index. */
class LangTable {
	readonly rows: [string, Category, 0 | 1][] = [];
	/** Row numbers by language name (one per category and unknown flag seen with it). */
	private readonly byName = new Map<string, number[]>();
	private last = -1;

	id(r: FileRecord): number {
		const unknown = r.unknown === true ? 1 : 0;
		// Consecutive records mostly share a language: no lookup for them (and never a key string).
		let row = this.last >= 0 ? this.rows[this.last] : undefined;
		if (row && row[0] === r.language && row[1] === r.category && row[2] === unknown) return this.last;
		let ids = this.byName.get(r.language);
		if (ids) {
			for (const id of ids) {
				row = this.rows[id];
				if (row[1] === r.category && row[2] === unknown) return (this.last = id);
			}
		} else this.byName.set(r.language, (ids = []));
		const id = this.rows.push([r.language, r.category, unknown]) - 1;
		ids.push(id);
		return (this.last = id);
	}
}

/** Folders a `DirTable` checks before its map: files of a folder and of its subfolders interleave in path order. */
const RECENT_DIRS = 4;

/** Folder table of a base file under construction: folder path → index. */
class DirTable {
	readonly rows: string[] = [];
	private readonly ids = new Map<string, number>();
	/** The last folders looked up, and their numbers (round robin). */
	private readonly recent: string[] = [];
	private readonly recentIds: number[] = [];
	private next = 0;

	id(path: string): number {
		const slash = path.lastIndexOf('/');
		if (slash > 0) {
			// Most records are in one of the last few records' folders: no string built for them.
			for (let k = 0; k < this.recent.length; k++) {
				const d = this.recent[k];
				if (d.length === slash && path.startsWith(d)) return this.recentIds[k];
			}
		}
		const dir = slash < 0 ? '' : path.slice(0, slash);
		let id = this.ids.get(dir);
		if (id === undefined) {
			id = this.rows.length;
			this.rows.push(dir);
			this.ids.set(dir, id);
		}
		if (slash > 0) {
			this.recent[this.next] = dir;
			this.recentIds[this.next] = id;
			this.next = (this.next + 1) % RECENT_DIRS;
		}
		return id;
	}
}

/** The folder a root-relative file path is directly in ('' for the root). */
function dirOf(path: string): string {
	const slash = path.lastIndexOf('/');
	return slash < 0 ? '' : path.slice(0, slash);
}

/** Decimal text of integers 0…9999, each made once when first needed: most of a line's numbers are small. */
const smallInts: (string | undefined)[] = new Array<string | undefined>(10000).fill(undefined);

/** `String(n)` (what JSON.stringify and a template print for a finite number). */
function numText(n: number): string {
	return n >= 0 && n < 10000 && (n | 0) === n ? (smallInts[n] ??= String(n)) : String(n);
}

/** `JSON.stringify(s)`: a string with nothing to escape is only quoted (JSON.stringify costs ~6× more). */
function jsonString(s: string): string {
	return isPlain(s) ? '"' + s + '"' : JSON.stringify(s);
}

/** A base line's head without its hash: `[path,root,lang,dir,size,mtimeMs,bytes,code,comment,blank,imports,classes,functions`. */
function lineHead(r: FileRecord, lang: number, dir: number): string {
	// The text JSON.stringify gives the same array (numbers print alike in both), much cheaper.
	return '[' + jsonString(r.path) + ',' + numText(r.root) + ',' + numText(lang) + ',' + numText(dir) + ',' + numText(r.size) + ',' +
		numText(r.mtimeMs) + ',' + numText(r.bytes) + ',' + numText(r.code) + ',' + numText(r.comment) + ',' + numText(r.blank) + ',' +
		numText(r.imports.length) + ',' + numText(r.classes.length) + ',' + numText(r.functions.length);
}

/** `fnv1a` over bytes `[from, to)` (equal to it over text whose code units are those bytes: ASCII). */
function fnv1aBytes(b: Uint8Array, from: number, to: number, seed: number): number {
	let h = seed;
	for (let i = from; i < to; i++) {
		h ^= b[i];
		h = Math.imul(h, FNV_PRIME);
	}
	return h >>> 0;
}

/** Writes the lines of `records[from, to)` and adds them to the tables and digests: a save's work per record. */
/** The save's first pass: each record's language and folder ids (the header's tables) and the folder digests. */
function tableRecords(records: readonly FileRecord[], from: number, to: number, langs: LangTable, dirs: DirTable, digests: DigestTable,
	langIds: Uint32Array, dirIds: Uint32Array): void {
	for (let j = from; j < to; j++) {
		const r = records[j];
		const dir = dirs.id(r.path);
		langIds[j] = langs.id(r);
		dirIds[j] = dir;
		digests.add(r.root, dir, r.path, r.size, r.mtimeMs);
	}
}

/** The save's second pass: the lines of records `from` to `to`. */
function encodeLines(records: readonly FileRecord[], from: number, to: number, langIds: Uint32Array, dirIds: Uint32Array, body: BodyWriter): void {
	for (let j = from; j < to; j++) body.line(records[j], langIds[j], dirIds[j]);
}

/** Room (bytes) left in a body buffer before a line is tried in it; a line that needs more is written again. */
const LINE_ROOM_MIN = 4096;

/**
 * Writes `s` in quotes at `p` when it is ASCII with nothing JSON escapes (what `jsonString` gives
 * it then); returns the end, or -1 (nothing to rely on written) when it is not.
 */
function putPlain(b: Uint8Array, p: number, s: string): number {
	b[p++] = 0x22;
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return -1;
		b[p++] = c;
	}
	b[p++] = 0x22;
	return p;
}

/** Writes `numText(n)` at `p` (`String(n)`: digits for a safe non-negative integer); returns the end. */
function putNum(b: Uint8Array, p: number, n: number): number {
	if (n >= 0 && n <= 0x7fffffff && (n | 0) === n) {
		let digits = 1;
		for (let x = n; x >= 10; x = (x / 10) | 0) digits++;
		for (let k = digits - 1, x = n; k >= 0; k--, x = (x / 10) | 0) b[p + k] = 0x30 + (x % 10);
		return p + digits;
	}
	const t = numText(n);
	for (let i = 0; i < t.length; i++) b[p++] = t.charCodeAt(i);
	return p;
}

/** Writes ',' and `numText(n)` at `p`; returns the end. */
function putField(b: Uint8Array, p: number, n: number): number {
	b[p] = 0x2c;
	return putNum(b, p + 1, n);
}

/** Writes `"name",line` pairs, comma-separated; -1 when a name is not plain or a line not a safe integer. */
function putSymbols(b: Uint8Array, p: number, list: readonly SymbolRef[]): number {
	for (let i = 0; i < list.length; i++) {
		const s = list[i];
		if (i > 0) b[p++] = 0x2c;
		p = putPlain(b, p, s.name);
		if (p < 0 || !Number.isSafeInteger(s.line)) return -1;
		b[p++] = 0x2c;
		p = putNum(b, p, s.line);
	}
	return p;
}

/**
 * Writes `r`'s base line at `o` straight from its fields, byte by byte, when every string in it
 * is plain ASCII (see `putPlain`): the same bytes as `lineHead`, the hash and `encodeStructure`
 * encoded. Returns the end, or -1 when the line is not all plain ASCII or did not fit in `b`
 * (writes past a typed array's end are dropped, and the end tells): the caller writes it from
 * its text then.
 */
function asciiLine(b: Uint8Array, o: number, r: FileRecord, lang: number, dir: number): number {
	const { imports, classes, functions } = r;
	const headEnd = putHead(b, o, r, lang, dir, imports.length, classes.length, functions.length);
	if (headEnd < 0) return -1;
	// The structure goes after room for the hash, which is known once the structure is written.
	const s0 = headEnd + 11;
	let p = s0;
	b[p++] = 0x5d; // ]
	b[p++] = 0x09; // tab
	if (imports.length > 0 || classes.length > 0 || functions.length > 0) {
		b[p++] = 0x5b;
		b[p++] = 0x5b;
		for (let i = 0; i < imports.length; i++) {
			if (i > 0) b[p++] = 0x2c;
			p = putPlain(b, p, imports[i]);
			if (p < 0) return -1;
		}
		b[p++] = 0x5d;
		b[p++] = 0x2c;
		b[p++] = 0x5b;
		p = putSymbols(b, p, classes);
		if (p < 0) return -1;
		b[p++] = 0x5d;
		b[p++] = 0x2c;
		b[p++] = 0x5b;
		p = putSymbols(b, p, functions);
		if (p < 0) return -1;
		b[p++] = 0x5d;
		b[p++] = 0x5d;
	}
	return endLine(b, o, headEnd, s0, p);
}

const counts3 = new Float64Array(3);

/**
 * `asciiLine` for a pending record (see fileIndex.ts): its structure is already the stored
 * text, copied as is, and its counts come from `pendingCounts` (nothing is decoded). -1 when the
 * text is not ASCII, or as `asciiLine`.
 */
function pendingLine(b: Buffer, o: number, r: FileRecord, lang: number, dir: number, text: string): number {
	pendingCounts(r, text, counts3);
	const headEnd = putHead(b, o, r, lang, dir, counts3[0], counts3[1], counts3[2]);
	if (headEnd < 0) return -1;
	const s0 = headEnd + 11;
	if (s0 + 2 + text.length > b.length) return -1;
	b[s0] = 0x5d; // ]
	b[s0 + 1] = 0x09; // tab
	// ASCII text takes one byte per code unit, any other more: 4× faster than a loop.
	const n = text.length === 0 ? 0 : b.write(text, s0 + 2, 'utf8');
	if (n !== text.length) return -1;
	return endLine(b, o, headEnd, s0, s0 + 2 + n);
}

/** Writes a line's head, `[path,root,lang,dir,size,mtimeMs,bytes,code,comment,blank,imports,classes,functions`, at `o`; -1 when the path is not plain ASCII. */
function putHead(b: Uint8Array, o: number, r: FileRecord, lang: number, dir: number, imports: number, classes: number, functions: number): number {
	let p = o;
	b[p++] = 0x5b; // [
	p = putPlain(b, p, r.path);
	if (p < 0) return -1;
	p = putField(b, p, r.root);
	p = putField(b, p, lang);
	p = putField(b, p, dir);
	p = putField(b, p, r.size);
	p = putField(b, p, r.mtimeMs);
	p = putField(b, p, r.bytes);
	p = putField(b, p, r.code);
	p = putField(b, p, r.comment);
	p = putField(b, p, r.blank);
	p = putField(b, p, imports);
	p = putField(b, p, classes);
	return putField(b, p, functions);
}

/**
 * Ends a line whose head is `[o, headEnd)` and whose ']\t' + structure is `[s0, p)` (11 bytes
 * past the head): hashes both, writes ',' + hash after the head, moves the rest up to it and
 * adds the newline. Returns the end, or -1 when it did not fit in `b`.
 */
function endLine(b: Uint8Array, o: number, headEnd: number, s0: number, p: number): number {
	// The line ends at most one byte past `p` (the hash takes at most 10 of the 11 bytes left for it).
	if (p + 1 > b.length) return -1;
	const h = fnv1aBytes(b, s0, p, fnv1aBytes(b, o, headEnd, FNV_BASIS));
	let q = putField(b, headEnd, h);
	b.copyWithin(q, s0, p);
	q += p - s0;
	b[q++] = 0x0a; // newline
	return q;
}

/**
 * The records in a new array of one kind of elements whatever the input (`Array.from` of an
 * array with holes makes one with holes): the save's loop is optimized for that kind.
 */
function listOf(records: Iterable<FileRecord>): FileRecord[] {
	const all: FileRecord[] = [];
	for (const r of records) all.push(r);
	return all;
}

/** Per record its imports, classes and functions (3 numbers each), pending records not decoded. */
function structureCounts(records: readonly FileRecord[]): Uint32Array {
	const out = new Uint32Array(3 * records.length);
	for (let i = 0; i < records.length; i++) {
		structureCountsOf(records[i], counts3);
		out.set(counts3, 3 * i);
	}
	return out;
}

/**
 * Bytes of the buffer a body is read or written through: a load reads it in pieces this big (a
 * longer line grows it), a save writes one slice of records' lines from it (more go to buffers
 * made for them, dropped once written).
 */
const BODY_BLOCK = 1 << 20;

/**
 * Body buffers kept from one load or save to the next. Fresh memory is slow to fault in on some
 * machines: on this project's 2-core VM a new 16 MB buffer costs ~45 ms before the first byte
 * goes in. The old load read the whole file into one and copied it into one string of the whole
 * file (half the load of 100k records); reading the same file through one reused 1 MiB buffer
 * takes ~1 ms. Each load or save takes its own (two stores may save at once) and gives it back.
 */
const spareBlocks: Buffer[] = [];

function takeBlock(): Buffer {
	return spareBlocks.pop() ?? Buffer.allocUnsafeSlow(BODY_BLOCK);
}

function giveBlock(b: Buffer): void {
	if (b.length === BODY_BLOCK && spareBlocks.length < 2) spareBlocks.push(b);
}

/**
 * Writes base lines straight into a buffer (UTF-8), hashing ASCII lines over their bytes: no
 * line string, no joined text, no second encoding pass. A line (see the format above) is
 * `lineHead`, ',', the FNV-1a of the line without `,fnv`, ']\t', the structure, '\n'.
 * The lines come out in parts (views of the buffers), cut where the caller asks; once the caller
 * has written them, `reset` starts again at the start of the first buffer.
 */
class BodyWriter {
	readonly parts: Buffer[] = [];
	private buf: Buffer;
	/** Where the next line goes, and where the current part started. */
	private at = 0;
	private from = 0;

	/** @param base The buffer lines go to (a longer stretch of lines goes on in new buffers). */
	constructor(readonly base: Buffer) {
		this.buf = base;
	}

	/** Forgets the parts (written by the caller): the next line goes to the start of `base`. */
	reset(): void {
		this.parts.length = 0;
		this.buf = this.base;
		this.at = 0;
		this.from = 0;
	}

	/** Writes `r`'s line (a pending record's structure text is copied, not decoded). */
	line(r: FileRecord, lang: number, dir: number): void {
		if (this.buf.length - this.at < LINE_ROOM_MIN) this.grow(LINE_ROOM_MIN);
		// Most lines are ASCII with nothing to escape: their bytes are written one by one, with no
		// string built. A line that is not, or that would not fit, is written again from its text.
		const text = r.imports as unknown;
		const end = typeof text === 'string' ? pendingLine(this.buf, this.at, r, lang, dir, text) : asciiLine(this.buf, this.at, r, lang, dir);
		if (end > 0) {
			this.at = end;
			return;
		}
		// The rare line written from its text: a pending record is decoded for it (its text is
		// what `encodeStructure` wrote, so encoding it again gives the same text).
		materialize(r);
		const head = lineHead(r, lang, dir);
		const structure = encodeStructure(r);
		// UTF-8 takes at most 3 bytes per UTF-16 unit; then ',' + up to 10 digits, ']\t', '\n'.
		const room = 3 * (head.length + structure.length) + 14;
		if (this.at + room > this.buf.length) this.grow(room);
		const buf = this.buf;
		const o = this.at;
		const hb = buf.write(head, o, 'utf8');
		// The structure goes after room for the hash, which is known once the structure is written.
		const s0 = o + hb + 11;
		buf[s0] = 0x5d; // ]
		buf[s0 + 1] = 0x09; // \t
		const sb = structure.length === 0 ? 0 : buf.write(structure, s0 + 2, 'utf8');
		// As many bytes as code units: ASCII, whose bytes hash as the text does.
		const h = hb === head.length && sb === structure.length
			? fnv1aBytes(buf, s0, s0 + 2 + sb, fnv1aBytes(buf, o, o + hb, FNV_BASIS))
			: fnv1a(structure, fnv1a(']\t', fnv1a(head)));
		let p = o + hb;
		buf[p++] = 0x2c; // ,
		let digits = 1;
		for (let x = h; x >= 10; x = (x / 10) >>> 0) digits++;
		for (let k = digits - 1, x = h; k >= 0; k--, x = (x / 10) >>> 0) buf[p + k] = 0x30 + (x % 10);
		p += digits;
		buf.copyWithin(p, s0, s0 + 2 + sb);
		p += 2 + sb;
		buf[p++] = 0x0a; // \n
		this.at = p;
	}

	/** Ends the current part. */
	cut(): void {
		if (this.at > this.from) this.parts.push(this.buf.subarray(this.from, this.at));
		this.from = this.at;
	}

	private grow(room: number): void {
		this.cut();
		this.buf = Buffer.allocUnsafe(Math.max(this.base.length, room));
		this.at = 0;
		this.from = 0;
	}
}

interface LangRow { language: string; category: Category; unknown: boolean }

/** The header's language table, or undefined when it is malformed. */
function langRows(langs: unknown): LangRow[] | undefined {
	if (!Array.isArray(langs)) return undefined;
	const out: LangRow[] = [];
	for (const l of langs) {
		if (!Array.isArray(l) || typeof l[0] !== 'string' || !categories.has(l[1]) || (l[2] !== 0 && l[2] !== 1)) return undefined;
		out.push({ language: l[0], category: l[1] as Category, unknown: l[2] === 1 });
	}
	return out;
}

/** A decoded record from a parsed line head and its structure text (the slow, checked path); undefined when the shape is wrong. */
function fromHead(t: unknown, structure: string, langs: LangRow[], dirs: string[]): FileRecord | undefined {
	if (!Array.isArray(t) || t.length !== 14) return undefined;
	const [path, root, li, di, size, mtimeMs, bytes, code, comment, blank, ni, nc, nf] = t as unknown[];
	if (typeof path !== 'string' || path === '' || !isCount(root) || !isCount(li) || li >= langs.length || !isCount(di) ||
		di >= dirs.length || dirs[di] !== dirOf(path) || !isCount(size) || typeof mtimeMs !== 'number' || !isCount(bytes) ||
		!isCount(code) || !isCount(comment) || !isCount(blank)) return undefined;
	const s = decodeStructure(structure);
	if (!s || s.imports.length !== ni || s.classes.length !== nc || s.functions.length !== nf) return undefined;
	const lang = langs[li];
	const r: FileRecord = {
		path, root, language: lang.language, category: lang.category, size, mtimeMs, bytes, lines: code + comment + blank,
		code, comment, blank, imports: s.imports, classes: s.classes, functions: s.functions,
	};
	if (lang.unknown) r.unknown = true;
	return r;
}

/** Checks a base line's own hash; returns the decoded record or undefined. */
function decodeCheckedLine(line: string, langs: LangRow[], dirs: string[]): FileRecord | undefined {
	const tab = line.indexOf('\t');
	if (tab < 0) return undefined;
	const head = line.slice(0, tab);
	const structure = line.slice(tab + 1);
	const comma = head.lastIndexOf(',');
	if (comma < 0 || !head.endsWith(']')) return undefined;
	const h = Number(head.slice(comma + 1, -1));
	if (fnv1a(head.slice(0, comma) + ']\t' + structure) !== h) return undefined;
	try {
		return fromHead(JSON.parse(head), structure, langs, dirs);
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

// zlib.crc32 is in Node ≥ 20.15 / 22.2 (~5 ms for 20 MB, SHA-1 ~25-40 ms); older runtimes write SHA-1.
const crc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** `checksum`, fed in pieces: this runtime's algorithm, or the one named (undefined when it is not here). */
function hasher(alg: string = crc32 ? 'crc32' : 'sha1'): { update(b: Uint8Array): void; digest(): string } | undefined {
	if (alg === 'crc32') {
		if (!crc32) return undefined;
		let c = 0;
		return { update: (b) => void (c = crc32(b, c)), digest: () => `crc32:${c.toString(16)}` };
	}
	if (alg !== 'sha1') return undefined;
	const h = createHash('sha1');
	return { update: (b) => void h.update(b), digest: () => `sha1:${h.digest('hex')}` };
}

function checksum(buf: Uint8Array): string {
	const h = hasher()!;
	h.update(buf);
	return h.digest();
}

/** `verify`, fed in pieces; undefined when the check's algorithm is unknown here. */
function checker(check: unknown): { update(b: Uint8Array): void; ok(): boolean } | undefined {
	if (typeof check !== 'string') return undefined;
	const h = hasher(check.slice(0, check.indexOf(':')));
	return h && { update: h.update, ok: () => h.digest() === check };
}

/** True when `buf` matches a header's `check`; false when it differs or cannot be computed here. */
function verify(buf: Uint8Array, check: unknown): boolean {
	const c = checker(check);
	c?.update(buf);
	return c?.ok() ?? false;
}

function errCode(e: unknown): string | undefined {
	return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** Reads the next bytes of a base's body into `buf` at `at`, at most `len`; 0 at its end. */
type BodyRead = (buf: Buffer, at: number, len: number) => number;

/** Buffer's native slicers (in every Node and Electron; not in @types/node). */
interface SliceBuffer extends Buffer {
	latin1Slice(start: number, end: number): string;
	utf8Slice(start: number, end: number): string;
}

/** A checksum of the width `hasher` gives here, as the header's placeholder. */
function emptyCheck(): string {
	return crc32 ? 'crc32:0' : `sha1:${'0'.repeat(40)}`;
}

/** The header without what the body gives it. */
type HeaderTables = Omit<Header, 'bytes' | 'check'>;

/**
 * The header line from the JSON of its tables (`HeaderTables`), `bytes` and `check` last and
 * padded with spaces (JSON allows them) to a fixed width: the save writes the line before the
 * body, and the real values over it after.
 */
function headerLine(tablesJson: string, bytes: number, check: string): string {
	return `${tablesJson.slice(0, -1)},"bytes":${String(bytes).padEnd(16)},"check":${JSON.stringify(check).padEnd(48)}}\n`;
}

/** `parseLine`'s answers other than the next line's start. */
const INCOMPLETE = -1;
const MALFORMED = -2;
/** `parseLine`'s output besides the numbers (one line at a time: no object per line). */
let linePath = '';
let lineStructure = '';

/**
 * Reads the base line at `p` of `b`, whose valid bytes end at `lim`: the path (JSON string,
 * sliced from the bytes unless it has escapes) into `linePath`, twelve numbers into `f` (digits
 * summed exactly, others through `Number`; the line's hash is skipped: the body's checksum
 * covers it), the structure text as is into `lineStructure`. Returns where the next line
 * starts, INCOMPLETE when the line goes on past `lim`, MALFORMED when it is not exactly as
 * `BodyWriter` writes it. Text with non-ASCII bytes is decoded as UTF-8, the rest as Latin-1
 * (the same text, several times faster).
 */
function parseLine(b: SliceBuffer, p: number, lim: number, f: Float64Array): number {
	if (p + 1 >= lim) return INCOMPLETE;
	if (b[p] !== 0x5b /* [ */ || b[p + 1] !== 0x22 /* " */) return MALFORMED;
	let q = p + 2;
	let escaped = false;
	let high = 0;
	for (;;) {
		if (q >= lim) return INCOMPLETE;
		const c = b[q];
		if (c === 0x22) break;
		if (c === 0x5c /* \ */) {
			escaped = true;
			q++;
		} else if (c === 0x0a) return MALFORMED;
		high |= c;
		q++;
	}
	if (escaped) {
		try {
			linePath = JSON.parse(b.utf8Slice(p + 1, q + 1)) as string;
		} catch {
			return MALFORMED;
		}
	} else linePath = high & 0x80 ? b.utf8Slice(p + 2, q) : b.latin1Slice(p + 2, q);
	q++;
	// Twelve numbers, then the line's hash. Bytes past `lim` are stale, and `lim` may be the end
	// of the buffer: no loop reads there (a read past the end, once per load where a block cut a
	// number, threw the optimized parse away: a deopt and a recompile at every start-up).
	for (let k = 0; k < 13; k++) {
		if (q >= lim) return INCOMPLETE;
		if (b[q] !== 0x2c /* , */) return MALFORMED;
		const start = ++q;
		let v = 0;
		let c = 0;
		while (q < lim) {
			c = b[q];
			if (c < 0x30 || c > 0x39) break;
			v = v * 10 + (c - 0x30);
			q++;
		}
		if (q >= lim) return INCOMPLETE;
		let other = false;
		if (c === 0x2e /* . */ && q > start) {
			// A fraction (mtimes): digits/10^k is exact when the digits fit in 2^53, and one
			// division of exact values rounds exactly as Number() and JSON.parse do.
			let digits = v;
			let scale = 1;
			q++;
			while (q < lim) {
				c = b[q];
				if (c < 0x30 || c > 0x39) break;
				digits = digits * 10 + (c - 0x30);
				scale *= 10;
				q++;
			}
			if (q >= lim) return INCOMPLETE;
			if ((c === 0x2c || c === 0x5d) && scale > 1 && digits <= Number.MAX_SAFE_INTEGER && scale <= 1e22) v = digits / scale;
			else other = true;
		} else if (c !== 0x2c && c !== 0x5d /* ] */) other = true; // an exponent or a sign
		else if (q === start) return MALFORMED;
		else if (q - start > 15) v = Number(b.latin1Slice(start, q));
		if (other) {
			// Let Number read it (exact, as JSON.parse would).
			while (c !== 0x2c && c !== 0x5d && c !== 0x0a) {
				if (++q >= lim) return INCOMPLETE;
				c = b[q];
			}
			v = Number(b.latin1Slice(start, q));
			if (Number.isNaN(v)) return MALFORMED;
		}
		if (k < 12) f[k] = v;
	}
	if (q + 1 >= lim) return INCOMPLETE;
	if (b[q] !== 0x5d || b[q + 1] !== 0x09 /* \t */) return MALFORMED;
	const s0 = q + 2;
	q = s0;
	high = 0;
	for (;;) {
		if (q >= lim) return INCOMPLETE;
		const c = b[q];
		if (c === 0x0a) break;
		high |= c;
		q++;
	}
	lineStructure = q === s0 ? '' : high & 0x80 ? b.utf8Slice(s0, q) : b.latin1Slice(s0, q);
	return q + 1;
}

const lineNumbers = new Float64Array(12);

/** The records a load's `parseBlock` calls make, and where the next one goes. */
interface ParseState {
	readonly records: FileRecord[];
	readonly counts: Uint32Array;
	readonly dirIds: Uint32Array;
	readonly langIds: Uint32Array;
	readonly langs: LangRow[];
	readonly dirCount: number;
	n: number;
}

/** `parseBlock`'s answer for a line not exactly as `BodyWriter` writes it (or one record too many). */
const BAD_BLOCK = -1;

/**
 * The records of the whole lines of `buf[p, lim)` into `st`; returns where the first line not
 * whole starts (`lim` when all were), or BAD_BLOCK. The hot loop of a load, in a function of
 * its own that each step calls (`parseSteps`): a load runs once per process, and the loop of a
 * function called once is optimized on the stack with no type feedback for the code around it
 * (V8 gives a function its feedback only after a few calls), so each first run of that code
 * threw the optimized loop away again (four deopts and recompiles of ~20 ms each, at every
 * start-up).
 */
function parseBlock(buf: SliceBuffer, p: number, lim: number, st: ParseState): number {
	const f = lineNumbers;
	const { records, counts, dirIds, langIds, langs, dirCount } = st;
	const count = records.length;
	let n = st.n;
	for (;;) {
		const next = parseLine(buf, p, lim, f);
		if (next === INCOMPLETE) break;
		if (next === MALFORMED || n >= count) return BAD_BLOCK;
		p = next;
		// [root, lang, dir, size, mtimeMs, bytes, code, comment, blank, imports, classes, functions]
		const path = linePath;
		// Counts as small integers, not boxed doubles (see `smallInt`).
		const root = smallInt(f[0]);
		const li = f[1];
		const code = smallInt(f[6]);
		const comment = smallInt(f[7]);
		const blank = smallInt(f[8]);
		if (!isCount(root) || !isCount(li) || li >= langs.length || !isCount(f[2]) || f[2] >= dirCount || !isCount(f[3]) ||
			!isCount(f[5]) || !isCount(code) || !isCount(comment) || !isCount(blank) || !isCount(f[9]) || !isCount(f[10]) ||
			!isCount(f[11]) || path === '') return BAD_BLOCK;
		dirIds[n] = f[2];
		langIds[n] = li;
		counts[3 * n] = f[9];
		counts[3 * n + 1] = f[10];
		counts[3 * n + 2] = f[11];
		const lang = langs[li];
		// Pending: `imports` holds the structure text until `materialize` (same key order as a decoded record).
		const r: FileRecord = {
			path, root, language: lang.language, category: lang.category, size: smallInt(f[3]), mtimeMs: f[4], bytes: smallInt(f[5]),
			lines: code + comment + blank, code, comment, blank, imports: lineStructure as unknown as string[],
			classes: null as unknown as SymbolRef[], functions: null as unknown as SymbolRef[],
		};
		if (lang.unknown) r.unknown = true;
		records[n++] = r;
	}
	st.n = n;
	return p;
}

/** Bytes `parseSteps` gives one `parseBlock` call: ~100 lines. */
const PARSE_STEP = 16 << 10;

/**
 * `parseBlock` over `buf[p, lim)` in steps of PARSE_STEP bytes (a line that a step cuts is read
 * again whole by the next): a load calls it ~1,000 times, so V8 gives it type feedback within the
 * first few steps and optimizes it whole, instead of on the stack of one long call (see
 * `parseBlock`). Same answer as one call over the whole range.
 */
function parseSteps(buf: SliceBuffer, p: number, lim: number, st: ParseState): number {
	let end = Math.min(lim, p + PARSE_STEP);
	for (;;) {
		const next = parseBlock(buf, p, end, st);
		if (next === BAD_BLOCK || end === lim) return next;
		// No whole line in the step: twice the step from the same place (a line of L bytes is
		// then read ~2L bytes in all, not L²/PARSE_STEP).
		end = Math.min(lim, next === p ? p + 2 * (end - p) : next + PARSE_STEP);
		p = next;
	}
}

/**
 * The fast path: the records of a base body of `bytes` bytes, whole in memory or read in
 * pieces through `source.through` (a reused buffer: `spareBlocks`), checked against the header's `check` as it
 * goes. No string of the whole body, no array per line (one JSON.parse per head cost ~2× more,
 * mostly in garbage collection); the structure text is kept as is: pending records. Undefined
 * when the checksum or the length differ, or anything is not exactly as `BodyWriter` writes it
 * (the caller then checks line by line).
 */
function parseRecords(source: Buffer | { read: BodyRead; through: Buffer }, bytes: number, check: unknown, count: number, langs: LangRow[], dirs: string[]): PendingRecords | undefined {
	const sum = checker(check);
	if (!sum) return undefined;
	const st: ParseState = {
		records: new Array<FileRecord>(count), counts: new Uint32Array(3 * count), dirIds: new Uint32Array(count),
		langIds: new Uint32Array(count), langs, dirCount: dirs.length, n: 0,
	};
	if (Buffer.isBuffer(source)) {
		// Whole: checked before the parse (a damaged body is not parsed twice).
		sum.update(source);
		if (source.length !== bytes || !sum.ok()) return undefined;
		if (parseSteps(source as SliceBuffer, 0, source.length, st) !== source.length) return undefined;
	} else {
		const read = source.read;
		let buf = source.through;
		let lim = 0;
		let total = 0;
		let p = 0;
		for (;;) {
			// Keep the line the last read cut (a longer one than the buffer grows it), then fill.
			if (p > 0) {
				buf.copyWithin(0, p, lim);
				lim -= p;
				p = 0;
			}
			if (lim === buf.length) {
				const bigger = Buffer.allocUnsafeSlow(2 * buf.length);
				buf.copy(bigger, 0, 0, lim);
				buf = bigger;
			}
			const got = read(buf, lim, buf.length - lim);
			if (got > 0) {
				sum.update(buf.subarray(lim, lim + got));
				lim += got;
				total += got;
			}
			p = parseSteps(buf as SliceBuffer, p, lim, st);
			if (p === BAD_BLOCK) return undefined;
			if (got === 0) break;
		}
		if (p !== lim || total !== bytes || !sum.ok()) return undefined;
	}
	if (st.n !== count) return undefined;
	return { records: st.records, counts: st.counts, dirs, dirOf: st.dirIds, langs, langOf: st.langIds };
}

// --- atomic file writes ---------------------------------------------------------------------

let tmpCounter = 0;

/** Beside the base file `P`: its journal `P.journal` and digests `P.digests`. */
const JOURNAL_SUFFIX = '.journal';
const DIGESTS_SUFFIX = '.digests';
/** Atomic writes (of the base and of the digests) go through `${target}.tmp-${pid}-${n}`. */
const TEMP_INFIX = '.tmp-';
const escapeDots = (x: string) => x.replace(/[.]/g, '\\.');
/** What follows the base path in the name of a temp file of the store (the base's or the digests'). */
const TEMP_TAIL = new RegExp(`^(?:${escapeDots(DIGESTS_SUFFIX)})?${escapeDots(TEMP_INFIX)}\\d+-\\d+$`);
/** What may follow the base path in the name of a file the store writes (see the suffixes above). */
const STORE_FILE_TAIL = new RegExp(`^(?:${escapeDots(JOURNAL_SUFFIX)}|${escapeDots(DIGESTS_SUFFIX)}|${TEMP_TAIL.source.slice(1, -1)})?$`);

/**
 * True when `file` is one of the files the store at `indexPath` writes: the base, its journal,
 * its digests, or a temp file of an atomic write of the base or the digests (any process's).
 * Both paths absolute and normalized. Not `indexPath.py` or `indexPath-dir/…`, which merely
 * start with it. (The watcher drops its own writes with this.)
 */
export function isIndexStoreFile(indexPath: string, file: string): boolean {
	return file.startsWith(indexPath) && STORE_FILE_TAIL.test(file.slice(indexPath.length));
}

/**
 * Records encoded between two turns of the event loop in `save`: about 10 ms of work here, so
 * a full save of 100k records never holds an extension host's thread for one long stretch.
 */
const SAVE_SLICE = 2000;

function yieldToEventLoop(): Promise<void> {
	return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Writes `chunks` to `path` atomically: a temp file in the same folder, fsync, rename over
 * the target, fsync the folder (so the rename itself survives a power loss).
 */
export async function writeFileAtomic(path: string, chunks: Uint8Array[], fsync = true): Promise<void> {
	await writeFileAtomicWith(path, async (fh) => void (await writeAll(fh, chunks, 0)), fsync);
}

/**
 * Bytes written to a temp file between two background flushes (see `EarlyFlush`): a few per
 * save of a big index, none for a small file.
 */
const EARLY_FLUSH_BYTES = 4 << 20;

/**
 * Starts a `datasync` of a file being written, in the background, each time `EARLY_FLUSH_BYTES`
 * more have been written (one at a time): the kernel writes the start of the file to disk while
 * the rest is encoded, and the fsync before the rename waits for the tail only. The storm
 * benchmark's 14 MB index here: that fsync took 20–31 ms, now 1–2 ms; the writes, sharing the
 * disk with the flushes, take ~10 ms longer (4 saves each: ~105 → ~92 ms together). The final
 * fsync still covers the whole file, so what a crash can leave is unchanged.
 */
class EarlyFlush {
	private inFlight: Promise<void> | undefined;
	private failure: unknown;
	private since = 0;

	constructor(private readonly fh: fsp.FileHandle) {}

	/** `bytes` more were written. */
	wrote(bytes: number): void {
		this.since += bytes;
		if (this.since < EARLY_FLUSH_BYTES || this.inFlight) return;
		this.since = 0;
		this.inFlight = this.fh.datasync().then(
			() => void (this.inFlight = undefined),
			(e: unknown) => {
				this.failure ??= e;
				this.inFlight = undefined;
			},
		);
	}

	/** Waits for the flush in flight; throws what a flush threw. */
	async settle(): Promise<void> {
		await this.inFlight;
		if (this.failure !== undefined) throw this.failure;
	}
}

/**
 * `writeFileAtomic`, the temp file's content written by `fill`, which reports what it wrote
 * through `wrote` (with `fsync`, the file is flushed in the background as it grows).
 */
async function writeFileAtomicWith(path: string, fill: (fh: fsp.FileHandle, wrote: (bytes: number) => void) => Promise<void>, fsync: boolean): Promise<void> {
	const tmp = `${path}${TEMP_INFIX}${process.pid}-${++tmpCounter}`;
	const fh = await fsp.open(tmp, 'w');
	const early = fsync ? new EarlyFlush(fh) : undefined;
	try {
		await fill(fh, (bytes) => early?.wrote(bytes));
		await early?.settle();
		if (fsync) await fh.sync();
	} catch (e) {
		await early?.settle().catch(() => undefined);
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

/** Writes `chunks` at `position`, all of them (a short write is carried on); returns their length. */
async function writeAll(fh: fsp.FileHandle, chunks: Uint8Array[], position: number): Promise<number> {
	let total = 0;
	for (const c of chunks) total += c.length;
	let done = (await fh.writev(chunks, position)).bytesWritten;
	while (done < total) {
		// Rare (a full disk raises ENOSPC on the next call): write what is left, chunk by chunk.
		let skip = done;
		for (const c of chunks) {
			if (skip >= c.length) {
				skip -= c.length;
				continue;
			}
			const { bytesWritten } = await fh.write(c, skip, c.length - skip, position + done);
			if (bytesWritten === 0) throw new Error(`could not write to ${String(fh.fd)}`);
			done += bytesWritten;
			break;
		}
	}
	return total;
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

/**
 * Reads a whole file with one read call where the OS allows (fs.promises.readFile reads in
 * 512 KiB chunks: 40 thread-pool round trips for a 20 MB index, each a wait on a busy machine).
 */
async function readWhole(path: string): Promise<Buffer> {
	const fh = await fsp.open(path, 'r');
	try {
		const size = (await fh.stat()).size;
		const buf = Buffer.allocUnsafe(size);
		let got = 0;
		while (got < size) {
			const { bytesRead } = await fh.read(buf, got, size - got, got);
			if (bytesRead === 0) break; // shrank while read: the checksum will tell
			got += bytesRead;
		}
		// Bytes appended after the stat are left out: the base is only ever replaced by a rename
		// (this handle keeps the old file), and a journal read up to here is the state before
		// those appends (a torn last line is dropped as usual).
		return got === size ? buf : buf.subarray(0, got);
	} finally {
		await fh.close();
	}
}

/** The start of a file, at least its first line (read in growing pieces until a newline or the end), and the file's size. */
async function readHead(path: string): Promise<{ buf: Buffer; size: number }> {
	const fh = await fsp.open(path, 'r');
	try {
		const size = (await fh.stat()).size;
		let buf = Buffer.allocUnsafe(Math.min(size, 64 << 10));
		let got = 0;
		for (;;) {
			const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
			if (bytesRead === 0) return { buf: buf.subarray(0, got), size: got }; // shrank while read: the checks will tell
			const from = got;
			got += bytesRead;
			if (buf.indexOf(10, from) >= 0 && buf.indexOf(10, from) < got) return { buf: buf.subarray(0, got), size };
			if (got >= size) return { buf: buf.subarray(0, got), size };
			if (got === buf.length) {
				const bigger = Buffer.allocUnsafe(Math.min(size, 2 * buf.length));
				buf.copy(bigger, 0, 0, got);
				buf = bigger;
			}
		}
	} finally {
		await fh.close();
	}
}

/**
 * Removes temp files that a killed writer left next to `path` (of the base and of the digests:
 * `${base}.tmp-PID-N`, `${base}.digests.tmp-PID-N`), and only those: not a file that merely
 * starts like one (`idx.tmp-notes.py`).
 */
async function removeStaleTemps(path: string): Promise<void> {
	const dir = nodePath.dirname(path);
	const base = nodePath.basename(path);
	let names: string[];
	try {
		names = await fsp.readdir(dir);
	} catch {
		return;
	}
	const stale = names.filter((n) => n.startsWith(base) && TEMP_TAIL.test(n.slice(base.length)));
	await Promise.all(stale.map((n) => fsp.rm(nodePath.join(dir, n), { force: true })));
}

// --- the store ----------------------------------------------------------------------------

export class JsonlIndexStore implements IndexStoreBackend {
	readonly journalPath: string;
	/** Folder digests of the base plus journal (see `writeDigests`). */
	readonly digestsPath: string;
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
		this.journalPath = path + JOURNAL_SUFFIX;
		this.digestsPath = path + DIGESTS_SUFFIX;
		this.fsync = opts.fsync ?? true;
		this.syncJournal = opts.syncJournal ?? false;
		this.compactRatio = opts.compactRatio ?? 0.25;
		this.compactMinBytes = opts.compactMinBytes ?? 256 * 1024;
		this.logger = opts.logger ?? silentLogger;
		if (!(this.compactRatio >= 0)) throw new TypeError(`compactRatio must be a number ≥ 0, got ${opts.compactRatio}`);
		if (!(this.compactMinBytes >= 0)) throw new TypeError(`compactMinBytes must be a number ≥ 0, got ${opts.compactMinBytes}`);
	}

	async load(expect?: IndexMeta): Promise<LoadResult> {
		const st = await this.readHeader(expect, false);
		return 'result' in st ? st.result : this.parseBody(st);
	}

	/**
	 * Reads the index and checks its header, without parsing the records: what a warm start
	 * with nothing changed needs. `quick` is there when the base is intact, no journal batch is
	 * pending and the header holds folder digests and aggregates (written by this version's
	 * `save`); the store is then ready to commit. `load()` parses the records (once, on first
	 * call) and returns what `load` would.
	 */
	async open(expect?: IndexMeta): Promise<OpenResult> {
		const st = await this.readHeader(expect, true);
		if ('result' in st) {
			const result = st.result;
			return { status: result.status, meta: result.meta, warnings: result.warnings, load: () => result };
		}
		const quick = st.quick;
		if (quick) {
			// Ready to commit without a parse: the base's generation and the journal's length.
			this.gen = st.header.gen;
			this.journalBytes = st.journal?.length ?? 0;
			this.mustCompact = false;
		}
		let full: LoadResult | undefined;
		return {
			status: 'ok', meta: st.meta, warnings: [], quick,
			load: () => (full ??= this.parseBody(st)),
		};
	}

	/**
	 * Reads the journal and the base's header line (the whole base when it is that small),
	 * checks the header; either a final result or what parsing needs. A body not read here is
	 * read, and checked, only if parsed (`streamRecords`). `quick` also reads the digests file and
	 * tells whether the records can be skipped (`OpenResult.quick`).
	 */
	private async readHeader(expect: IndexMeta | undefined, quick: boolean): Promise<{ result: LoadResult } | HeaderStage> {
		const t0 = performance.now();
		this.gen = undefined;
		this.mustCompact = false;
		this.journalBytes = 0;
		let buf: Buffer;
		let journal: Buffer | undefined;
		/** The base's size; `buf` may hold only its start (the header). */
		let size: number;
		let digestFile: Buffer | undefined;
		try {
			[{ buf, size }, journal, digestFile] = await Promise.all([
				readHead(this.path),
				readWhole(this.journalPath).catch((e) => (errCode(e) === 'ENOENT' ? undefined : Promise.reject(e))),
				quick ? readWhole(this.digestsPath).catch(() => undefined) : undefined,
				// Temp files never match the base's name: removing them can overlap the reads.
				removeStaleTemps(this.path),
			]);
		} catch (e) {
			const readMs = performance.now() - t0;
			const warnings: string[] = [];
			if (errCode(e) === 'ENOENT') return this.fail('missing', warnings, t0, readMs);
			warnings.push(`index ${this.path} could not be read (${(e as Error).message}); rebuilding it by a scan`);
			return this.fail('rebuild', warnings, t0, readMs);
		}
		const st = this.checkHeader(buf, size, journal, expect, t0, performance.now() - t0);
		if ('result' in st || !quick) return st;
		st.quick = this.quickOf(st, digestFile);
		return st;
	}

	/**
	 * What a warm start needs to skip the records (see the header comment), when it describes
	 * the index exactly: the base header's, when no journal batch is pending; else the digests
	 * file's, when it was written for this base and this very journal.
	 */
	private quickOf(st: HeaderStage, digestFile: Buffer | undefined): OpenResult['quick'] {
		const { header, body, journal } = st;
		if (body !== undefined && !(body.length === header.bytes && verify(body, header.check))) return undefined;
		// The digests file first: written after the base, for its generation and journal.
		if (digestFile !== undefined) {
			const j = journal ?? Buffer.alloc(0);
			try {
				const text = digestFile.toString('utf8');
				const tab = text.indexOf('\t');
				const json = text.endsWith('\n') ? text.slice(tab + 1, -1) : text.slice(tab + 1);
				const d = JSON.parse(json) as DigestsFile;
				if (tab > 0 && verify(Buffer.from(json, 'utf8'), text.slice(0, tab)) && d.gen === header.gen &&
					d.journalBytes === j.length && verify(j, d.journalCheck) && Array.isArray(d.sums) && d.sums.length % 5 === 0 &&
					Array.isArray(d.dirs) && d.aggs && isCount(d.count) && Array.isArray(d.skips) && storedSkips(d.skips).length === d.skips.length) {
					return { sums: d.sums, dirs: d.dirs, aggregates: d.aggs, count: d.count, skips: storedSkips(d.skips) };
				}
			} catch {
				// Unreadable: as if absent.
			}
		}
		if ((journal !== undefined && journal.length > 0) || !Array.isArray(header.sums) || !header.aggs || typeof header.aggs !== 'object' ||
			typeof header.sumsCheck !== 'string' || header.sums.length % 5 !== 0 ||
			(header.skips !== undefined && storedSkips(header.skips).length !== header.skips.length) ||
			!verify(Buffer.from(JSON.stringify(header.skips ? [header.sums, header.aggs, header.skips] : [header.sums, header.aggs]), 'utf8'), header.sumsCheck)) return undefined;
		return { sums: header.sums, dirs: header.dirs, aggregates: header.aggs, count: header.count, skips: storedSkips(header.skips) };
	}

	/**
	 * Writes the folder digests, aggregates and kept skips of the index as it is now (base plus
	 * journal) beside the base, so the next `open` can answer without the records although the
	 * journal holds batches. Atomic; tied to this generation and journal, so any later write
	 * (another batch, a compaction) makes it stale, and a stale or lost file only costs a parse.
	 */
	async writeDigests(records: Iterable<Pick<FileRecord, 'root' | 'path' | 'size' | 'mtimeMs'>>, aggregates: AggregateSnapshot, skips: readonly StoredSkip[]): Promise<void> {
		if (this.gen === undefined) return;
		const dirs = new DirTable();
		const digests = new DigestTable();
		let count = 0;
		for (const r of records) {
			digests.add(r.root, dirs.id(r.path), r.path, r.size, r.mtimeMs);
			count++;
		}
		const kept: NonNullable<Header['skips']> = [];
		for (const sk of skips) {
			if (!CONTENT_SKIPS.has(sk.reason)) continue;
			kept.push([sk.root, sk.path, sk.reason, sk.detail ?? null, sk.size, sk.mtimeMs]);
			digests.add(sk.root, dirs.id(sk.path), sk.path, sk.size, sk.mtimeMs);
		}
		const journal = await readWhole(this.journalPath).catch(() => Buffer.alloc(0));
		const d: DigestsFile = {
			gen: this.gen, journalBytes: journal.length, journalCheck: checksum(journal), count,
			sums: digests.flat(), dirs: dirs.rows, aggs: aggregates, skips: kept,
		};
		const json = JSON.stringify(d);
		await writeFileAtomic(this.digestsPath, [Buffer.from(`${checksum(Buffer.from(json, 'utf8'))}\t${json}\n`, 'utf8')], false);
	}

	private fail(status: LoadStatus, warnings: string[], t0: number, readMs: number, meta?: IndexMeta): { result: LoadResult } {
		for (const w of warnings) this.logger.warn(`[index] ${w}`);
		const totalMs = performance.now() - t0;
		return { result: { status, records: [], meta, warnings, timing: { readMs, parseMs: totalMs - readMs, totalMs } } };
	}

	/** Checks the header at the start of `buf` (the whole base of `size` bytes, or its start). */
	private checkHeader(buf: Buffer, size: number, journal: Buffer | undefined, expect: IndexMeta | undefined, t0: number,
		readMs: number): { result: LoadResult } | HeaderStage {
		const warnings: string[] = [];
		const done = (status: LoadStatus, meta?: IndexMeta) => this.fail(status, warnings, t0, readMs, meta);
		this.baseBytes = size;
		if (size === 0) {
			warnings.push(`index ${this.path} is empty; rebuilding it by a scan`);
			return done('rebuild');
		}
		const nl = buf.indexOf(10);
		let header: Header;
		try {
			header = JSON.parse(buf.toString('utf8', 0, nl < 0 ? buf.length : nl)) as Header;
		} catch {
			warnings.push(`index ${this.path} has an unreadable header (not an index, or damaged); rebuilding it by a scan`);
			return done('rebuild');
		}
		if (header === null || typeof header !== 'object' || header.format !== INDEX_FORMAT) {
			warnings.push(`${this.path} is not a workspace-stats index; rebuilding it by a scan`);
			return done('rebuild');
		}
		if (header.version !== INDEX_VERSION) {
			warnings.push(`index ${this.path} has format version ${String(header.version)}, this build reads version ${INDEX_VERSION}; rebuilding it by a scan`);
			return done('rebuild');
		}
		const tablesOk = verify(Buffer.from(JSON.stringify([header.langs ?? null, header.dirs ?? null]), 'utf8'), header.tablesCheck) &&
			Array.isArray(header.dirs) && header.dirs.every((d) => typeof d === 'string');
		const langs = tablesOk ? langRows(header.langs) : undefined;
		if (!Array.isArray(header.roots) || typeof header.fingerprint !== 'string' || !isCount(header.gen) || !isCount(header.count) || !langs) {
			warnings.push(`index ${this.path} has a damaged header; rebuilding it by a scan`);
			return done('rebuild');
		}
		const meta: IndexMeta = { roots: header.roots, fingerprint: header.fingerprint };
		if (expect && (expect.fingerprint !== meta.fingerprint || expect.roots.length !== meta.roots.length ||
			expect.roots.some((r, i) => r !== meta.roots[i]))) {
			warnings.push(`index ${this.path} was built for other folders or options; rebuilding it by a scan`);
			return done('rebuild', meta);
		}
		// A header line without its newline in a partial read: the rest is needed anyway.
		const headBytes = nl < 0 ? buf.length : nl + 1;
		const body = buf.length < size ? undefined : buf.subarray(headBytes);
		return { t0, readMs, header, langs, body, journal, meta, head: buf.subarray(0, headBytes), expect };
	}

	/**
	 * The records of a body that was not read with the header, read in pieces (see
	 * `parseRecords`), synchronously: the caller wants them at once. Undefined when the file
	 * at the path no longer starts with the header checked, or the fast path fails.
	 */
	private streamRecords(st: HeaderStage): PendingRecords | undefined {
		let fd: number | undefined;
		const through = takeBlock();
		try {
			fd = fs.openSync(this.path, 'r');
			const head = Buffer.allocUnsafe(st.head.length);
			if (fs.readSync(fd, head, 0, head.length, 0) !== head.length || !head.equals(st.head)) return undefined;
			let at = head.length;
			const file = fd;
			const read: BodyRead = (buf, to, len) => {
				const got = fs.readSync(file, buf, to, len, at);
				at += got;
				return got;
			};
			return parseRecords({ read, through }, st.header.bytes, st.header.check, st.header.count, st.langs, st.header.dirs);
		} catch {
			return undefined;
		} finally {
			if (fd !== undefined) fs.closeSync(fd);
			giveBlock(through);
		}
	}

	/** Parses the records of a checked header (fast path, else line-by-line salvage) and replays the journal. */
	private parseBody(stage: HeaderStage): LoadResult {
		let st = stage;
		let pending = st.body === undefined ? this.streamRecords(st) : undefined;
		if (st.body === undefined && !pending) {
			// The fast path failed (damage, or a base replaced meanwhile): read the whole base and
			// check it afresh.
			this.logger.info(`[index] ${this.path} did not load in pieces (damaged, or replaced meanwhile); reading it whole`);
			let buf: Buffer;
			try {
				buf = fs.readFileSync(this.path);
			} catch (e) {
				return this.fail('rebuild', [`index ${this.path} could not be read (${(e as Error).message}); rebuilding it by a scan`], st.t0, st.readMs).result;
			}
			const again = buf.subarray(0, st.head.length).equals(st.head)
				? { ...st, body: buf.subarray(st.head.length) }
				: this.checkHeader(buf, buf.length, st.journal, st.expect, st.t0, st.readMs);
			if ('result' in again) return again.result;
			st = again;
		}
		const { t0, readMs, header, langs, journal, meta } = st;
		const body = st.body;
		const dirs = header.dirs;
		const warnings: string[] = [];
		this.gen = undefined;
		this.mustCompact = false;
		this.journalBytes = 0;
		const done = (status: LoadStatus, records: FileRecord[], readMs: number, meta?: IndexMeta, pending?: PendingRecords): LoadResult => {
			for (const w of warnings) this.logger.warn(`[index] ${w}`);
			const totalMs = performance.now() - t0;
			const result: LoadResult = { status, records, meta, warnings, timing: { readMs, parseMs: totalMs - readMs, totalMs } };
			if (pending) {
				result.pending = pending;
				let decoded = false;
				Object.defineProperty(result, 'records', {
					enumerable: true,
					configurable: true,
					get: () => {
						if (!decoded) for (const r of records) materialize(r);
						decoded = true;
						return records;
					},
					set: (v: FileRecord[]) => {
						Object.defineProperty(result, 'records', { value: v, enumerable: true, writable: true, configurable: true });
					},
				});
			}
			return result;
		};

		// Body: fast path (whole-body checksum, one parse, structure left pending), else salvage
		// line by line.
		let repaired = false;
		if (!pending && body) pending = parseRecords(body, header.bytes, header.check, header.count, langs, dirs);
		let records: FileRecord[];
		if (pending) records = pending.records;
		else {
			// Not streamed (that gave `pending`), so read whole above.
			const lines = body!.toString('utf8').split('\n');
			if (lines[lines.length - 1] === '') lines.pop();
			records = [];
			for (const line of lines) {
				const r = decodeCheckedLine(line, langs, dirs);
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
				for (const v of touched.keys()) paths.add(v.slice(v.indexOf('\u0000') + 1)); // root 0's keys have no NUL: slice(0)
				const out: FileRecord[] = [];
				if (pending) {
					// Keep the bulk hints in step: counts and folder of every record kept or added.
					const counts = new Uint32Array(3 * (records.length + touched.size));
					const dirIds = new Uint32Array(records.length + touched.size);
					const langIds = new Uint32Array(records.length + touched.size);
					const dirTable = [...dirs];
					const langTable = [...langs];
					let ids: Map<string, number> | undefined;
					let langKeys: Map<string, number> | undefined;
					const langKey = (l: LangRow) => `${l.unknown ? 1 : 0}${l.category}\u0000${l.language}`;
					for (let i = 0; i < records.length; i++) {
						const r = records[i];
						if (paths.has(r.path) && touched.has(fileKey(r.root, r.path))) continue;
						counts.set(pending.counts.subarray(3 * i, 3 * i + 3), 3 * out.length);
						dirIds[out.length] = pending.dirOf?.[i] ?? 0;
						langIds[out.length] = pending.langOf?.[i] ?? 0;
						out.push(r);
					}
					for (const r of touched.values()) {
						if (!r) continue;
						counts.set([r.imports.length, r.classes.length, r.functions.length], 3 * out.length);
						ids ??= new Map(dirTable.map((d, i) => [d, i]));
						const dir = dirOf(r.path);
						let id = ids.get(dir);
						if (id === undefined) {
							id = dirTable.push(dir) - 1;
							ids.set(dir, id);
						}
						dirIds[out.length] = id;
						langKeys ??= new Map(langTable.map((l, i) => [langKey(l), i]));
						const lr: LangRow = { language: r.language, category: r.category, unknown: r.unknown === true };
						let li = langKeys.get(langKey(lr));
						if (li === undefined) {
							li = langTable.push(lr) - 1;
							langKeys.set(langKey(lr), li);
						}
						langIds[out.length] = li;
						out.push(r);
					}
					pending = {
						records: out, counts: counts.subarray(0, 3 * out.length), dirs: dirTable, dirOf: dirIds.subarray(0, out.length),
						langs: langTable, langOf: langIds.subarray(0, out.length),
					};
				} else {
					for (const r of records) if (!paths.has(r.path) || !touched.has(fileKey(r.root, r.path))) out.push(r);
					for (const r of touched.values()) if (r) out.push(r);
				}
				records = out;
			}
		}
		return done(repaired ? 'repaired' : 'ok', records, readMs, meta, pending);
	}

	/**
	 * Writes every record atomically (replaces whatever was there). `skips`: content skips to keep
	 * with them (see `StoredSkip`); none by default. `aggregates`: the records' aggregates when the
	 * caller has them (a FileIndex's snapshot), else they are summed here.
	 */
	async save(records: Iterable<FileRecord>, meta: IndexMeta, skips: readonly StoredSkip[] = [], aggregates?: AggregateSnapshot): Promise<void> {
		// A snapshot of the references first: the slices below yield to the event loop, and the
		// index may change meanwhile (records are replaced, never mutated, so the snapshot holds).
		const all = listOf(records);
		const langs = new LangTable();
		const dirs = new DirTable();
		const digests = new DigestTable();
		const agg = aggregates ? undefined : new Aggregates();
		// First pass: what the header holds (it comes first in the file).
		const langIds = new Uint32Array(all.length);
		const dirIds = new Uint32Array(all.length);
		for (let i = 0; i < all.length; i += SAVE_SLICE) {
			if (i > 0) await yieldToEventLoop();
			const end = Math.min(all.length, i + SAVE_SLICE);
			tableRecords(all, i, end, langs, dirs, digests, langIds, dirIds);
			if (agg) {
				const slice = all.slice(i, end);
				agg.addMany(slice, { counts: structureCounts(slice) });
			}
		}
		const gen = (this.gen ?? 0) + 1;
		const kept: NonNullable<Header['skips']> = [];
		for (const sk of skips) {
			if (!CONTENT_SKIPS.has(sk.reason)) continue;
			kept.push([sk.root, sk.path, sk.reason, sk.detail ?? null, sk.size, sk.mtimeMs]);
			digests.add(sk.root, dirs.id(sk.path), sk.path, sk.size, sk.mtimeMs);
		}
		const sums = digests.flat();
		const aggs = aggregates ?? agg!.snapshot();
		const header: HeaderTables = {
			format: INDEX_FORMAT, version: INDEX_VERSION, gen, roots: meta.roots, fingerprint: meta.fingerprint,
			count: all.length, langs: langs.rows, dirs: dirs.rows,
			tablesCheck: checksum(Buffer.from(JSON.stringify([langs.rows, dirs.rows]), 'utf8')),
			sums, aggs, sumsCheck: checksum(Buffer.from(JSON.stringify(kept.length > 0 ? [sums, aggs, kept] : [sums, aggs]), 'utf8')),
		};
		if (kept.length > 0) header.skips = kept;
		// Second pass: the lines, written a slice at a time through one reused buffer, after a
		// header whose body length and checksum are written over once the body is.
		const headJson = JSON.stringify(header);
		const head = Buffer.from(headerLine(headJson, 0, emptyCheck()), 'utf8');
		let bodyBytes = 0;
		await writeFileAtomicWith(this.path, async (fh, wrote) => {
			await writeAll(fh, [head], 0);
			const sum = hasher()!;
			const body = new BodyWriter(takeBlock());
			try {
				for (let i = 0; i < all.length; i += SAVE_SLICE) {
					encodeLines(all, i, Math.min(all.length, i + SAVE_SLICE), langIds, dirIds, body);
					body.cut();
					for (const part of body.parts) sum.update(part);
					const n = await writeAll(fh, body.parts, head.length + bodyBytes);
					bodyBytes += n;
					wrote(n);
					body.reset();
				}
			} finally {
				giveBlock(body.base);
			}
			const final = Buffer.from(headerLine(headJson, bodyBytes, sum.digest()), 'utf8');
			if (final.length !== head.length) throw new Error(`index header changed length (${head.length} → ${final.length} bytes)`);
			await writeAll(fh, [final], 0);
		}, this.fsync);
		this.gen = gen;
		this.baseBytes = bodyBytes;
		// The journal's lines now carry an old generation: harmless if this removal is lost (so is
		// a stale digests file's, tied to the old generation).
		await Promise.all([fsp.rm(this.journalPath, { force: true }), fsp.rm(this.digestsPath, { force: true })]);
		this.journalBytes = 0;
		this.mustCompact = false;
	}

	/**
	 * Runs a save's per-record work over `sample` and drops the result. A save is one long loop
	 * that otherwise starts in unoptimized code: a caller that sees a big save coming (a storm
	 * being applied while the workers analyze) warms it up here, where it costs a few ms of a
	 * busy phase instead of the save's own time (~10% of a 50k-record save).
	 */
	warmUp(sample: readonly FileRecord[]): void {
		// An array made as `save` makes its own (its kind of elements is part of what is optimized for).
		const all = listOf(sample);
		const langIds = new Uint32Array(all.length);
		const dirIds = new Uint32Array(all.length);
		tableRecords(all, 0, all.length, new LangTable(), new DirTable(), new DigestTable(), langIds, dirIds);
		encodeLines(all, 0, all.length, langIds, dirIds, new BodyWriter(Buffer.allocUnsafe(Math.min(BODY_BLOCK, 512 * sample.length))));
	}

	async commit(changes: IndexChanges, all: () => Iterable<FileRecord>, meta: IndexMeta,
		full?: { skips?: readonly StoredSkip[]; aggregates?: AggregateSnapshot }): Promise<CommitInfo> {
		const t0 = performance.now();
		if (this.gen === undefined || this.mustCompact ||
			this.journalBytes > Math.max(this.compactMinBytes, this.compactRatio * this.baseBytes)) {
			await this.save(all(), meta, full?.skips, full?.aggregates);
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
