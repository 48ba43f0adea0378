// Line analyzer: property tests over generated input, for every language of the table.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyzeBuffer, analyzeWithLanguage } from '../../src/core/analyzer';
import { getLanguageTable } from '../../src/core/languages';
import type { LanguageDef } from '../../src/core/types';

const LANGS = getLanguageTable();

/** Physical lines of a text, counted independently of the analyzer: split at CRLF, CR or LF. */
function physicalLines(bytes: Uint8Array): number {
	let n = 0;
	let partial = false;
	for (let i = 0; i < bytes.length; i++) {
		const b = bytes[i];
		if (b === 0x0d || b === 0x0a) {
			n++;
			partial = false;
			if (b === 0x0d && bytes[i + 1] === 0x0a) i++;
		} else partial = true;
	}
	return n + (partial ? 1 : 0);
}

/** Pieces that exercise every delimiter kind the table uses, plus ordinary text. */
const PIECES = [
	'/*', '*/', '//', '#', '--', '<!--', '-->', '"""', "'''", '"', "'", '`', '${', '}', '{', '\\', '(*', '*)',
	'{-', '-}', '=begin', '=end', '%', ';', 'rem ', '@"', 'r"', 'R"(', ')"', 'x', 'def f():', 'class A:', ' ', '\t',
	'import a', 'function g() {', '#!/bin/sh', 'ü', '\u00a0', '=', '/', '*', '<', '>', ':', '(', ')',
];
const textArb = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.constantFrom('\n', '\r\n', '\r')), { maxLength: 60 }).map((a) => a.join(''));
const linesArb = fc.array(fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }).map((a) => a.join('')), { minLength: 1, maxLength: 12 });

function classesOf(def: LanguageDef, buf: Buffer): number[] {
	const classes: number[] = [];
	const r = analyzeWithLanguage(buf, def, undefined, classes);
	assert.ok(r.ok);
	return classes;
}

describe('analyzer properties (every language of the table)', () => {
	it('code + comment + blank = lines = physical lines, on arbitrary bytes', () => {
		for (const def of LANGS) {
			fc.assert(
				fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), textArb.map((s) => new Uint8Array(Buffer.from(s)))), fc.boolean(), (bytes, docAsCode) => {
					const buf = Buffer.from(bytes);
					const r = analyzeWithLanguage(buf, def, { docstringsAsCode: docAsCode });
					if (!r.ok) {
						assert.equal(r.reason, 'binary');
						assert.ok(buf.includes(0));
						return;
					}
					const a = r.analysis;
					assert.equal(a.code + a.comment + a.blank, a.lines, `${def.name}: ${JSON.stringify(buf.toString('latin1'))}`);
					const bom = buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff) || (buf[0] === 0xef && buf[1] === 0xbb));
					if (!bom) assert.equal(a.lines, physicalLines(buf), `${def.name}: ${JSON.stringify(buf.toString('latin1'))}`);
					for (const s of [...a.classes, ...a.functions]) assert.ok(s.line >= 1 && s.line <= a.lines);
				}),
				{ numRuns: 150 },
			);
		}
	});

	it('likeCloc, in the languages cloc reads without strings: the invariant, the same classes for every line ending, the default reading\'s structure', () => {
		const blind = LANGS.filter((d) => d.clocStringBlind === true);
		assert.ok(blind.length >= 4, blind.map((d) => d.name).join());
		for (const def of blind) {
			fc.assert(
				fc.property(linesArb, fc.boolean(), (lines, finalEol) => {
					const results = ['\n', '\r\n', '\r'].map((eol) => {
						const b = Buffer.from(lines.join(eol) + (finalEol ? eol : ''));
						const classes: number[] = [];
						const r = analyzeWithLanguage(b, def, { likeCloc: true }, classes);
						const own = analyzeWithLanguage(b, def);
						assert.ok(r.ok && own.ok);
						const a = r.analysis;
						assert.equal(a.code + a.comment + a.blank, a.lines, `${def.name}: ${JSON.stringify(lines)}`);
						assert.equal(classes.length, a.lines);
						assert.deepEqual([a.imports, a.classes, a.functions], [own.analysis.imports, own.analysis.classes, own.analysis.functions]);
						return classes;
					});
					assert.deepEqual(results[1], results[0], `${def.name} CRLF: ${JSON.stringify(lines)}`);
					assert.deepEqual(results[2], results[0], `${def.name} CR: ${JSON.stringify(lines)}`);
				}),
				{ numRuns: 200 },
			);
		}
	});

	it('LF, CRLF and lone CR line endings give the same classes and structure', () => {
		for (const def of LANGS) {
			fc.assert(
				fc.property(linesArb, fc.boolean(), (lines, finalEol) => {
					const variants = ['\n', '\r\n', '\r'].map((eol) => Buffer.from(lines.join(eol) + (finalEol ? eol : '')));
					const results = variants.map((b) => {
						const classes: number[] = [];
						const r = analyzeWithLanguage(b, def, undefined, classes);
						assert.ok(r.ok);
						return { classes, classesOf: r.analysis.classes, functions: r.analysis.functions, imports: r.analysis.imports };
					});
					assert.deepEqual(results[1], results[0], `${def.name} CRLF: ${JSON.stringify(lines)}`);
					assert.deepEqual(results[2], results[0], `${def.name} CR: ${JSON.stringify(lines)}`);
				}),
				{ numRuns: 100 },
			);
		}
	});

	it('no structure rule of the table backtracks catastrophically on adversarial lines', () => {
		// Lines of a repeated unit of the characters rules are made of; a catastrophic pattern
		// (nested quantifiers over overlapping classes) takes seconds on 30 repetitions.
		const chars = [' ', 'a', '*', '&', ':', '(', ')', '<', '>', ',', '=', '.', '\t', '_', '[', ']', '{', '}', '"', "'", '#', '@', '$', '-', '/', ';', '~', '!', '?', '|', '\\'];
		const unitArb = fc.array(fc.constantFrom(...chars), { minLength: 1, maxLength: 3 });
		const lineArb = fc.tuple(fc.constantFrom('', 'int ', 'def ', 'class ', 'function ', 'public ', 'fn ', 'func '), unitArb, fc.constantFrom('(x) y', '(', '', '{', ' z', ';'));
		for (const def of LANGS) {
			for (const kind of ['imports', 'classes', 'functions'] as const) {
				for (const src of def.structure?.[kind] ?? []) {
					const re = new RegExp(src);
					fc.assert(
						fc.property(lineArb, ([prefix, unit, suffix]) => {
							const line = prefix + unit.join('').repeat(Math.ceil(30 / unit.length)) + suffix;
							const t0 = process.hrtime.bigint();
							re.exec(line);
							const ms = Number(process.hrtime.bigint() - t0) / 1e6;
							assert.ok(ms < 250, `${def.name} ${kind} ${src} took ${ms.toFixed(0)} ms on ${JSON.stringify(line)}`);
						}),
						{ numRuns: 40 },
					);
				}
			}
		}
	});

	it('a UTF-8 BOM, or UTF-16 LE/BE encoding, does not change the classes', () => {
		for (const def of LANGS) {
			fc.assert(
				fc.property(textArb, (text) => {
					const utf8 = Buffer.from(text);
					if (utf8.length >= 2 && ((utf8[0] === 0xff && utf8[1] === 0xfe) || (utf8[0] === 0xfe && utf8[1] === 0xff))) return;
					const expected = classesOf(def, utf8);
					assert.deepEqual(classesOf(def, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8])), expected, 'BOM');
					const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
					assert.deepEqual(classesOf(def, le), expected, 'UTF-16LE');
					const be = Buffer.from(le).swap16();
					assert.deepEqual(classesOf(def, be), expected, 'UTF-16BE');
				}),
				{ numRuns: 60 },
			);
		}
	});

	it('files of unknown type: lines, and blank = whitespace-only lines, counted independently', () => {
		const blankOnly = (line: string) => /^[ \t\v\f]*$/.test(line);
		fc.assert(
			fc.property(fc.array(fc.constantFrom('a', ' ', '\t', '\n', '\r\n', '\r', '{}', '\u00a0', '\f'), { maxLength: 80 }).map((a) => a.join('')), (text) => {
				const r = analyzeBuffer(Buffer.from(text), 'data.unknown-ext');
				assert.ok(r.ok);
				const parts = text.split(/\r\n|\r|\n/);
				if (parts[parts.length - 1] === '') parts.pop();
				assert.equal(r.analysis.lines, parts.length, JSON.stringify(text));
				assert.equal(r.analysis.blank, parts.filter(blankOnly).length, JSON.stringify(text));
				assert.equal(r.analysis.code, parts.length - r.analysis.blank);
			}),
			{ numRuns: 2000 },
		);
	});
});
