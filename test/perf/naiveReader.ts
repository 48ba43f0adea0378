// Baseline for the benchmarks: a naive single-threaded Node reader that walks a folder
// (readdir with file types, no filters, no ignore files, symlinks not followed), reads every
// regular file and only counts newlines. It bounds what a Node scanner can do on one thread.
// Run as a child process so its time includes Node start-up, like the CLI's:
//   node out/test/perf/naiveReader.js async|sync DIR [--concurrency N]
// Prints {"files","bytes","newlines"} as JSON.

import fs from 'node:fs';
import path from 'node:path';

const NL = 10;

function countNewlines(buf: Buffer): number {
	let n = 0;
	let i = buf.indexOf(NL);
	while (i !== -1) {
		n++;
		i = buf.indexOf(NL, i + 1);
	}
	return n;
}

interface Totals {
	files: number;
	bytes: number;
	newlines: number;
}

function runSync(root: string): Totals {
	const t: Totals = { files: 0, bytes: 0, newlines: 0 };
	const stack = [root];
	while (stack.length > 0) {
		const dir = stack.pop()!;
		for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
			const p = path.join(dir, e.name);
			if (e.isDirectory()) stack.push(p);
			else if (e.isFile()) {
				const buf = fs.readFileSync(p);
				t.files++;
				t.bytes += buf.length;
				t.newlines += countNewlines(buf);
			}
		}
	}
	return t;
}

/** fs.promises for listing and reading; at most `concurrency` reads (and listings) in flight. */
async function runAsync(root: string, concurrency: number): Promise<Totals> {
	const t: Totals = { files: 0, bytes: 0, newlines: 0 };
	const dirs = [root];
	const files: string[] = [];
	let active = 0;
	return new Promise<Totals>((resolve, reject) => {
		const pump = (): void => {
			while (active < concurrency && (dirs.length > 0 || files.length > 0)) {
				active++;
				// Reading files first keeps the file queue short; folders feed it.
				if (files.length > 0) {
					const p = files.pop()!;
					fs.promises.readFile(p).then((buf) => {
						t.files++;
						t.bytes += buf.length;
						t.newlines += countNewlines(buf);
						done();
					}, reject);
				} else {
					const d = dirs.pop()!;
					fs.promises.readdir(d, { withFileTypes: true }).then((entries) => {
						for (const e of entries) {
							if (e.isDirectory()) dirs.push(path.join(d, e.name));
							else if (e.isFile()) files.push(path.join(d, e.name));
						}
						done();
					}, reject);
				}
			}
			if (active === 0) resolve(t);
		};
		const done = (): void => {
			active--;
			pump();
		};
		pump();
	});
}

async function main(): Promise<void> {
	const [mode, dir, ...rest] = process.argv.slice(2);
	const ci = rest.indexOf('--concurrency');
	const concurrency = ci >= 0 ? Number(rest[ci + 1]) : 64;
	if ((mode !== 'async' && mode !== 'sync') || !dir) {
		process.stderr.write('usage: naiveReader.js async|sync DIR [--concurrency N]\n');
		process.exit(2);
	}
	const t = mode === 'sync' ? runSync(dir) : await runAsync(dir, concurrency);
	process.stdout.write(JSON.stringify(t) + '\n');
}

if (require.main === module) {
	main().catch((e: unknown) => {
		process.stderr.write(`naiveReader: ${e instanceof Error ? e.message : String(e)}\n`);
		process.exit(1);
	});
}

export { countNewlines };
