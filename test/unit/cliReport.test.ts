// Report formats on a hand-made scan result: streamed JSON equals JSON.stringify, CSV quoting
// (RFC 4180), Markdown and table escaping of odd paths, several roots.

import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Aggregates } from '../../src/core/aggregate';
import { csvField, displayText, formatCsv, formatMarkdown, formatReport, formatTable, jsonChunks, mdCell, mdCode, toJsonReport } from '../../src/core/report';
import type { ScanResult } from '../../src/core/scanner';
import type { FileRecord } from '../../src/core/types';

function rec(root: number, path: string, language: string, [lines, code, comment, blank]: number[], extra: Partial<FileRecord> = {}): FileRecord {
	return {
		root, path, language, category: 'code', lines, code, comment, blank, bytes: lines * 10,
		imports: [], classes: [], functions: [], size: lines * 10, mtimeMs: 1, ...extra,
	};
}

function result(records: FileRecord[], roots = ['/r0']): ScanResult {
	const agg = new Aggregates();
	for (const r of records) agg.add(r);
	return {
		version: 1,
		roots,
		aggregates: agg.snapshot(),
		records,
		skipped: [
			// Sorted by root then path, as scan() returns them.
			{ root: 0, path: 'a|b\n.png', reason: 'binary' },
			{ root: 0, path: 'big.log', reason: 'too-large', detail: '9 bytes > limit 1' },
			{ root: 0, path: 'x.bin', reason: 'binary', detail: 'NUL byte' },
		],
		timing: { totalMs: 12.345, walk: 1, read: 2, analyze: 3, aggregate: 0.04, sort: 0 },
	};
}

/** markdown-it's constructor, if it is installed (it comes with @vscode/vsce), else undefined. */
function markdownIt(): (new (o: { html: boolean }) => { render(md: string): string }) | undefined {
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		return require('markdown-it') as new (o: { html: boolean }) => { render(md: string): string };
	} catch {
		return undefined;
	}
}

const RECORDS = [
	rec(0, 'a "quoted", name.py', 'Python', [5, 3, 1, 1], { imports: ['os', 'sys'], classes: [{ name: 'K', line: 2 }], functions: [{ name: 'f', line: 3 }] }),
	rec(0, 'pipe|and\nnewline.ts', 'TypeScript', [2, 2, 0, 0]),
	rec(0, 'src/é.ts', 'TypeScript', [4, 1, 2, 1], { functions: [{ name: 'g', line: 1 }, { name: 'h', line: 2 }] }),
	rec(0, 'odd.zz', 'ext:.zz', [1, 1, 0, 0], { unknown: true, category: 'data' }),
];

describe('report formats', () => {
	it('streamed JSON is byte-identical to JSON.stringify of the full report', () => {
		for (const records of [RECORDS, [], Array.from({ length: 600 }, (_, i) => rec(0, `f${i}.py`, 'Python', [1, 1, 0, 0]))]) {
			for (const byFolder of [false, true]) {
				const r = result(records);
				const full = formatReport('json', toJsonReport(r, { byFile: true, byFolder }));
				const streamed = [...jsonChunks(toJsonReport(r, { byFolder }), r.records, 100)].join('');
				assert.equal(streamed, full);
			}
		}
		// Without records it is the plain document.
		const r = result(RECORDS);
		assert.equal([...jsonChunks(toJsonReport(r))].join(''), formatReport('json', toJsonReport(r)));
	});

	it('JSON: totals, languages, files, skipped and timing as documented', () => {
		const j = toJsonReport(result(RECORDS), { byFile: true, byFolder: true });
		assert.deepEqual(j.totals, { files: 4, lines: 12, code: 7, comment: 3, blank: 2, bytes: 120 });
		assert.deepEqual(j.languages.map((l) => [l.name, l.files, l.code, l.imports, l.classes, l.functions, l.unknown]), [
			// Same code lines: more lines first.
			['TypeScript', 2, 3, 0, 0, 2, undefined],
			['Python', 1, 3, 2, 1, 1, undefined],
			['ext:.zz', 1, 1, 0, 0, 0, true],
		]);
		assert.deepEqual(j.folders!.map((f) => [f.root, f.path, f.files]), [[0, '', 4], [0, 'src', 1]]);
		assert.deepEqual(j.files![0], {
			root: 0, path: 'a "quoted", name.py', language: 'Python', lines: 5, code: 3, comment: 1, blank: 1, bytes: 50,
			imports: ['os', 'sys'], classes: [{ name: 'K', line: 2 }], functions: [{ name: 'f', line: 3 }],
		});
		assert.deepEqual(j.skipped[2], { root: 0, path: 'x.bin', reason: 'binary', detail: 'NUL byte' });
		assert.deepEqual(j.skipped[0], { root: 0, path: 'a|b\n.png', reason: 'binary' });
		assert.deepEqual(j.timing, { totalMs: 12.3, walk: 1, read: 2, analyze: 3, aggregate: 0, sort: 0 });
		assert.deepEqual(Object.keys(j), ['version', 'roots', 'totals', 'languages', 'categories', 'folders', 'files', 'skipped', 'timing']);
	});

	it('CSV quotes per RFC 4180', () => {
		assert.equal(csvField('plain'), 'plain');
		assert.equal(csvField(42), '42');
		assert.equal(csvField('a,b'), '"a,b"');
		assert.equal(csvField('say "hi"'), '"say ""hi"""');
		assert.equal(csvField('two\nlines'), '"two\nlines"');
		assert.equal(csvField('cr\r'), '"cr\r"');
		const csv = formatCsv(toJsonReport(result(RECORDS), { byFile: true }));
		assert.equal(csv.split('\r\n')[1], '0,"a ""quoted"", name.py",Python,5,3,1,1,50,2,1,1');
		assert.equal(csv.split('\r\n')[2], '0,"pipe|and\nnewline.ts",TypeScript,2,2,0,0,20,0,0,0');
		assert.ok(csv.endsWith('\r\n'));
	});

	it('Markdown escapes pipes and control characters; skipped grouped by reason', () => {
		const md = formatMarkdown(toJsonReport(result(RECORDS), { byFile: true }));
		// displayText's `\n` keeps its backslash visible once rendered: `\\n`.
		assert.ok(md.includes('| pipe\\|and\\\\nnewline.ts | TypeScript | 2 | 2 | 0 | 0 | 20 | 0 | 0 | 0 |'), md);
		assert.ok(md.includes('| **Total** | 4 | 12 | 7 | 3 | 2 | 120 |  |  |  |'));
		assert.ok(md.includes('## Skipped (3)'));
		assert.ok(md.includes('| binary | a\\|b\\\\n.png |  |'), md);
		assert.ok(md.includes('| too-large | big.log | 9 bytes \\> limit 1 |'), md);
		// Every table line has the same number of cells as its header.
		for (const table of md.split(/\n\n/).filter((b) => b.startsWith('| '))) {
			const cells = table.split('\n').filter(Boolean).map((l) => l.replace(/\\\|/g, '').split('|').length);
			assert.ok(cells.every((c) => c === cells[0]), table);
		}
	});

	it('Markdown cells backslash-escape inline punctuation (expected strings worked out by hand)', () => {
		const cases: [string, string][] = [
			['pkg/__init__.py', 'pkg/\\_\\_init\\_\\_.py'],
			['*star*.py', '\\*star\\*.py'],
			['a<b>c.py', 'a\\<b\\>c.py'],
			['x[1](y).md', 'x\\[1\\](y).md'],
			['a`b`.py', 'a\\`b\\`.py'],
			['~~old~~.py', '\\~\\~old\\~\\~.py'],
			['a&amp;b.py', 'a\\&amp;b.py'],
			['#12.py', '\\#12.py'],
			['a|b.py', 'a\\|b.py'],
			// A real backslash: displayText shows it doubled, and each is escaped.
			['a\\b.py', 'a\\\\\\\\b.py'],
			// A newline: displayText shows `\n`, its backslash escaped.
			['line\nbreak', 'line\\\\nbreak'],
			['plain-name_x.py', 'plain-name\\_x.py'],
			['src/é (1).ts', 'src/é (1).ts'],
		];
		for (const [name, want] of cases) assert.equal(mdCell(name), want, name);
	});

	it('Markdown Root lines: a code span whose fence is longer than any back-tick run in the path', () => {
		assert.equal(mdCode('/plain/path'), '`/plain/path`');
		assert.equal(mdCode('/tmp/ro`ot|x'), '``/tmp/ro`ot|x``');
		assert.equal(mdCode('/a/``b/c`d'), '```/a/``b/c`d```');
		assert.equal(mdCode('/x`'), '`` /x` ``');
		assert.equal(mdCode(' /sp '), '`  /sp  `');
		const one = formatMarkdown(toJsonReport(result([], ['/tmp/ro`ot|x'])));
		assert.ok(one.includes('\nRoot: ``/tmp/ro`ot|x``\n'), one);
		const two = formatMarkdown(toJsonReport(result([], ['/r`0', '/r1'])));
		assert.ok(two.includes('Roots:\n\n0. ``/r`0``\n1. `/r1`\n'), two);
	});

	it('Markdown renders names as written (markdown-it, when installed)', { skip: markdownIt() ? false : 'markdown-it is not installed' }, () => {
		const MarkdownIt = markdownIt()!;
		const names = ['pkg/__init__.py', '*star*.py', 'a<b>c.py', 'x[1](y).md', 'a`b`.py', '~~old~~.py', 'a&amp;b.py', 'a|b.py', 'a\\b.py', 'a\\|b.py', 'a\\_b_.py', 'line\nbreak.py'];
		// What a reader must see (HTML-escaped as markdown-it writes text), by hand: displayText's
		// form of each name (backslashes doubled, a newline as \n).
		const shown = ['pkg/__init__.py', '*star*.py', 'a&lt;b&gt;c.py', 'x[1](y).md', 'a`b`.py', '~~old~~.py', 'a&amp;amp;b.py', 'a|b.py', 'a\\\\b.py', 'a\\\\|b.py', 'a\\\\_b_.py', 'line\\nbreak.py'];
		const r = result(names.map((n) => rec(0, n, 'Python', [1, 1, 0, 0])), ['/tmp/ro`ot|x']);
		r.skipped = [];
		const html = new MarkdownIt({ html: true }).render(formatMarkdown(toJsonReport(r, { byFile: true })));
		const files = html.slice(html.indexOf('<th>File</th>'));
		const firstCells = [...files.matchAll(/<tr>\n<td>(.*?)<\/td>/g)].map((m) => m[1]);
		assert.deepEqual([...firstCells].sort(), [...shown].sort());
		assert.ok(html.includes('<p>Root: <code>/tmp/ro`ot|x</code></p>'), html.slice(0, 300));
	});

	it('table: one line per row whatever the names; skipped by reason; several roots', () => {
		assert.equal(displayText('a\nb\tc\\d\u0001'), 'a\\nb\\tc\\\\d\\x01');
		const t = formatTable(toJsonReport(result(RECORDS, ['/r0', '/r1']), { byFile: true }));
		assert.ok(t.includes('Roots:\n  0: /r0\n  1: /r1'));
		assert.ok(/^ 0:pipe\|and\\nnewline\.ts +TypeScript +2 +2 +0 +0 +20$/m.test(t) && /^ 0:odd\.zz {16}ext:\.zz {4}/m.test(t), t);
		assert.ok(/^ Total +4 +12 +7 +3 +2 +120$/m.test(t));
		assert.ok(t.includes('Skipped: 3\n  binary (2)\n    0:a|b\\n.png\n    0:x.bin  (NUL byte)\n  too-large (1)\n    0:big.log  (9 bytes > limit 1)'), t);
		assert.ok(t.includes('ext:… and (no extension): files of unknown type'));
	});

	it('table lists at most 20 skips per reason and says where the rest are', () => {
		const r = result(RECORDS);
		r.skipped = Array.from({ length: 25 }, (_, i) => ({ root: 0, path: `b${String(i).padStart(2, '0')}`, reason: 'binary' as const }));
		const t = formatTable(toJsonReport(r));
		assert.ok(t.includes('    b19\n    … and 5 more (--format json lists all)'), t);
		assert.ok(!t.includes('b20'));
	});
});
