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
