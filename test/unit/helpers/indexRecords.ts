// Deterministic synthetic file records for the index store's tests, crash trials and benchmark.
// Their shape matches what the analyzer produces (counts add up, structure with names and lines).

import type { Category, FileRecord } from '../../../src/core/types';

/** A small seeded PRNG (mulberry32): the same seed gives the same records everywhere. */
export function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const languages: [string, Category][] = [
	['Python', 'code'], ['TypeScript', 'code'], ['JavaScript', 'code'], ['C', 'code'], ['Go', 'code'],
	['Markdown', 'docs'], ['JSON', 'data'], ['YAML', 'config'],
];

/** Record number `i` of a synthetic tree; `version` changes its counts and mtime (an edit). */
export function makeRecord(i: number, version = 0, root = 0): FileRecord {
	const rnd = prng(i * 7919 + version * 104729 + root * 15485863 + 1);
	const [language, category] = languages[i % languages.length];
	const code = Math.floor(rnd() * 400);
	const comment = Math.floor(rnd() * 100);
	const blank = Math.floor(rnd() * 80);
	const n = (max: number) => Math.floor(rnd() * max);
	const functions = Array.from({ length: n(8) }, () => ({ name: `func_${n(10000)}`, line: n(500) + 1 }));
	const classes = Array.from({ length: n(3) }, () => ({ name: `Class${n(1000)}`, line: n(500) + 1 }));
	const imports = Array.from({ length: n(5) }, () => `pkg/mod${n(300)}`);
	const bytes = 2000 + n(20000);
	return {
		path: `src/dir${i % 500}/sub${i % 37}/file_${i}.${language.toLowerCase().slice(0, 2)}`,
		root, language, category, size: bytes, mtimeMs: 1764290000000 + i * 1000 + version * 0.5, bytes,
		lines: code + comment + blank, code, comment, blank, imports, classes, functions,
	};
}

export function makeRecords(n: number, version = 0): FileRecord[] {
	return Array.from({ length: n }, (_, i) => makeRecord(i, version));
}
