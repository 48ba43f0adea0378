// Run Benchmark: the seed's before/after pairs and the scan against the machine's bounds, measured
// on this workspace inside the extension host, results in the log. Every "before" variant runs in
// chunks that yield to the event loop, so the benchmark never freezes the window either.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as readline from 'node:readline';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { analyzeBuffer } from '../core/analyzer';
import { JsonlIndexStore } from '../core/indexStore';
import { scan } from '../core/scanner';
import type { Logger } from '../core/types';
import { walk } from '../core/walk';
import { analysisThreads } from './model';
import type { StatsModel } from './model';

export interface BenchmarkRow {
	name: string;
	ms: number;
	/** What it is compared with, and the ratio this/that. */
	vs?: string;
	ratio?: number;
	note?: string;
}

const yieldNow = () => new Promise<void>((r) => setImmediate(r));

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
	const t0 = performance.now();
	const value = await fn();
	return { ms: performance.now() - t0, value };
}

/** Median wall time of `runs` runs. */
async function median(runs: number, fn: () => Promise<unknown>, signal: AbortSignal): Promise<number> {
	const ms: number[] = [];
	for (let i = 0; i < runs; i++) {
		signal.throwIfAborted();
		ms.push((await time(fn)).ms);
	}
	return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)];
}

/** Reads every file with bounded concurrency; `each` sees each buffer. */
async function readAll(paths: string[], each: (buf: Buffer, p: string) => void, signal: AbortSignal): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < paths.length) {
			signal.throwIfAborted();
			const p = paths[next++];
			const buf = await fs.promises.readFile(p).catch(() => undefined);
			if (buf) each(buf, p);
		}
	};
	await Promise.all(Array.from({ length: 8 }, worker));
}

export async function runBenchmark(model: StatsModel, log: Logger, signal: AbortSignal, report: (m: string) => void): Promise<BenchmarkRow[]> {
	const roots = model.folders.map((f) => f.uri.fsPath);
	if (roots.length === 0) throw new Error(vscode.l10n.t('open a folder to benchmark'));
	const options = model.settingsOf(0)?.options ?? {};
	const rows: BenchmarkRow[] = [];
	const add = (r: BenchmarkRow) => {
		rows.push(r);
		log.info(`${r.name.padEnd(48)} ${r.ms.toFixed(1).padStart(9)} ms${r.vs ? `  ${r.ratio!.toFixed(2)}× ${r.vs}` : ''}${r.note ? `  (${r.note})` : ''}`);
	};
	log.info(`benchmark on ${roots.join(', ')} (medians of 3 runs; the first run warms the page cache)`);

	// The file list once (also the traversal bound).
	report(vscode.l10n.t('listing files'));
	const files: string[] = [];
	const walkMs = await median(3, async () => {
		files.length = 0;
		for await (const b of walk(roots, { ...options, signal })) for (const f of b.files) files.push(f.absPath);
	}, signal);
	add({ name: 'walk (traversal bound)', ms: walkMs, note: `${files.length} files` });

	// Bounds: read every byte; a naive reader counting newlines.
	report(vscode.l10n.t('reading every byte'));
	let total = 0;
	const readMs = await median(3, () => readAll(files, (b) => (total += b.length), signal), signal);
	add({ name: 'read every byte (I/O bound)', ms: readMs, note: `${(total / 3 / 1048576).toFixed(1)} MB` });
	const naiveMs = await median(3, () => readAll(files, (b) => {
		let n = 0;
		for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) n++;
		void n;
	}, signal), signal);
	add({ name: 'naive newline counter (fs.promises)', ms: naiveMs });

	// The full scan (counts + structure, worker threads), with the event-loop delay it causes.
	report(vscode.l10n.t('full scan'));
	const h = monitorEventLoopDelay({ resolution: 10 });
	h.enable();
	const scanMs = await median(3, () => scan(roots, { ...options, jobs: analysisThreads(), signal }), signal);
	h.disable();
	add({ name: 'full scan (counts + structure)', ms: scanMs, vs: 'read every byte', ratio: scanMs / readMs });
	add({ name: 'full scan', ms: scanMs, vs: 'naive newline counter', ratio: scanMs / naiveMs });
	log.info(`event-loop delay during the scans: max ${(h.max / 1e6).toFixed(1)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms, mean ${(h.mean / 1e6).toFixed(1)} ms`);

	// Seed pair 1: one glob search per file type vs one traversal.
	report(vscode.l10n.t('one glob per file type'));
	const exts = [...new Set(files.map((f) => /\.[^./]+$/.exec(f)?.[0]).filter((e): e is string => !!e))].slice(0, 12);
	const globMs = await median(3, async () => {
		for (const ext of exts) await vscode.workspace.findFiles(`**/*${ext}`, undefined, undefined);
	}, signal);
	add({ name: `before: one glob per file type (${exts.length} findFiles)`, ms: globMs, vs: 'one walk', ratio: globMs / walkMs });

	// Seed pair 2: a split per question vs one pass (on up to 2,000 files, read once beforehand).
	report(vscode.l10n.t('split per question vs one pass'));
	const sample: [Buffer, string][] = [];
	await readAll(files.slice(0, 2000), (b, p) => sample.push([b, p]), signal);
	const splitMs = await median(3, async () => {
		for (let i = 0; i < sample.length; i++) {
			const text = sample[i][0].toString('utf8');
			let blank = 0, comment = 0, imports = 0;
			for (const l of text.split('\n')) if (l.trim() === '') blank++;
			for (const l of text.split('\n')) if (/^\s*(\/\/|#)/.test(l)) comment++;
			for (const l of text.split('\n')) if (/^\s*(import|from|#include|require)\b/.test(l)) imports++;
			void (blank + comment + imports);
			if (i % 50 === 49) await yieldNow();
		}
	}, signal);
	const passMs = await median(3, async () => {
		for (let i = 0; i < sample.length; i++) {
			analyzeBuffer(sample[i][0], sample[i][1], options);
			if (i % 50 === 49) await yieldNow();
		}
	}, signal);
	add({ name: `before: a split per question (${sample.length} files)`, ms: splitMs, vs: 'one pass (analyzer)', ratio: splitMs / passMs, note: `one pass ${passMs.toFixed(1)} ms, and it answers more` });

	// Seed pair 3: records parsed line by line (JSONL + readline) vs in one batch (one read, one
	// JSON.parse), on this workspace's records written both ways to a temp folder; then the
	// index store's own load.
	if (model.index.size > 0) {
		report(vscode.l10n.t('index load'));
		const dir = await fs.promises.mkdtemp(nodePath.join(os.tmpdir(), 'wstats-bench-'));
		try {
			const records = [...model.index.values()];
			const jsonl = nodePath.join(dir, 'records.jsonl');
			const batch = nodePath.join(dir, 'records.json');
			await fs.promises.writeFile(jsonl, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
			await fs.promises.writeFile(batch, JSON.stringify(records));
			const lineMs = await median(3, async () => {
				const rl = readline.createInterface({ input: fs.createReadStream(jsonl), crlfDelay: Infinity });
				let n = 0;
				for await (const line of rl) {
					if (line && JSON.parse(line)) n++;
				}
				void n;
			}, signal);
			const batchMs = await median(3, async () => JSON.parse(await fs.promises.readFile(batch, 'utf8')) as unknown, signal);
			add({ name: `before: ${records.length} records read line by line (readline)`, ms: lineMs, vs: 'one batch (readFile + JSON.parse)', ratio: lineMs / batchMs });
		} finally {
			await fs.promises.rm(dir, { recursive: true, force: true });
		}
		const indexPath = model.storagePath('index.jsonl');
		if (indexPath && fs.existsSync(indexPath)) {
			const loadMs = await median(3, () => new JsonlIndexStore(indexPath).load(), signal);
			add({ name: 'index store load (this workspace\'s saved index)', ms: loadMs });
		}
	} else log.info('no results yet: scan first to benchmark reading records');
	report(vscode.l10n.t('done'));
	return rows;
}
