#!/usr/bin/env node
// Compares the analyzer's Python classes and functions with universal-ctags', on real folders.
//
// Usage: node test/accuracy/compare-ctags.mjs [--json] [--show N] <folder>...
//
// Runs the compiled analyzer (out/src/core/analyzer.js: run `npx tsc -p tsconfig.json` first)
// on every .py file of the folders, and
// `ctags -R --languages=Python --kinds-Python=cfm --output-format=json --fields=+n -f - <folder>`
// (kinds: c class, f function, m member = method). A symbol is the triple (file, line, name);
// classes are compared with ctags' `class` tags, functions with `function` + `member` tags.
// Prints precision (ours that ctags has too) and recall (ctags' that we have too) for classes,
// functions and both; with --show N, N examples of each kind of disagreement. With --json,
// one JSON object (used by test/unit/accuracy.test.ts). Exits 2 when ctags is not installed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { listFiles } from './compare-cloc.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const require = createRequire(import.meta.url);

export function runCtags(folders) {
	const probe = spawnSync('ctags', ['--version'], { encoding: 'utf8' });
	if (probe.error || probe.status !== 0 || !/Universal Ctags/.test(probe.stdout)) {
		throw new Error('universal-ctags is not installed (Debian: apt-get install universal-ctags); the structure comparison needs it');
	}
	const r = spawnSync('ctags', ['-R', '--languages=Python', '--kinds-Python=cfm', '--output-format=json', '--fields=+n', '-f', '-', ...folders], {
		encoding: 'utf8',
		maxBuffer: 1 << 30,
	});
	if (r.status !== 0) throw new Error(`ctags failed (${r.status}): ${r.stderr}`);
	const tags = [];
	for (const line of r.stdout.split('\n')) {
		if (line === '') continue;
		const t = JSON.parse(line);
		if (t._type !== 'tag') continue;
		tags.push({ file: path.resolve(t.path), line: t.line, name: t.name, kind: t.kind });
	}
	return { version: probe.stdout.split('\n')[0], tags };
}

function score(ours, theirs) {
	const a = new Set(ours);
	const b = new Set(theirs);
	let both = 0;
	for (const k of a) if (b.has(k)) both++;
	return {
		ours: a.size,
		ctags: b.size,
		both,
		precision: a.size === 0 ? 1 : both / a.size,
		recall: b.size === 0 ? 1 : both / b.size,
		onlyOurs: [...a].filter((k) => !b.has(k)),
		onlyCtags: [...b].filter((k) => !a.has(k)),
	};
}

export function compareCtags(folders) {
	const abs = folders.map((f) => path.resolve(f));
	const { analyzeBuffer } = require(path.join(repo, 'out/src/core/analyzer.js'));
	const ourClasses = [];
	const ourFunctions = [];
	const files = new Set();
	for (const folder of abs) {
		for (const f of listFiles(folder)) {
			if (!f.endsWith('.py')) continue;
			const r = analyzeBuffer(fs.readFileSync(f), f);
			if (!r.ok || r.analysis.language !== 'Python') continue;
			files.add(f);
			for (const c of r.analysis.classes) ourClasses.push(`${f}:${c.line}:${c.name}`);
			for (const c of r.analysis.functions) ourFunctions.push(`${f}:${c.line}:${c.name}`);
		}
	}
	const ct = runCtags(abs);
	const ctClasses = [];
	const ctFunctions = [];
	for (const t of ct.tags) {
		if (!files.has(t.file)) continue;
		const key = `${t.file}:${t.line}:${t.name}`;
		if (t.kind === 'class') ctClasses.push(key);
		else if (t.kind === 'function' || t.kind === 'member') ctFunctions.push(key);
	}
	return {
		ctagsVersion: ct.version,
		files: files.size,
		classes: score(ourClasses, ctClasses),
		functions: score(ourFunctions, ctFunctions),
		all: score([...ourClasses.map((k) => 'c:' + k), ...ourFunctions.map((k) => 'f:' + k)], [...ctClasses.map((k) => 'c:' + k), ...ctFunctions.map((k) => 'f:' + k)]),
	};
}

function main() {
	const args = process.argv.slice(2);
	const folders = [];
	let json = false;
	let show = 0;
	for (let i = 0; i < args.length; i++) {
		if (args[i] === '--json') json = true;
		else if (args[i] === '--show') show = Number(args[++i]);
		else folders.push(args[i]);
	}
	if (folders.length === 0) {
		console.error('usage: compare-ctags.mjs [--json] [--show N] <folder>...');
		process.exit(2);
	}
	let r;
	try {
		r = compareCtags(folders);
	} catch (e) {
		console.error(String(e.message ?? e));
		process.exit(2);
	}
	for (const k of ['classes', 'functions', 'all']) {
		r[k].onlyOurs = r[k].onlyOurs.slice(0, show);
		r[k].onlyCtags = r[k].onlyCtags.slice(0, show);
	}
	if (json) {
		console.log(JSON.stringify(r, null, 1));
		return;
	}
	console.log(`${r.ctagsVersion}; ${r.files} Python files in ${folders.join(' ')}`);
	for (const k of ['classes', 'functions', 'all']) {
		const s = r[k];
		console.log(`${k.padEnd(10)} ours ${s.ours}  ctags ${s.ctags}  both ${s.both}  precision ${(s.precision * 100).toFixed(2)}%  recall ${(s.recall * 100).toFixed(2)}%`);
		for (const x of s.onlyOurs) console.log(`   only ours:  ${x}`);
		for (const x of s.onlyCtags) console.log(`   only ctags: ${x}`);
	}
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
