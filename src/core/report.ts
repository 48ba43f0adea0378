// Output formats of a scan: the JSON document (the schema documented in the README), a
// tokei/scc-like text table, CSV (RFC 4180) and Markdown. Every format is built from the
// same JSON document, so they cannot disagree.

import type { ScanResult } from './scanner';
import type { Category, FileRecord, SkipReason, SymbolRef } from './types';

export type ReportFormat = 'table' | 'json' | 'csv' | 'markdown';
export const REPORT_FORMATS: readonly ReportFormat[] = ['table', 'json', 'csv', 'markdown'];

export interface ReportOptions {
	/** Add one entry per file (`files`). Needs a scan with `keepRecords`. @default false */
	byFile?: boolean;
	/** Add every folder with recursive totals (`folders`). @default false */
	byFolder?: boolean;
	/** Extra timing phases measured by the caller (e.g. `report`), merged into `timing`. */
	extraTiming?: Record<string, number>;
}

interface Counts {
	files: number;
	lines: number;
	code: number;
	comment: number;
	blank: number;
	bytes: number;
}

export interface JsonLanguage extends Counts {
	name: string;
	category: Category;
	imports: number;
	classes: number;
	functions: number;
	/** Present (true) for the pseudo-languages of unrecognised files (`ext:.foo`, `(no extension)`). */
	unknown?: true;
}

export interface JsonFolder extends Counts {
	/** Index into `roots`. */
	root: number;
	/** Relative to its root, '/' separators; '' is the root itself. */
	path: string;
}

export interface JsonFile {
	root: number;
	path: string;
	language: string;
	lines: number;
	code: number;
	comment: number;
	blank: number;
	bytes: number;
	imports: string[];
	classes: SymbolRef[];
	functions: SymbolRef[];
	unknown?: true;
}

export interface JsonSkipped {
	root: number;
	path: string;
	reason: SkipReason;
	detail?: string;
}

/**
 * The JSON output. Paths of files, folders and skips are relative to their root with '/'
 * separators; `root` (an index into `roots`) tells which root, so several roots never collide.
 */
export interface JsonReport {
	version: 1;
	roots: string[];
	totals: Counts;
	languages: JsonLanguage[];
	categories: JsonLanguage[];
	folders?: JsonFolder[];
	files?: JsonFile[];
	skipped: JsonSkipped[];
	timing: { totalMs: number; [phase: string]: number };
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;

function counts(c: Counts): Counts {
	return { files: c.files, lines: c.lines, code: c.code, comment: c.comment, blank: c.blank, bytes: c.bytes };
}

/** A file record as the JSON output shows it. */
export function jsonFileOf(r: FileRecord): JsonFile {
	const out: JsonFile = {
		root: r.root, path: r.path, language: r.language,
		lines: r.lines, code: r.code, comment: r.comment, blank: r.blank, bytes: r.bytes,
		imports: r.imports, classes: r.classes, functions: r.functions,
	};
	if (r.unknown) out.unknown = true;
	return out;
}

export function toJsonReport(result: ScanResult, opts: ReportOptions = {}): JsonReport {
	const a = result.aggregates;
	const lang = (l: (typeof a.languages)[number]): JsonLanguage => {
		const out: JsonLanguage = { name: l.name, category: l.category, ...counts(l), imports: l.imports, classes: l.classes, functions: l.functions };
		if (l.unknown) out.unknown = true;
		return out;
	};
	const timing: JsonReport['timing'] = { totalMs: 0 };
	for (const [k, v] of Object.entries(result.timing)) timing[k] = round1(v);
	for (const [k, v] of Object.entries(opts.extraTiming ?? {})) timing[k] = round1(v);
	// Built field by field in the documented order, so the JSON reads top-down.
	const report: JsonReport = {
		version: 1,
		roots: result.roots,
		totals: counts(a.totals),
		languages: a.languages.map(lang),
		categories: a.categories.map(lang),
	} as JsonReport;
	if (opts.byFolder) report.folders = a.folders.map((f) => ({ root: f.root, path: f.path, ...counts(f) }));
	if (opts.byFile) {
		if (!result.records) throw new Error('--by-file needs the scan to keep its records (keepRecords)');
		report.files = result.records.map(jsonFileOf);
	}
	report.skipped = result.skipped.map((s) => {
		const out: JsonSkipped = { root: s.root, path: s.path, reason: s.reason };
		if (s.detail !== undefined) out.detail = s.detail;
		return out;
	});
	report.timing = timing;
	return report;
}

// --- text helpers ---------------------------------------------------------------------------

/**
 * A path or name made safe for one line of text output: control characters (a newline in a
 * file name) become escapes, so a line of the report is always one row.
 */
export function displayText(s: string): string {
	// eslint-disable-next-line no-control-regex
	return s.replace(/[\u0000-\u001f\u007f\\]/g, (c) => {
		if (c === '\\') return '\\\\';
		if (c === '\n') return '\\n';
		if (c === '\r') return '\\r';
		if (c === '\t') return '\\t';
		return '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0');
	});
}

function rootPrefix(report: JsonReport, root: number): string {
	return report.roots.length > 1 ? `${root}:` : '';
}

function skippedByReason(report: JsonReport): Map<SkipReason, JsonSkipped[]> {
	const m = new Map<SkipReason, JsonSkipped[]>();
	for (const s of report.skipped) {
		let l = m.get(s.reason);
		if (!l) m.set(s.reason, (l = []));
		l.push(s);
	}
	return new Map([...m].sort((x, y) => (x[0] < y[0] ? -1 : 1)));
}

// --- table ----------------------------------------------------------------------------------

/** Skipped paths listed per reason in the table; the JSON output lists them all. */
const TABLE_SKIPS_PER_REASON = 20;

/** A text table; the first `textCols` columns are left-aligned, the rest (numbers) right. */
function textTable(headers: string[], rows: string[][], totals?: string[], textCols = 1): string {
	const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length), totals ? totals[i].length : 0));
	const line = (cells: string[]) => ' ' + cells.map((c, i) => (i < textCols ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
	const rule = '-'.repeat(widths.reduce((s, w) => s + w + 2, 0) + 1);
	const out = [rule, line(headers), rule, ...rows.map(line), rule];
	if (totals) out.push(line(totals), rule);
	return out.join('\n') + '\n';
}

const COUNT_HEADERS = ['Lines', 'Code', 'Comments', 'Blanks', 'Bytes'];
const countCells = (c: Omit<Counts, 'files'>) => [c.lines, c.code, c.comment, c.blank, c.bytes].map(String);

export function formatTable(report: JsonReport): string {
	const parts: string[] = [];
	if (report.roots.length > 1) parts.push('Roots:\n' + report.roots.map((r, i) => `  ${i}: ${displayText(r)}`).join('\n') + '\n');
	else parts.push(`Root: ${displayText(report.roots[0] ?? '')}\n`);

	parts.push(textTable(
		['Language', 'Files', ...COUNT_HEADERS],
		report.languages.map((l) => [displayText(l.name), String(l.files), ...countCells(l)]),
		['Total', String(report.totals.files), ...countCells(report.totals)],
	));
	if (report.languages.some((l) => l.unknown)) {
		parts.push('ext:… and (no extension): files of unknown type; all their non-blank lines count as code.\n');
	}
	if (report.languages.length > 0) {
		parts.push(textTable(
			['Structure', 'Imports', 'Classes', 'Functions'],
			report.languages.filter((l) => !l.unknown).map((l) => [displayText(l.name), String(l.imports), String(l.classes), String(l.functions)]),
		));
	}
	if (report.folders) {
		parts.push(textTable(
			['Folder', 'Files', ...COUNT_HEADERS],
			report.folders.map((f) => [rootPrefix(report, f.root) + (displayText(f.path) || '.'), String(f.files), ...countCells(f)]),
		));
	}
	if (report.files) {
		parts.push(textTable(
			['File', 'Language', ...COUNT_HEADERS],
			report.files.map((f) => [rootPrefix(report, f.root) + displayText(f.path), displayText(f.language), ...countCells(f)]),
			undefined,
			2,
		));
	}
	if (report.skipped.length > 0) {
		const lines = [`Skipped: ${report.skipped.length}`];
		for (const [reason, list] of skippedByReason(report)) {
			lines.push(`  ${reason} (${list.length})`);
			for (const s of list.slice(0, TABLE_SKIPS_PER_REASON)) {
				lines.push(`    ${rootPrefix(report, s.root)}${displayText(s.path)}${s.detail ? `  (${displayText(s.detail)})` : ''}`);
			}
			if (list.length > TABLE_SKIPS_PER_REASON) lines.push(`    … and ${list.length - TABLE_SKIPS_PER_REASON} more (--format json lists all)`);
		}
		parts.push(lines.join('\n') + '\n');
	}
	parts.push(`Time: ${report.timing.totalMs} ms\n`);
	return parts.join('\n');
}

// --- CSV ------------------------------------------------------------------------------------

/** RFC 4180: quote a field holding a comma, quote, CR or LF; double the quotes inside. */
export function csvField(v: string | number): string {
	const s = String(v);
	return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvRows(rows: (string | number)[][]): string {
	return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/**
 * CSV holds one table: per file with `byFile`, else per folder with `byFolder`, else per
 * language. Skips are not in it (the caller reports them on stderr).
 */
export function formatCsv(report: JsonReport): string {
	if (report.files) {
		return csvRows([
			['root', 'path', 'language', 'lines', 'code', 'comment', 'blank', 'bytes', 'imports', 'classes', 'functions'],
			...report.files.map((f) => [f.root, f.path, f.language, f.lines, f.code, f.comment, f.blank, f.bytes, f.imports.length, f.classes.length, f.functions.length]),
		]);
	}
	if (report.folders) {
		return csvRows([
			['root', 'path', 'files', 'lines', 'code', 'comment', 'blank', 'bytes'],
			...report.folders.map((f) => [f.root, f.path, f.files, f.lines, f.code, f.comment, f.blank, f.bytes]),
		]);
	}
	return csvRows([
		['language', 'category', 'files', 'lines', 'code', 'comment', 'blank', 'bytes', 'imports', 'classes', 'functions'],
		...report.languages.map((l) => [l.name, l.category, l.files, l.lines, l.code, l.comment, l.blank, l.bytes, l.imports, l.classes, l.functions]),
	]);
}

// --- Markdown -------------------------------------------------------------------------------

/**
 * A name or message as Markdown table-cell text that renders as `displayText(s)` (CommonMark and
 * GFM): the punctuation with an inline meaning is backslash-escaped: `\` (so an escape shown by
 * displayText stays visible), `` ` `` (code), `*` `_` (emphasis: `__init__.py`), `~`
 * (strikethrough), `[` `]` (links), `<` `>` (HTML, autolinks), `&` (entities), `#` (GitHub
 * references) and `|` (the cell separator). Every ASCII punctuation character may be escaped;
 * the others are left alone to keep the raw text readable.
 */
export function mdCell(s: string): string {
	return displayText(s).replace(/[\\`*_~[\]<>&#|]/g, '\\$&');
}

/**
 * `displayText(s)` as a Markdown code span: its fence is one back-tick longer than the longest
 * run of back-ticks in it, and it is padded with a space when it starts or ends with a back-tick
 * (CommonMark strips one space from each side of such content).
 */
export function mdCode(s: string): string {
	const text = displayText(s);
	const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
	const fence = '`'.repeat(longest + 1);
	const pad = text.startsWith('`') || text.endsWith('`') || (text.startsWith(' ') && text.endsWith(' ') && text.trim() !== '') ? ' ' : '';
	return `${fence}${pad}${text}${pad}${fence}`;
}

/** A Markdown table; the first `textCols` columns are left-aligned, the rest (numbers) right. */
function mdTable(headers: string[], rows: string[][], textCols = 1): string {
	const align = headers.map((_, i) => (i < textCols ? '---' : '---:'));
	return [headers, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n') + '\n';
}

export function formatMarkdown(report: JsonReport): string {
	const parts: string[] = ['# Workspace Stats\n'];
	parts.push(report.roots.length > 1
		? 'Roots:\n\n' + report.roots.map((r, i) => `${i}. ${mdCode(r)}`).join('\n') + '\n'
		: `Root: ${mdCode(report.roots[0] ?? '')}\n`);
	parts.push('## Languages\n');
	parts.push(mdTable(
		['Language', 'Files', 'Lines', 'Code', 'Comments', 'Blanks', 'Bytes', 'Imports', 'Classes', 'Functions'],
		[
			...report.languages.map((l) => [mdCell(l.name), l.files, l.lines, l.code, l.comment, l.blank, l.bytes, l.imports, l.classes, l.functions].map(String)),
			['**Total**', ...countCellsWithFiles(report.totals), '', '', ''],
		],
	));
	if (report.folders) {
		parts.push('## Folders\n');
		parts.push(mdTable(
			['Folder', 'Files', 'Lines', 'Code', 'Comments', 'Blanks', 'Bytes'],
			report.folders.map((f) => [mdCell(rootPrefix(report, f.root) + (f.path || '.')), ...countCellsWithFiles(f)]),
		));
	}
	if (report.files) {
		parts.push('## Files\n');
		parts.push(mdTable(
			['File', 'Language', 'Lines', 'Code', 'Comments', 'Blanks', 'Bytes', 'Imports', 'Classes', 'Functions'],
			report.files.map((f) => [
				mdCell(rootPrefix(report, f.root) + f.path), mdCell(f.language),
				...[f.lines, f.code, f.comment, f.blank, f.bytes, f.imports.length, f.classes.length, f.functions.length].map(String),
			]),
			2,
		));
	}
	if (report.skipped.length > 0) {
		parts.push(`## Skipped (${report.skipped.length})\n`);
		const rows: string[][] = [];
		for (const [reason, list] of skippedByReason(report)) {
			for (const s of list) rows.push([reason, mdCell(rootPrefix(report, s.root) + s.path), mdCell(s.detail ?? '')]);
		}
		parts.push(mdTable(['Reason', 'Path', 'Detail'], rows, 3));
	}
	return parts.join('\n');
}

function countCellsWithFiles(c: Counts): string[] {
	return [c.files, c.lines, c.code, c.comment, c.blank, c.bytes].map(String);
}

// --- streamed JSON ----------------------------------------------------------------------------

/** `JSON.stringify(value, null, 2)` for a value nested `depth` levels deep. */
function nested(value: unknown, depth: number): string {
	return JSON.stringify(value, null, 2).replace(/\n/g, '\n' + '  '.repeat(depth));
}

/**
 * The JSON document in pieces, text identical to `JSON.stringify(report, null, 2)`, with the
 * `files` entries made from the records as they are written: `--by-file` on 100k files never
 * holds a second copy of every record nor one 60 MB string.
 */
export function* jsonChunks(report: JsonReport, records?: readonly FileRecord[], filesPerChunk = 256): Generator<string> {
	const keys = Object.keys(report) as (keyof JsonReport)[];
	const order = records && !keys.includes('files') ? [...keys.slice(0, keys.indexOf('skipped')), 'files' as const, ...keys.slice(keys.indexOf('skipped'))] : keys;
	yield '{';
	let first = true;
	for (const k of order) {
		yield `${first ? '' : ','}\n  ${JSON.stringify(k)}: `;
		first = false;
		if (k !== 'files' || !records) {
			yield nested(report[k], 1);
			continue;
		}
		if (records.length === 0) {
			yield '[]';
			continue;
		}
		let buf: string[] = [];
		for (let i = 0; i < records.length; i++) {
			buf.push((i === 0 ? '[\n    ' : ',\n    ') + nested(jsonFileOf(records[i]), 2));
			if (buf.length >= filesPerChunk) {
				yield buf.join('');
				buf = [];
			}
		}
		buf.push('\n  ]');
		yield buf.join('');
	}
	yield '\n}\n';
}

// --- dispatch -------------------------------------------------------------------------------

export function formatReport(format: ReportFormat, report: JsonReport): string {
	switch (format) {
		case 'json':
			return JSON.stringify(report, null, 2) + '\n';
		case 'csv':
			return formatCsv(report);
		case 'markdown':
			return formatMarkdown(report);
		case 'table':
			return formatTable(report);
	}
}
