// The analyzer's warm-up (run by every worker before its first batch) must leave nothing
// behind, and its texts must reach the paths it exists for.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { analyzeBuffer, analyzerFeatures, analyzeWithLanguage, COMMENT_LINE, warmUpAnalyzer, warmUpLanguages, warmUpText } from '../../src/core/analyzer';
import { getLanguageTable } from '../../src/core/languages';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'languages');

describe('analyzer warm-up', () => {
	it('changes no later result (fixtures analyzed before and after it are equal)', () => {
		const files: string[] = [];
		for (const dir of fs.readdirSync(FIXTURES)) {
			const d = path.join(FIXTURES, dir);
			if (dir.startsWith('_') || !fs.statSync(d).isDirectory()) continue;
			for (const f of fs.readdirSync(d)) if (!f.endsWith('.expected.json')) files.push(path.join(d, f));
		}
		assert.ok(files.length >= 40, `fixtures found: ${files.length}`);
		const before = files.map((f) => analyzeBuffer(fs.readFileSync(f), f));
		warmUpAnalyzer(2);
		const after = files.map((f) => analyzeBuffer(fs.readFileSync(f), f));
		assert.deepEqual(after, before);
	});

	it('gives every language a text with every line counted, and comment lines where it has comments', () => {
		for (const def of getLanguageTable()) {
			const text = warmUpText(def);
			const breaks = (text.match(/\r\n|\r|\n/g) ?? []).length;
						const classes: number[] = [];
			const r = analyzeWithLanguage(Buffer.from(text), def, undefined, classes);
			assert.ok(r.ok, `${def.name}: ${r.ok ? '' : r.reason}`);
			assert.equal(r.analysis.lines, breaks, `${def.name}: the text ends with a line break`);
			assert.equal(r.analysis.code + r.analysis.comment + r.analysis.blank, r.analysis.lines, def.name);
			const hasComments = (def.lineComments?.length ?? 0) + (def.blockComments?.length ?? 0) > 0;
			if (hasComments) assert.ok(r.analysis.comment > 0, `${def.name}: no comment line`);
			assert.equal(classes.filter((k) => k === COMMENT_LINE).length, r.analysis.comment, def.name);
		}
	});

	it('warms up on languages that between them have every feature of the table, and fewer of them', () => {
		const all = new Set(getLanguageTable().flatMap((d) => analyzerFeatures(d)));
		const picked = warmUpLanguages();
		assert.deepEqual(new Set(picked.flatMap((d) => analyzerFeatures(d))), all);
		assert.ok(picked.length < getLanguageTable().length / 3, `${picked.length} languages`);
		// The features the analyzer branches on are all there (a language table without them would need no warm-up for them).
		for (const f of ['line-comment', 'block', 'nested-block', 'string', 'doubled-close', 'interpolation', 'doc-cloc', 'regex', 'functions']) assert.ok(all.has(f), f);
	});
});
