// The analyzer's warm-up (run by every worker before its first batch) must leave nothing
// behind, and its texts must reach the paths it exists for.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeBuffer, analyzerFeatures, analyzeWithLanguage, COMMENT_LINE, warmUpAnalyzer, warmUpLanguages, warmUpText } from '../../src/core/analyzer';
import { getLanguageTable } from '../../src/core/languages';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'languages');

/** The analyzer's functions that run per byte or per line: none of them may be deoptimized. */
const HOT = /<(?:JSFunction|SharedFunctionInfo) (countLines|matchStructure|matchToken|planFor|lineHasLiteral|containsAt|containsInRun|matchAt|skipRegexLiteral|isWordByte|isClocMarker|functionLineExcluded|decodeCandidate|splicedLine|joinedLine|endJoined|lineClass)[ >]/;

/**
 * A child process with V8's optimization trace: the warm-up, the wait for the optimized
 * analyzer, a marker function optimized by hand (its trace line says where the languages
 * start, in V8's own output stream), two texts of every language of the table, then six
 * full garbage collections (what the warm-up alone made and nothing uses since is collected).
 */
function traceEveryLanguage(): string {
	const core = path.join(__dirname, '..', '..', 'src', 'core');
	const script = `
		const A = require(${JSON.stringify(path.join(core, 'analyzer.js'))});
		const L = require(${JSON.stringify(path.join(core, 'languages.js'))});
		A.warmUpAnalyzer();
		A.awaitOptimizedAnalyzer(5000);
		function everyLanguageFromHere() { return 1; }
		%PrepareFunctionForOptimization(everyLanguageFromHere);
		everyLanguageFromHere();
		%OptimizeFunctionOnNextCall(everyLanguageFromHere);
		everyLanguageFromHere();
		for (const def of L.getLanguageTable()) {
			for (const t of [A.warmUpText(def, false), A.warmUpText(def)]) A.analyzeWithLanguage(Buffer.from(t), def);
		}
		// Objects made between the collections, as a scan makes them: without any, V8 kept the
		// dead classes alive (it keeps a class unused for a few collections that allocated).
		const keep = [];
		for (let i = 0; i < 6; i++) {
			keep.push(new Array(1e5).fill({}));
			gc();
		}`;
	// A script file, not `-e`: under `-e` the collections did not find the warm-up's leftovers dead.
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-deopt-'));
	try {
		const file = path.join(dir, 'child.js');
		fs.writeFileSync(file, script);
		const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--expose-gc', '--trace-opt', '--trace-deopt', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
		assert.equal(r.status, 0, r.stderr);
		return r.stdout;
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

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

	it('leaves the analyzer optimized through every language of the table', () => {
		// Each language's definition has its own hidden class. A property read on it inside the
		// analyzer's loop saw only the warm-up languages' classes, and the first other language
		// (JSON, in a node_modules) threw the optimized analyzer away: a recompile of ~150 ms
		// of CPU in every worker of every scan.
		let out = '';
		let at = -1;
		for (let tries = 0; tries < 3; tries++) {
			out = traceEveryLanguage();
			at = out.search(/<JSFunction everyLanguageFromHere /);
			assert.ok(at >= 0, 'the marker is in the trace');
			// The analyzer must be optimized before the languages come (or nothing could be deoptimized);
			// on a busy machine the compile may take longer than the wait: try again.
			if (/completed optimizing [^\n]*<JSFunction countLines /.test(out.slice(0, at))) break;
			at = -1;
		}
		assert.ok(at >= 0, 'countLines was optimized before the languages were analyzed (3 tries)');
		const bailouts = out.slice(at).split('\n').filter((l) => (l.includes('bailout') || l.includes('dependent code')) && HOT.test(l));
		assert.deepEqual(bailouts, []);
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
