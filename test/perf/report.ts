// What a benchmark run collects and how it is printed: measurement rows (median, min, max),
// ratios between rows of the same run (with the spec's target when it has one), and notes
// (why something was not measured). Plain-text tables for people, `--json` for machines.

import type { Stats } from './timing';

export type Unit = 'ms' | 'MB/s' | 'MiB' | 'count';

export interface Row {
	suite: string;
	/** Tree name, or '' for tree-independent rows. */
	tree: string;
	name: string;
	unit: Unit;
	median: number;
	min: number;
	max: number;
	runs: number;
	/** Free text: flags used, what is included, peak RSS… */
	note?: string;
}

export interface Ratio {
	suite: string;
	tree: string;
	name: string;
	value: number;
	/** e.g. `<= 2.0`, `>= 25`. */
	target?: string;
	/** Whether the target is met (undefined without a target). */
	met?: boolean;
	note?: string;
}

export interface Note {
	suite: string;
	tree: string;
	text: string;
}

export class Report {
	readonly rows: Row[] = [];
	readonly ratios: Ratio[] = [];
	readonly notes: Note[] = [];

	constructor(private readonly echo: (line: string) => void) {}

	/** Adds a row of timings (or any unit) from stats. */
	row(suite: string, tree: string, name: string, stats: Stats, unit: Unit = 'ms', note?: string): Row {
		const r: Row = { suite, tree, name, unit, median: stats.median, min: stats.min, max: stats.max, runs: stats.runs, note };
		this.rows.push(r);
		this.echo(`  ${pad(tree || '-', 14)} ${pad(name, 58)} ${fmt(r.median, unit)} (${fmt(r.min, unit)} … ${fmt(r.max, unit)})${note ? '  ' + note : ''}`);
		return r;
	}

	/** Adds a single value (e.g. a peak RSS). */
	value(suite: string, tree: string, name: string, value: number, unit: Unit, note?: string): Row {
		return this.row(suite, tree, name, { runs: 1, median: value, min: value, max: value, mean: value, samples: [value] }, unit, note);
	}

	/**
	 * Adds a ratio `value`; `target` is `<= x` or `>= x` (met is computed), or omitted.
	 */
	ratio(suite: string, tree: string, name: string, value: number, target?: string, note?: string): Ratio {
		let met: boolean | undefined;
		if (target) {
			const m = /^(<=|>=)\s*([\d.]+)$/.exec(target.trim());
			if (!m) throw new Error(`bad ratio target ${target}`);
			met = m[1] === '<=' ? value <= Number(m[2]) : value >= Number(m[2]);
		}
		const r: Ratio = { suite, tree, name, value, target, met, note };
		this.ratios.push(r);
		this.echo(`  ${pad(tree || '-', 14)} ratio ${pad(name, 52)} ${value.toFixed(2).padStart(8)}×${target ? `  target ${target}: ${met ? 'met' : 'MISSED'}` : ''}`);
		return r;
	}

	note(suite: string, tree: string, text: string): void {
		this.notes.push({ suite, tree, text });
		this.echo(`  ${pad(tree || '-', 14)} note: ${text}`);
	}

	/** Finds a row by suite, tree and name (for ratios between suites). */
	find(suite: string, tree: string, name: string): Row | undefined {
		return this.rows.find((r) => r.suite === suite && r.tree === tree && r.name === name);
	}

	/** The final tables: measurements, then ratios, then notes. */
	tables(): string {
		const out: string[] = [];
		const head = ['suite', 'tree', 'measurement', 'median', 'min', 'max', 'runs', 'note'];
		const body = this.rows.map((r) => [r.suite, r.tree || '-', r.name, fmt(r.median, r.unit), fmt(r.min, r.unit), fmt(r.max, r.unit), String(r.runs), r.note ?? '']);
		out.push(table(head, body, [false, false, false, true, true, true, true, false]));
		if (this.ratios.length > 0) {
			out.push('');
			const rh = ['suite', 'tree', 'ratio', 'value', 'target', 'result', 'note'];
			const rb = this.ratios.map((r) => [r.suite, r.tree || '-', r.name, `${r.value.toFixed(2)}×`, r.target ?? '', r.target ? (r.met ? 'met' : 'MISSED') : '', r.note ?? '']);
			out.push(table(rh, rb, [false, false, false, true, false, false, false]));
		}
		if (this.notes.length > 0) {
			out.push('');
			for (const n of this.notes) out.push(`note [${n.suite}${n.tree ? ' ' + n.tree : ''}]: ${n.text}`);
		}
		return out.join('\n');
	}
}

function pad(s: string, n: number): string {
	return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** Formats a number in its unit with 3 significant-ish digits. */
export function fmt(v: number, unit: Unit): string {
	if (!Number.isFinite(v)) return String(v);
	switch (unit) {
		case 'ms':
			return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : v >= 10 ? `${v.toFixed(0)} ms` : `${v.toFixed(2)} ms`;
		case 'MB/s':
			return `${v.toFixed(0)} MB/s`;
		case 'MiB':
			return `${v.toFixed(0)} MiB`;
		case 'count':
			return String(Math.round(v));
	}
}

/** A plain-text table; `right[i]` right-aligns column i. Markdown-compatible pipes. */
export function table(head: string[], body: string[][], right: boolean[]): string {
	const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
	const line = (cells: string[]) => '| ' + cells.map((c, i) => (right[i] ? c.padStart(w[i]) : c.padEnd(w[i]))).join(' | ') + ' |';
	const sep = '|' + w.map((n, i) => (right[i] ? '-'.repeat(n + 1) + ':' : '-'.repeat(n + 2))).join('|') + '|';
	return [line(head), sep, ...body.map(line)].join('\n');
}
