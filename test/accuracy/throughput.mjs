#!/usr/bin/env node
// Throughput of the line analyzer against a naive newline counter, on the same in-memory
// buffers (no I/O in the timed part), plus both with readFileSync included. Times are CPU
// time (user + system) of this process, so other load on the machine does not count.
//
// Usage: node test/accuracy/throughput.mjs <folder> [--rounds N]
// Runs the compiled analyzer (out/src/core/analyzer.js). Prints MB/s and the ratio.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { listFiles } from './compare-cloc.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { analyzeBuffer } = require(path.resolve(here, '../../out/src/core/analyzer.js'));

const args = process.argv.slice(2);
const folder = args.find((a) => !a.startsWith('--'));
const ri = args.indexOf('--rounds');
const rounds = ri === -1 ? 5 : Number(args[ri + 1]);
if (folder === undefined) {
	console.error('usage: throughput.mjs <folder> [--rounds N]');
	process.exit(2);
}
const files = listFiles(path.resolve(folder));
const bufs = files.map((f) => fs.readFileSync(f));
const bytes = bufs.reduce((s, b) => s + b.length, 0);

function countNewlines(b) {
	let n = 0;
	let i = b.indexOf(10);
	while (i !== -1) {
		n++;
		i = b.indexOf(10, i + 1);
	}
	return n;
}

/** Median CPU time (user + system) of `fn` in ms: steadier than wall time on a shared machine. */
function time(fn) {
	const ts = [];
	for (let r = 0; r < rounds; r++) {
		const c0 = process.cpuUsage();
		fn();
		const c = process.cpuUsage(c0);
		ts.push((c.user + c.system) / 1000);
	}
	ts.sort((a, b) => a - b);
	return ts[ts.length >> 1];
}

let sink = 0;
const tNl = time(() => {
	for (const b of bufs) sink += countNewlines(b);
});
const tAn = time(() => {
	for (let k = 0; k < bufs.length; k++) {
		const r = analyzeBuffer(bufs[k], files[k]);
		if (r.ok) sink += r.analysis.lines;
	}
});
const tNlRead = time(() => {
	for (const f of files) sink += countNewlines(fs.readFileSync(f));
});
const tAnRead = time(() => {
	for (const f of files) {
		const r = analyzeBuffer(fs.readFileSync(f), f);
		if (r.ok) sink += r.analysis.lines;
	}
});
const mb = bytes / 1e6;
const row = (name, ms) => console.log(`${name.padEnd(34)} ${ms.toFixed(1).padStart(8)} ms  ${(mb / (ms / 1000)).toFixed(0).padStart(6)} MB/s`);
console.log(`${files.length} files, ${mb.toFixed(1)} MB, median CPU time of ${rounds} rounds (sink ${sink % 10})`);
row('newline counter (in memory)', tNl);
row('analyzeBuffer (in memory)', tAn);
row('readFileSync + newline counter', tNlRead);
row('readFileSync + analyzeBuffer', tAnRead);
console.log(`ratio analyze/newlines in memory: ${(tAn / tNl).toFixed(2)}x; with reads: ${(tAnRead / tNlRead).toFixed(2)}x`);
