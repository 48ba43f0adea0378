// The bundles carry each structure rule's analysis worked out at build time (esbuild.mjs defines
// WS_RULE_ANALYSIS; see languages.ts). What they carry must be what the analyzer would work out
// itself, rule for rule, and the packing must lose nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzeRule, getLanguageTable, packRuleAnalysis, ruleAnalysisTable, unpackRuleAnalysis } from '../../src/core/languages';
import type { PackedRuleAnalysis } from '../../src/core/languages';

const REPO = path.resolve(__dirname, '../../..');

function everyRule(): string[] {
	const out = new Set<string>();
	for (const def of getLanguageTable()) {
		const st = def.structure ?? {};
		for (const src of [...(st.imports ?? []), ...(st.classes ?? []), ...(st.functions ?? [])]) out.add(src);
	}
	return [...out];
}

describe('rule analysis worked out at build time', () => {
	it('packs and unpacks every rule of the table to the same analysis', () => {
		const rules = everyRule();
		assert.ok(rules.length >= 50, `rules: ${rules.length}`);
		for (const src of rules) {
			const a = analyzeRule(src);
			assert.deepEqual(unpackRuleAnalysis(packRuleAnalysis(a)), a, src);
		}
	});

	it('has a first-byte set that is not all bytes for the rules that start with a keyword', () => {
		// Checks the packing against a set worked out by hand: `^\s*import\s+…` can only start with `i` (and non-ASCII).
		const [hex] = packRuleAnalysis(analyzeRule('^\\s*import\\s+(?<name>[\\w.]+)'));
		const first = unpackRuleAnalysis([hex, 0, null, 0]).first;
		for (let b = 0; b < 128; b++) assert.equal(first[b], b === 0x69 ? 1 : 0, `byte ${b}`);
		for (let b = 128; b < 256; b++) assert.equal(first[b], 1, `byte ${b}`);
	});

	it('understands every rule anchored at a line start (else every line would be tried with it)', () => {
		// A rule the parser gives up on gets every byte as first byte, no hint and no literal: the
		// analyzer then runs it on every line. Unanchored rules (HTML's) are tried anywhere anyway.
		// Found when `\u0080-\uFFFF` in Python's name classes made the parser give up (30% slower).
		for (const src of everyRule().filter((r) => r.startsWith('^'))) {
			const a = analyzeRule(src);
			assert.ok(!a.first.every((x) => x === 1) || a.need !== 0 || a.lit !== undefined, src);
		}
		const u = analyzeRule('^\\s*def\\s+(?<name>[A-Za-z_\\u0080-\\uFFFF][\\w\\u0080-\\uFFFF]*)\\(');
		assert.equal(u.lit && Buffer.from(u.lit).toString(), 'def');
		for (let b = 0; b < 128; b++) assert.equal(u.first[b], b === 0x64 ? 1 : 0, `byte ${b}`);
	});

	it('is what esbuild.mjs puts in the bundles: the table the code works out, for every rule', async () => {
		const mod = (await import(pathToFileURL(path.join(REPO, 'esbuild.mjs')).href)) as { ruleAnalysisJson(): Promise<string> };
		const bundled = JSON.parse(await mod.ruleAnalysisJson()) as Record<string, PackedRuleAnalysis>;
		const here = ruleAnalysisTable();
		assert.deepEqual(Object.keys(bundled).sort(), everyRule().sort());
		assert.deepEqual(bundled, here);
	});
});
