// Summarizes V8 CPU profiles (`node --cpu-prof`): the functions with the most self time, so a
// missed target can be explained without opening DevTools.
//   node out/test/perf/profile.js FILE.cpuprofile [TOP]

import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	hitCount?: number;
}

interface CpuProfile {
	nodes: ProfileNode[];
	startTime: number;
	endTime: number;
	samples?: number[];
	timeDeltas?: number[];
}

export interface SelfTime {
	fn: string;
	where: string;
	ms: number;
	percent: number;
}

/** Self time per function (name + file + line), highest first. */
export function topSelfTime(file: string, top = 15): { totalMs: number; rows: SelfTime[] } {
	const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
	const selfUs = new Map<number, number>();
	if (prof.samples && prof.timeDeltas) {
		// Each sample's time is the delta to the next sample (what DevTools attributes).
		for (let i = 0; i < prof.samples.length; i++) {
			const dt = prof.timeDeltas[i + 1] ?? 0;
			selfUs.set(prof.samples[i], (selfUs.get(prof.samples[i]) ?? 0) + dt);
		}
	}
	const byFn = new Map<string, SelfTime>();
	let totalUs = 0;
	for (const n of prof.nodes) {
		const us = selfUs.get(n.id) ?? 0;
		totalUs += us;
		const name = n.callFrame.functionName || '(anonymous)';
		const where = n.callFrame.url ? `${path.basename(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : '';
		const key = `${name}\0${where}`;
		const e = byFn.get(key) ?? { fn: name, where, ms: 0, percent: 0 };
		e.ms += us / 1000;
		byFn.set(key, e);
	}
	const rows = [...byFn.values()].sort((a, b) => b.ms - a.ms).slice(0, top);
	for (const r of rows) r.percent = totalUs > 0 ? (100 * r.ms * 1000) / totalUs : 0;
	return { totalMs: totalUs / 1000, rows };
}

/** Text lines for a summary. */
export function formatSelfTime(file: string, top = 15): string[] {
	const { totalMs, rows } = topSelfTime(file, top);
	const out = [`${path.basename(file)}: ${totalMs.toFixed(0)} ms sampled; top self time:`];
	for (const r of rows) out.push(`  ${r.ms.toFixed(0).padStart(7)} ms ${r.percent.toFixed(1).padStart(5)}%  ${r.fn}  ${r.where}`);
	return out;
}

if (require.main === module) {
	const [file, top] = process.argv.slice(2);
	if (!file) {
		process.stderr.write('usage: profile.js FILE.cpuprofile [TOP]\n');
		process.exit(2);
	}
	process.stdout.write(formatSelfTime(file, top ? Number(top) : 15).join('\n') + '\n');
}
