// One generated test per language fixture (tokei's "fixtures carry their answer"): each file
// under test/fixtures/languages/<slug>/ has a `<file>.expected.json` beside it whose counts and
// structure were worked out by hand, line by line (`perLine` spells each line's class: c code,
// m comment, b blank, d doc string; the labelled sources are in test/fixtures/languages/_labelled),
// and cross-checked with cloc where cloc knows the language
// (its numbers and every intentional difference are in the file's `cloc` and `notes`).
// The test runs the analyzer on the fixture's bytes and compares everything.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { analyzeBuffer, classifyLines, BLANK_LINE, CODE_LINE, COMMENT_LINE } from '../../src/core/analyzer';
import { FIXTURE_ROOT, listFixtures } from './helpers/languageFixtures';

const fixtures = listFixtures();

test('the fixture tree is there', () => {
	assert.ok(fixtures.length >= 30, `only ${fixtures.length} fixtures under ${FIXTURE_ROOT}`);
});

for (const fx of fixtures) {
	const e = fx.expected;
	test(`fixture ${fx.slug}/${fx.file} (${e.language})`, () => {
		const buf = fs.readFileSync(fx.abs);
		// The expectation file describes the bytes: check them first, so a fixture converted by
		// an editor or by git (CRLF → LF, BOM stripped) fails here with a clear message.
		assert.equal(buf.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), e.format.bom, 'BOM as the expectation says');
		assert.equal(buf.includes('\r\n'), e.format.eol === 'CRLF', 'line endings as the expectation says');
		if (e.format.eol === 'CRLF') assert.equal(buf.toString('latin1').replace(/\r\n/g, '').includes('\n'), false, 'CRLF everywhere');
		assert.equal(buf[buf.length - 1] === 0x0a, e.format.finalNewline, 'final newline as the expectation says');
		assert.equal(e.perLine.length, e.lines, 'perLine has one letter per line');
		assert.equal(e.code + e.comment + e.blank, e.lines, 'the hand count adds up');

		const r = analyzeBuffer(buf, fx.file, {});
		assert.ok(r.ok, `analyzed, not skipped (${r.ok ? '' : r.reason})`);
		const a = r.analysis;
		assert.equal(a.language, e.language, 'language detected from the file name');
		assert.equal(a.unknown, undefined);
		assert.deepEqual(
			{ lines: a.lines, code: a.code, comment: a.comment, blank: a.blank },
			{ lines: e.lines, code: e.code, comment: e.comment, blank: e.blank },
			`line counts; lines classified otherwise than by hand: ${differingLines(buf, fx.file, e.perLine, false)}`,
		);
		// Stricter than the totals: every line has the class it was given by hand (two errors
		// cannot cancel out, as they do for cloc in dart/counter.dart).
		assert.equal(differingLines(buf, fx.file, e.perLine, false), 'none', 'lines classified otherwise than by hand');
		assert.deepEqual(a.imports, e.imports, 'imports');
		assert.deepEqual(a.classes, e.classes, 'classes');
		assert.deepEqual(a.functions, e.functions, 'functions');

		if (e.docstringsAsCode !== undefined) {
			const d = analyzeBuffer(buf, fx.file, { docstringsAsCode: true });
			assert.ok(d.ok);
			assert.deepEqual(
				{ code: d.analysis.code, comment: d.analysis.comment, blank: d.analysis.blank },
				e.docstringsAsCode,
				`counts with docstringsAsCode; lines classified otherwise than by hand: ${differingLines(buf, fx.file, e.perLine, true)}`,
			);
		}
	});
}

/** Lines whose class differs from the hand label (for the failure message): `12 (c→m)`. */
function differingLines(buf: Buffer, file: string, perLine: string, docstringsAsCode: boolean): string {
	const { classes } = classifyLines(buf, file, { docstringsAsCode });
	const letter = (k: number): string => (k === CODE_LINE ? 'c' : k === COMMENT_LINE ? 'm' : k === BLANK_LINE ? 'b' : '?');
	const out: string[] = [];
	for (let i = 0; i < Math.max(classes.length, perLine.length); i++) {
		const want = perLine[i] === 'd' ? (docstringsAsCode ? 'c' : 'm') : (perLine[i] ?? '-');
		const got = i < classes.length ? letter(classes[i]) : '-';
		if (want !== got) out.push(`${i + 1} (${want}→${got})`);
	}
	return out.length === 0 ? 'none' : out.join(', ');
}
