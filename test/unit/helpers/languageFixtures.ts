// The language fixtures under test/fixtures/languages and their hand-counted expectations
// (shared by fixtures.test.ts and languageTable.test.ts).

import fs from 'node:fs';
import path from 'node:path';
import type { SymbolRef } from '../../../src/core/types';

/** The fixture tree, found from the compiled test in out/test/unit or the source in test/unit. */
export const FIXTURE_ROOT = [path.resolve(__dirname, '../../../../test/fixtures/languages'), path.resolve(__dirname, '../../fixtures/languages')].find((p) =>
	fs.existsSync(p),
) as string;

/** What a fixture's `.expected.json` holds. */
export interface FixtureExpectation {
	language: string;
	lines: number;
	code: number;
	comment: number;
	blank: number;
	/** Counts with `docstringsAsCode: true`, when the fixture has doc strings. */
	docstringsAsCode?: { code: number; comment: number; blank: number };
	imports: string[];
	classes: SymbolRef[];
	functions: SymbolRef[];
	/** One letter per line: c code, m comment, b blank, d doc string. */
	perLine: string;
	format: { eol: 'LF' | 'CRLF'; bom: boolean; finalNewline: boolean };
	cloc: { language: string; code: number; comment: number; blank: number } | null;
	notes: string[];
}

export interface Fixture {
	/** Folder name under test/fixtures/languages. */
	slug: string;
	file: string;
	abs: string;
	expected: FixtureExpectation;
}

/** Every fixture with its expectation. */
export function listFixtures(): Fixture[] {
	const out: Fixture[] = [];
	for (const slug of fs.readdirSync(FIXTURE_ROOT).sort()) {
		const dir = path.join(FIXTURE_ROOT, slug);
		if (!fs.statSync(dir).isDirectory()) continue;
		for (const f of fs.readdirSync(dir).sort()) {
			if (!f.endsWith('.expected.json')) continue;
			const file = f.slice(0, -'.expected.json'.length);
			const expected = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as FixtureExpectation;
			out.push({ slug, file, abs: path.join(dir, file), expected });
		}
	}
	return out;
}
