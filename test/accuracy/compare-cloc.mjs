#!/usr/bin/env node
// Compares the analyzer's line classes with cloc's, file by file, on real folders.
//
// Usage: node test/accuracy/compare-cloc.mjs [--lang Python,C] [--like-cloc] [--json] [--worst N] [--max-files N]
//                                            [--cloc-cache DIR] <folder>...
//
// Runs the compiled analyzer (out/src/core/analyzer.js: run `npx tsc -p tsconfig.json` first)
// on every file of the folders whose language (ours) is in --lang, and
// `cloc --skip-uniqueness --by-file --json` on the same list of files. Files are grouped by OUR
// language (cloc calls .h files "C/C++ Header"; we decide C), and only files both tools
// counted are summed. Prints, per language: files, code/comment/blank of both and the relative
// difference (ours − cloc) / cloc in percent; with --worst N the N files that differ most.
// With --json prints one JSON object instead (used by test/unit/accuracy.test.ts).
// With --cloc-cache DIR, cloc's answer is kept in DIR, keyed by the file list, each file's size
// and mtime, cloc's arguments and version, and reused (cloc takes ~17 min on Go's sources).
// Exits 2 when cloc is not installed.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const require = createRequire(import.meta.url);

/** Every regular file under `dir` (symlinks not followed), sorted. */
export function listFiles(dir) {
	const out = [];
	const walk = (d) => {
		let ents;
		try {
			ents = fs.readdirSync(d, { withFileTypes: true });
		} catch {
			return;
		}
		for (const e of ents) {
			const p = path.join(d, e.name);
			if (e.isDirectory()) walk(p);
			else if (e.isFile()) out.push(p);
		}
	};
	walk(dir);
	return out.sort();
}

export function runCloc(files, extraArgs = [], cacheDir = undefined) {
	const probe = spawnSync('cloc', ['--version'], { encoding: 'utf8' });
	if (probe.error || probe.status !== 0) {
		throw new Error('cloc is not installed (Debian: apt-get install cloc); the accuracy comparison needs it');
	}
	let cached;
	if (cacheDir !== undefined) {
		const h = crypto.createHash('sha1').update(probe.stdout).update(JSON.stringify(extraArgs));
		for (const f of files) {
			const st = fs.statSync(f);
			h.update(`${f}\0${st.size}\0${st.mtimeMs}\n`);
		}
		cached = path.join(cacheDir, `cloc-${h.digest('hex')}.json`);
		if (fs.existsSync(cached)) {
			const c = JSON.parse(fs.readFileSync(cached, 'utf8'));
			return { version: c.version, byFile: new Map(c.byFile) };
		}
	}
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-cloc-'));
	const list = path.join(tmp, 'files.txt');
	fs.writeFileSync(list, files.join('\n') + '\n');
	const r = spawnSync('cloc', ['--skip-uniqueness', '--by-file', '--json', '--quiet', '--timeout', '0', ...extraArgs, `--list-file=${list}`], {
		encoding: 'utf8',
		maxBuffer: 1 << 30,
	});
	fs.rmSync(tmp, { recursive: true, force: true });
	if (r.status !== 0) throw new Error(`cloc failed (${r.status}): ${r.stderr}`);
	const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
	const byFile = new Map();
	for (const [k, v] of Object.entries(json)) {
		if (k === 'header' || k === 'SUM') continue;
		byFile.set(path.resolve(k), v);
	}
	if (cached !== undefined) {
		fs.mkdirSync(cacheDir, { recursive: true });
		fs.writeFileSync(cached, JSON.stringify({ version: json.header?.cloc_version, byFile: [...byFile] }));
	}
	return { version: json.header?.cloc_version, byFile };
}

/** Compares on `folders`; `langs` is a set of our language names (all when empty). */
export function compareCloc(folders, { langs = new Set(), maxFiles = Infinity, docstringsAsCode = false, likeCloc = false, clocCache = undefined } = {}) {
	const { analyzeBuffer } = require(path.join(repo, 'out/src/core/analyzer.js'));
	const ours = new Map();
	for (const folder of folders) {
		for (const f of listFiles(path.resolve(folder))) {
			if (ours.size >= maxFiles) break;
			let buf;
			try {
				buf = fs.readFileSync(f);
			} catch {
				continue;
			}
			if (buf.length === 0) continue; // cloc ignores empty files
			const r = analyzeBuffer(buf, f, { docstringsAsCode, likeCloc });
			if (!r.ok || r.analysis.unknown) continue;
			if (langs.size > 0 && !langs.has(r.analysis.language)) continue;
			ours.set(f, r.analysis);
		}
	}
	const cloc = runCloc([...ours.keys()], docstringsAsCode ? ['--docstring-as-code'] : [], clocCache);
	const per = new Map();
	const diffs = [];
	let notCounted = 0;
	for (const [f, a] of ours) {
		const c = cloc.byFile.get(f);
		if (c === undefined) {
			notCounted++;
			continue;
		}
		const t = per.get(a.language) ?? { files: 0, ours: { code: 0, comment: 0, blank: 0 }, cloc: { code: 0, comment: 0, blank: 0 }, clocLanguages: {} };
		per.set(a.language, t);
		t.files++;
		for (const k of ['code', 'comment', 'blank']) {
			t.ours[k] += a[k];
			t.cloc[k] += c[k];
		}
		t.clocLanguages[c.language] = (t.clocLanguages[c.language] ?? 0) + 1;
		const d = Math.abs(a.code - c.code) + Math.abs(a.comment - c.comment) + Math.abs(a.blank - c.blank);
		if (d > 0) diffs.push({ file: f, language: a.language, d, ours: { code: a.code, comment: a.comment, blank: a.blank }, cloc: { code: c.code, comment: c.comment, blank: c.blank } });
	}
	const languages = {};
	for (const [name, t] of [...per].sort((a, b) => b[1].files - a[1].files)) {
		const delta = {};
		for (const k of ['code', 'comment', 'blank']) delta[k] = t.cloc[k] === 0 ? (t.ours[k] === 0 ? 0 : 100) : ((t.ours[k] - t.cloc[k]) / t.cloc[k]) * 100;
		languages[name] = { ...t, deltaPercent: delta };
	}
	diffs.sort((a, b) => b.d - a.d);
	return { clocVersion: cloc.version, folders, notCountedByCloc: notCounted, languages, worst: diffs };
}

function main() {
	const args = process.argv.slice(2);
	const folders = [];
	let langs = new Set();
	let json = false;
	let worst = 0;
	let maxFiles = Infinity;
	let docstringsAsCode = false;
	let likeCloc = false;
	let clocCache;
	for (let i = 0; i < args.length; i++) {
		const a = args[i];
		if (a === '--lang') langs = new Set(args[++i].split(','));
		else if (a === '--json') json = true;
		else if (a === '--worst') worst = Number(args[++i]);
		else if (a === '--max-files') maxFiles = Number(args[++i]);
		else if (a === '--docstrings-as-code') docstringsAsCode = true;
		else if (a === '--like-cloc') likeCloc = true;
		else if (a === '--cloc-cache') clocCache = path.resolve(args[++i]);
		else folders.push(a);
	}
	if (folders.length === 0) {
		console.error('usage: compare-cloc.mjs [--lang A,B] [--like-cloc] [--json] [--worst N] [--max-files N] [--cloc-cache DIR] <folder>...');
		process.exit(2);
	}
	let r;
	try {
		r = compareCloc(folders, { langs, maxFiles, docstringsAsCode, likeCloc, clocCache });
	} catch (e) {
		console.error(String(e.message ?? e));
		process.exit(2);
	}
	if (json) {
		r.worst = r.worst.slice(0, worst);
		console.log(JSON.stringify(r, null, 1));
		return;
	}
	console.log(`cloc ${r.clocVersion}; folders: ${folders.join(' ')}; files cloc did not count: ${r.notCountedByCloc}`);
	const pct = (x) => (x >= 0 ? '+' : '') + x.toFixed(3) + '%';
	for (const [name, t] of Object.entries(r.languages)) {
		console.log(`${name.padEnd(12)} files ${String(t.files).padStart(6)}  ` +
			['code', 'comment', 'blank'].map((k) => `${k} ${t.ours[k]} vs ${t.cloc[k]} (${pct(t.deltaPercent[k])})`).join('  ') +
			`  cloc names: ${JSON.stringify(t.clocLanguages)}`);
	}
	for (const w of r.worst.slice(0, worst)) console.log(`  ${w.file}: ours ${JSON.stringify(w.ours)} cloc ${JSON.stringify(w.cloc)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
