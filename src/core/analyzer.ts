// The line analyzer: one pass over a file's bytes answers every question about it — line
// classes (code, comment, blank) and structure (imports, classes, functions).

import { compileLanguage, detectLanguage, getLanguageTable, lastExtension, baseName, DocMode, LangFlag, STRING_HINT, TokenKind } from './languages';
import type { CompiledLanguage, CompiledRule, RulePlan, Token } from './languages';
import { decodeText } from './encoding';
import type { AnalyzeOptions, Category, FileAnalysis, LanguageDef, SkipReason, SymbolRef } from './types';

/** What analyzing one file gives: its analysis, or why it was skipped. */
export type AnalyzeResult = { ok: true; analysis: FileAnalysis } | { ok: false; reason: SkipReason; detail?: string };

/** Default of `AnalyzeOptions.maxFileSize`: 16 MiB. Bigger files are skipped as `too-large`. */
export const DEFAULT_MAX_FILE_SIZE = 16 * 1024 * 1024;

/**
 * Longest prefix of a candidate line that is decoded and given to the structure rules. Real
 * declarations are far shorter; the cap keeps minified or generated lines from costing more
 * than a constant each.
 */
export const MAX_DECODED_LINE = 1000;

/** Most block comments cut out of one candidate line; after that the text ends at the next one. */
const MAX_CUTS = 4;

/** Deepest nesting of interpolations in strings followed (`${ `${ … }` }`); deeper ones are string text. */
const MAX_INTERPOLATION_DEPTH = 32;

/** Pseudo-language of files without an extension that no rule recognises. */
export const NO_EXTENSION = '(no extension)';

/**
 * Category of unknown files. They are not source we understand (lock files, data dumps, assets
 * in text form…), so they go to `data` rather than inflate the code totals; their non-blank
 * lines count as `code` lines inside that category.
 */
export const UNKNOWN_CATEGORY: Category = 'data';

/**
 * Analyzes one file's bytes. `fileName` may be a relative path: its base name picks the
 * language (see `detectLanguage`). Never throws on bad input: binary and too-large files are
 * skipped with a reason, invalid UTF-8 is counted byte by byte.
 *
 * Files whose language is not recognised are still counted under the pseudo-language
 * `ext:.foo` (their last extension, lower case) or `(no extension)`, with `unknown: true` and
 * category `data`: whitespace-only lines are blank, every other line is code, no structure.
 */
export function analyzeBuffer(buf: Buffer, fileName: string, opts?: AnalyzeOptions): AnalyzeResult {
	return analyze(buf, fileName, opts, undefined);
}

/**
 * `analyzeBuffer`, plus the class of every line (`BLANK_LINE`, `CODE_LINE`, `COMMENT_LINE`),
 * for tests and for explaining a count. Slower: allocates per line.
 */
export function classifyLines(buf: Buffer, fileName: string, opts?: AnalyzeOptions): { result: AnalyzeResult; classes: number[] } {
	const classes: number[] = [];
	return { result: analyze(buf, fileName, opts, classes), classes };
}

/**
 * Like `analyzeBuffer` with the language given instead of detected: for tests of language
 * definitions that are not in the table, and for callers that know the language.
 */
export function analyzeWithLanguage(buf: Buffer, def: LanguageDef, opts?: AnalyzeOptions, classes?: number[]): AnalyzeResult {
	return analyze(buf, '', opts, classes, def);
}

function analyze(buf: Buffer, fileName: string, opts: AnalyzeOptions | undefined, classes: number[] | undefined, given?: LanguageDef): AnalyzeResult {
	const max = opts?.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
	if (max > 0 && buf.length > max) return { ok: false, reason: 'too-large', detail: `${buf.length} bytes > limit ${max}` };
	const text = decodeText(buf);
	if (text === undefined) return { ok: false, reason: 'binary', detail: 'NUL byte in the first 8 KiB' };
	const { data, start } = text;
	const def = given ?? detectLanguage(fileName, start === 0 ? data : data.subarray(start, start + 512), opts?.languageOverrides);
	const out = newAnalysis(buf.length);
	if (def === undefined) {
		const ext = lastExtension(baseName(fileName));
		out.language = ext === '' ? NO_EXTENSION : `ext:${ext}`;
		out.unknown = true;
		countPlain(data, start, out, classes);
		return { ok: true, analysis: out };
	}
	out.language = def.name;
	out.category = def.category;
	const c = compileLanguage(def);
	const docAsCode = opts?.docstringsAsCode === true;
	if (opts?.likeCloc === true && def.clocStringBlind === true) {
		// Counts in cloc's reading (no strings: a comment marker in one starts a comment), the
		// structure in the language's: two passes, the second only where there is structure.
		countLines(compileLanguage(clocReading(def)), data, start, docAsCode, out, classes);
		if (c.hasStructure) structureFrom(c, data, start, docAsCode, out);
	} else if (countLines(c, data, start, docAsCode, out, classes) && c.hasStructure) {
		// cloc's reading of the file parted from the language's (a `'''` inside a string…): the
		// counts stay cloc's, the structure is the language's, from a second pass in its reading.
		structureFrom(compileLanguage(ownReading(def)), data, start, docAsCode, out);
	}
	return { ok: true, analysis: out };
}

/**
 * A file's analysis before the counting, made in one place: every analysis the analyzer's loop
 * sees has the hidden class of this literal. (One made by spreading another, `{ ...out }`, had a
 * class of its own, met only in the warm-up and in rare files; once collected, V8 threw away the
 * optimized analyzer that had seen it, "weak objects", at a worker's first full GC.)
 */
function newAnalysis(bytes: number): FileAnalysis {
	return {
		language: '',
		category: UNKNOWN_CATEGORY,
		bytes,
		lines: 0,
		code: 0,
		comment: 0,
		blank: 0,
		imports: [],
		classes: [],
		functions: [],
	};
}

/** Replaces `out`'s imports, classes and functions by those of a pass in reading `c` (its counts dropped). */
function structureFrom(c: CompiledLanguage, data: Buffer, start: number, docAsCode: boolean, out: FileAnalysis): void {
	const own = newAnalysis(out.bytes);
	countLines(c, data, start, docAsCode, own);
	out.imports = own.imports;
	out.classes = own.classes;
	out.functions = own.functions;
}

const ownReadings = new WeakMap<LanguageDef, LanguageDef>();

/** `def` read as the language reads it: doc strings where they stand, not cloc's way. */
function ownReading(def: LanguageDef): LanguageDef {
	let own = ownReadings.get(def);
	if (own === undefined) {
		own = { ...def, docStringRule: 'anywhere' };
		ownReadings.set(def, own);
	}
	return own;
}

const clocReadings = new WeakMap<LanguageDef, LanguageDef>();

/**
 * `def` as cloc reads it by default (`clocStringBlind` languages): no strings, no regular
 * expression literals, block comments that do not nest (Rust, Swift, Kotlin, Scala and Dart
 * nest them; cloc's pattern does not), a block-comment opener without a closer after it is
 * code, a line whose `//` comment ends with `\` is joined by the next; no structure
 * (the counts pass only).
 */
function clocReading(def: LanguageDef): LanguageDef {
	let r = clocReadings.get(def);
	if (r === undefined) {
		r = { ...def, strings: [], regexLiterals: false, nestedComments: false, unclosedBlockIsCode: true, splicedLineComments: true, structure: undefined };
		clocReadings.set(def, r);
	}
	return r;
}

/** Lines of a file whose language is unknown: blank when whitespace-only, else code. */
function countPlain(buf: Buffer, start: number, out: FileAnalysis, classes: number[] | undefined): void {
	const n = buf.length;
	if (classes === undefined && buf.indexOf(0x0d, start) === -1) {
		// No CR: a line ends at the next LF, found natively (source maps and data files are mostly
		// one long line); only a line's leading blanks are looked at, to tell a blank line.
		let lines = 0;
		let blank = 0;
		let i = start;
		while (i < n) {
			let j = i;
			while (j < n) {
				const b = buf[j];
				if (b !== 0x20 && b !== 0x09 && b !== 0x0b && b !== 0x0c) break;
				j++;
			}
			lines++;
			if (j === n || buf[j] === 0x0a) {
				blank++;
				i = j + 1;
				continue;
			}
			const e = buf.indexOf(0x0a, j);
			if (e === -1) break;
			i = e + 1;
		}
		out.lines = lines;
		out.blank = blank;
		out.code = lines - blank;
		return;
	}
	let i = start;
	let lines = 0;
	let blank = 0;
	while (i < n) {
		let nonBlank = false;
		let b = 0;
		for (; i < n; i++) {
			b = buf[i];
			if (b === 0x0a || b === 0x0d) break;
			if (!nonBlank && b !== 0x20 && b !== 0x09 && b !== 0x0b && b !== 0x0c) nonBlank = true;
		}
		lines++;
		if (!nonBlank) blank++;
		if (classes !== undefined) classes.push(nonBlank ? CODE_LINE : BLANK_LINE);
		if (i < n) i += b === 0x0d && i + 1 < n && buf[i + 1] === 0x0a ? 2 : 1;
	}
	out.lines = lines;
	out.blank = blank;
	out.code = lines - blank;
}

// --- the state machine ----------------------------------------------------------------------------

/** Line classes, as `classifyLines` reports them. */
export const BLANK_LINE = 0;
export const CODE_LINE = 1;
export const COMMENT_LINE = 2;
/** Internal: a comment line cloc drops before reading triple quotes (see DocMode.Cloc). */
const MARKER_LINE = 3;

/** The class of a finished line (not a cloc marker line). */
function lineClass(hasCode: boolean, hasComment: boolean, mergedCode: boolean, afterBackslash: boolean, lsState: number): number {
	if (hasCode) return mergedCode ? COMMENT_LINE : CODE_LINE;
	if (hasComment) return COMMENT_LINE;
	// cloc: a blank line after a `\` line continues it, so it is not blank.
	if (afterBackslash) return lsState === CODE || lsState === STRING ? CODE_LINE : COMMENT_LINE;
	return BLANK_LINE;
}

/** State of `joinedLine` over one file. */
interface Joined {
	/** Index of a comment-only line after a `\` line whose block comment is still open; -1 when none. */
	pending: number;
	/** Lines the last call turned from comment into code (earlier lines): the caller moves them in its counts. */
	moved: number;
	/** Emptied lines (code only as the empty lines cloc keeps after a `\` line) since the last other code line. */
	emptied: number;
	/** The file's code count right after the last emptied line was counted. */
	codeMark: number;
}

/** `splicedLine`'s state: see there. */
interface Spliced {
	/** This line's `//` comment ended with `\`. */
	next: boolean;
	/** The line the next non-blank line joins, -1 when none. */
	to: number;
	/** That line is code. */
	code: boolean;
	/** 1 when that line became code (the caller moves one line from comment to code). */
	promoted: number;
}

/**
 * See `LanguageDef.splicedLineComments`: cloc joins the next non-blank line to a line whose
 * `//` comment ends with `\`, for a finished line of class `k` at index `line`. The joined
 * lines are one line, code when either part has code; the one that joins counts as comment.
 */
function splicedLine(k: number, s: Spliced, hasCode: boolean, line: number, classes: number[] | undefined): number {
	if (s.to === -1) {
		s.to = line;
		s.code = k === CODE_LINE;
	} else if (k !== BLANK_LINE) {
		if (k === CODE_LINE && hasCode && !s.code) {
			s.code = true;
			s.promoted = 1;
			if (classes !== undefined) classes[s.to] = CODE_LINE;
		}
		k = COMMENT_LINE;
		if (!s.next) s.to = -1;
	}
	s.next = false;
	return k;
}

/**
 * cloc's reading of `clocJoinedComments` languages, for a finished line of class `k` at index
 * `line`, when the line before ended with `\` or a comment that such a line was followed by is
 * still open: a line left empty by comment removal right after a line ending with `\` in code
 * (`afterCodeBackslash`) is code. A block comment over several lines leaves one line (what
 * stands before its opener and after its closer): when both are blank, its first line is that
 * code line, decided when the comment closes. Also counts the emptied lines after the last
 * other code line (`code`: the file's code count before this line): cloc drops them at the
 * end of the file (see `endJoined`).
 */
function joinedLine(k: number, j: Joined, afterCodeBackslash: boolean, hasCode: boolean, lsState: number, state: number, line: number, code: number, classes: number[] | undefined): number {
	if (j.pending !== -1) {
		if (hasCode) j.pending = -1; // code after the closer: the line cloc keeps is that code
		else if (state !== BLOCK) {
			j.moved = 1;
			if (classes !== undefined) classes[j.pending] = CODE_LINE;
			j.pending = -1;
		}
	} else if (afterCodeBackslash && k === COMMENT_LINE && lsState === CODE) {
		if (state === BLOCK) j.pending = line;
		else k = CODE_LINE;
	}
	const e = j.moved + (k === CODE_LINE && !hasCode ? 1 : 0);
	if (e > 0) {
		j.emptied = (code === j.codeMark ? j.emptied : 0) + e;
		j.codeMark = code + e;
	}
	return k;
}

/**
 * At the end of a file: cloc splits its text into lines with Perl's `split`, which drops the
 * empty lines at the end, so the emptied lines after the last other code line are not code but
 * comment (they were not blank to begin with). Returns how many lines move from code to comment.
 */
function endJoined(j: Joined, code: number, classes: number[] | undefined): number {
	if (j.emptied === 0 || code !== j.codeMark) return 0;
	if (classes !== undefined) {
		// No other code line after them: they are the last `emptied` code lines.
		let left = j.emptied;
		for (let l = classes.length - 1; l >= 0 && left > 0; l--) {
			if (classes[l] === CODE_LINE) {
				classes[l] = COMMENT_LINE;
				left--;
			}
		}
	}
	return j.emptied;
}

const CODE = 0;
const BLOCK = 1;
const STRING = 2;
const DOC = 3;

/**
 * Classifies every line of `buf[start..]` and collects structure, in one pass over the bytes.
 *
 * States (one at a time; `cur` is the token that opened the current non-code state):
 * - CODE: ordinary code. Per byte, one lookup in `codeClass`: blank bytes are skipped,
 *   ordinary bytes mark the line as code, LF/CR end the line, and only bytes that can start
 *   a delimiter (`tokensByFirst`, longest first) are looked at further. That byte table is
 *   the fast path: once a line is code, a tight loop skips every byte that starts nothing
 *   (hot path). Structure hint bytes (`(`, `{`, `=`, `:`, `>`) are noted on the way.
 *   - a line comment opener marks the line as comment and jumps to the end of the line;
 *   - a block comment opener → BLOCK (depth 1);
 *   - a doc-string opener → DOC (see `LanguageDef.docStringRule`: anywhere by default; with
 *     `statement` only as the first non-blank of a line, elsewhere the same delimiter opens
 *     an ordinary STRING);
 *   - a string opener → STRING;
 *   - with `regexLiterals`, a `/` that cannot be a division skips a `/…/` literal whole;
 *   - inside a string's interpolation (`${…}`) a balancing `}` returns to that STRING.
 * - BLOCK: comment text. Its closer returns to CODE once the depth falls to 0; with
 *   `nestedComments` its opener increments the depth.
 * - STRING: string text, which is code. The escape byte makes the next byte inert (an
 *   escaped line break continues the string); with `doubledCloseEscapes` a doubled closer is
 *   inert too; an interpolation opener → CODE until its balancing closer. The closer returns
 *   to CODE; at the end of a line a single-line string ends.
 * - DOC: doc-string text: comment, or code with `docstringsAsCode`. Closer → CODE.
 * Inside BLOCK, STRING and DOC, runs of bytes that matter to none of them are skipped with the
 * token's `stop` table.
 *
 * A line's class: blank when it has only blank bytes (whatever the state), else code when
 * any byte was code (code or string state, incl. a shebang first line), else comment. So a
 * code line with a trailing comment is code, and the inside of a block comment is comment.
 *
 * cloc's reading (`docStringRule: 'cloc'`, Python; measured against cloc 1.96), on top:
 * a triple quote opens a doc string even inside a string and any triple quote closes one,
 * without escapes; a line holding `/*` or `*\/` anywhere, or a whole-line `#` comment inside a
 * doc string, is comment and changes no state (cloc drops it before reading triple quotes);
 * a `#` after code is code; a doc string still open at the end of the file is code from its
 * opening line on; a closing line with code after it, of a doc string opened after code on
 * an earlier line, is comment (cloc joins that code to the opening line). With
 * `clocLineContinuation`, a blank line after a line ending in `\` is code (or comment inside
 * a comment), as cloc counts it.
 *
 * Structure: a line is a candidate when it starts in CODE state and its first non-blank byte
 * is in the language's `structFirst`. A rule is tried only when the line holds the hint
 * bytes and the literal the rule needs (`need`, `lit`) and, for functions, does not start
 * with a stop word nor end with one of `functionLineEndsNot`. The line's text is decoded
 * once, from the line start to the first line comment (block comments closed on the line
 * cut out), at most MAX_DECODED_LINE bytes, at the line's end.
 *
 * Returns true when, in cloc's reading, a quirk of cloc's changed the state (so lines that are
 * code in the language may have been read as doc string, or the other way): the caller then
 * takes the structure from a pass in the language's own reading.
 */
function countLines(c: CompiledLanguage, buf: Buffer, start: number, docAsCode: boolean, out: FileAnalysis, classes?: number[]): boolean {
	const n = buf.length;
	let codeClass = c.codeClass;
	let codeSkip = c.codeSkip;
	const hintBit = c.hintBit;
	/** HINT_BITS of the bytes seen in code on this line. */
	let hint = 0;
	/** Strings whose interpolated expression (`${…}`) we are in, innermost last, with the bracket depth in each. */
	const interpTok: Token[] = [];
	const interpDepth: number[] = [];
	let sp = 0;
	const tokensByFirst = c.tokensByFirst;
	const structFirst = c.structFirst;
	const nested = c.nested;
	const hasStructure = c.hasStructure;
	const flags = c.flags;
	const regexLiterals = (flags & LangFlag.RegexLiterals) !== 0;
	/** Line (count of lines before it) on which a regex literal scan failed; no more scans there. */
	let noRegexLine = -1;
	const docAtLineStartOnly = c.docMode === DocMode.Statement;
	const docInStrings = c.docMode === DocMode.Cloc;
	const docCloseAny = c.docMode === DocMode.Cloc;
	const clocMode = c.docMode === DocMode.Cloc;
	/**
	 * cloc mode: its reading of the file parted from the language's (see the return value). Set
	 * where cloc's quirks change the state: a doc string opened in a string or closed by the
	 * other delimiter, one still open after a `#` that cloc reads as code, or a state change on
	 * a line cloc drops.
	 */
	let parted = false;
	/** cloc mode: a `#` after code on this line, which cloc reads on from (see LineComment). */
	let hashCode = false;
	/** cloc mode: the line holds `/*` or `*\/`; the state at the line's start, to restore. */
	let marker = false;
	let lsState = CODE;
	let lsCur: Token | undefined;
	let markerLines = 0;
	/** See `LanguageDef.clocJoinedComments`. */
	const joinedComments = (flags & LangFlag.JoinedComments) !== 0;
	/**
	 * A comment spanning lines opened after code (`x = f("""…` / `a(); /* …`): when it closes
	 * on a later line with code after it, cloc joins that code to the opening line and counts
	 * the closing line as comment. Done here in cloc mode and for `joinedComments` and
	 * `clocMergedComments` languages.
	 */
	const mergeClosers = clocMode || joinedComments || (flags & LangFlag.MergedComments) !== 0;
	let openHasCode = false;
	let openLine = 0;
	let merged = false;
	/** See `LanguageDef.clocLineContinuation`. */
	const backslashBlank = (flags & LangFlag.LineContinuation) !== 0 || joinedComments;
	let afterBackslash = false;
	/**
	 * With `joinedComments`: the line before ended with `\` in code (not in a comment), so a
	 * line that is only comment is code to cloc (see `clocJoinedComments`).
	 */
	let codeBackslash = false;
	/** A line comment ran to the end of this line (its last byte is comment, not code). */
	let lineCommentEol = false;
	/** Where that line comment starts. */
	let lineCommentAt = -1;
	/** See `LanguageDef.splicedLineComments`. */
	const splice = (flags & LangFlag.SplicedLineComments) !== 0;
	const spliced: Spliced = { next: false, to: -1, code: false, promoted: 0 };
	const joined: Joined = { pending: -1, moved: 0, emptied: 0, codeMark: -1 };
	const hashComment = clocMode ? c.lineCommentByte : -1;
	/** cloc mode: comment and marker line counts when the current doc string opened. */
	let docOpenComment = 0;
	let docOpenMarkers = 0;
	let docOpenMerged = false;
	const docTokens = c.docTokens;
	const docFirst = c.docFirst;
	let dt: Token | undefined;
	/** See `LanguageDef.unclosedBlockIsCode`: where the next closer starts, known up to there. */
	const unclosedIsCode = (flags & LangFlag.UnclosedBlockIsCode) !== 0;
	let closerAt = -1;
	let noCloser = false;

	let lines = 0;
	let code = 0;
	let comment = 0;
	let blank = 0;

	let state = CODE;
	let cur: Token | undefined;
	let depth = 0;
	/** The current single-line string had an escaped line break: it goes on on the next line. */
	let continued = false;

	let i = start;
	let lineStart = i;
	let hasCode = false;
	let hasComment = false;
	/** No non-blank byte seen yet on this line, and the line started in CODE state. */
	let atLineStart = true;
	/** Offset of the structure candidate's first non-blank byte, -1 when the line is none. */
	let cand = -1;
	/** Where the candidate's decoded text ends: the first comment opener on the line. */
	let candEnd = -1;
	/** Block comments inside the candidate line, left out of its text; one still open. */
	const cutStart: number[] = [];
	const cutEnd: number[] = [];
	let nCuts = 0;
	let pendingCut = -1;

	// A `#!` first line is code whatever the language does with `#`.
	if (n - i >= 2 && buf[i] === 0x23 && buf[i + 1] === 0x21) {
		hasCode = true;
		atLineStart = false;
		while (i < n && buf[i] !== 0x0a && buf[i] !== 0x0d) i++;
	}

	while (i < n) {
		const b = buf[i];
		if (state === CODE) {
			// --- hot path: code state, one table lookup per byte
			const k = codeClass[b];
			if (k === 1) {
				// Indentation: a run of blanks in one tight loop.
				i++;
				while (i < n && codeClass[buf[i]] === 1) i++;
				continue;
			}
			if (k === 0 || k === 5) {
				if (atLineStart) {
					atLineStart = false;
					if (hasStructure && structFirst[b] === 1) cand = i;
				}
				hint |= hintBit[b];
				hasCode = true;
				// The line is code now: skip ordinary, blank and hint bytes in one tight loop
				// (one lookup and one test per byte: `codeSkip` carries the hint bits).
				i++;
				while (i < n) {
					const v = codeSkip[buf[i]];
					if (v === 0) break;
					hint |= v >> 1;
					i++;
				}
				continue;
			}
			if (k === 4) {
				if (sp > 0) {
					const top = interpTok[sp - 1];
					if (b === top.interpClose) {
						if (interpDepth[sp - 1] === 0) {
							// Back into the string the interpolation is part of.
							sp--;
							if (sp === 0) {
								codeClass = c.codeClass;
								codeSkip = c.codeSkip;
							}
							state = STRING;
							cur = top;
							hasCode = true;
							atLineStart = false;
							i++;
							continue;
						}
						interpDepth[sp - 1]--;
					} else if (top.interpOpen !== undefined && b === top.interpOpen[top.interpOpen.length - 1]) interpDepth[sp - 1]++;
				}
				const t = matchToken(tokensByFirst[b], buf, i, n, atLineStart || !docAtLineStartOnly);
				if (t === undefined) {
					// Not a delimiter after all (`/` alone, a `#` that starts no comment…).
					if (atLineStart) {
						atLineStart = false;
						if (hasStructure && structFirst[b] === 1) cand = i;
					}
					hint |= hintBit[b];
					hasCode = true;
					// A regular expression literal is skipped whole: quotes in it open no string.
					if (b === 0x2f && regexLiterals && noRegexLine !== lines) {
						const e = skipRegexLiteral(buf, i, n, start);
						// No closing `/` on the rest of the line: none will be found later on it either.
						if (e < 0) noRegexLine = lines;
						i = e < 0 ? i + 1 : e;
					} else i++;
					continue;
				}
				const wasLineStart = atLineStart;
				atLineStart = false;
				// A line may start with a string (Go's `"fmt"` in an import block).
				if (wasLineStart && t.kind === TokenKind.String && hasStructure && structFirst[b] === 1) cand = i;
				if (cand !== -1 && candEnd === -1) {
					// The candidate's text leaves comments out: a block comment closed on the line is
					// cut out (`import { a, /* b, */ c }`), anything else ends the text.
					if (t.kind === TokenKind.BlockComment) pendingCut = i;
					else if (t.kind === TokenKind.LineComment || t.kind === TokenKind.DocString) candEnd = i;
				}
				i += t.open.length;
				switch (t.kind) {
					case TokenKind.LineComment:
						if (clocMode && !wasLineStart) {
							// cloc only drops `#` comments that start a line; a later `#` is code to it
							// (`"""doc"""  # c` is code) and triple quotes after it still count.
							hasCode = true;
							hashCode = true;
							i -= t.open.length - 1;
							break;
						}
						hasComment = true;
						lineCommentAt = i - t.open.length;
						if (clocMode) {
							while (i < n) {
								const x = buf[i];
								if (x === 0x0a || x === 0x0d) break;
								if ((x === 0x2f || x === 0x2a) && isClocMarker(buf, i, n)) marker = true;
								i++;
							}
						} else {
							while (i < n) {
								const x = buf[i];
								if (x === 0x0a || x === 0x0d) break;
								i++;
							}
						}
						lineCommentEol = true;
						if (splice && buf[i - 1] === 0x5c && t.open[0] === 0x2f && t.open.length === 2) spliced.next = true;
						break;
					case TokenKind.ClocMarker:
						// `/*` or `*/` in Python code: cloc drops the whole line (see DocMode.Cloc).
						marker = true;
						hasCode = true;
						i -= t.open.length - 1;
						break;
					case TokenKind.BlockComment:
						if (unclosedIsCode) {
							// cloc's regular expression needs a closer: without one after it, the opener is code.
							// (`i` is past the opener now: a closer may start right here, not inside it.)
							if (!noCloser && closerAt < i) {
								closerAt = buf.indexOf(t.close, i);
								if (closerAt < 0) noCloser = true;
							}
							if (noCloser) {
								hasCode = true;
								i -= t.open.length - 1;
								break;
							}
						}
						hasComment = true;
						state = BLOCK;
						cur = t;
						// After a comment that closed here, opened after code on an earlier line, cloc's
						// line is still that code's (`x; /* a` / `b */ /* c` / `d */ y;` is one code line).
						openHasCode = hasCode || (merged && mergeClosers);
						openLine = lines;
						depth = 1;
						break;
					case TokenKind.DocString:
						// The delimiter belongs to the doc string; code before it already made the line code.
						if (docAsCode) hasCode = true;
						else hasComment = true;
						state = DOC;
						cur = t;
						openHasCode = hasCode;
						openLine = lines;
						docOpenComment = comment;
						docOpenMarkers = markerLines;
						break;
					default:
						hasCode = true;
						hint |= STRING_HINT;
						state = STRING;
						cur = t;
						continued = false;
						break;
				}
				continue;
			}
			// k === 2 or 3: end of line, below
		} else if (state === BLOCK) {
			const t = cur as Token;
			const close = t.close;
			const c0 = close[0];
			const open = t.open;
			const o0 = nested ? open[0] : -1;
			const stop = t.stop;
			let x = b;
			for (;;) {
				if (x === 0x0a || x === 0x0d) break;
				if (x === c0 && matchAt(buf, i, n, close)) {
					i += close.length;
					hasComment = true;
					if (--depth === 0) {
						state = CODE;
						if (openHasCode && openLine !== lines) merged = true;
						if (pendingCut !== -1) {
							if (nCuts < MAX_CUTS) {
								cutStart[nCuts] = pendingCut;
								cutEnd[nCuts] = i;
								nCuts++;
							} else candEnd = pendingCut;
							pendingCut = -1;
						}
						break;
					}
				} else if (x === o0 && matchAt(buf, i, n, open)) {
					i += open.length;
					depth++;
				} else if (x !== 0x20 && x !== 0x09 && x !== 0x0b && x !== 0x0c) {
					hasComment = true;
					// The line is comment now: skip to the next byte that can matter.
					i++;
					while (i < n && stop[buf[i]] === 0) i++;
				} else i++;
				if (i >= n) break;
				x = buf[i];
			}
			// Stopped at a line break (else the line goes on in code state, or the file ended).
			if (state === CODE || i >= n) continue;
		} else if (state === STRING) {
			const t = cur as Token;
			const close = t.close;
			const c0 = close[0];
			const esc = t.escape;
			const stop = t.stop;
			let nonBlank = false;
			let x = b;
			for (;;) {
				if (x === 0x0a || x === 0x0d) break;
				if (docInStrings && docFirst[x] === 1 && (dt = matchToken(docTokens, buf, i, n, true)) !== undefined) {
					// cloc's reading of Python: a triple quote opens a doc string even inside a string.
					parted = true;
					i += dt.open.length;
					if (docAsCode) hasCode = true;
					else hasComment = true;
					state = DOC;
					cur = dt;
					openHasCode = true;
					openLine = lines;
					docOpenComment = comment;
					docOpenMarkers = markerLines;
					break;
				} else if (x === esc) {
					nonBlank = true;
					i++;
					if (i < n) {
						const y = buf[i];
						if (y === 0x0a || y === 0x0d) {
							continued = true;
							break;
						}
						// cloc sees the triple quote in `'\"""'`: leave it for the next round.
						if (!(docInStrings && docFirst[y] === 1 && matchToken(docTokens, buf, i, n, true) !== undefined)) i++;
					}
				} else if (x === c0 && matchAt(buf, i, n, close)) {
					nonBlank = true;
					if (t.doubled && matchAt(buf, i + close.length, n, close)) {
						i += 2 * close.length;
					} else {
						i += close.length;
						state = CODE;
						break;
					}
				} else if (t.interpOpen !== undefined && x === t.interpOpen[0] && sp < MAX_INTERPOLATION_DEPTH && matchAt(buf, i, n, t.interpOpen)) {
					// `${`: code until the balancing `}`, then back into this string.
					nonBlank = true;
					i += t.interpOpen.length;
					interpTok[sp] = t;
					interpDepth[sp] = 0;
					sp++;
					codeClass = c.codeClassInterp;
					codeSkip = c.codeSkipInterp;
					state = CODE;
					break;
				} else if (x !== 0x20 && x !== 0x09 && x !== 0x0b && x !== 0x0c) {
					nonBlank = true;
					if (clocMode && (x === 0x2f || x === 0x2a) && isClocMarker(buf, i, n)) marker = true;
					// Skip to the next byte that can matter (the token's stop table).
					i++;
					while (i < n && stop[buf[i]] === 0) i++;
				} else i++;
				if (i >= n) break;
				x = buf[i];
			}
			if (nonBlank) hasCode = true;
			if (state !== STRING || i >= n) continue;
		} else {
			// DOC
			const t = cur as Token;
			const close = t.close;
			const c0 = close[0];
			const esc = t.escape;
			const stop = t.stop;
			let nonBlank = false;
			let x = b;
			if (clocMode && lineStart === i) {
				// cloc drops whole-line `#` comments before it reads triple quotes, even inside one.
				let j = i;
				while (j < n && (buf[j] === 0x20 || buf[j] === 0x09)) j++;
				if (j < n && buf[j] === hashComment) marker = true;
			}
			for (;;) {
				if (x === 0x0a || x === 0x0d) break;
				if (x === esc) {
					nonBlank = true;
					i++;
					if (i < n) {
						const y = buf[i];
						if (y === 0x0a || y === 0x0d) break;
						i++;
					}
				} else if (docCloseAny ? docFirst[x] === 1 && (dt = matchToken(docTokens, buf, i, n, true)) !== undefined : x === c0 && matchAt(buf, i, n, close)) {
					nonBlank = true;
					// cloc: any triple quote closes (escapes hold in both readings: the esc branch above).
					if (docCloseAny && (dt as Token).close[0] !== c0) parted = true;
					i += docCloseAny ? (dt as Token).close.length : close.length;
					state = CODE;
					if (openHasCode && openLine !== lines && !docAsCode) merged = true;
					break;
				} else if (x !== 0x20 && x !== 0x09 && x !== 0x0b && x !== 0x0c) {
					nonBlank = true;
					if (clocMode && (x === 0x2f || x === 0x2a) && isClocMarker(buf, i, n)) marker = true;
					// Skip to the next byte that can matter (the token's stop table).
					i++;
					while (i < n && stop[buf[i]] === 0) i++;
				} else i++;
				if (i >= n) break;
				x = buf[i];
			}
			if (nonBlank) {
				if (docAsCode) hasCode = true;
				else hasComment = true;
			}
			if (state === CODE || i >= n) continue;
		}

		// --- end of line (LF, CRLF or lone CR)
		lines++;
		let k: number;
		if (marker) {
			// cloc removes such a line before it reads triple quotes: comment, and no state change.
			marker = false;
			markerLines++;
			k = MARKER_LINE;
			if (state !== lsState || cur !== lsCur) parted = true;
			state = lsState;
			cur = lsCur;
		} else k = lineClass(hasCode, hasComment, merged && mergeClosers, afterBackslash, lsState);
		if (splice && (spliced.next || spliced.to !== -1)) {
			k = splicedLine(k, spliced, hasCode, lines - 1, classes);
			code += spliced.promoted;
			comment -= spliced.promoted;
			spliced.promoted = 0;
		}
		if (joinedComments && (afterBackslash || codeBackslash || joined.pending !== -1)) {
			k = joinedLine(k, joined, codeBackslash && !(lineCommentEol && buf[i - 1] === 0x5c), hasCode, lsState, state, lines - 1, code, classes);
			code += joined.moved;
			comment -= joined.moved;
			joined.moved = 0;
		}
		if (k === CODE_LINE) code++;
		else if (k === BLANK_LINE) blank++;
		else comment++;
		if (classes !== undefined) classes.push(k);
		// An unclosed doc string's opening line stays comment when it was merged (see below).
		if (state === DOC && openLine === lines - 1) docOpenMerged = merged && hasCode;
		merged = false;
		afterBackslash = backslashBlank && i > lineStart && buf[i - 1] === 0x5c;
		// cloc looks for the `\` once comments are removed: what stands before a line comment
		// (`/a\//` read without regular expressions, `--like-cloc`) ends the line then.
		// A blank line is not there to it (blank lines go first): the line before stays the last.
		if (k !== BLANK_LINE) codeBackslash = joinedComments && state === CODE && (lineCommentEol ? lineCommentAt > lineStart && buf[lineCommentAt - 1] === 0x5c : afterBackslash);
		lineCommentEol = false;
		if (hashCode) {
			if (state === DOC) parted = true;
			hashCode = false;
		}
		if (cand !== -1) {
			if (pendingCut !== -1) candEnd = pendingCut;
			const plan = planFor(c, buf[cand], hint);
			if (plan !== null) matchStructure(c, plan, buf, cand, lineStart, candEnd === -1 ? i : candEnd, cutStart, cutEnd, nCuts, lines, out);
		}
		pendingCut = -1;
		nCuts = 0;
		hint = 0;
		i += buf[i] === 0x0d && i + 1 < n && buf[i + 1] === 0x0a ? 2 : 1;
		lineStart = i;
		hasCode = false;
		hasComment = false;
		cand = -1;
		candEnd = -1;
		if (state === STRING && !continued && !(cur as Token).multiline) state = CODE;
		continued = false;
		atLineStart = state === CODE;
		lsState = state;
		lsCur = cur;
	}
	// A last line without a line break.
	if (i > lineStart) {
		lines++;
		let k = marker ? MARKER_LINE : lineClass(hasCode, hasComment, merged && mergeClosers, afterBackslash, lsState);
		if (splice && spliced.to !== -1) {
			k = splicedLine(k, spliced, hasCode, lines - 1, classes);
			code += spliced.promoted;
			comment -= spliced.promoted;
		}
		if (joinedComments && (afterBackslash || codeBackslash || joined.pending !== -1)) {
			k = joinedLine(k, joined, codeBackslash && !(lineCommentEol && buf[i - 1] === 0x5c), hasCode, lsState, state, lines - 1, code, classes);
			code += joined.moved;
			comment -= joined.moved;
			joined.moved = 0;
		}
		// Added, not incremented in branches: this runs once per file, after the main loop, and a
		// branch here that V8 saw no file take yet would throw the optimized loop away with it.
		code += k === CODE_LINE ? 1 : 0;
		blank += k === BLANK_LINE ? 1 : 0;
		comment += k !== CODE_LINE && k !== BLANK_LINE ? 1 : 0;
		if (classes !== undefined) classes.push(k);
		if (state === DOC && openLine === lines - 1) docOpenMerged = merged && hasCode;
		if (cand !== -1) {
			if (pendingCut !== -1) candEnd = pendingCut;
			const plan = planFor(c, buf[cand], hint);
			if (plan !== null) matchStructure(c, plan, buf, cand, lineStart, candEnd === -1 ? n : candEnd, cutStart, cutEnd, nCuts, lines, out);
		}
	}
	if (joinedComments) {
		const dropped = endJoined(joined, code, classes);
		code -= dropped;
		comment += dropped;
	}
	if (clocMode && state === DOC && !docAsCode) {
		// cloc only removes doc strings that are closed: an unclosed one stays code to the end.
		const moved = comment - docOpenComment - (markerLines - docOpenMarkers) - (docOpenMerged ? 1 : 0);
		code += moved;
		comment -= moved;
		if (classes !== undefined) {
			for (let l = openLine + (docOpenMerged ? 1 : 0); l < classes.length; l++) if (classes[l] === COMMENT_LINE) classes[l] = CODE_LINE;
		}
	}
	if (classes !== undefined) for (let l = 0; l < classes.length; l++) if (classes[l] === MARKER_LINE) classes[l] = COMMENT_LINE;
	out.lines = lines;
	out.code = code;
	out.comment = comment;
	out.blank = blank;
	return parted;
}

/** The token of `list` whose opener is at `buf[i]`, longest first; doc strings only when `docOk`. */
function matchToken(list: Token[] | undefined, buf: Buffer, i: number, n: number, docOk: boolean): Token | undefined {
	if (list === undefined) return undefined;
	for (let k = 0; k < list.length; k++) {
		const t = list[k];
		if (t.kind === TokenKind.DocString && !docOk) continue;
		if (matchAt(buf, i, n, t.open)) return t;
	}
	return undefined;
}

/** Longest regular expression literal recognised; a longer one is read as code (a division). */
const MAX_REGEX_LITERAL = 2048;

/** Words after which a `/` starts a regular expression, not a division. */
const REGEX_AFTER_WORDS = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

/**
 * `buf[i]` is a `/` that starts no comment. When it starts a regular expression literal (by
 * the byte before it: not after a name, number, `)` or `]`, unless the name is a keyword like
 * `return`), returns the offset after the literal's closing `/`; `i + 1` for a division;
 * -1 when no closing `/` was found (line end, or MAX_REGEX_LITERAL bytes). Looks back over
 * blanks only, never past `start`.
 */
function skipRegexLiteral(buf: Buffer, i: number, n: number, start: number): number {
	let j = i - 1;
	while (j >= start && (buf[j] === 0x20 || buf[j] === 0x09 || buf[j] === 0x0a || buf[j] === 0x0d)) j--;
	if (j >= start) {
		const p = buf[j];
		if (p === 0x29 /* ) */ || p === 0x5d /* ] */ || p === 0x22 || p === 0x27 || p === 0x60) return i + 1;
		if (isWordByte(p)) {
			// A name or number before it: division, unless the word is a keyword.
			let w = j;
			while (w > start && isWordByte(buf[w - 1])) w--;
			if (j - w + 1 > 10 || !REGEX_AFTER_WORDS.has(buf.toString('latin1', w, j + 1))) return i + 1;
		}
	}
	let inClass = false;
	// Bounded, and a failed scan ends regex scans on its line (noRegexLine), so a long line
	// full of `/[` costs linear time, not quadratic.
	const end = Math.min(n, i + 1 + MAX_REGEX_LITERAL);
	for (let k = i + 1; k < end; k++) {
		const x = buf[k];
		if (x === 0x0a || x === 0x0d) return -1;
		if (x === 0x5c /* \ */) {
			// An escaped line break does not continue a regular expression: not one.
			const y = k + 1 < n ? buf[k + 1] : 0x0a;
			if (y === 0x0a || y === 0x0d) return -1;
			k++;
			continue;
		}
		if (inClass) {
			if (x === 0x5d) inClass = false;
		} else if (x === 0x5b) inClass = true;
		else if (x === 0x2f) return k === i + 1 ? i + 1 : k + 1;
	}
	return -1;
}

function isWordByte(b: number): boolean {
	return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f || b === 0x24 || b >= 0x80;
}

/** `buf[i..]` starts with `/*` or `*\/` (i is at a `/` or `*`). */
function isClocMarker(buf: Buffer, i: number, n: number): boolean {
	const x = buf[i];
	return (i + 1 < n && buf[i + 1] === (x === 0x2f ? 0x2a : 0x2f)) || (i > 0 && buf[i - 1] === (x === 0x2f ? 0x2a : 0x2f));
}

/**
 * The rules that a line starting with byte `b` whose code holds the hint bits `hint` may
 * match (their `first` has `b`, their `need` is in `hint`), or null when none: built once per
 * byte and hint combination and language, so most lines are turned down by one lookup.
 */
function planFor(c: CompiledLanguage, b: number, hint: number): RulePlan | null {
	const key = (b << 6) | hint;
	let id = c.planIds[key];
	if (id === 0) {
		const pick = (rules: CompiledRule[]) => rules.filter((r) => r.first[b] === 1 && (r.need & hint) === r.need);
		const imports = pick(c.imports);
		const classes = pick(c.classes);
		const functions = pick(c.functions);
		const p: RulePlan = { imports, classes, functions, nImports: imports.length, nClasses: classes.length, nFunctions: functions.length };
		if (p.nImports + p.nClasses + p.nFunctions === 0) id = 1;
		else {
			// One plan per key that some rule may match: at most 256 × 64, within an Int16.
			id = 2 + c.planList.length;
			c.planList.push(p);
		}
		c.planIds[key] = id;
	}
	return id === 1 ? null : c.planList[id - 2];
}

// What `lineHasLiteral` learned about the current candidate line (reset by `matchStructure`).
/** Bit `litBit` set: that literal was searched in the whole line; `litFound`: and found. */
let litSearched = 0;
let litFound = 0;

/**
 * The rule's literal is on the candidate line `buf[first..to)`, where a match can hold it: in
 * the line's leading run of words and blanks (and `=`, `:`, `.`) when the rule says so
 * (`litLeading`; unless block comments were cut out of the line), else anywhere. A
 * whole-line search is done once per literal and line, however many rules share the literal.
 */
function lineHasLiteral(r: CompiledRule, buf: Buffer, first: number, to: number, nCuts: number): boolean {
	const lit = r.lit as Uint8Array;
	if (r.litLeading !== 0 && nCuts === 0) return containsInRun(buf, first, to, lit, r.litLeading === 1 ? WORDS_BLANKS : WORDS_BLANKS_ASSIGN);
	const bit = r.litBit;
	if (bit === 0) return containsAt(buf, first, to, lit);
	if ((litSearched & bit) === 0) {
		litSearched |= bit;
		if (containsAt(buf, first, to, lit)) litFound |= bit;
	}
	return (litFound & bit) !== 0;
}

/** `buf[from..to)` contains `pat`. */
function containsAt(buf: Buffer, from: number, to: number, pat: Uint8Array): boolean {
	const p0 = pat[0];
	const len = pat.length;
	const last = to - len;
	outer: for (let i = from; i <= last; i++) {
		if (buf[i] !== p0) continue;
		for (let k = 1; k < len; k++) if (buf[i + k] !== pat[k]) continue outer;
		return true;
	}
	return false;
}

/** `buf[i..]` starts with `pat`. */
function matchAt(buf: Buffer, i: number, n: number, pat: Uint8Array): boolean {
	const len = pat.length;
	if (i + len > n) return false;
	for (let k = 0; k < len; k++) if (buf[i + k] !== pat[k]) return false;
	return true;
}

// --- structure ------------------------------------------------------------------------------------

/**
 * Tries the structure rules on one candidate line: `first` is its first non-blank byte's
 * offset, the text runs from the line start `from` to `to` minus the `nCuts` block comments.
 */
function matchStructure(
	c: CompiledLanguage,
	plan: RulePlan,
	buf: Buffer,
	first: number,
	from: number,
	to: number,
	cutStart: number[],
	cutEnd: number[],
	nCuts: number,
	line: number,
	out: FileAnalysis,
): void {
	// No branch: V8 saw no line this long before it optimized this function (a branch it never
	// took), and the first one (minified code) threw the optimized code away.
	to = Math.min(to, from + MAX_DECODED_LINE);
	// Decoded lazily, once, by the first rule that is tried.
	let text: string | undefined;
	litSearched = 0;
	litFound = 0;
	let name: string | undefined;
	const imports = plan.imports;
	for (let k = 0; k < plan.nImports; k++) {
		const r = imports[k];
		if (r.lit !== undefined && !lineHasLiteral(r, buf, first, to, nCuts)) continue;
		text ??= decodeCandidate(buf, from, to, cutStart, cutEnd, nCuts);
		name = r.re.exec(text)?.[r.group];
		if (name !== undefined && name !== '') {
			out.imports.push(name);
			break;
		}
	}
	const classes = plan.classes;
	for (let k = 0; k < plan.nClasses; k++) {
		const r = classes[k];
		if (r.lit !== undefined && !lineHasLiteral(r, buf, first, to, nCuts)) continue;
		text ??= decodeCandidate(buf, from, to, cutStart, cutEnd, nCuts);
		name = r.re.exec(text)?.[r.group];
		if (name !== undefined && name !== '') {
			out.classes.push({ name, line } satisfies SymbolRef);
			break;
		}
	}
	const not = c.notFunctionNames;
	/** 0 not checked yet, 1 the line may hold a definition, 2 it cannot (stop word, or a line end that rules functions out). */
	let fnLine = 0;
	const functions = plan.functions;
	for (let k = 0; k < plan.nFunctions; k++) {
		const r = functions[k];
		if (r.lit !== undefined && !lineHasLiteral(r, buf, first, to, nCuts)) continue;
		// Checked only once a rule could match: most candidate lines never get here.
		if (fnLine === 0) fnLine = functionLineExcluded(c, buf, first, to) ? 2 : 1;
		if (fnLine === 2) return;
		text ??= decodeCandidate(buf, from, to, cutStart, cutEnd, nCuts);
		name = r.re.exec(text)?.[r.group];
		if (name !== undefined && name !== '' && !not.has(name)) {
			out.functions.push({ name, line });
			break;
		}
	}
}

/**
 * The line `buf[first..to)` cannot define a function: its first word is one of the language's
 * stop words (`if`, `for`, `return`…; hashed as in `packWord`, without decoding), or its last
 * non-blank byte is one of `functionLineEndsNot`.
 */
function functionLineExcluded(c: CompiledLanguage, buf: Buffer, first: number, to: number): boolean {
	if (c.stopWords.size > 0) {
		let j = first;
		while (j < to && isWordByte(buf[j]) && buf[j] < 0x80) j++;
		let h = j - first;
		// Math.imul keeps the product a small integer; the low 30 bits are `packWord`'s all the same.
		for (let q = first; q < j; q++) h = (Math.imul(h, 31) + buf[q]) & 0x3fffffff;
		const w = c.stopWords.get(h);
		if (w !== undefined && w.length === j - first && matchAt(buf, first, to, w)) return true;
	}
	if (c.functionEndsNot.size > 0) {
		let e = to - 1;
		while (e > first && (buf[e] === 0x20 || buf[e] === 0x09)) e--;
		if (c.functionEndsNot.has(buf[e])) return true;
	}
	return false;
}

/** Bytes of a line's leading run for `CompiledRule.litLeading` 1: word bytes and blanks. */
const WORDS_BLANKS = new Uint8Array(256);
/** …and for `litLeading` 2: also `=`, `:` and `.`. */
const WORDS_BLANKS_ASSIGN = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
	WORDS_BLANKS[b] = isWordByte(b) || b === 0x20 || b === 0x09 || b === 0x0b || b === 0x0c ? 1 : 0;
	WORDS_BLANKS_ASSIGN[b] = WORDS_BLANKS[b] === 1 || b === 0x3d || b === 0x3a || b === 0x2e ? 1 : 0;
}

/**
 * `pat` (a word) starts in `buf[from..to)` before the first byte that is not in `run`: one
 * pass that ends at that byte, so it costs no more than `containsAt` and usually far less.
 */
function containsInRun(buf: Buffer, from: number, to: number, pat: Uint8Array, run: Uint8Array): boolean {
	const p0 = pat[0];
	const len = pat.length;
	const last = to - len;
	outer: for (let i = from; i <= last; i++) {
		const x = buf[i];
		if (x !== p0) {
			if (run[x] === 0) return false;
			continue;
		}
		for (let k = 1; k < len; k++) if (buf[i + k] !== pat[k]) continue outer;
		return true;
	}
	return false;
}

/** The candidate line's text with its block comments replaced by a space. */
function decodeCandidate(buf: Buffer, from: number, to: number, cutStart: number[], cutEnd: number[], nCuts: number): string {
	if (nCuts === 0) return buf.toString('utf8', from, to);
	let text = '';
	let p = from;
	for (let k = 0; k < nCuts && cutStart[k] < to; k++) {
		text += buf.toString('utf8', p, cutStart[k]) + ' ';
		p = cutEnd[k];
	}
	return p < to ? text + buf.toString('utf8', p, to) : text;
}

// --- warm-up --------------------------------------------------------------------------------------

/**
 * A short text in `def`'s syntax that takes every path of the analyzer: blank lines, code,
 * each line comment (alone and after code), each block comment (on one line, across lines,
 * nested, between code), each string (with escapes, doubled closers, comment markers inside,
 * across lines, interpolations), each doc string, regular expressions, a `\` line end, and
 * lines shaped like imports, classes and functions. Used by `warmUpAnalyzer`.
 */
export function warmUpText(def: LanguageDef, structure = true): string {
	const l: string[] = ['#!/usr/bin/env sh', 'x = 1', '', '   ', '\t'];
	const lc = def.lineComments ?? [];
	const bc = def.blockComments ?? [];
	const first = lc[0] ?? bc[0]?.[0] ?? '#';
	for (const c of lc) l.push(`${c} comment`, `foo(bar) ${c} trailing`, `  ${c}`, `x = 1 ${c} "q" ${c} /* */`, `${c} a /* b */ c`);
	for (const [o, c] of bc) {
		// Perl's `__END__` runs to the end of the file (its closer is a NUL): no text can hold it.
		if (c.includes('\0')) continue;
		l.push(`${o} one ${c}`, `a = 1 ${o} b ${c} + 2 ${o} c ${c}`, `${o}`, ' inside', '', `  ${c} after = 1`, `code(x) ${o} open`, `closing ${c} code(y)`);
		l.push(`${o} ${o} nested ${c} still ${c} x`, `import { a, ${o} b, ${c} c } from 'm'`);
	}
	for (const s of def.strings ?? []) {
		const e = s.escape ?? '\\';
		l.push(`x = ${s.open}a${e}${s.close}b${first}c${s.close} + y`, `${s.open}${s.close}`, `f(${s.open} ${s.close}, ${s.open}unclosed`);
		// A string that may span lines is still open here: close it, or it swallows the text below.
		if (s.multiline === true) l.push(`${s.close})`);
		l.push(`y = ${s.open}line${e}`, `next${s.close} + 1`);
		if (s.doubledCloseEscapes === true) l.push(`z = ${s.open}a${s.close}${s.close}b${s.close}`);
		if (s.multiline === true) l.push(`m = ${s.open}first`, '', `  last${s.close}`);
		const ip = s.interpolation;
		if (ip !== undefined) l.push(`t = ${s.open}a ${ip[0]} f(${s.open}in ${ip[0]}{ k: 1 }${ip[1]}${s.close}) ${ip[1]} b${s.close}`, `u = ${s.open}${ip[0]}`, `  { x }`, `${ip[1]}${s.close}`);
	}
	for (const [o, c] of def.docStrings ?? []) l.push(`${o}doc${c}`, `${o}`, '  doc text', `# not a comment /* here */`, `${c}`, `x = f(${o}a`, `b${c}) + 1`, `  ${o} inline ${c} code()`);
	if (def.regexLiterals === true) l.push('x = /a[/"]b\\/c/g.test(y) / 2 / z', 'return /["\']/.exec(s)', 'a = b / c; d = e / f', 'r = /unclosed');
	l.push('continued \\', '', 'end = 1');
	if (def.clocJoinedComments === true) {
		const [o, c] = bc[0] ?? ['/*', '*/'];
		l.push('#define M(x) \\', `${o}${c}`, 'y = 1 \\', `${o} open`, `  ${c}`, 'z = 2 \\', `${o} a`, `${c} after \\`, `${lc[0] ?? o} c`, 'w = 3');
	}
	if (structure) l.push(
		'import a.b.c',
		'from x import y',
		'import { a, b } from "./m"',
		'export * from "./n"',
		'const m = require("p")',
		'#include <stdio.h>',
		'use std::io;',
		'using System.Text;',
		'package main',
		'class A(B):',
		'export default class C extends D {',
		'public class E implements F {',
		'struct S {',
		'def f(x, y):',
		'async def g():',
		'function h(a, b) {',
		'export async function k() {',
		'const p = (a) => a + 1',
		'let q = async function () {',
		'  method(a, b) {',
		'  static r(): void {',
		'if (x) {',
		'} else if (y) {',
		'return f(x)',
		'int main(int argc, char **argv) {',
		'func (s *S) Run() error {',
		'fn run(x: u32) -> u32 {',
		'sub name {',
		'f = lambda x: x',
		'name: function () {',
	);
	return l.join('\n') + '\r\ncrlf = 1\r\n\r\nlone = 1\rcr\r';
}

let warmedUp = false;

/** What a language makes the analyzer do, as names: `warmUpLanguages` covers each once. */
export function analyzerFeatures(def: LanguageDef): string[] {
	const f: string[] = [];
	if ((def.lineComments?.length ?? 0) > 0) f.push(def.lineCommentsAtStartOnly === true ? 'line-comment-at-start' : 'line-comment');
	if ((def.blockComments?.length ?? 0) > 0) f.push(def.nestedComments === true ? 'nested-block' : 'block');
	for (const st of def.strings ?? []) {
		f.push(st.escape === '' ? 'raw-string' : 'string');
		if (st.doubledCloseEscapes === true) f.push('doubled-close');
		if (st.multiline === true) f.push('multiline-string');
		if (st.interpolation !== undefined) f.push('interpolation');
		if (st.open.length > 1) f.push('long-string-delimiter');
	}
	if ((def.docStrings?.length ?? 0) > 0) f.push(`doc-${def.docStringRule ?? 'anywhere'}`);
	if (def.regexLiterals === true) f.push('regex');
	if (def.clocLineContinuation === true) f.push('line-continuation');
	if (def.clocJoinedComments === true) f.push('joined-comments');
	if (def.clocMergedComments === true) f.push('merged-comments');
	const st = def.structure;
	if (st !== undefined) {
		if ((st.imports?.length ?? 0) > 0) f.push('imports');
		if ((st.classes?.length ?? 0) > 0) f.push('classes');
		if ((st.functions?.length ?? 0) > 0) f.push('functions');
		if ((st.notFunctionNames?.length ?? 0) > 0) f.push('stop-words');
		if ((st.functionLineEndsNot?.length ?? 0) > 0) f.push('function-ends-not');
	}
	return f;
}

/** The fewest languages of the table, first ones first, that between them have every feature any has. */
export function warmUpLanguages(): LanguageDef[] {
	const seen = new Set<string>();
	const out: LanguageDef[] = [];
	for (const def of getLanguageTable()) {
		const f = analyzerFeatures(def);
		if (f.some((x) => !seen.has(x))) {
			out.push(def);
			for (const x of f) seen.add(x);
		}
	}
	return out;
}

/**
 * Runs the analyzer over `warmUpText` of the languages of `warmUpLanguages` (which between
 * them take every path of the analyzer), plus an unknown file, `rounds` times (once per
 * process; later calls do nothing). Why: V8 optimizes the analyzer's big loop with the type
 * feedback it has seen so far; a branch first taken later (a doc string, a nested comment, a
 * CR) throws the optimized code away — 74 times in one pass over `node_modules`, which cost a
 * fresh worker a third of its analysis time. One round of varied input first gives every
 * branch its feedback (4 deoptimizations left). Compiling the whole table would cost a worker
 * 60–70 ms; these few languages cost a tenth of that.
 */
export function warmUpAnalyzer(rounds = 2): void {
	if (warmedUp) return;
	warmedUp = true;
	const samples: [LanguageDef, Buffer][] = [];
	const full: [LanguageDef, Buffer][] = [];
	const langs = warmUpLanguages();
	// Compiled before anything runs: a language compiled later can change the field types V8
	// saw in the objects the analyzer reads, which aborts an optimization in flight.
	for (const def of langs) {
		compileLanguage(def);
		// The second pass of a file cloc's reading parts from (see `analyze`) reads it so.
		if (def.docStringRule === 'cloc') compileLanguage(ownReading(def));
	}
	for (const def of langs) {
		// Every path once, in a few KB in all, before V8 finds the analyzer hot and optimizes it
		// with the feedback it has by then; the longer texts with structure lines after that.
		samples.push([def, Buffer.from(warmUpText(def, false), 'utf8')]);
		// Also the paths of a file's end: a last line without a line break, in code and inside an unclosed comment.
		const open = def.docStrings?.[0]?.[0] ?? def.blockComments?.[0]?.[0] ?? '';
		for (const t of ['x = 1\nlast = 1', 'x = 1\n  ', `x = 2 ${open}\nopen`]) samples.push([def, Buffer.from(t, 'utf8')]);
		if (def.docStringRule === 'cloc' && def.docStrings?.[0] !== undefined) {
			// A doc-string delimiter inside a string: cloc's reading parts from the language's.
			const d = def.docStrings[0][0];
			const q = d.startsWith('"') ? "'" : '"';
			samples.push([def, Buffer.from(`s = ${q}${d}${q}\ndef f(): pass\n`, 'utf8')]);
		}
		if (def.clocJoinedComments === true) {
			// Emptied lines at the end of the file (see `endJoined`), with and without a last line break.
			const [o, c] = def.blockComments?.[0] ?? ['/*', '*/'];
			for (const t of [`x = 1 \\\n${o}${c}\n`, `x = 1 \\\n${o}${c}`]) samples.push([def, Buffer.from(t, 'utf8')]);
		}
		full.push([def, Buffer.from(warmUpText(def), 'utf8')]);
	}
	samples.push(...full);
	const plain = Buffer.from('a b\n\n  \nc\r\nd\re');
	for (let r = 0; r < rounds; r++) {
		if (r === 1) probeBefore = probeMs(3);
		for (const [def, buf] of samples) analyzeWithLanguage(buf, def);
		analyzeBuffer(plain, 'warm-up.unknown-extension');
	}
}

/** Sleep between two probes while waiting for the optimized analyzer. */
const PROBE_SLEEP_MS = 5;
/** The warm-up's probe: one language's longest text (set by warmUpAnalyzer). */
let probe: [LanguageDef, Buffer] | undefined;
/** The probe's time after the warm-up's first round, before V8 optimized the analyzer. */
let probeBefore = 0;

/** Time of the fastest of `runs` runs of the probe, in ms. */
function probeMs(runs: number): number {
	if (probe === undefined) {
		const def = warmUpLanguages()[0];
		probe = [def, Buffer.from(warmUpText(def).repeat(4), 'utf8')];
	}
	let best = Infinity;
	for (let k = 0; k < runs; k++) {
		const t = performance.now();
		analyzeWithLanguage(probe[1], probe[0]);
		best = Math.min(best, performance.now() - t);
	}
	return best;
}

/**
 * For a worker thread only (it sleeps): after `warmUpAnalyzer`, waits until V8 has installed the
 * optimized analyzer, at most `maxMs`, sleeping between short probes. Why: the warm-up gets the
 * analyzer marked for optimization, which then compiles on a background thread (~75–150 ms of
 * CPU). A file that is still being read in unoptimized code when that code lands keeps running
 * there, and V8 then compiles the loop a second time for on-stack replacement: as much CPU again,
 * once per worker, on a machine whose cores the workers already fill. Short probes never run long
 * enough to be replaced on the stack; the probe is "optimized" once it runs in under a third of
 * its time before. Returns the ms waited.
 *
 * The wait is mostly sleep: one run of the probe (~0.6 ms unoptimized here) every 5 ms. Three
 * runs every 3 ms, as before, kept each worker busy ~40% of the wait, on cores the compile it
 * waits for needs (real tree, 9 interleaved CLI runs: 2.22 → 2.12 s of CPU, 1.60 → 1.57 s).
 */
export function awaitOptimizedAnalyzer(maxMs = 250): number {
	if (probeBefore === 0) return 0;
	const t0 = performance.now();
	const sleeper = new Int32Array(new SharedArrayBuffer(4));
	while (performance.now() - t0 < maxMs) {
		if (probeMs(1) < probeBefore / 3) break;
		Atomics.wait(sleeper, 0, 0, PROBE_SLEEP_MS);
	}
	return performance.now() - t0;
}
