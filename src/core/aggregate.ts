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

export class Aggregates {
	readonly totals: Totals = emptyTotals();
	readonly languages = new Map<string, LanguageTotals>();
	readonly categories = new Map<Category, LanguageTotals>();
	readonly folders = new Map<string, FolderTotals>();

	/** Adds (sign 1) or subtracts (sign -1) one record everywhere it counts. */
	apply(r: FileRecord, sign: 1 | -1): void {
		addTotals(this.totals, r, sign);

		let lang = this.languages.get(r.language);
		if (!lang) {
			lang = { name: r.language, category: r.category, ...emptyTotals(), imports: 0, classes: 0, functions: 0 };
			if (r.unknown) lang.unknown = true;
			this.languages.set(r.language, lang);
		}
		addLanguage(lang, r, sign);
		if (lang.files === 0) this.languages.delete(r.language);

		let cat = this.categories.get(r.category);
		if (!cat) {
			cat = { name: r.category, category: r.category, ...emptyTotals(), imports: 0, classes: 0, functions: 0 };
			this.categories.set(r.category, cat);
		}
		addLanguage(cat, r, sign);
		if (cat.files === 0) this.categories.delete(r.category);

		for (const p of parentFolders(r.path)) {
			const key = folderKey(r.root, p);
			let f = this.folders.get(key);
			if (!f) {
				f = { root: r.root, path: p, ...emptyTotals() };
				this.folders.set(key, f);
			}
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
	 * @param counts Structure counts per record (`[3i]` imports, `[3i+1]` classes, `[3i+2]`
	 *   functions), for records whose arrays are not decoded yet; default: the arrays' lengths.
	 */
	addMany(records: readonly FileRecord[], counts?: Uint32Array): void {
		const t = this.totals;
		// Per root: folder path → sum of the files directly in it.
		const direct = new Map<number, Map<string, Totals>>();
		let lastRoot = -1;
		let dirs: Map<string, Totals> | undefined;
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
				lang = this.languages.get(r.language);
				if (!lang) {
					lang = { name: r.language, category: r.category, ...emptyTotals(), imports: 0, classes: 0, functions: 0 };
					if (r.unknown) lang.unknown = true;
					this.languages.set(r.language, lang);
				}
			}
			addTotals(lang, r, 1);
			lang.imports += ni;
			lang.classes += nc;
			lang.functions += nf;
			if (r.category !== lastCatName || !cat) {
				lastCatName = r.category;
				cat = this.categories.get(r.category);
				if (!cat) {
					cat = { name: r.category, category: r.category, ...emptyTotals(), imports: 0, classes: 0, functions: 0 };
					this.categories.set(r.category, cat);
				}
			}
			addTotals(cat, r, 1);
			cat.imports += ni;
			cat.classes += nc;
			cat.functions += nf;

			if (r.root !== lastRoot || !dirs) {
				lastRoot = r.root;
				dirs = direct.get(r.root);
				if (!dirs) direct.set(r.root, (dirs = new Map()));
			}
			const slash = r.path.lastIndexOf('/');
			const dir = slash < 0 ? '' : r.path.slice(0, slash);
			let d = dirs.get(dir);
			if (!d) dirs.set(dir, (d = emptyTotals()));
			addTotals(d, r, 1);
		}
		for (const [root, byDir] of direct) {
			for (const [dir, sum] of byDir) {
				// The folder itself and each of its ancestors, '' (the root) first.
				for (const p of dir === '' ? [''] : parentFolders(dir + '/')) {
					const key = folderKey(root, p);
					let f = this.folders.get(key);
					if (!f) {
						f = { root, path: p, ...emptyTotals() };
						this.folders.set(key, f);
					}
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
