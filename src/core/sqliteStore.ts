// The SQLite contender for the index store, measured against JSONL (test/perf/indexStore.bench.ts)
// and NOT used by the CLI or the extension (see the README's index-store decision).
//
// It must run in VS Code's extension host on every platform without native builds, so it is
// sql.js (SQLite compiled to WebAssembly); `node:sqlite` is not in Node 20. sql.js keeps the
// database in memory: loading is readFile + deserialize + SELECT every row; every write exports
// the whole database and writes it atomically (temp + fsync + rename), since sql.js has no
// file-backed incremental writes.

import { promises as fsp } from 'node:fs';
import initSqlJs from 'sql.js';
import type { Database, SqlJsStatic } from 'sql.js';
import { materialize } from './fileIndex';
import type { IndexChanges } from './fileIndex';
import { INDEX_FORMAT, INDEX_VERSION, writeFileAtomic } from './indexStore';
import type { CommitInfo, IndexMeta, IndexStoreBackend, IndexStoreOptions, LoadResult, LoadStatus } from './indexStore';
import type { Category, FileRecord, Logger, SymbolRef } from './types';
import { silentLogger } from './types';

let sqlJs: Promise<SqlJsStatic> | undefined;

function sql(): Promise<SqlJsStatic> {
	sqlJs ??= initSqlJs();
	return sqlJs;
}

const SCHEMA = `
CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE files (
	root INTEGER NOT NULL, path TEXT NOT NULL, language TEXT NOT NULL, category TEXT NOT NULL,
	size INTEGER NOT NULL, mtime REAL NOT NULL, bytes INTEGER NOT NULL, lines INTEGER NOT NULL,
	code INTEGER NOT NULL, comment INTEGER NOT NULL, blank INTEGER NOT NULL,
	imports TEXT NOT NULL, classes TEXT NOT NULL, functions TEXT NOT NULL, unknown INTEGER NOT NULL,
	PRIMARY KEY (root, path)
) WITHOUT ROWID;`;

const INSERT = 'INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)';

function flat(list: SymbolRef[]): string {
	const out: (string | number)[] = [];
	for (const s of list) out.push(s.name, s.line);
	return JSON.stringify(out);
}

function unflat(json: string): SymbolRef[] {
	const a = JSON.parse(json) as (string | number)[];
	const out: SymbolRef[] = [];
	for (let i = 0; i < a.length; i += 2) out.push({ name: a[i] as string, line: a[i + 1] as number });
	return out;
}

export class SqliteIndexStore implements IndexStoreBackend {
	private db: Database | undefined;
	private readonly fsync: boolean;
	private readonly logger: Logger;

	constructor(readonly path: string, opts: IndexStoreOptions = {}) {
		this.fsync = opts.fsync ?? true;
		this.logger = opts.logger ?? silentLogger;
	}

	async load(expect?: IndexMeta): Promise<LoadResult> {
		const t0 = performance.now();
		const warnings: string[] = [];
		const SQL = await sql();
		let buf: Buffer;
		try {
			buf = await fsp.readFile(this.path);
		} catch (e) {
			const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
			if (!missing) warnings.push(`index ${this.path} could not be read (${(e as Error).message}); rebuilding it by a scan`);
			return this.result(missing ? 'missing' : 'rebuild', [], warnings, t0, performance.now() - t0);
		}
		const readMs = performance.now() - t0;
		this.db?.close();
		this.db = undefined;
		try {
			const db = new SQL.Database(buf);
			const meta = new Map<string, string>();
			for (const row of db.exec('SELECT k, v FROM meta')[0]?.values ?? []) meta.set(String(row[0]), String(row[1]));
			if (meta.get('format') !== INDEX_FORMAT || Number(meta.get('version')) !== INDEX_VERSION) {
				db.close();
				warnings.push(`index ${this.path} is not a version ${INDEX_VERSION} workspace-stats index; rebuilding it by a scan`);
				return this.result('rebuild', [], warnings, t0, readMs);
			}
			const m: IndexMeta = { roots: JSON.parse(meta.get('roots') ?? '[]') as string[], fingerprint: meta.get('fingerprint') ?? '' };
			if (expect && (expect.fingerprint !== m.fingerprint || JSON.stringify(expect.roots) !== JSON.stringify(m.roots))) {
				db.close();
				warnings.push(`index ${this.path} was built for other folders or options; rebuilding it by a scan`);
				return this.result('rebuild', [], warnings, t0, readMs, m);
			}
			const records: FileRecord[] = [];
			const stmt = db.prepare('SELECT * FROM files');
			while (stmt.step()) {
				const v = stmt.get();
				const r: FileRecord = {
					root: v[0] as number, path: v[1] as string, language: v[2] as string, category: v[3] as Category,
					size: v[4] as number, mtimeMs: v[5] as number, bytes: v[6] as number, lines: v[7] as number,
					code: v[8] as number, comment: v[9] as number, blank: v[10] as number,
					imports: JSON.parse(v[11] as string) as string[], classes: unflat(v[12] as string), functions: unflat(v[13] as string),
				};
				if (v[14] === 1) r.unknown = true;
				records.push(r);
			}
			stmt.free();
			this.db = db;
			return this.result('ok', records, warnings, t0, readMs, m);
		} catch (e) {
			warnings.push(`index ${this.path} is damaged (${(e as Error).message}); rebuilding it by a scan`);
			return this.result('rebuild', [], warnings, t0, readMs);
		}
	}

	private result(status: LoadStatus, records: FileRecord[], warnings: string[], t0: number, readMs: number, meta?: IndexMeta): LoadResult {
		for (const w of warnings) this.logger.warn(`[index] ${w}`);
		const totalMs = performance.now() - t0;
		return { status, records, meta, warnings, timing: { readMs, parseMs: totalMs - readMs, totalMs } };
	}

	private upsertAll(db: Database, records: Iterable<FileRecord>): void {
		const stmt = db.prepare(INSERT);
		for (const x of records) {
			const r = materialize(x);
			stmt.run([r.root, r.path, r.language, r.category, r.size, r.mtimeMs, r.bytes, r.lines, r.code, r.comment, r.blank,
				JSON.stringify(r.imports), flat(r.classes), flat(r.functions), r.unknown ? 1 : 0]);
		}
		stmt.free();
	}

	async save(records: Iterable<FileRecord>, meta: IndexMeta): Promise<void> {
		const SQL = await sql();
		this.db?.close();
		const db = new SQL.Database();
		db.run(SCHEMA);
		db.run('BEGIN');
		const m = db.prepare('INSERT INTO meta VALUES (?, ?)');
		for (const [k, v] of [['format', INDEX_FORMAT], ['version', String(INDEX_VERSION)], ['roots', JSON.stringify(meta.roots)], ['fingerprint', meta.fingerprint]]) m.run([k, v]);
		m.free();
		this.upsertAll(db, records);
		db.run('COMMIT');
		this.db = db;
		await writeFileAtomic(this.path, [db.export()], this.fsync);
	}

	async commit(changes: IndexChanges, all: () => Iterable<FileRecord>, meta: IndexMeta): Promise<CommitInfo> {
		const t0 = performance.now();
		if (!this.db) {
			await this.save(all(), meta);
			return { compacted: true, ms: performance.now() - t0 };
		}
		const db = this.db;
		db.run('BEGIN');
		const del = db.prepare('DELETE FROM files WHERE root = ? AND path = ?');
		for (const d of changes.deletes) del.run([d.root, d.path]);
		del.free();
		this.upsertAll(db, changes.upserts);
		db.run('COMMIT');
		// sql.js has no incremental file writes: the whole database goes out every time.
		await writeFileAtomic(this.path, [db.export()], this.fsync);
		return { compacted: false, ms: performance.now() - t0 };
	}
}
