// Aggregates per language, per category and per folder, kept current by adding and subtracting
// records as they arrive: the scanner adds each file once, the index subtracts the old record
// and adds the new one on an update. Nothing is ever recomputed from the records.

import type { Category, FileRecord, FolderTotals, LanguageTotals, Totals } from './types';

export interface AggregateSnapshot {
	totals: Totals;
	/** Sorted by code lines, then lines, then name. */
	languages: LanguageTotals[];
	/** Sorted by code lines, then name. */
	categories: LanguageTotals[];
	/** Every folder with recursive totals, sorted by root then path. */
	folders: FolderTotals[];
}

function emptyTotals(): Totals {
	return { files: 0, lines: 0, code: 0, comment: 0, blank: 0, bytes: 0 };
}

// Entries are built with every field spelled out: a spread (`...emptyTotals()`) inside a literal
// gave objects that V8 keeps as hash tables, which made every sum ~10× slower.
function languageTotals(name: string, category: Category): LanguageTotals {
	return { name, category, files: 0, lines: 0, code: 0, comment: 0, blank: 0, bytes: 0, imports: 0, classes: 0, functions: 0 };
}

function folderTotals(root: number, path: string): FolderTotals {
	return { root, path, files: 0, lines: 0, code: 0, comment: 0, blank: 0, bytes: 0 };
}

function addTotals(t: Totals, r: FileRecord, sign: number): void {
	t.files += sign;
	t.lines += sign * r.lines;
	t.code += sign * r.code;
	t.comment += sign * r.comment;
	t.blank += sign * r.blank;
	t.bytes += sign * r.bytes;
}

function addLanguage(t: LanguageTotals, r: FileRecord, sign: number): void {
	addTotals(t, r, sign);
	t.imports += sign * r.imports.length;
	t.classes += sign * r.classes.length;
	t.functions += sign * r.functions.length;
}

/** Map key of a folder: root index and root-relative path ('' for the root). */
export function folderKey(root: number, path: string): string {
	return `${root}\u0000${path}`;
}

/** The folders containing a root-relative file path, innermost last: '' (the root), 'a', 'a/b'. */
export function parentFolders(path: string): string[] {
	const out = [''];
	let i = path.indexOf('/');
	while (i !== -1) {
		out.push(path.slice(0, i));
		i = path.indexOf('/', i + 1);
	}
	return out;
}

/** What a bulk add can be told instead of reading it off each record. */
export interface BulkHints {
	/**
	 * Structure counts per record: `[3i]` imports, `[3i+1]` classes, `[3i+2]` functions (for
	 * records whose arrays are not decoded yet). @default the arrays' lengths
	 */
	counts?: Uint32Array;
	/** Folder paths (root-relative, '' for the root); record i is directly in `dirs[dirOf[i]]`. */
	dirs?: readonly string[];
	dirOf?: Uint32Array;
	/** Language table: record i's language is `langs[langOf[i]]`. Used with all the other hints. */
	langs?: readonly BulkLanguage[];
	langOf?: Uint32Array;
}

/** A language as a bulk add's hints name it. */
export interface BulkLanguage {
	language: string;
	category: Category;
	unknown: boolean;
}

/** Before and after of one aggregate entry; `null` where the entry does not exist (no files). */
export interface EntryChange<T> {
	before: T | null;
	after: T | null;
}

/** The entries a `BatchSums` moved, each with a copy from before and after. */
export interface SumsApplied {
	totals: { before: Totals; after: Totals };
	languages: EntryChange<LanguageTotals>[];
	categories: EntryChange<LanguageTotals>[];
	folders: EntryChange<FolderTotals>[];
}

// Sums are kept in typed arrays: [files, lines, code, comment, blank, bytes] then, for languages
// and categories, [imports, classes, functions].

/** One language's or category's net change in a batch. */
interface KindSums {
	name: string;
	/** Category and unknown flag of the last added record: what a newly created entry gets. */
	category: Category;
	unknown: boolean;
	net: Float64Array;
}

/** The net change of the files directly in one folder. */
interface DirSums {
	root: number;
	dir: string;
	net: Float64Array;
}

function addRecordSums(a: Float64Array, r: FileRecord, sign: number): void {
	a[0] += sign;
	a[1] += sign * r.lines;
	a[2] += sign * r.code;
	a[3] += sign * r.comment;
	a[4] += sign * r.blank;
	a[5] += sign * r.bytes;
}

/**
 * A batch of record removals and additions, summed per language, per category and per folder a
 * file is directly in, so the aggregates are updated once per entry instead of once per file
 * and ancestor folder (`Aggregates.applySums`). The result equals `remove`/`add` of each record
 * in turn, removals first.
 */
export class BatchSums {
	readonly languages = new Map<string, KindSums>();
	readonly categories = new Map<Category, KindSums>();
	readonly dirs = new Map<string, DirSums>();
	private lastLang: KindSums | undefined;
	private lastCat: KindSums | undefined;
	private lastDir: DirSums | undefined;

	/**
	 * Counts one record in (sign 1) or out (sign -1); `imports`, `classes` and `functions` are
	 * its structure's counts (passed in: a record whose structure is not decoded yet has no arrays).
	 */
	add(r: FileRecord, sign: 1 | -1, imports: number, classes: number, functions: number): void {
		let l = this.lastLang;
		if (!l || l.name !== r.language) {
			l = this.languages.get(r.language);
			if (!l) this.languages.set(r.language, (l = kindSums(r.language, r)));
			this.lastLang = l;
		}
		let c = this.lastCat;
		if (!c || c.name !== r.category) {
			c = this.categories.get(r.category);
			if (!c) this.categories.set(r.category, (c = kindSums(r.category, r)));
			this.lastCat = c;
		}
		if (sign > 0) {
			l.category = r.category;
			l.unknown = r.unknown === true;
		}
		const la = l.net;
		const ca = c.net;
		addRecordSums(la, r, sign);
		la[6] += sign * imports;
		la[7] += sign * classes;
		la[8] += sign * functions;
		addRecordSums(ca, r, sign);
		ca[6] += sign * imports;
		ca[7] += sign * classes;
		ca[8] += sign * functions;

		// The folder the file is directly in: a batch's files mostly come folder by folder, so
		// the previous record's folder is checked first (no string built for it).
		const p = r.path;
		const slash = p.lastIndexOf('/');
		let d = this.lastDir;
		if (!d || d.root !== r.root || (slash < 0 ? d.dir !== '' : slash !== d.dir.length || !p.startsWith(d.dir))) {
			const dir = slash < 0 ? '' : p.slice(0, slash);
			const key = folderKey(r.root, dir);
			d = this.dirs.get(key);
			if (!d) this.dirs.set(key, (d = { root: r.root, dir, net: new Float64Array(6) }));
			this.lastDir = d;
		}
		addRecordSums(d.net, r, sign);
	}
}

function kindSums(name: string, r: FileRecord): KindSums {
	return { name, category: r.category, unknown: r.unknown === true, net: new Float64Array(9) };
}

function addArray(t: Totals, a: Float64Array, sign: number): void {
	t.files += sign * a[0];
	t.lines += sign * a[1];
	t.code += sign * a[2];
	t.comment += sign * a[3];
	t.blank += sign * a[4];
	t.bytes += sign * a[5];
}

function addStructureArray(t: LanguageTotals, a: Float64Array, sign: number): void {
	t.imports += sign * a[6];
	t.classes += sign * a[7];
	t.functions += sign * a[8];
}

/** Two entries (or their absence) hold the same numbers, structure counts included where they have them. */
export function sameEntry(a: Totals | null, b: Totals | null): boolean {
	if (!a || !b) return a === b;
	return a.files === b.files && a.lines === b.lines && a.code === b.code && a.comment === b.comment &&
		a.blank === b.blank && a.bytes === b.bytes &&
		(a as LanguageTotals).imports === (b as LanguageTotals).imports &&
		(a as LanguageTotals).classes === (b as LanguageTotals).classes &&
		(a as LanguageTotals).functions === (b as LanguageTotals).functions;
}

export class Aggregates {
	readonly totals: Totals = emptyTotals();
	readonly languages = new Map<string, LanguageTotals>();
	readonly categories = new Map<Category, LanguageTotals>();
	readonly folders = new Map<string, FolderTotals>();

	/** The totals of a language, created empty on first use. */
	private languageEntry(name: string, category: Category, unknown: boolean | undefined): LanguageTotals {
		let lang = this.languages.get(name);
		if (!lang) {
			lang = languageTotals(name, category);
			if (unknown) lang.unknown = true;
			this.languages.set(name, lang);
		}
		return lang;
	}

	/** The totals of a category, created empty on first use. */
	private categoryEntry(category: Category): LanguageTotals {
		let cat = this.categories.get(category);
		if (!cat) {
			cat = languageTotals(category, category);
			this.categories.set(category, cat);
		}
		return cat;
	}

	/** The totals of a folder, created empty on first use; `key` is `folderKey(root, path)`. */
	private folderEntry(key: string, root: number, path: string): FolderTotals {
		let f = this.folders.get(key);
		if (!f) {
			f = folderTotals(root, path);
			this.folders.set(key, f);
		}
		return f;
	}

	/** Adds (sign 1) or subtracts (sign -1) one record everywhere it counts. */
	apply(r: FileRecord, sign: 1 | -1): void {
		addTotals(this.totals, r, sign);

		const lang = this.languageEntry(r.language, r.category, r.unknown);
		addLanguage(lang, r, sign);
		if (lang.files === 0) this.languages.delete(r.language);

		const cat = this.categoryEntry(r.category);
		addLanguage(cat, r, sign);
		if (cat.files === 0) this.categories.delete(r.category);

		for (const p of parentFolders(r.path)) {
			const key = folderKey(r.root, p);
			const f = this.folderEntry(key, r.root, p);
			addTotals(f, r, sign);
			if (f.files === 0) this.folders.delete(key);
		}
	}

	add(r: FileRecord): void {
		this.apply(r, 1);
	}

	/**
	 * Adds many records at once; the result equals `add` on each in turn. Sums each record into
	 * its own folder only, then carries every folder's sum up to its ancestors once, instead of
	 * walking every ancestor of every file (a load of 100k files touches a few thousand folders).
	 * `hints` (from the index store) spare reading the structure arrays and the folder strings.
	 */
	addMany(records: readonly FileRecord[], hints: BulkHints = {}): void {
		const { counts, dirs, dirOf, langs, langOf } = hints;
		if (counts && dirs && dirOf && langs && langOf) {
			this.addManyIndexed(records, counts, dirs, dirOf, langs, langOf);
			return;
		}
		const t = this.totals;
		// Per root: folder path → sum of the files directly in it; with hints, root and folder
		// number → sum.
		const direct = new Map<number, Map<string, Totals>>();
		const byId = new Map<number, Totals>();
		const nDirs = dirs && dirOf ? dirs.length : 0;
		let lastRoot = -1;
		let folderSums: Map<string, Totals> | undefined;
		let lastLangName: string | undefined;
		let lang: LanguageTotals | undefined;
		let lastCatName: Category | undefined;
		let cat: LanguageTotals | undefined;
		for (let i = 0; i < records.length; i++) {
			const r = records[i];
			const ni = counts ? counts[3 * i] : r.imports.length;
			const nc = counts ? counts[3 * i + 1] : r.classes.length;
			const nf = counts ? counts[3 * i + 2] : r.functions.length;
			addTotals(t, r, 1);
			if (r.language !== lastLangName || !lang) {
				lastLangName = r.language;
				lang = this.languageEntry(r.language, r.category, r.unknown);
			}
			addTotals(lang, r, 1);
			lang.imports += ni;
			lang.classes += nc;
			lang.functions += nf;
			if (r.category !== lastCatName || !cat) {
				lastCatName = r.category;
				cat = this.categoryEntry(r.category);
			}
			addTotals(cat, r, 1);
			cat.imports += ni;
			cat.classes += nc;
			cat.functions += nf;

			let d: Totals | undefined;
			if (nDirs > 0 && dirOf) {
				// Map keys that are small integers hash without touching a string.
				const id = r.root * nDirs + dirOf[i];
				d = byId.get(id);
				if (!d) byId.set(id, (d = emptyTotals()));
			} else {
				if (r.root !== lastRoot || !folderSums) {
					lastRoot = r.root;
					folderSums = direct.get(r.root);
					if (!folderSums) direct.set(r.root, (folderSums = new Map()));
				}
				const slash = r.path.lastIndexOf('/');
				const dir = slash < 0 ? '' : r.path.slice(0, slash);
				d = folderSums.get(dir);
				if (!d) folderSums.set(dir, (d = emptyTotals()));
			}
			addTotals(d, r, 1);
		}
		if (dirs) {
			for (const [id, sum] of byId) {
				const root = Math.floor(id / nDirs);
				let m = direct.get(root);
				if (!m) direct.set(root, (m = new Map()));
				m.set(dirs[id - root * nDirs], sum);
			}
		}
		this.carryUp(direct);
	}

	/**
	 * Adds each folder's sum of the files directly in it to the folder and its ancestors. Its own
	 * function: the scan's main thread optimizes `addMany` and this part apart, each a smaller
	 * compile (together they were one of the costliest on that thread, done three times).
	 */
	private carryUp(direct: Map<number, Map<string, Totals>>): void {
		for (const [root, byDir] of direct) {
			for (const [dir, sum] of byDir) {
				// The folder itself and each of its ancestors, '' (the root) first.
				for (const p of dir === '' ? [''] : parentFolders(dir + '/')) {
					const f = this.folderEntry(folderKey(root, p), root, p);
					f.files += sum.files;
					f.lines += sum.lines;
					f.code += sum.code;
					f.comment += sum.comment;
					f.blank += sum.blank;
					f.bytes += sum.bytes;
				}
			}
		}
	}

	remove(r: FileRecord): void {
		this.apply(r, -1);
	}

	/**
	 * `addMany` with every hint: sums go to typed arrays indexed by language and folder number
	 * (no map lookup, no object touched per file), then into the entries once per language and
	 * folder.
	 */
	private addManyIndexed(records: readonly FileRecord[], counts: Uint32Array, dirs: readonly string[], dirOf: Uint32Array,
		langs: readonly BulkLanguage[], langOf: Uint32Array): void {
		const n = records.length;
		const nDirs = dirs.length;
		let maxRoot = 0;
		for (let i = 0; i < n; i++) if (records[i].root > maxRoot) maxRoot = records[i].root;
		// Six sums per folder (files, lines, code, comment, blank, bytes), nine per language (and imports, classes, functions).
		const perDir = new Float64Array(6 * nDirs * (maxRoot + 1));
		const perLang = new Float64Array(9 * langs.length);
		for (let i = 0; i < n; i++) {
			const r = records[i];
			const d = 6 * (r.root * nDirs + dirOf[i]);
			const l = 9 * langOf[i];
			const lines = r.lines;
			const code = r.code;
			const comment = r.comment;
			const blank = r.blank;
			const bytes = r.bytes;
			perDir[d]++;
			perDir[d + 1] += lines;
			perDir[d + 2] += code;
			perDir[d + 3] += comment;
			perDir[d + 4] += blank;
			perDir[d + 5] += bytes;
			perLang[l]++;
			perLang[l + 1] += lines;
			perLang[l + 2] += code;
			perLang[l + 3] += comment;
			perLang[l + 4] += blank;
			perLang[l + 5] += bytes;
			perLang[l + 6] += counts[3 * i];
			perLang[l + 7] += counts[3 * i + 1];
			perLang[l + 8] += counts[3 * i + 2];
		}
		const addSums = (t: Totals, a: Float64Array, at: number) => {
			t.files += a[at];
			t.lines += a[at + 1];
			t.code += a[at + 2];
			t.comment += a[at + 3];
			t.blank += a[at + 4];
			t.bytes += a[at + 5];
		};
		const addStructure = (t: LanguageTotals, a: Float64Array, at: number) => {
			t.imports += a[at + 6];
			t.classes += a[at + 7];
			t.functions += a[at + 8];
		};
		// Languages in the order their first record comes (the order `add` would create them).
		const order: number[] = [];
		const seen = new Uint8Array(langs.length);
		for (let i = 0; i < n && order.length < langs.length; i++) {
			if (!seen[langOf[i]]) {
				seen[langOf[i]] = 1;
				order.push(langOf[i]);
			}
		}
		for (const li of order) {
			const def = langs[li];
			const at = 9 * li;
			addSums(this.totals, perLang, at);
			const lang = this.languageEntry(def.language, def.category, def.unknown);
			addSums(lang, perLang, at);
			addStructure(lang, perLang, at);
			const cat = this.categoryEntry(def.category);
			addSums(cat, perLang, at);
			addStructure(cat, perLang, at);
		}
		for (let id = 0; id < perDir.length / 6; id++) {
			const at = 6 * id;
			if (perDir[at] === 0) continue;
			const root = Math.floor(id / nDirs);
			const dir = dirs[id - root * nDirs];
			// The folder itself and each of its ancestors, '' (the root) first.
			for (const p of dir === '' ? [''] : parentFolders(dir + '/')) {
				const f = this.folderEntry(folderKey(root, p), root, p);
				addSums(f, perDir, at);
			}
		}
	}

	/**
	 * Applies a batch's sums: per language, category and folder the net change (a folder's: of
	 * the files directly in it, carried up to every ancestor once). An entry left with no files
	 * is dropped; one that had none is created. Returns the entries that moved, with copies from
	 * before and after.
	 */
	applySums(s: BatchSums): SumsApplied {
		const totalsBefore = { ...this.totals };
		const kinds = <K extends string>(sums: Map<K, KindSums>, live: Map<K, LanguageTotals>, entry: (k: KindSums) => LanguageTotals): EntryChange<LanguageTotals>[] => {
			const out: EntryChange<LanguageTotals>[] = [];
			for (const [key, k] of sums) {
				const net = k.net;
				let e = live.get(key);
				const before = e ? { ...e } : null;
				if (!e) {
					if (net[0] <= 0) continue;
					e = entry(k);
				}
				addArray(e, net, 1);
				addStructureArray(e, net, 1);
				let after: LanguageTotals | null = { ...e };
				if (e.files === 0) {
					live.delete(key);
					after = null;
				}
				if (!sameEntry(before, after)) out.push({ before, after });
			}
			return out;
		};
		const languages = kinds(s.languages, this.languages, (k) => this.languageEntry(k.name, k.category, k.unknown));
		const categories = kinds(s.categories, this.categories, (k) => this.categoryEntry(k.name as Category));
		for (const k of s.languages.values()) addArray(this.totals, k.net, 1);

		// Each folder's change: the net of the files directly in it and in every folder below.
		const moved = new Map<string, DirSums>();
		for (const d of s.dirs.values()) {
			if (d.net[0] === 0 && d.net[1] === 0 && d.net[2] === 0 && d.net[3] === 0 && d.net[4] === 0 && d.net[5] === 0) continue;
			for (const p of d.dir === '' ? [''] : parentFolders(d.dir + '/')) {
				const key = folderKey(d.root, p);
				let m = moved.get(key);
				if (!m) moved.set(key, (m = { root: d.root, dir: p, net: new Float64Array(6) }));
				for (let i = 0; i < 6; i++) m.net[i] += d.net[i];
			}
		}
		const folders: EntryChange<FolderTotals>[] = [];
		for (const [key, m] of moved) {
			let f = this.folders.get(key);
			const before = f ? { ...f } : null;
			if (!f) {
				if (m.net[0] <= 0) continue;
				f = folderTotals(m.root, m.dir);
				this.folders.set(key, f);
			}
			addArray(f, m.net, 1);
			let after: FolderTotals | null = { ...f };
			if (f.files === 0) {
				this.folders.delete(key);
				after = null;
			}
			if (!sameEntry(before, after)) folders.push({ before, after });
		}
		return { totals: { before: totalsBefore, after: { ...this.totals } }, languages, categories, folders };
	}

	/** A deep copy, sorted for output. */
	snapshot(): AggregateSnapshot {
		const byCode = (a: LanguageTotals, b: LanguageTotals) =>
			b.code - a.code || b.lines - a.lines || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
		return {
			totals: { ...this.totals },
			languages: [...this.languages.values()].map((l) => ({ ...l })).sort(byCode),
			categories: [...this.categories.values()].map((c) => ({ ...c })).sort(byCode),
			folders: [...this.folders.values()]
				.map((f) => ({ ...f }))
				.sort((a, b) => a.root - b.root || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
		};
	}
}
