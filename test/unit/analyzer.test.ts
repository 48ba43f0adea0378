// Line analyzer: hand-worked cases for every hard case. Expected classes are written per line
// (C code, M comment, B blank), worked out by reading the input, never computed by the analyzer.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
	analyzeBuffer,
	analyzeWithLanguage,
	classifyLines,
	DEFAULT_MAX_FILE_SIZE,
	BLANK_LINE,
	CODE_LINE,
	COMMENT_LINE,
} from '../../src/core/analyzer';
import type { AnalyzeResult } from '../../src/core/analyzer';
import type { AnalyzeOptions, FileAnalysis, LanguageDef } from '../../src/core/types';

const CLASS_LETTER: Record<number, string> = { [BLANK_LINE]: 'B', [CODE_LINE]: 'C', [COMMENT_LINE]: 'M' };

/** The analyzer's classes of `text` as a string like 'CMB'. */
function classesOf(fileName: string, text: string | Buffer, opts?: AnalyzeOptions): string {
	const { result, classes } = classifyLines(typeof text === 'string' ? Buffer.from(text) : text, fileName, opts);
	assert.ok(result.ok, `analysis failed: ${JSON.stringify(result)}`);
	return classes.map((c) => CLASS_LETTER[c]).join('');
}

function ok(r: AnalyzeResult): FileAnalysis {
	assert.ok(r.ok, `analysis failed: ${JSON.stringify(r)}`);
	return r.analysis;
}

function counts(fileName: string, text: string | Buffer, opts?: AnalyzeOptions): [number, number, number, number] {
	const a = ok(analyzeBuffer(typeof text === 'string' ? Buffer.from(text) : text, fileName, opts));
	return [a.lines, a.code, a.comment, a.blank];
}

describe('line classes', () => {
	it('Python: comment markers inside strings are code, a shebang is code', () => {
		const src = [
			'#!/usr/bin/env python3', // C: shebang
			'# a comment', // M
			's = "# not a comment"', // C
			"t = '# neither'  # but this is", // C: code + trailing comment
			'', // B
			'    ', // B: whitespace only
			'u = 1', // C
		].join('\n') + '\n';
		assert.equal(classesOf('a.py', src), 'CMCCBBC');
	});

	it('Python docstrings are comments by default and code with docstringsAsCode', () => {
		const src = [
			'def f():', // C
			'    """Summary.', // M (doc)
			'', // B
			'    More text.', // M
			'    """', // M
			'    return 1', // C
			'x = """a', // C: code before the opening quotes
			'b"""', // M: doc-string text only
			"y = f('''z''')", // C
		].join('\n') + '\n';
		assert.equal(classesOf('a.py', src), 'CMBMMCCMC');
		assert.equal(classesOf('a.py', src, { docstringsAsCode: true }), 'CCBCCCCCC');
	});

	it('JavaScript: markers in strings, regex literals and templates are ignored; code + trailing comment is code', () => {
		const src = [
			'const a = "/* not a comment";', // C
			"const b = 'http://example.com'; // real comment", // C
			'// whole-line comment', // M
			'/* block', // M
			'   still block */', // M
			'const re = /["\'`]/g; // quotes in a regex', // C
			'const t = `line one', // C (template literal spans lines)
			'/* inside the template */', // C: template text is string, i.e. code
			'${x /* comment in ${} */}`;', // C
			'const n = `a ${`/*`} b`; /* c */', // C: nested template holds /*
			'x = 1 /* c */ + 2;', // C
		].join('\n');
		assert.equal(classesOf('a.js', src), 'CCMMMCCCCCC');
	});

	it('JavaScript: a backslash before a line break does not make a regex span lines', () => {
		// Found by the line-ending property: `(/\` + LF once swallowed the line break. (A
		// comment-only line right after it would be code, as cloc counts it: see below.)
		for (const eol of ['\n', '\r\n', '\r']) assert.equal(classesOf('a.js', `x = (/\\${eol}y(); /* c${eol}*/${eol}z();`), 'CCMC', JSON.stringify(eol));
	});

	// Each case checked against cloc 1.96 (`cloc --skip-uniqueness`), which joins a line ending
	// with `\` to the next and then removes comments from the text: an emptied line right after
	// a `\` line stays, as code, and a comment over several lines leaves one line.
	it('C family: a comment-only line right after a line ending with `\\` in code is code, as cloc counts it', () => {
		const cases: [string, string[], string][] = [
			// Boost's idiom: an empty block comment ends a macro.
			['a.hpp', ['#define A(x) \\', '  foo(x) \\', '/**/', 'int y;'], 'CCCC'],
			['e.c', ['int q; \\', '// doc', 'int c;'], 'CCC'],
			// Over several lines: the comment's first line is the one cloc keeps…
			['c.c', ['#define X(a) \\', '/* multi', '   line */', 'int c;'], 'CCMC'],
			// …unless code follows the closer: that is the line kept (and is code anyway).
			['d.c', ['#define X(a) \\', '/* multi', '   line */ y', 'int c;'], 'CMCC'],
			['f.c', ['int q; \\', '/* a */ /* b', ' c */', 'int c;'], 'CCMC'],
			['g.c', ['x = 1 \\', '  /* a', ' */ \\', '/* b */', 'int c;'], 'CMCCC'],
			// The `\\` is comment, not code: the next comment line stays comment.
			['b.c', ['int a; // c \\', '/* x */', 'int b;'], 'CMC'],
			// A line comment ending with `\` leaves no line (its pattern takes the kept line break).
			['n.c', ['int q; \\', '// doc \\', 'int c;'], 'CMC'],
			// A comment opened where one opened after code closed is still on that code's line.
			['s7.c', ['x = 1; /* a', 'b */ /* c', 'd */ y = 2;'], 'CMM'],
			['h.c', ['int a; /* x \\', '   y */', '/* z */'], 'CMM'],
			// No `\\` right before (the blank line after it is code, as cloc counts it): comment.
			['i.c', ['int a; \\', '', '/* z */', 'int b;'], 'CCMC'],
			['t.ts', ['const a = 1 + \\', '// c', 'b;'], 'CCC'],
		];
		for (const [name, lines, want] of cases) {
			for (const eol of ['\n', '\r\n']) assert.equal(classesOf(name, lines.join(eol) + eol), want, `${name} ${JSON.stringify(eol)}`);
			// The same without a line break at the end of the file.
			assert.equal(classesOf(name, lines.join('\n')), want, `${name} (no final line break)`);
		}
		// At the end of the file cloc drops such emptied lines (Perl's split drops trailing empty
		// fields): comment, not code; blank lines stay blank.
		for (const [name, text, want] of [
			['j.c', 'int a; \\\n/* z */\n', 'CM'],
			['k.c', 'int a; \\\n\n', 'CM'],
			['l.c', 'int a; \\\n/**/\n// end\n', 'CMM'],
			['m.c', 'int a; \\\n/* x\n */\n\n', 'CMMB'],
		]) {
			assert.equal(classesOf(name, text), want, name);
			// The counts too (counted apart from the classes).
			const letters = [...want];
			const lines = letters.length;
			assert.deepEqual(counts(name, text), [lines, letters.filter((x) => x === 'C').length, letters.filter((x) => x === 'M').length, letters.filter((x) => x === 'B').length], `${name} counts`);
		}
		// Not in languages cloc reads otherwise: a `#` comment after a `\\` line stays comment.
		assert.equal(classesOf('a.py', 'x = 1 + \\\n# c\ny = 2\n'), 'CMC');
		assert.equal(classesOf('A.java', 'int a; \\\n/* c */\nint b;\n'), 'CMC');
	});

	it('C family: a block comment that closes before code, on a later line than code it follows, leaves one code line (cloc)', () => {
		// cloc removes the comment from the text: the code before it and after it make one line.
		assert.equal(classesOf('m2.hpp', 'int a /* x\n y */ ;\nint f();\n'), 'CMC');
		assert.equal(classesOf('m.js', 'const a = b?.c ?? d; /* x\n y */ const e = 1;\n'), 'CM');
		// Three parts: still one code line.
		assert.equal(classesOf('n.c', 'a(); /* x\n*/ b(); /* y\n*/ c();\n'), 'CMM');
		// Nothing after the closer: the closing line is comment anyway.
		assert.equal(classesOf('o.c', 'a(); /* x\n y */\nb();\n'), 'CMC');
	});

	it('TypeScript: a division is not a regex', () => {
		const src = ['const r = a / b; const s = "x";', '// c', 'const q = (a) / 2 / c; // d'].join('\n');
		assert.equal(classesOf('a.ts', src), 'CMC');
	});

	it('C: block comments span lines; a comment opener inside a char or string is inert', () => {
		const src = [
			'/*', // M
			' * header', // M
			' */', // M
			'#include <stdio.h>', // C
			"char c = '\"'; /* a quote char */", // C
			'char *s = "/* no */ // no";', // C
			'int x; /* a', // C
			'b */', // M
			'/* a */ int y; /* b */', // C
			'', // B
		].join('\n') + '\n';
		assert.equal(classesOf('a.c', src), 'MMMCCCCMCB');
	});

	it('nested block comments where the language nests, not where it does not', () => {
		const nested: LanguageDef = { name: 'Nest', category: 'code', lineComments: ['//'], blockComments: [['/*', '*/']], nestedComments: true, strings: [{ open: '"', close: '"' }] };
		const flat: LanguageDef = { ...nested, name: 'Flat', nestedComments: false };
		const src = ['/* outer', '/* inner */', 'still comment */', 'code();', '/* a /* b */ c */ d();'].join('\n');
		const classes = (def: LanguageDef): string => {
			const cls: number[] = [];
			ok(analyzeWithLanguage(Buffer.from(src), def, undefined, cls));
			return cls.map((c) => CLASS_LETTER[c]).join('');
		};
		// Nesting: line 3 closes the outer comment; line 5 is one comment then code.
		assert.equal(classes(nested), 'MMMCC');
		// Flat: line 2 closes the comment, so line 3 is code (`still comment */`).
		assert.equal(classes(flat), 'MMCCC');
	});

	it('a language from the table that nests (Rust) nests', () => {
		assert.equal(classesOf('a.rs', '/* a /* b */ c */\nfn main() {}\n'), 'MC');
	});

	it('line endings: LF, CRLF, lone CR and mixed give the same classes', () => {
		const lines = ['# c', 'x = 1', '', 'y = 2  # t', '"""doc', 'more"""'];
		const expected = 'MCBCMM';
		for (const eol of ['\n', '\r\n', '\r']) {
			assert.equal(classesOf('a.py', lines.join(eol) + eol), expected, JSON.stringify(eol));
			assert.equal(classesOf('a.py', lines.join(eol)), expected, `no final newline, ${JSON.stringify(eol)}`);
		}
		assert.equal(classesOf('a.py', '# c\r\nx = 1\ry\n\n'), 'MCCB');
	});

	it('the last line counts without a newline; an empty file has 0 lines', () => {
		assert.deepEqual(counts('a.ts', 'a;\nb;'), [2, 2, 0, 0]);
		assert.deepEqual(counts('a.ts', 'a;\n'), [1, 1, 0, 0]);
		assert.deepEqual(counts('a.ts', '\n'), [1, 0, 0, 1]);
		assert.deepEqual(counts('a.ts', ''), [0, 0, 0, 0]);
		assert.deepEqual(counts('a.ts', '// c'), [1, 0, 1, 0]);
	});

	it('a UTF-8 BOM is skipped (a shebang after it still counts as code)', () => {
		const bom = Buffer.from([0xef, 0xbb, 0xbf]);
		assert.equal(classesOf('a.py', Buffer.concat([bom, Buffer.from('# c\nx = 1\n')])), 'MC');
		assert.equal(classesOf('a.py', Buffer.concat([bom, Buffer.from('#!/usr/bin/python\n# c\n')])), 'CM');
		assert.deepEqual(counts('a.py', bom), [0, 0, 0, 0]);
	});

	it('UTF-16 LE and BE with a BOM are decoded', () => {
		const text = '// ü comment\nconst s = "ß"; // x\n\n/* a\n b */\n';
		const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
		const be = Buffer.from(le);
		be.swap16();
		assert.equal(be[0], 0xfe);
		for (const buf of [le, be]) {
			assert.equal(classesOf('a.js', buf), 'MCBMM');
			const a = ok(analyzeBuffer(buf, 'a.js'));
			assert.equal(a.bytes, buf.length, 'bytes is the size on disk');
		}
	});

	it('UTF-32 LE and BE with a BOM are decoded (a UTF-32 LE BOM is not read as UTF-16)', () => {
		// 😀 is outside the BMP: one 4-byte unit in UTF-32, a surrogate pair in UTF-16.
		const text = '// ü comment\nconst s = "😀"; // x\n\n/* a\n b */\n';
		const cps = [0xfeff, ...[...text].map((c) => c.codePointAt(0)!)];
		const le = Buffer.alloc(cps.length * 4);
		const be = Buffer.alloc(cps.length * 4);
		cps.forEach((cp, i) => {
			le.writeUInt32LE(cp, i * 4);
			be.writeUInt32BE(cp, i * 4);
		});
		assert.deepEqual([...le.subarray(0, 4)], [0xff, 0xfe, 0, 0]);
		for (const buf of [le, be]) {
			assert.equal(classesOf('a.js', buf), 'MCBMM');
			const a = ok(analyzeBuffer(buf, 'a.js'));
			assert.equal(a.bytes, buf.length, 'bytes is the size on disk');
		}
		// A value that is no character (a lone surrogate) and a short last unit still make lines.
		const odd = Buffer.from([0xff, 0xfe, 0, 0, 0x78, 0, 0, 0, 0x0a, 0, 0, 0, 0x00, 0xd8, 0, 0, 0x0a, 0, 0, 0, 0x79, 0]);
		assert.deepEqual(counts('a.py', odd), [3, 3, 0, 0]);
	});

	it('a UTF-16 file with an odd last byte keeps it as a replacement character', () => {
		// BOM + one byte: half a code unit, U+FFFD (one line of code), not an empty file.
		assert.deepEqual(counts('a.py', Buffer.from([0xff, 0xfe, 0x41])), [1, 1, 0, 0]);
		assert.deepEqual(counts('a.py', Buffer.from([0xfe, 0xff, 0x00, 0x23, 0x00, 0x0a, 0x41])), [2, 1, 1, 0]);
	});

	it('binary files (NUL in the first 8 KiB) are skipped; a NUL later is not binary', () => {
		const r = analyzeBuffer(Buffer.from('abc\0def'), 'a.c');
		assert.deepEqual([r.ok, !r.ok && r.reason], [false, 'binary']);
		const late = Buffer.concat([Buffer.alloc(9000, 0x61), Buffer.from('\0\n')]);
		assert.equal(analyzeBuffer(late, 'a.c').ok, true);
	});

	it('files over maxFileSize are skipped as too-large; 0 means no limit', () => {
		assert.equal(DEFAULT_MAX_FILE_SIZE, 16 * 1024 * 1024);
		const buf = Buffer.from('x = 1\n'.repeat(10));
		const r = analyzeBuffer(buf, 'a.py', { maxFileSize: 59 });
		assert.deepEqual([r.ok, !r.ok && r.reason], [false, 'too-large']);
		assert.equal(analyzeBuffer(buf, 'a.py', { maxFileSize: 60 }).ok, true);
		assert.equal(analyzeBuffer(buf, 'a.py', { maxFileSize: 0 }).ok, true);
	});

	it('invalid UTF-8 does not crash and is counted byte by byte', () => {
		const buf = Buffer.from([0x78, 0x20, 0x3d, 0x20, 0xff, 0xfe, 0xc3, 0x0a, 0x23, 0x20, 0x80, 0x0a, 0xc0, 0xaf, 0x2f, 0x2a, 0x0a]);
		// 'x = \xff\xfe\xc3' code; '# \x80' comment; '\xc0\xaf/*' code (Python: `/*` means nothing… to Python)
		const a = ok(analyzeBuffer(buf, 'a.py'));
		assert.equal(a.lines, 3);
		assert.equal(a.code + a.comment + a.blank, 3);
		assert.equal(classesOf('a.c', Buffer.from([0xff, 0x0a, 0x2f, 0x2f, 0xfe, 0x0a])), 'CM');
	});

	it('a 10 MB single line is analyzed in linear time', () => {
		const big = Buffer.alloc(10 * 1024 * 1024, 0x61);
		big.write('def ', 0);
		const t0 = process.hrtime.bigint();
		const a = ok(analyzeBuffer(big, 'a.py'));
		const ms = Number(process.hrtime.bigint() - t0) / 1e6;
		assert.deepEqual([a.lines, a.code], [1, 1]);
		assert.ok(ms < 2000, `took ${ms} ms`);
		// A candidate line is decoded only up to a bounded length: the name is cut, not the run time.
		assert.equal(a.functions.length, 0);
		const quotes = Buffer.alloc(10 * 1024 * 1024, 0x22); // 10 MB of `"`: strings open and close
		assert.deepEqual(counts('a.js', quotes), [1, 1, 0, 0]);
	});

	it('pathological long lines stay linear (regex literal scans, structure rules)', () => {
		const cases: [string, string][] = [
			['a.js', '(/['.repeat(1_000_000)],
			['a.js', '`${'.repeat(1_000_000)],
			['a.py', ('"'.repeat(3) + "'").repeat(500_000)],
			['a.py', '/*'.repeat(1_000_000)],
			['a.c', 'int a' + '*&'.repeat(400) + ' b(x) y z\n'],
			['a.cpp', 'a' + ' *a'.repeat(300) + '(x) y z\n'],
		];
		for (const [f, text] of cases) {
			const t0 = process.hrtime.bigint();
			const a = ok(analyzeBuffer(Buffer.from(text), f));
			const ms = Number(process.hrtime.bigint() - t0) / 1e6;
			assert.equal(a.lines, 1);
			assert.ok(ms < 3000, `${f} ${JSON.stringify(text.slice(0, 12))}…: ${ms} ms`);
		}
	});

	it('unknown files count lines under their extension, non-blank lines as code', () => {
		const a = ok(analyzeBuffer(Buffer.from('a\n\n  # b\n'), 'dir/data.FOO'));
		assert.deepEqual([a.language, a.unknown, a.category, a.lines, a.code, a.comment, a.blank], ['ext:.foo', true, 'data', 3, 2, 0, 1]);
		const b = ok(analyzeBuffer(Buffer.from('x'), 'LICENSE_X'));
		assert.equal(b.language, '(no extension)');
	});
});

// `likeCloc`: cloc by default reads C, C++, JavaScript, TypeScript and the other C-like
// languages it does not give a filter of its own (C#, Go, Rust, PHP, Kotlin, Swift, Scala,
// Dart, CSS, SCSS, Less) without strings. Each
// case's classes were worked out by hand in that reading (a comment runs from a `/*` anywhere
// to the first `*\/` after it; a `/*` with none after it is code) and checked against cloc 1.96
// (`cloc --skip-uniqueness`): its code/comment/blank totals are in the comments.
describe('likeCloc: counts in cloc\'s string-blind reading', () => {
	const cases: [name: string, lines: string[], likeCloc: string, own: string][] = [
		// cloc 2 code, 2 comment: a glob in single quotes opens a comment a doc comment closes.
		['a.ts', ["const a = ['**/*.ts'];", 'const b = 1;', '/** doc */', 'function f() {}'], 'CMMC', 'CCMC'],
		// cloc 2/2: the closing line has code after it, joined to the opening line (comment).
		['b.ts', ["const a = { name: 'x /* y' };", 'const b = 1;', "const c = 'z */ w';", 'const d = 2;'], 'CMMC', 'CCCC'],
		// cloc 4/0: no `*/` after the `/*` anywhere: code.
		['c.ts', ['a();', "'x /* y'", 'b();', 'c();'], 'CCCC', 'CCCC'],
		// cloc 2/1: a template line that starts with `//` is a comment line to cloc.
		['d.js', ['const s = `', '// not a comment in JS', '`;'], 'CMC', 'CCC'],
		// cloc 1/2: double quotes are no string to it either.
		['e.c', ['printf("/* %d");', 'x = 1;', '/* real */'], 'CMM', 'CCM'],
		// cloc 1/2: nor regular expressions.
		['f.js', ['const r = /a\\/*/;', 'b();', '/* c */'], 'CMM', 'CCM'],
		// cloc 3 code, 0 comment, 1 blank: `//iu;` goes, the line then ends with `\`, so the line
		// the doc comment leaves (the blank line went first) is code.
		['g.js', ['const R = /^@.*\\//iu;', '', '/** doc */', 'f();'], 'CBCC', 'CBMC'],
		// cloc 2/1: the same before a line comment that itself ends with `\`: the next line joins
		// it (see the cases below), so the joined line is code and `y();` counts as comment.
		['h.js', ["x.replace(/\\//g, 'a');", '// note \\', 'y();'], 'CCM', 'CMC'],
		// cloc 2/2 (Go, C#): the same for the other string-blind languages.
		['s.go', ['let s = "/* not";', 'x = 1;', '// c */ y', 'z = 2;'], 'CMMC', 'CCMC'],
		['s.cs', ['let s = "/* not";', 'x = 1;', '// c */ y', 'z = 2;'], 'CMMC', 'CCMC'],
		// cloc 1/2 (CSS has no line comments).
		['s.css', ['a { b: "/*"; }', 'c { }', '/* */'], 'CMM', 'CCM'],
		// cloc 3/0 (Rust, Kotlin, Swift): cloc's comments do not nest; the language's do (1/2).
		['n.rs', ['/* a /* b */ c', 'd */', 'x = 1;'], 'CCC', 'MMC'],
		['n.kt', ['/* a /* b */ c', 'd */', 'x = 1;'], 'CCC', 'MMC'],
		['n.swift', ['/* a /* b */ c', 'd */', 'x = 1;'], 'CCC', 'MMC'],
		// A line whose `//` comment ends with `\` is joined by the next non-blank line: one line,
		// code when either part is; the joined line is comment (also with CRLF).
		// cloc 2/1: `x b` is the line left.
		['h.rs', ['a;', 'x // y \\', 'b'], 'CCM', 'CCC'],
		// cloc 2/1: a comment-only line joined by code is code.
		['i.rs', ['a;', '// y \\', 'b'], 'CCM', 'CMC'],
		// cloc 2 code, 1 comment, 1 blank: blank lines are gone before the join.
		['b.rs', ['x = 1; // a \\', '', 'y = 2;', 'z = 3;'], 'CBMC', 'CBCC'],
		// cloc 2/1: in Go (a `\` continuation language to cloc) the blank line after the `\` line
		// is kept as a line, and joins it.
		['a.go', ['x // a \\', '', 'y = 1;'], 'CMC', 'CCC'],
		// cloc 2/2: a chain.
		['m.rs', ['// a \\', '// b \\', 'c', 'd'], 'CMMC', 'MMCC'],
	];
	for (const [name, lines, likeCloc, own] of cases) {
		it(`${name}: ${lines.join(' | ')}`, () => {
			for (const eol of ['\n', '\r\n']) {
				const text = lines.join(eol) + eol;
				assert.equal(classesOf(name, text, { likeCloc: true }), likeCloc, `likeCloc ${JSON.stringify(eol)}`);
				assert.equal(classesOf(name, text), own, `default ${JSON.stringify(eol)}`);
			}
		});
	}

	it('the structure is still read with the language\'s strings', () => {
		const src = ["const g = '**/*.ts';", 'function f() {}', 'class K {}', '/** x */', ''].join('\n');
		const own = ok(analyzeBuffer(Buffer.from(src), 'a.ts'));
		const cl = ok(analyzeBuffer(Buffer.from(src), 'a.ts', { likeCloc: true }));
		assert.deepEqual([cl.code, cl.comment], [1, 3]);
		assert.deepEqual([own.code, own.comment], [3, 1]);
		assert.deepEqual(cl.functions, [{ name: 'f', line: 2 }]);
		assert.deepEqual(cl.classes, [{ name: 'K', line: 3 }]);
		assert.deepEqual(own.functions, cl.functions);
	});

	it('languages cloc reads with strings are not changed', () => {
		// Python (cloc's own reading already), and Java, whose cloc filter knows the strings that
		// end with a comment marker (cloc 2 code, 1 comment; it is not string-blind for Java).
		const py = ['s = "/* x"', 'y = 1', '# */', ''].join('\n');
		assert.equal(classesOf('a.py', py, { likeCloc: true }), classesOf('a.py', py));
		const java = ['String s = "**/*";', 'int y = 1;', '/* c */', ''].join('\n');
		assert.equal(classesOf('A.java', java, { likeCloc: true }), 'CCM');
	});

	it('a block comment over several lines leaves one line in every language cloc reads with its C pattern', () => {
		// cloc 1 code, 1 comment in each (the code after the closer joins the opening line),
		// Java, Rust, Kotlin, Scala, PHP, CSS, SCSS and SQL included, which have no `\` joins.
		for (const f of ['a.c', 'A.java', 'a.rs', 'a.kt', 'a.scala', 'a.php', 'a.css', 'a.scss', 'a.sql', 'a.go', 'a.swift', 'a.cs', 'a.dart', 'a.less']) {
			for (const likeCloc of [false, true]) assert.equal(classesOf(f, 'x = 1; /* a\nb */ y = 2;\n', { likeCloc }), 'CM', `${f} likeCloc ${likeCloc}`);
		}
	});
});

describe('structure', () => {
	it('Python: imports, classes, functions incl. methods, async and named lambdas', () => {
		const src = [
			'import os.path', // 1 import os.path
			'from .pkg import thing  # c', // 2 import .pkg
			'from a.b import (c,', // 3 import a.b
			'    d)', // 4
			'class A(Base):', // 5 class A
			'    """class Fake: in a doc string"""', // 6
			'    def m(self):', // 7 function m
			'        async def inner(): pass', // 8 function inner
			'    x = """', // 9
			'def not_this(): in a string', // 10: inside a string
			'"""', // 11
			'sq = lambda v: v * v', // 12 function sq
			'# def commented(): pass', // 13
			'class B: pass', // 14 class B
		].join('\n');
		const a = ok(analyzeBuffer(Buffer.from(src), 'm.py'));
		assert.deepEqual(a.imports, ['os.path', '.pkg', 'a.b']);
		assert.deepEqual(a.classes, [{ name: 'A', line: 5 }, { name: 'B', line: 14 }]);
		assert.deepEqual(a.functions, [{ name: 'm', line: 7 }, { name: 'inner', line: 8 }, { name: 'sq', line: 12 }]);
	});

	it("Python: the structure is Python's where cloc's reading parts from it; the counts stay cloc's", () => {
		// A `'''` inside an ordinary string opens a doc string to cloc (NumPy's crackfortran.py:
		// 59 functions lost after one `r".*?'''"`); cloc 1.96 counts this file as 5 code lines
		// (the doc string it sees never closes: code), ctags finds f, g and h.
		const a = ok(analyzeBuffer(Buffer.from(['def f(r):', '    if r[-3:] == "\'\'\'":', '        return 1', 'def g(): pass', 'def h(): pass', ''].join('\n')), 'q1.py'));
		assert.deepEqual([a.code, a.comment, a.blank], [5, 0, 0]);
		assert.deepEqual(a.functions.map((f) => [f.name, f.line]), [['f', 1], ['g', 4], ['h', 5]]);
		// cloc drops lines starting with `#` before it reads triple quotes, even inside a string:
		// the closing `"""` on `#endif""")` is not seen. cloc: 4 code, 1 comment; ctags: k, K.
		const b = ok(analyzeBuffer(Buffer.from(['import textwrap', 's = textwrap.dedent("""', '#endif""")', 'def k(): pass', 'class K: pass', ''].join('\n')), 'q2.py'));
		assert.deepEqual([b.code, b.comment, b.blank], [4, 1, 0]);
		assert.deepEqual(b.functions.map((f) => [f.name, f.line]), [['k', 4]]);
		assert.deepEqual(b.classes.map((f) => [f.name, f.line]), [['K', 5]]);
		assert.deepEqual(b.imports, ['textwrap']);
		// A `"""` in a comment after code opens a doc string to cloc, not to Python.
		const c = ok(analyzeBuffer(Buffer.from(['x = 1  # say """', 'def m(): pass', 'y = 2  # """', 'def n(): pass', ''].join('\n')), 'q3.py'));
		assert.deepEqual([c.code, c.comment, c.blank], [2, 2, 0]); // cloc 1.96: 2 code, 2 comment
		assert.deepEqual(c.functions.map((f) => [f.name, f.line]), [['m', 2], ['n', 4]]);
	});

	it('Python: names that are not ASCII (Python 3 identifiers)', () => {
		const src = ['class Über(object):', '    def cassé(self):', '        pass', 'def 数据(x): pass', 'def ascii_after(): pass'].join('\n');
		const a = ok(analyzeBuffer(Buffer.from(src), 'u.py'));
		assert.deepEqual(a.classes, [{ name: 'Über', line: 1 }]);
		assert.deepEqual(a.functions, [{ name: 'cassé', line: 2 }, { name: '数据', line: 4 }, { name: 'ascii_after', line: 5 }]);
	});

	it('TypeScript: imports, classes (not interfaces), functions, methods, constructors, arrows, getters', () => {
		const src = [
			"import { a } from './a';", // 1 ./a
			"import type { T } from '../t';", // 2 ../t
			"import './side-effect';", // 3 ./side-effect
			'import {', // 4
			'  b,', // 5
			"} from 'multi';", // 6 multi
			"export * from './re';", // 7 ./re
			"const fs = require('fs');", // 8 fs
			'export interface I { x: number; }', // 9 not a class
			'export abstract class K<T> extends B {', // 10 class K
			'  private n = 1;', // 11
			'  constructor(private x: string) {', // 12 function constructor
			'    super();', // 13
			'    if (x) {', // 14 not a function
			'    }', // 15
			'  }', // 16
			'  async load(id: string): Promise<void> {', // 17 function load
			'  get size(): number {', // 18 function size
			'  handler = async (e: Event) => {', // 19 function handler
			'}', // 20
			'export async function run(a: number) {', // 21 function run
			'export const add = (a: number, b: number): number => a + b;', // 22 function add
			'const inc = x => x + 1;', // 23 function inc
			'// function commented() {}', // 24
			'const s = `function fake() {}`;', // 25
			'foo(function () {', // 26 not named
		].join('\n');
		const a = ok(analyzeBuffer(Buffer.from(src), 'm.ts'));
		assert.deepEqual(a.imports, ['./a', '../t', './side-effect', 'multi', './re', 'fs']);
		assert.deepEqual(a.classes, [{ name: 'K', line: 10 }]);
		assert.deepEqual(
			a.functions.map((f) => `${f.name}@${f.line}`),
			['constructor@12', 'load@17', 'size@18', 'handler@19', 'run@21', 'add@22', 'inc@23'],
		);
	});

	it('C++: includes, classes/structs (not namespaces or forward declarations), function definitions', () => {
		const src = [
			'#include <vector>', // 1 vector
			'#include "a/b.h"', // 2 a/b.h
			'namespace ns {', // 3
			'class Fwd;', // 4 forward declaration
			'class Widget : public Base {', // 5 class Widget
			' public:', // 6
			'  explicit Widget(int n) : n_(n) {}', // 7 function Widget
			'  int size() const {', // 8 function size
			'    auto v = compute(1, 2);', // 9
			'    return helper(v);', // 10
			'  }', // 11
			'  ~Widget();', // 12 declaration only
			'};', // 13
			'struct Point {', // 14 class Point
			'static int twice(std::vector<int>& xs) {', // 15 function twice
			'  if (xs.empty()) {', // 16
			'int Widget::area(int w, int h)', // 17 function Widget::area
			'{', // 18
			'}  // namespace ns', // 19
		].join('\n');
		const a = ok(analyzeBuffer(Buffer.from(src), 'w.cpp'));
		assert.deepEqual(a.imports, ['vector', 'a/b.h']);
		assert.deepEqual(a.classes, [{ name: 'Widget', line: 5 }, { name: 'Point', line: 14 }]);
		assert.deepEqual(a.functions.map((f) => `${f.name}@${f.line}`), ['Widget@7', 'size@8', 'twice@15', 'Widget::area@17']);
	});

	it('C: includes, struct definitions, K&R and ANSI definitions, not prototypes or calls', () => {
		const src = [
			'#include <stdio.h>', // 1
			'struct node {', // 2 class node
			'  int v;', // 3
			'};', // 4
			'int add(int a, int b);', // 5 prototype
			'int main(void)', // 6 function main
			'{', // 7
			'  printf("%d\\n", add(1, 2));', // 8
			'  return 0;', // 9
			'}', // 10
		].join('\n');
		const a = ok(analyzeBuffer(Buffer.from(src), 'm.c'));
		assert.deepEqual(a.imports, ['stdio.h']);
		assert.deepEqual(a.classes, [{ name: 'node', line: 2 }]);
		assert.deepEqual(a.functions, [{ name: 'main', line: 6 }]);
	});

	it('comments inside a candidate line are left out; column-0 rules see the indentation; template functions count', () => {
		const ts = ok(analyzeBuffer(Buffer.from("import { a, /* b, */ c } from 'm1'; // x\nimport { d, /* open\n e */ f,\n} from 'm2';\n"), 'a.ts'));
		// Line 2's comment does not close on its line, so its text ends there; line 3 starts in the
		// comment (not a candidate); line 4 is the `} from` form.
		assert.deepEqual(ts.imports, ['m1', 'm2']);
		const cpp = ok(analyzeBuffer(Buffer.from('template <typename T> T minOf(T a, T b) {\n  return a < b ? a : b;\n}\n'), 'a.cpp'));
		assert.deepEqual(cpp.functions, [{ name: 'minOf', line: 1 }]);
		const def: LanguageDef = { name: 'Col0', category: 'code', lineComments: ['#'], structure: { imports: ['^use\\s+(?<name>\\w+)'] } };
		const a = ok(analyzeWithLanguage(Buffer.from('use top\n    use nested\n'), def));
		assert.deepEqual(a.imports, ['top']);
	});

	it('structure lines are 1-based physical lines whatever the line ending', () => {
		for (const eol of ['\n', '\r\n', '\r']) {
			const a = ok(analyzeBuffer(Buffer.from(['# c', '', 'def f():', '    pass'].join(eol)), 'a.py'));
			assert.deepEqual(a.functions, [{ name: 'f', line: 3 }], JSON.stringify(eol));
		}
	});
});
