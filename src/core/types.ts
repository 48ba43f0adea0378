// Shared data shapes of the core. Everything here is plain data (structured-clone safe), so it
// crosses worker-thread boundaries and is written to the index unchanged.

/** Line classes of one file or a sum of files. Invariant: `code + comment + blank === lines`. */
export interface LineCounts {
	lines: number;
	code: number;
	comment: number;
	blank: number;
}

/** A named declaration at a 1-based line. */
export interface SymbolRef {
	name: string;
	line: number;
}

/** What the line analyzer extracts besides counts. */
export interface Structure {
	/** Imported module names or paths, in file order (duplicates kept). */
	imports: string[];
	/** Class-like declarations; which kinds count is documented per language in the README. */
	classes: SymbolRef[];
	/** Functions, methods, constructors and named arrow functions. */
	functions: SymbolRef[];
}

/** Category of a language; categories are data in the language table. */
export type Category = 'code' | 'docs' | 'data' | 'config';

/** Result of analyzing one file's bytes. */
export interface FileAnalysis extends LineCounts, Structure {
	/** Language name (Linguist's where it has one); for unknown files the pseudo-language `ext:.foo` / `(no extension)`. */
	language: string;
	category: Category;
	/** True when the language was not recognised: only files, bytes and lines are meaningful (all lines count as code). */
	unknown?: boolean;
	/** Size in bytes of the file as read. */
	bytes: number;
}

/**
 * Why a path was skipped. Each skip is reported with its path; none stops a scan.
 * - `binary`: NUL byte in the first block.
 * - `too-large`: bigger than `maxFileSize`.
 * - `unreadable`: permission denied or another read error (message in `detail`).
 * - `vanished`: it was listed but was gone (ENOENT) when stat-ed or read.
 * - `symlink-loop`: a followed link leads back to a folder already on the walk's path.
 * - `dangling-symlink`: a followed link whose target does not exist.
 * - `unreadable-folder`: a folder that could not be listed.
 * - `special`: a socket, FIFO or device.
 */
export type SkipReason =
	| 'binary'
	| 'too-large'
	| 'unreadable'
	| 'vanished'
	| 'symlink-loop'
	| 'dangling-symlink'
	| 'unreadable-folder'
	| 'special';

export interface Skipped {
	/** Path relative to its root, '/' separators (absolute when it is a root itself). */
	path: string;
	reason: SkipReason;
	detail?: string;
}

/** One file as the walker yields it. */
export interface WalkEntry {
	/** Absolute path on disk. */
	absPath: string;
	/** Path relative to the root, with '/' separators. */
	relPath: string;
	/** Index of the root in the roots array given to the walk. */
	root: number;
	size: number;
	mtimeMs: number;
}

/** One file's record in scan results and in the index. */
export interface FileRecord extends FileAnalysis {
	/** Relative to its root, '/' separators. */
	path: string;
	/** Index of the root in the scan's `roots`. */
	root: number;
	size: number;
	mtimeMs: number;
}

/** Counts summed over a set of files. */
export interface Totals extends LineCounts {
	files: number;
	bytes: number;
}

/** Per-language (or per-category) totals including structure counts. */
export interface LanguageTotals extends Totals {
	name: string;
	category: Category;
	imports: number;
	classes: number;
	functions: number;
	/** True for the pseudo-languages of unknown files. */
	unknown?: boolean;
}

export interface FolderTotals extends Totals {
	/** Root index. */
	root: number;
	/** Folder path relative to its root, '' for the root itself. */
	path: string;
}

/** Options of the analyzer (per file). */
export interface AnalyzeOptions {
	/**
	 * Count Python (and other languages') doc strings as code instead of comments.
	 * @default false — doc strings are comments, as cloc and scc count them.
	 */
	docstringsAsCode?: boolean;
	/**
	 * Count lines the way cloc counts them by default, in the languages it reads without strings
	 * (`clocStringBlind`: C, C++, C#, JavaScript, TypeScript, Go, Rust, PHP, Kotlin, Swift,
	 * Scala, Dart, CSS, SCSS, Less): a comment marker inside a string, template or regular
	 * expression starts a comment (the `/*` of a glob such as `src/**\/*.ts`), block comments
	 * do not nest, and a `/*` with no `*\/` after it anywhere in the file is code. Wrong in
	 * those languages, but it reproduces cloc's numbers. The structure is still read with the
	 * language's strings.
	 * @default false — comment markers inside strings are ignored.
	 */
	likeCloc?: boolean;
	/**
	 * Files bigger than this many bytes are skipped as `too-large`. 0 means no limit.
	 * @default 16 MiB
	 */
	maxFileSize?: number;
	/** Extension (with dot, lower case) → language name, overriding the table. */
	languageOverrides?: Record<string, string>;
}

/** Options of the walker. */
export interface WalkOptions {
	/** Globs (picomatch, matched against root-relative '/' paths); empty means everything. */
	include?: string[];
	/** Globs of files and folders to leave out; a matching folder is pruned. */
	exclude?: string[];
	/** Read `.gitignore` and `.ignore` files. @default true */
	respectIgnoreFiles?: boolean;
	/** Follow symbolic links (loops are detected by device + inode). @default false */
	followSymlinks?: boolean;
	/** Abort the walk. */
	signal?: AbortSignal;
}

export interface ScanOptions extends WalkOptions, AnalyzeOptions {
	/** Worker threads for analysis; 0 or 1 means analyze on the calling thread. @default number of cores */
	jobs?: number;
	/** Called now and then with progress (files done so far). */
	onProgress?: (p: { files: number; bytes: number }) => void;
	logger?: Logger;
}

/** Milliseconds per phase of a scan. */
export interface Timing {
	totalMs: number;
	[phase: string]: number;
}

/** Logger interface shaped like VS Code's LogOutputChannel, so the host can pass its channel. */
export interface Logger {
	trace(message: string, ...args: unknown[]): void;
	debug(message: string, ...args: unknown[]): void;
	info(message: string, ...args: unknown[]): void;
	warn(message: string, ...args: unknown[]): void;
	error(message: string | Error, ...args: unknown[]): void;
}

export const silentLogger: Logger = {
	trace() {},
	debug() {},
	info() {},
	warn() {},
	error() {},
};

/**
 * An error of the system, not of this program: a failed system call, with an errno code such
 * as `EACCES`, `ENOSPC`, `EISDIR`, or a Node `SystemError` naming its system call (`rm` of a
 * folder: `ERR_FS_EISDIR`). Node's other `ERR_…` codes, like `ERR_INVALID_ARG_TYPE`, are bugs
 * and do not count. Reported to the user in one line; other errors keep their stack trace.
 */
export function isSystemError(e: unknown): e is NodeJS.ErrnoException {
	if (!(e instanceof Error)) return false;
	const { code, syscall } = e as { code?: unknown; syscall?: unknown };
	return typeof code === 'string' && (/^E[A-Z0-9]+$/.test(code) || typeof syscall === 'string');
}

// --- the language table (src/core/languages.json) -------------------------------------------

/** A string literal form. Delimiters are matched literally, longest first. */
export interface StringRule {
	/** Opening delimiter, e.g. `"`, `'`, `` ` ``, `@"`, `r#"`, `"""`. */
	open: string;
	/** Closing delimiter. */
	close: string;
	/**
	 * Escape character inside the string: the byte after it never closes the string.
	 * `""` (empty) for raw/verbatim strings with no escapes. @default "\\"
	 */
	escape?: string;
	/**
	 * Doubling the closing delimiter escapes it (C# verbatim `@"a""b"`, SQL `'it''s'`).
	 * @default false
	 */
	doubledCloseEscapes?: boolean;
	/** The string may span lines (template literals, raw strings, heredoc-like). @default false:
	 * an unterminated single-line string ends at the end of the line. */
	multiline?: boolean;
	/**
	 * Interpolated expressions inside the string: `[open, close]`, e.g. `["${", "}"]` for
	 * JavaScript template literals. Between them is code (strings, comments and nested
	 * templates included) until the `close` byte that balances the last byte of `open`.
	 * Optional; added by the analyzer. @default none
	 */
	interpolation?: [string, string];
}

/**
 * Structure rules. Each entry is a regular-expression source (JavaScript syntax, no flags)
 * tested against one decoded line that starts in code state; it must have a named group
 * `name` (for imports: the module or path). A line is tested only when its first
 * non-blank character could start a match (derived lazily from the rules' `first` lists
 * or, when absent, tested always).
 */
export interface StructureRules {
	imports?: string[];
	classes?: string[];
	functions?: string[];
	/** Names a function rule must never report (keywords that look like calls: `if`, `for`, `while`, `switch`, `catch`, …). */
	notFunctionNames?: string[];
	/**
	 * Characters a line's code may not end with for the function rules to be tried (C/C++:
	 * `;` and `,` end prototypes, calls and declarations, never a definition's first line).
	 * A speed filter; optional, added by the analyzer. @default none
	 */
	functionLineEndsNot?: string;
}

/** One language of the table. Names and extensions follow GitHub Linguist where it has them. */
export interface LanguageDef {
	/** Linguist's name, e.g. `Python`, `C++`, `Shell`. */
	name: string;
	category: Category;
	/** Extensions with the leading dot, lower case, e.g. `.py`. Longest match wins (`.d.ts` before `.ts`). */
	extensions?: string[];
	/** Exact file names (case-sensitive), e.g. `Makefile`, `Dockerfile`. */
	filenames?: string[];
	/** Interpreters named by a `#!` first line, e.g. `python3`, `node`, `bash` (also via `/usr/bin/env`). */
	interpreters?: string[];
	/** Line comment markers, e.g. `//`, `#`, `--`. */
	lineComments?: string[];
	/** Block comment delimiter pairs, e.g. `[["/*", "*\/"]]`. */
	blockComments?: [string, string][];
	/** Block comments nest (Rust, Swift, Kotlin, Haskell…). @default false */
	nestedComments?: boolean;
	/** String forms; comment markers inside them are ignored. */
	strings?: StringRule[];
	/**
	 * Doc-string delimiters (Python's triple quotes). Lines holding only doc-string text count
	 * as comments unless `docstringsAsCode` is set; a line with code before the opening
	 * delimiter is code.
	 */
	docStrings?: [string, string][];
	/**
	 * Where a doc-string delimiter opens a doc string (optional; added by the analyzer):
	 * - `anywhere`: in code state, wherever it stands; a line with code before the opening
	 *   delimiter (or after the closing one) is code, the other lines are doc-string text.
	 * - `statement`: only as the first non-blank of a line (PEP 257 style); elsewhere the same
	 *   delimiter opens an ordinary string, which is code.
	 * - `cloc`: as cloc reads Python: like `anywhere`, and also inside ordinary strings
	 *   (`'"""'` opens one), a doc string ends at the next delimiter of any kind, and
	 *   backslashes escape nothing in it. Not correct Python, but what cloc counts.
	 * @default 'anywhere'
	 */
	docStringRule?: 'anywhere' | 'statement' | 'cloc';
	/**
	 * As cloc counts this language (its "EOL continuation" languages: C, C++, JavaScript,
	 * Python, Shell, Go, Ruby…), a whitespace-only line right after a line ending with `\` is
	 * not blank: code, or comment inside a block comment or doc string. Optional; added by the
	 * analyzer. @default false
	 */
	clocLineContinuation?: boolean;
	/**
	 * As cloc counts its C-family languages: it joins each line that ends with `\` to the next,
	 * then removes comments from the text. So a comment-only line right after a line ending
	 * with `\` in code is left empty, and cloc keeps an empty line after a `\` line as code
	 * (Boost ends its macros so: `#define M(x) \`, then a line with an empty block comment).
	 * And a block comment over several lines leaves one line, what stands before its opener
	 * and after its closer: a closing line with code after it, of a comment opened after
	 * code, is comment (that code counts on the opening line). Implies `clocLineContinuation`
	 * and `clocMergedComments`. Optional; added by the analyzer. @default false
	 */
	clocJoinedComments?: boolean;
	/**
	 * As cloc counts every language whose block comments it removes with its C or C++ pattern
	 * (Java, Rust, Kotlin, PHP, CSS…, also those without `\` joins): a block comment over
	 * several lines leaves one line, what stands before its opener and after its closer. So
	 * a closing line with code after it, of a comment opened after code, is comment (that code
	 * counts on the opening line): `x = 1; /* a` / `b *\/ y = 2;` is 1 code and 1 comment line.
	 * Implied by `clocJoinedComments`. @default false
	 */
	clocMergedComments?: boolean;
	/**
	 * `/…/` regular expression literals (JavaScript family): a `/` that cannot be a division
	 * (judged by the byte before it) starts one, skipped to its closing `/` on the same line, so
	 * quotes and comment markers inside it are inert. Optional; added by the analyzer.
	 * @default false
	 */
	regexLiterals?: boolean;
	/**
	 * cloc reads this language without strings by default (its `rm_comments_in_strings` filters
	 * run only with `--strip-str-comments`), so a comment marker inside a string starts a
	 * comment to it. With the `likeCloc` option the counts follow that reading (see
	 * `AnalyzeOptions.likeCloc`). @default false
	 */
	clocStringBlind?: boolean;
	/**
	 * A block-comment opener with no closer after it anywhere in the file is code, not a
	 * comment to the end of the file: cloc removes comments with a regular expression, which
	 * needs the closer. Set by the analyzer for its cloc reading (`likeCloc`). @default false
	 */
	unclosedBlockIsCode?: boolean;
	/**
	 * A line whose `//` comment ends with `\` is joined by the next non-blank line (and on,
	 * while those end so): one line, code when either part has code, and the joined line counts
	 * as comment. cloc does so: it leaves out the line break after a line ending with `\`
	 * before it removes comments, and the comment pattern takes the next line break. Set by the
	 * analyzer for its cloc reading (`likeCloc`). @default false
	 */
	splicedLineComments?: boolean;
	/** Line comment markers only count at the start of a line (after blanks), e.g. Fortran-like or `rem`. @default false */
	lineCommentsAtStartOnly?: boolean;
	structure?: StructureRules;
	/** Free text shown in docs: which declarations count as classes and functions. */
	structureNotes?: string;
}

/**
 * `v` as V8 holds an integer best: a small integer in the field, not a pointer to a boxed
 * double. A number read from a Float64Array (the packed results of the analysis workers, the
 * index load's parsed numbers, an `fs.Stats`) is a boxed double even when it is whole, and one
 * such value stored in a record's field turns that field into a boxed double in *every* record
 * of the same shape: 16 more bytes and one more object for the collector per field and record
 * (the index load's records were 412 bytes each, 300 with their counts held this way). Numbers
 * that are not 32-bit integers (an mtime, a size past 2 GiB) are returned as they are.
 */
export function smallInt(v: number): number {
	return v === (v | 0) ? v | 0 : v;
}
