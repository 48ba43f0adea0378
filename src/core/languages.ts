// The language table (languages.json) and what is derived from it: file → language detection,
// and each language compiled, lazily on first use, into the byte tables the line analyzer runs on.

import table from './languages.json';
import type { LanguageDef, StringRule } from './types';

const LANGUAGES: readonly LanguageDef[] = (table as { languages: LanguageDef[] }).languages;

/** Every language of the table, in table order. */
export function getLanguageTable(): readonly LanguageDef[] {
	return LANGUAGES;
}

// --- detection ----------------------------------------------------------------------------------

interface DetectIndex {
	byName: Map<string, LanguageDef>;
	byFileName: Map<string, LanguageDef>;
	byExtension: Map<string, LanguageDef>;
	byInterpreter: Map<string, LanguageDef>;
}

let detectIndex: DetectIndex | undefined;

/**
 * Maps built once from the table. When two languages claim the same key the first one in the
 * table wins, so the table order is the deterministic tie-break (e.g. `.h` is listed under C
 * only).
 */
function getDetectIndex(): DetectIndex {
	if (detectIndex !== undefined) return detectIndex;
	const idx: DetectIndex = { byName: new Map(), byFileName: new Map(), byExtension: new Map(), byInterpreter: new Map() };
	const put = (m: Map<string, LanguageDef>, k: string, d: LanguageDef): void => {
		if (!m.has(k)) m.set(k, d);
	};
	for (const d of LANGUAGES) {
		put(idx.byName, d.name, d);
		for (const f of d.filenames ?? []) put(idx.byFileName, f, d);
		for (const e of d.extensions ?? []) put(idx.byExtension, e.toLowerCase(), d);
		for (const i of d.interpreters ?? []) put(idx.byInterpreter, i, d);
	}
	detectIndex = idx;
	return idx;
}

/** The language of the table with this exact name. */
export function getLanguageByName(name: string): LanguageDef | undefined {
	return getDetectIndex().byName.get(name);
}

/** Base name of a '/' or '\' separated path. */
export function baseName(fileName: string): string {
	const i = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'));
	return i === -1 ? fileName : fileName.slice(i + 1);
}

/**
 * The last extension of a base name, lower case, with its dot (`.ts` for `a.d.ts`); '' when
 * there is none. Like Node's `path.extname`, a leading dot does not start an extension
 * (`.bashrc` has none).
 */
export function lastExtension(base: string): string {
	const i = base.lastIndexOf('.');
	return i <= 0 ? '' : base.slice(i).toLowerCase();
}

/**
 * The interpreter named by a `#!` first line, or undefined. `#!/usr/bin/env -S node --flag`
 * gives `node`; `env` options and `NAME=value` assignments are skipped.
 */
export function shebangInterpreter(head: Buffer): string | undefined {
	let start = 0;
	if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) start = 3;
	if (head.length < start + 2 || head[start] !== 0x23 /* # */ || head[start + 1] !== 0x21 /* ! */) return undefined;
	let end = start + 2;
	const max = Math.min(head.length, start + 512);
	while (end < max && head[end] !== 0x0a && head[end] !== 0x0d) end++;
	const words = head.toString('latin1', start + 2, end).trim().split(/[ \t]+/);
	let k = 0;
	if (words.length === 0 || words[0] === '') return undefined;
	let prog = baseName(words[k]);
	if (prog === 'env') {
		k++;
		while (k < words.length && (words[k].startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[k]))) k++;
		if (k >= words.length) return undefined;
		prog = baseName(words[k]);
	}
	return prog === '' ? undefined : prog;
}

function byInterpreter(prog: string): LanguageDef | undefined {
	const m = getDetectIndex().byInterpreter;
	// python3.11 → python3.11, python3, python ; node22 → node
	let p = prog;
	for (;;) {
		const d = m.get(p);
		if (d !== undefined) return d;
		const q = p.replace(/(?:[.-]?\d+)$/, '');
		if (q === p || q === '') return undefined;
		p = q;
	}
}

/**
 * The language of a file: `overrides` (extension → language name) first, then the exact file
 * name, then the longest extension the table knows (`.d.ts` before `.ts`), then the interpreter
 * of a `#!` first line in `head` (`/usr/bin/env X` and versioned names like `python3.11`
 * included). `fileName` may be a path; only its base name counts.
 */
export function detectLanguage(fileName: string, head?: Buffer, overrides?: Record<string, string>): LanguageDef | undefined {
	const idx = getDetectIndex();
	const base = baseName(fileName);
	if (overrides !== undefined) {
		const ext = lastExtension(base);
		const name = overrides[ext] ?? overrides[base];
		if (name !== undefined) {
			const d = idx.byName.get(name);
			if (d !== undefined) return d;
		}
	}
	const byFile = idx.byFileName.get(base);
	if (byFile !== undefined) return byFile;
	// Candidate extensions from the first dot after position 0 (longest) to the last (shortest).
	const lower = base.toLowerCase();
	let dot = lower.indexOf('.', 1);
	while (dot !== -1) {
		const d = idx.byExtension.get(lower.slice(dot));
		if (d !== undefined) return d;
		dot = lower.indexOf('.', dot + 1);
	}
	if (head !== undefined) {
		const prog = shebangInterpreter(head);
		if (prog !== undefined) return byInterpreter(prog);
	}
	return undefined;
}

// --- compilation --------------------------------------------------------------------------------

/** Kinds of tokens that change the analyzer's state from code state. */
export const enum TokenKind {
	LineComment = 1,
	BlockComment = 2,
	String = 3,
	DocString = 4,
	/** `/*` or `*\/` in a language read the cloc way (DocMode.Cloc): marks the line. */
	ClocMarker = 5,
}

/** How doc-string delimiters are read; see `LanguageDef.docStringRule`. */
export const enum DocMode {
	Anywhere = 0,
	Statement = 1,
	Cloc = 2,
}

/**
 * The analyzer's switches from the language's definition, as bits of `CompiledLanguage.flags`.
 * The analyzer reads them there, not from `def`: every compiled language has one hidden class,
 * while each definition has its own (its own set of keys), so a property read on `def` in the
 * analyzer sees a new shape with each new language and threw its optimized code away (V8's
 * "wrong map" deoptimization, then a recompile of the whole analyzer, ~150 ms of a worker's CPU).
 */
export const enum LangFlag {
	RegexLiterals = 1,
	JoinedComments = 2,
	MergedComments = 4,
	LineContinuation = 8,
	SplicedLineComments = 16,
	UnclosedBlockIsCode = 32,
}

/** A delimiter recognised in code state. */
export interface Token {
	kind: TokenKind;
	/** The opening delimiter's bytes. */
	open: Uint8Array;
	/** Closing delimiter (block comments, strings, doc strings); empty for line comments. */
	close: Uint8Array;
	/** Escape byte inside strings, -1 for none. */
	escape: number;
	/** Doubling the close delimiter escapes it. */
	doubled: boolean;
	/** Strings: may span lines. Block comments and doc strings always may. */
	multiline: boolean;
	/** Strings: opener of an interpolated expression (`${`), if any. */
	interpOpen?: Uint8Array;
	/** Strings: the byte closing an interpolated expression (`}`), balanced against the opener's last byte; -1 for none. */
	interpClose?: number;
	/**
	 * Inside this token (string, doc string, block comment): 1 for the bytes that may change
	 * something (line breaks, escape, first bytes of the closer and opener, and in cloc mode
	 * `/`, `*` and quotes); the analyzer skips runs of other bytes in a tight loop.
	 */
	stop: Uint8Array;
}

/** A structure rule, compiled. */
export interface CompiledRule {
	re: RegExp;
	/** Bytes a matching line can start with (after blanks); all 256 when unknown. */
	first: Uint8Array;
	/** `HINT_BITS` a line's code must hold for the rule to be tried. */
	need: number;
	/** Text every match contains; a line without it is not tried. */
	lit: Uint8Array | undefined;
	/**
	 * What can come before `lit` in a match (see `literalIsLeading`): 0 anything; 1 only word
	 * bytes and blanks; 2 only word bytes, blanks, `=`, `:` and `.`.
	 */
	litLeading: 0 | 1 | 2;
	/** One bit per distinct literal of the language (the first 31), so a line is searched for it once; 0 for none. */
	litBit: number;
	/** Index of the `name` group in the match (the rule's `(?<name>…)`, made a plain group: cheaper to match). */
	group: number;
}

/** The structure rules a candidate line may match, by kind, in table order (see the analyzer's `planFor`). */
export interface RulePlan {
	imports: CompiledRule[];
	classes: CompiledRule[];
	functions: CompiledRule[];
	/**
	 * The three lists' lengths. The analyzer reads these, not `.length`: an empty list is an
	 * array of another kind to V8 than a list of rules, so reading `.length` off both threw the
	 * optimized structure matcher away when the first plan of the other kind came by.
	 */
	nImports: number;
	nClasses: number;
	nFunctions: number;
}

/** A language compiled for the analyzer. Built once per language, on first use. */
export interface CompiledLanguage {
	def: LanguageDef;
	/**
	 * Per byte: 0 ordinary, 1 blank (space, tab, VT, FF), 2 LF, 3 CR, 4 may start a token,
	 * 5 ordinary but a structure hint byte (`hintBit`). Tokens starting with a blank are not
	 * supported (none exist).
	 */
	codeClass: Uint8Array;
	/** Per byte: its bit in `HINT_BITS`, 0 for others. */
	hintBit: Uint8Array;
	/**
	 * `codeClass` for the analyzer's tightest loop: 0 for bytes that end it (line breaks, token
	 * starts), else `1 | hintBit << 1`.
	 */
	codeSkip: Uint8Array;
	/** `codeSkip` of `codeClassInterp`. */
	codeSkipInterp: Uint8Array;
	/** Tokens by first byte, longest first. */
	tokensByFirst: (Token[] | undefined)[];
	/**
	 * `codeClass` for code inside an interpolated expression of a string (`${…}`): the
	 * interpolation's bracket bytes are class 4 too, so the analyzer can balance them.
	 */
	codeClassInterp: Uint8Array;
	/** Nesting block comments. */
	nested: boolean;
	/** How doc-string delimiters are read (see `LanguageDef.docStringRule`). */
	docMode: DocMode;
	/** The doc-string tokens, longest first. */
	docTokens: Token[];
	/** First bytes of the doc-string delimiters. */
	docFirst: Uint8Array;
	/** Union of the structure rules' first bytes; a line is decoded only when its first non-blank byte is in here. */
	structFirst: Uint8Array;
	hasStructure: boolean;
	/** `LangFlag` bits (see there). */
	flags: number;
	/** First byte of the first line comment marker, -1 without one (cloc's reading of `#` after code). */
	lineCommentByte: number;
	imports: CompiledRule[];
	classes: CompiledRule[];
	functions: CompiledRule[];
	notFunctionNames: Set<string>;
	/**
	 * ASCII `notFunctionNames` by `packWord` hash: a line whose first word is one of them
	 * (`if (…) {`, `else if`, `return f(x)`) is not tried for functions. The hash may collide,
	 * so the bytes are compared too.
	 */
	stopWords: Map<number, Uint8Array>;
	/** Bytes of `functionLineEndsNot`. */
	functionEndsNot: Set<number>;
	/**
	 * The analyzer's rule plans, filled as lines ask: by `first byte << 6 | hint bits`, 0 not
	 * planned yet, 1 no rule can match, else 2 + the plan's index in `planList`. Allocated with
	 * the language, never replaced: V8 throws away optimized code that saw a field change type.
	 */
	planIds: Int16Array;
	planList: RulePlan[];
}

/** `src` without its `(?!…)` groups (balanced), for reading which words a rule spells out. */
function withoutNegativeLookaheads(src: string): string {
	let out = '';
	for (let i = 0; i < src.length; i++) {
		if (src[i] === '\\') {
			out += src.slice(i, i + 2);
			i++;
			continue;
		}
		if (src.startsWith('(?!', i)) {
			let depth = 0;
			for (; i < src.length; i++) {
				if (src[i] === '\\') i++;
				else if (src[i] === '(') depth++;
				else if (src[i] === ')' && --depth === 0) break;
			}
			continue;
		}
		out += src[i];
	}
	return out;
}

/** A small-integer hash of an ASCII word (the analyzer computes the same over bytes). */
export function packWord(w: string): number {
	let h = w.length;
	for (let k = 0; k < w.length; k++) h = (h * 31 + w.charCodeAt(k)) & 0x3fffffff;
	return h;
}

const compiled = new Map<LanguageDef, CompiledLanguage>();

const enc = new TextEncoder();

function stringToken(r: StringRule): Token {
	const esc = r.escape ?? '\\';
	return {
		kind: TokenKind.String,
		open: enc.encode(r.open),
		close: enc.encode(r.close),
		escape: esc === '' ? -1 : esc.charCodeAt(0),
		doubled: r.doubledCloseEscapes === true,
		multiline: r.multiline === true,
		interpOpen: r.interpolation !== undefined ? enc.encode(r.interpolation[0]) : undefined,
		interpClose: r.interpolation !== undefined ? r.interpolation[1].charCodeAt(0) : -1,
		stop: NO_STOP,
	};
}

const NO_STOP = new Uint8Array(256);

/** The language compiled for the analyzer; cached, so each language is compiled once. */
export function compileLanguage(def: LanguageDef): CompiledLanguage {
	const hit = compiled.get(def);
	if (hit !== undefined) return hit;
	const tokens: Token[] = [];
	const none = new Uint8Array(0);
	for (const l of def.lineComments ?? []) {
		tokens.push({ kind: TokenKind.LineComment, open: enc.encode(l), close: none, escape: -1, doubled: false, multiline: false, interpOpen: undefined, interpClose: -1, stop: NO_STOP });
	}
	for (const [o, c] of def.blockComments ?? []) {
		tokens.push({ kind: TokenKind.BlockComment, open: enc.encode(o), close: enc.encode(c), escape: -1, doubled: false, multiline: true, interpOpen: undefined, interpClose: -1, stop: NO_STOP });
	}
	// Doc strings before strings with the same opener: at a statement start the doc-string
	// reading wins (the analyzer falls back to the string rule elsewhere).
	for (const [o, c] of def.docStrings ?? []) {
		tokens.push({ kind: TokenKind.DocString, open: enc.encode(o), close: enc.encode(c), escape: 0x5c, doubled: false, multiline: true, interpOpen: undefined, interpClose: -1, stop: NO_STOP });
	}
	for (const s of def.strings ?? []) tokens.push(stringToken(s));
	if (def.docStringRule === 'cloc') {
		for (const m of ['/*', '*/']) tokens.push({ kind: TokenKind.ClocMarker, open: enc.encode(m), close: none, escape: -1, doubled: false, multiline: false, interpOpen: undefined, interpClose: -1, stop: NO_STOP });
	}
	for (const t of tokens) {
		if (t.kind === TokenKind.LineComment || t.kind === TokenKind.ClocMarker) continue;
		const stop = new Uint8Array(256);
		stop[0x0a] = 1;
		stop[0x0d] = 1;
		if (t.escape >= 0) stop[t.escape] = 1;
		if (t.close.length > 0) stop[t.close[0]] = 1;
		stop[t.open[0]] = 1;
		if (t.interpOpen !== undefined) stop[t.interpOpen[0]] = 1;
		if (def.docStringRule === 'cloc') {
			for (const ch of ['/', '*', '"', "'"]) stop[ch.charCodeAt(0)] = 1;
			for (const [o, c] of def.docStrings ?? []) {
				stop[o.charCodeAt(0)] = 1;
				stop[c.charCodeAt(0)] = 1;
			}
		}
		t.stop = stop;
	}
	const docTokens = tokens.filter((t) => t.kind === TokenKind.DocString).sort((a, b) => b.open.length - a.open.length);
	const docFirst = new Uint8Array(256);
	for (const t of docTokens) {
		docFirst[t.open[0]] = 1;
		docFirst[t.close[0]] = 1;
		if (def.docStringRule === 'cloc') t.escape = -1; // cloc sees no escapes in doc strings
	}
	const codeClass = new Uint8Array(256);
	codeClass[0x20] = 1;
	codeClass[0x09] = 1;
	codeClass[0x0b] = 1;
	codeClass[0x0c] = 1;
	codeClass[0x0a] = 2;
	codeClass[0x0d] = 3;
	const tokensByFirst: (Token[] | undefined)[] = new Array(256).fill(undefined);
	for (const t of tokens) {
		if (t.open.length === 0) continue;
		const b = t.open[0];
		if (codeClass[b] === 1 || codeClass[b] === 2 || codeClass[b] === 3) continue;
		codeClass[b] = 4;
		(tokensByFirst[b] ??= []).push(t);
	}
	// Longest opener first, so `"""` wins over `"` and `///` over `//`; stable for equal lengths.
	for (const list of tokensByFirst) list?.sort((a, b) => b.open.length - a.open.length);
	// Structure hint bytes (see HINT_BITS) get class 5 so the analyzer records them.
	const hasStructure = (def.structure?.imports?.length ?? 0) + (def.structure?.classes?.length ?? 0) + (def.structure?.functions?.length ?? 0) > 0;
	const hintBit = new Uint8Array(256);
	if (hasStructure) {
		for (const [ch, bit] of Object.entries(HINT_BITS)) {
			const b = ch.charCodeAt(0);
			hintBit[b] = bit;
			if (codeClass[b] === 0) codeClass[b] = 5;
		}
	}
	const codeClassInterp = Uint8Array.from(codeClass);
	for (const t of tokens) {
		if (t.interpOpen !== undefined && t.interpClose !== undefined && t.interpClose >= 0) {
			codeClassInterp[t.interpClose] = 4;
			codeClassInterp[t.interpOpen[t.interpOpen.length - 1]] = 4;
		}
	}

	const skipTable = (cls: Uint8Array) => cls.map((k, b) => (k === 0 || k === 1 || k === 5 ? 1 | (hintBit[b] << 1) : 0));
	const s = def.structure ?? {};
	const compileRules = (srcs: string[] | undefined): CompiledRule[] =>
		(srcs ?? []).map((src) => {
			const { source, group } = numberNameGroup(src);
			return { re: new RegExp(source), group, litBit: 0, ...ruleAnalysis(src) };
		});
	const imports = compileRules(s.imports);
	const classes = compileRules(s.classes);
	const functions = compileRules(s.functions);
	const literals: string[] = [];
	for (const r of [...imports, ...classes, ...functions]) {
		if (r.lit === undefined) continue;
		const key = Buffer.from(r.lit).toString('latin1');
		let k = literals.indexOf(key);
		if (k === -1) k = literals.push(key) - 1;
		r.litBit = k < 31 ? 1 << k : 0;
	}
	// The function rules' words, for the stop words below (once per rule, not per rule and word).
	const spelled = (s.functions ?? []).map(withoutNegativeLookaheads);
	const structFirst = new Uint8Array(256);
	for (const r of [...imports, ...classes, ...functions]) for (let b = 0; b < 256; b++) structFirst[b] |= r.first[b];
	const c: CompiledLanguage = {
		def,
		codeClass,
		codeClassInterp,
		codeSkip: skipTable(codeClass),
		codeSkipInterp: skipTable(codeClassInterp),
		tokensByFirst,
		nested: def.nestedComments === true,
		docMode: def.docStringRule === 'statement' ? DocMode.Statement : def.docStringRule === 'cloc' ? DocMode.Cloc : DocMode.Anywhere,
		docTokens,
		docFirst,
		structFirst,
		hasStructure,
		flags:
			(def.regexLiterals === true ? LangFlag.RegexLiterals : 0) |
			(def.clocJoinedComments === true ? LangFlag.JoinedComments : 0) |
			(def.clocMergedComments === true ? LangFlag.MergedComments : 0) |
			(def.clocLineContinuation === true ? LangFlag.LineContinuation : 0) |
			(def.splicedLineComments === true ? LangFlag.SplicedLineComments : 0) |
			(def.unclosedBlockIsCode === true ? LangFlag.UnclosedBlockIsCode : 0),
		lineCommentByte: def.lineComments?.[0]?.charCodeAt(0) ?? -1,
		hintBit,
		imports,
		classes,
		functions,
		notFunctionNames: new Set(s.notFunctionNames ?? []),
		planIds: new Int16Array(hasStructure ? 256 << 6 : 0),
		planList: [],
		functionEndsNot: new Set([...(s.functionLineEndsNot ?? '')].map((ch) => ch.charCodeAt(0))),
		stopWords: new Map(
			(s.notFunctionNames ?? [])
				// A word a function rule itself spells out (`function` in `function f()`) may start a definition.
				.filter((w) => /^[\x21-\x7e]+$/.test(w) && !spelled.some((src) => src.includes(w)))
				.map((w) => [packWord(w), enc.encode(w)]),
		),
	};
	compiled.set(def, c);
	return c;
}

/**
 * The rule with its `(?<name>…)` group turned into a plain capturing group, and that group's
 * number: V8 builds a `groups` object for every match of a regex with named groups.
 */
export function numberNameGroup(src: string): { source: string; group: number } {
	let n = 0;
	let inClass = false;
	for (let i = 0; i < src.length; i++) {
		const ch = src[i];
		if (ch === '\\') {
			i++;
			continue;
		}
		if (inClass) {
			if (ch === ']') inClass = false;
			continue;
		}
		if (ch === '[') inClass = true;
		else if (ch === '(') {
			if (src.startsWith('(?<name>', i)) return { source: src.slice(0, i) + '(' + src.slice(i + 8), group: n + 1 };
			const capturing = src[i + 1] !== '?' || (src[i + 2] === '<' && src[i + 3] !== '=' && src[i + 3] !== '!');
			if (capturing) n++;
		}
	}
	throw new TypeError(`structure rule without a (?<name>…) group: ${src}`);
}

// --- first bytes of a structure rule -------------------------------------------------------------
//
// The analyzer decodes a line only when its first non-blank byte can start one of the
// language's rules. Rather than asking table authors for that set, it is read off the rule's
// regular expression: after the leading `^`, `(?!…)` look-aheads and `\s*`, the set of
// characters the rest can start with. The analysis is conservative: anything it does not
// understand yields "every byte", which is slower but never misses a match. Bytes >= 0x80 are
// always allowed (a rule could start with a non-ASCII character).

type ByteSet = Uint8Array;

function allBytes(): ByteSet {
	return new Uint8Array(256).fill(1);
}

/** A parsed part of a regex: first bytes, whether it can match empty, hint bytes every match holds. */
interface Parsed {
	set: ByteSet;
	nullable: boolean;
	/** `HINT_BITS` of the bytes every match of this part contains. */
	must: number;
	/** The longest literal text every match contains ('' when none is known). */
	lit: string;
	/** The character when the part is exactly one literal character. */
	ch?: string;
}

/**
 * Bytes whose presence in a line's code the analyzer records (as a bit mask) on its pass, so a
 * structure rule that needs one of them (a function rule needs `(`) is not even tried, and
 * the line not decoded, when the line has none.
 */
export const HINT_BITS: Readonly<Record<string, number>> = { '(': 1, '{': 2, '=': 4, ':': 8, '>': 32 };

/** Hint bit of "a string opens on this line" (a quote character in a rule). */
export const STRING_HINT = 16;

function hintOf(ch: string | undefined): number {
	if (ch === '"' || ch === "'" || ch === '`') return STRING_HINT;
	return ch === undefined ? 0 : (HINT_BITS[ch] ?? 0);
}

function longer(a: string, b: string): string {
	return b.length > a.length ? b : a;
}

/** Parses a regex source just enough to compute first-character sets and required hint bytes. */
class FirstSetParser {
	private i = 0;
	constructor(private readonly src: string) {}

	/** The whole pattern after the leading anchor, or undefined when not understood. */
	run(): Parsed | undefined {
		const s = this.src;
		if (s[this.i] !== '^') return undefined;
		this.i++;
		const r = this.alternation();
		return r === undefined || this.i !== s.length ? undefined : r;
	}

	// Each parse returns { set, nullable }: the first bytes and whether the part can match empty.
	private alternation(): Parsed | undefined {
		const set = new Uint8Array(256);
		let nullable = false;
		let must = -1;
		let lit: string | undefined;
		for (;;) {
			const seq = this.sequence();
			if (seq === undefined) return undefined;
			for (let b = 0; b < 256; b++) set[b] |= seq.set[b];
			nullable ||= seq.nullable;
			must &= seq.must;
			// A literal every branch has: only kept when there is one branch.
			lit = lit === undefined ? seq.lit : '';
			if (this.src[this.i] === '|') {
				this.i++;
				continue;
			}
			return { set, nullable, must, lit };
		}
	}

	private sequence(): Parsed | undefined {
		const set = new Uint8Array(256);
		let open = true; // still collecting: everything so far was nullable
		let must = 0;
		let best = '';
		let run = '';
		const s = this.src;
		while (this.i < s.length && s[this.i] !== '|' && s[this.i] !== ')') {
			const atom = this.atom();
			if (atom === undefined) return undefined;
			let nullable = atom.nullable;
			const q = s[this.i];
			// Literal runs: consecutive single characters, each exactly once (`a+` ends a run).
			if (atom.ch !== undefined && q !== '*' && q !== '?' && q !== '{') {
				run += atom.ch;
				if (q === '+') {
					best = longer(best, run);
					run = '';
				}
			} else {
				best = longer(best, run);
				run = '';
				if (!atom.nullable && q !== '*' && q !== '?' && q !== '{') best = longer(best, atom.lit);
			}
			if (q === '*' || q === '?') {
				nullable = true;
				this.i++;
			} else if (q === '+') {
				this.i++;
			} else if (q === '{') {
				const m = /^\{(\d+)(?:,\d*)?\}/.exec(s.slice(this.i));
				if (m === null) return undefined;
				if (m[1] === '0') nullable = true;
				this.i += m[0].length;
			}
			if (s[this.i] === '?') this.i++; // lazy quantifier
			if (!nullable) must |= atom.must;
			if (atom.skipBlanks) {
				// Leading blanks are skipped by the analyzer before the first byte is looked at.
				continue;
			}
			if (open) {
				for (let b = 0; b < 256; b++) set[b] |= atom.set[b];
				if (!nullable) open = false;
			}
		}
		best = longer(best, run);
		return { set, nullable: open, must, lit: best };
	}

	private atom(): (Parsed & { skipBlanks?: boolean }) | undefined {
		const s = this.src;
		const c = s[this.i];
		if (c === '(') {
			if (s.startsWith('(?!', this.i) || s.startsWith('(?=', this.i) || s.startsWith('(?<!', this.i) || s.startsWith('(?<=', this.i)) {
				// Look-around: skip it, it consumes nothing.
				this.i += s.startsWith('(?<', this.i) ? 4 : 3;
				if (this.alternation() === undefined || s[this.i] !== ')') return undefined;
				this.i++;
				return { set: new Uint8Array(256), nullable: true, must: 0, lit: '' };
			}
			if (s.startsWith('(?:', this.i)) this.i += 3;
			else if (s.startsWith('(?<', this.i)) {
				const close = s.indexOf('>', this.i);
				if (close === -1) return undefined;
				this.i = close + 1;
			} else this.i++;
			const r = this.alternation();
			if (r === undefined || s[this.i] !== ')') return undefined;
			this.i++;
			return r;
		}
		if (c === '[') return this.charClass();
		if (c === '\\') {
			const e = s[this.i + 1];
			this.i += 2;
			if (e === 's' && s[this.i] === '*') return { set: new Uint8Array(256), nullable: true, must: 0, lit: '', skipBlanks: true };
			const set = escapeSet(e);
			if (set === undefined) return undefined;
			if (isSingleEscape(e)) {
				const ch = String.fromCharCode(singleEscapeCode(e as string));
				return { set, nullable: false, must: hintOf(ch), lit: '', ch };
			}
			return { set, nullable: e === 'b' || e === 'B', must: 0, lit: '' };
		}
		if (c === '.') {
			this.i++;
			return { set: allBytes(), nullable: false, must: 0, lit: '' };
		}
		if (c === '^' || c === '$') {
			this.i++;
			return { set: new Uint8Array(256), nullable: true, must: 0, lit: '' };
		}
		if (c === '*' || c === '+' || c === '?' || c === '{' || c === ')' || c === '|' || c === undefined) return undefined;
		this.i++;
		const set = new Uint8Array(256);
		addChar(set, c.charCodeAt(0));
		return { set, nullable: false, must: hintOf(c), lit: '', ch: c };
	}

	/** A `\uXXXX` escape at the cursor: its code (the cursor moves past it); else undefined. */
	private unicodeEscape(): number | undefined {
		const s = this.src;
		if (s[this.i] !== '\\' || s[this.i + 1] !== 'u' || !/^[0-9A-Fa-f]{4}$/.test(s.slice(this.i + 2, this.i + 6))) return undefined;
		const code = parseInt(s.slice(this.i + 2, this.i + 6), 16);
		this.i += 6;
		return code;
	}

	private charClass(): Parsed | undefined {
		const s = this.src;
		this.i++;
		let negate = false;
		if (s[this.i] === '^') {
			negate = true;
			this.i++;
		}
		const set = new Uint8Array(256);
		let first = true;
		while (this.i < s.length && (s[this.i] !== ']' || first)) {
			first = false;
			let lo: number;
			const u = this.unicodeEscape();
			if (u !== undefined) lo = u;
			else if (s[this.i] === '\\') {
				const e = s[this.i + 1];
				this.i += 2;
				const es = escapeSet(e);
				if (es === undefined || e === 'b') return undefined;
				if (!isSingleEscape(e)) {
					for (let b = 0; b < 256; b++) set[b] |= es[b];
					continue;
				}
				lo = singleEscapeCode(e);
			} else {
				lo = s.charCodeAt(this.i);
				this.i++;
			}
			if (s[this.i] === '-' && s[this.i + 1] !== ']' && this.i + 1 < s.length) {
				this.i++;
				let hi: number;
				const hu = this.unicodeEscape();
				if (hu !== undefined) hi = hu;
				else if (s[this.i] === '\\') {
					const e = s[this.i + 1];
					if (!isSingleEscape(e)) return undefined;
					hi = singleEscapeCode(e);
					this.i += 2;
				} else {
					hi = s.charCodeAt(this.i);
					this.i++;
				}
				for (let b = lo; b <= hi && b < 256; b++) addChar(set, b);
				if (hi >= 128) for (let b = 128; b < 256; b++) set[b] = 1;
			} else addChar(set, lo);
		}
		if (s[this.i] !== ']') return undefined;
		this.i++;
		if (negate) for (let b = 0; b < 256; b++) set[b] ^= 1;
		// A class of quote characters only (`['"]`) means a string opens there.
		let quotesOnly = !negate;
		let any = false;
		for (let b = 0; b < 256 && quotesOnly; b++) {
			if (set[b] !== 1) continue;
			any = true;
			if (b !== 0x22 && b !== 0x27 && b !== 0x60) quotesOnly = false;
		}
		for (let b = 128; b < 256; b++) set[b] = 1;
		return { set, nullable: false, must: quotesOnly && any ? STRING_HINT : 0, lit: '' };
	}
}

function addChar(set: ByteSet, code: number): void {
	if (code < 128) set[code] = 1;
	else for (let b = 128; b < 256; b++) set[b] = 1; // any non-ASCII character starts with a byte >= 0x80
}

/** An escape standing for one character: `\.`, `\(`, `\t`… (not a class, boundary or back-reference). */
function isSingleEscape(e: string | undefined): boolean {
	if (e === undefined) return false;
	if (e === 't' || e === 'n' || e === 'r') return true;
	return !/[0-9A-Za-z]/.test(e);
}

function singleEscapeCode(e: string): number {
	if (e === 't') return 9;
	if (e === 'n') return 10;
	if (e === 'r') return 13;
	return e.charCodeAt(0);
}

function escapeSet(e: string | undefined): ByteSet | undefined {
	const set = new Uint8Array(256);
	if (e === undefined) return undefined;
	if (e === 'w' || e === 'd') {
		for (let b = 0x30; b <= 0x39; b++) set[b] = 1;
		if (e === 'w') {
			for (let b = 0x41; b <= 0x5a; b++) set[b] = 1;
			for (let b = 0x61; b <= 0x7a; b++) set[b] = 1;
			set[0x5f] = 1;
		}
		return set;
	}
	if (e === 'b' || e === 'B') return set; // zero-width
	if (e === 's') {
		for (const b of [9, 10, 11, 12, 13, 32]) set[b] = 1;
		for (let b = 128; b < 256; b++) set[b] = 1;
		return set;
	}
	if (e === 'W' || e === 'D' || e === 'S') return allBytes();
	if (isSingleEscape(e)) {
		addChar(set, singleEscapeCode(e));
		return set;
	}
	return undefined;
}

/** What `analyzeRule` says of a rule, packed as JSON: [first bytes as 64 hex digits (bit b of the set = byte b), need, literal or null, litLeading]. */
export type PackedRuleAnalysis = [string, number, string | null, 0 | 1 | 2];

/**
 * `analyzeRule` of every structure rule of the table, worked out when the bundles are built
 * (esbuild.mjs defines it); undefined where the code runs unbundled (tests), which analyze each
 * rule on first use. Why: the regular-expression parser behind `analyzeRule` gets hot enough in
 * every worker that V8 optimizes it there, ~60 ms of compile per worker for code that only
 * runs while languages are compiled.
 */
declare const WS_RULE_ANALYSIS: Record<string, PackedRuleAnalysis> | undefined;

/** `analyzeRule(src)`, from the build's table when it has the rule. */
function ruleAnalysis(src: string): ReturnType<typeof analyzeRule> {
	const pre = typeof WS_RULE_ANALYSIS === 'object' ? WS_RULE_ANALYSIS[src] : undefined;
	return pre !== undefined ? unpackRuleAnalysis(pre) : analyzeRule(src);
}

/** `analyzeRule` of every structure rule in the table, packed, by rule source (for esbuild.mjs). */
export function ruleAnalysisTable(): Record<string, PackedRuleAnalysis> {
	const out: Record<string, PackedRuleAnalysis> = {};
	for (const def of LANGUAGES) {
		const st = def.structure ?? {};
		for (const src of [...(st.imports ?? []), ...(st.classes ?? []), ...(st.functions ?? [])]) out[src] ??= packRuleAnalysis(analyzeRule(src));
	}
	return out;
}

export function packRuleAnalysis(a: ReturnType<typeof analyzeRule>): PackedRuleAnalysis {
	let hex = '';
	for (let b = 0; b < 256; b += 4) hex += (a.first[b] | (a.first[b + 1] << 1) | (a.first[b + 2] << 2) | (a.first[b + 3] << 3)).toString(16);
	return [hex, a.need, a.lit === undefined ? null : new TextDecoder().decode(a.lit), a.litLeading];
}

export function unpackRuleAnalysis(p: PackedRuleAnalysis): ReturnType<typeof analyzeRule> {
	const first = new Uint8Array(256);
	for (let k = 0; k < 64; k++) {
		const v = parseInt(p[0][k], 16);
		for (let j = 0; j < 4; j++) first[4 * k + j] = (v >> j) & 1;
	}
	return { first, need: p[1], lit: p[2] === null ? undefined : enc.encode(p[2]), litLeading: p[3] };
}

/** The bytes a line (after its leading blanks) can start with to match `src`; all when unknown. */
export function firstBytesOf(src: string): Uint8Array {
	return analyzeRule(src).first;
}

/**
 * What a structure rule's source says about the lines it can match: `first`, the bytes such a
 * line can start with after its blanks (all 256 when unknown), and `need`, the `HINT_BITS` of
 * bytes every match contains (0 when unknown).
 */
export function analyzeRule(src: string): { first: Uint8Array; need: number; lit: Uint8Array | undefined; litLeading: 0 | 1 | 2 } {
	let p: Parsed | undefined;
	try {
		p = new FirstSetParser(src).run();
	} catch {
		p = undefined;
	}
	if (p === undefined) return { first: allBytes(), need: 0, lit: undefined, litLeading: 0 };
	// Literals shorter than 3 bytes filter too little to pay for the search.
	const lit = p.lit.length >= 3 ? p.lit : undefined;
	return { first: finishFirst(p.set), need: p.must === -1 ? 0 : p.must, lit: lit === undefined ? undefined : enc.encode(lit), litLeading: lit === undefined ? 0 : literalIsLeading(src, lit) };
}

/**
 * What every match of `src` can have before `lit`: 1 when only word bytes and blanks, 2 when
 * also `=`, `:` and `.`, else 0. Read off the source: the literal is spelled once in it, and what
 * comes before it is `^`, `\s`, `\b`, `\w`, classes of word characters, groups, alternatives
 * and quantifiers `?*+` over plain words (and `=`, `:`, `\.`, `[\w.]`):
 * `^\s*(?:export\s+)?(?:async\s+)?function` is 1, `^\s*([A-Za-z_]\w*)\s*=\s*lambda` is 2.
 * The analyzer then only looks for the literal in a line's leading run of such bytes.
 */
export function literalIsLeading(src: string, lit: string): 0 | 1 | 2 {
	const at = src.indexOf(lit);
	if (at === -1 || src.indexOf(lit, at + 1) !== -1 || !/^[A-Za-z]+$/.test(lit)) return 0;
	const before = src
		.slice(0, at)
		.replace(/\(\?<[A-Za-z_]\w*>/g, '(')
		.replace(/\(\?:/g, '(')
		.replace(/\\[sbw]/g, '')
		.replace(/\[(?:[A-Za-z0-9_$.]|\\\.|[A-Za-z0-9]-[A-Za-z0-9])+\]/g, (cls) => (cls.includes('.') ? '=' : ''))
		.replace(/\\\./g, '=');
	if (!/^\^?[A-Za-z0-9_()|?*+=:]*$/.test(before)) return 0;
	return /[=:]/.test(before) ? 2 : 1;
}

function finishFirst(set: ByteSet): Uint8Array {
	for (let b = 128; b < 256; b++) set[b] = 1;
	// A rule that can match at a blank would see the blank skipped: allow everything then.
	if (set[0x20] === 1 || set[0x09] === 1) return allBytes();
	return set;
}
