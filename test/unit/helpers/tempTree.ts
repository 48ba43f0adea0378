// Seeded random file trees and edits for the warm-start, processor and storm tests. Contents are
// real source in several languages (comments, strings, functions, classes), so edits change
// what the analyzer counts, not just sizes.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { prng } from './indexRecords';

export type Rnd = () => number;

const exts = ['py', 'js', 'ts', 'c', 'md', 'json', 'sh', 'xyz'];

export function pick<T>(rnd: Rnd, list: readonly T[]): T {
	return list[Math.floor(rnd() * list.length)];
}

/** Source text of a file of the given extension, `n` units long. */
export function content(rnd: Rnd, ext: string, n: number): string {
	const out: string[] = [];
	for (let i = 0; i < n; i++) {
		const id = Math.floor(rnd() * 1000);
		switch (ext) {
			case 'py':
				out.push(pick(rnd, [`import mod${id}`, `def f${id}(x):\n    """Doc ${id}."""\n    return x + ${id}  # add`, `class C${id}:\n    pass`, `# comment ${id}`, '', `s = "# not a comment ${id}"`]));
				break;
			case 'js':
			case 'ts':
				out.push(pick(rnd, [`import x${id} from './m${id}';`, `function g${id}(a) {\n\treturn a * ${id}; // times\n}`, `class K${id} {}`, `/* block\n   comment ${id} */`, '', `const s${id} = '/* not */';`]));
				break;
			case 'c':
				out.push(pick(rnd, [`#include <h${id}.h>`, `int f${id}(int a) {\n\treturn a; /* c */\n}`, `// line ${id}`, '', `char *s = "// no";`]));
				break;
			case 'md':
				out.push(pick(rnd, [`# Title ${id}`, `Some text ${id}.`, '', `- item ${id}`]));
				break;
			case 'json':
				out.push(`{"k${id}": ${id}}`);
				break;
			case 'sh':
				out.push(pick(rnd, [`echo ${id}  # say`, `# only comment ${id}`, '', `f${id}() { echo hi; }`]));
				break;
			default:
				out.push(`plain ${id}`);
		}
	}
	return out.join('\n') + (rnd() < 0.8 ? '\n' : '');
}

export function writeFile(abs: string, text: string | Buffer): void {
	fs.mkdirSync(path.dirname(abs), { recursive: true });
	fs.writeFileSync(abs, text);
}

/** Lists the files under dir (relative, '/' separators), skipping nothing. */
export function listFiles(dir: string, rel = ''): string[] {
	const out: string[] = [];
	for (const d of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
		const r = rel ? `${rel}/${d.name}` : d.name;
		if (d.isDirectory()) out.push(...listFiles(dir, r));
		else out.push(r);
	}
	return out;
}

export function listDirs(dir: string, rel = ''): string[] {
	const out: string[] = [];
	for (const d of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
		if (!d.isDirectory()) continue;
		const r = rel ? `${rel}/${d.name}` : d.name;
		out.push(r, ...listDirs(dir, r));
	}
	return out;
}

/** A new random relative file path, up to 3 folders deep. */
export function randomPath(rnd: Rnd, tag: string): string {
	const depth = Math.floor(rnd() * 4);
	const parts: string[] = [];
	for (let i = 0; i < depth; i++) parts.push(`d${Math.floor(rnd() * 4)}`);
	parts.push(`${tag}.${pick(rnd, exts)}`);
	return parts.join('/');
}

/** Creates `n` random files (and a .gitignore that drops `*.log` and `build/`) under dir. */
export function makeTree(dir: string, seed: number, n: number): void {
	const rnd = prng(seed);
	writeFile(path.join(dir, '.gitignore'), '*.log\nbuild/\n');
	for (let i = 0; i < n; i++) {
		const rel = randomPath(rnd, `f${i}`);
		const ext = rel.slice(rel.lastIndexOf('.') + 1);
		writeFile(path.join(dir, rel), content(rnd, ext, 1 + Math.floor(rnd() * 12)));
	}
	writeFile(path.join(dir, 'build', 'out.js'), 'ignored();\n');
	writeFile(path.join(dir, 'debug.log'), 'ignored\n');
}

export type EditKind = 'edit' | 'same-size-edit' | 'add' | 'delete' | 'rename' | 'rename-folder' | 'delete-folder' | 'binary' | 'ignore-rule';

/**
 * One random edit of the tree; returns what it did (the absolute paths touched, as a watcher
 * would report them). Same seed, same edits.
 */
export function randomEdit(dir: string, rnd: Rnd, counter: { n: number }): { kind: EditKind; touched: string[] } {
	const files = listFiles(dir).filter((f) => !f.startsWith('.git'));
	const kinds: EditKind[] = ['edit', 'edit', 'same-size-edit', 'add', 'add', 'delete', 'rename', 'rename-folder', 'delete-folder', 'binary', 'ignore-rule'];
	const kind = pick(rnd, kinds);
	const abs = (r: string) => path.join(dir, r);
	switch (kind) {
		case 'edit': {
			const f = pick(rnd, files);
			const ext = f.slice(f.lastIndexOf('.') + 1);
			fs.appendFileSync(abs(f), content(rnd, ext, 1 + Math.floor(rnd() * 3)));
			return { kind, touched: [abs(f)] };
		}
		case 'same-size-edit': {
			const f = pick(rnd, files);
			const buf = fs.readFileSync(abs(f));
			if (buf.length > 0) {
				const i = Math.floor(rnd() * buf.length);
				// Newline ↔ letter flips change the line counts with the size unchanged.
				buf[i] = buf[i] === 10 ? 0x61 : 10;
				fs.writeFileSync(abs(f), buf);
			}
			return { kind, touched: [abs(f)] };
		}
		case 'add': {
			const rel = randomPath(rnd, `n${counter.n++}`);
			const ext = rel.slice(rel.lastIndexOf('.') + 1);
			writeFile(abs(rel), content(rnd, ext, 1 + Math.floor(rnd() * 10)));
			return { kind, touched: [abs(rel)] };
		}
		case 'delete': {
			const f = pick(rnd, files);
			fs.rmSync(abs(f));
			return { kind, touched: [abs(f)] };
		}
		case 'rename': {
			const f = pick(rnd, files);
			const to = randomPath(rnd, `r${counter.n++}`);
			fs.mkdirSync(path.dirname(abs(to)), { recursive: true });
			fs.renameSync(abs(f), abs(to));
			return { kind, touched: [abs(f), abs(to)] };
		}
		case 'rename-folder':
		case 'delete-folder': {
			const dirs = listDirs(dir).filter((d) => !d.startsWith('.git'));
			if (dirs.length === 0) return { kind, touched: [] };
			const d = pick(rnd, dirs);
			if (kind === 'delete-folder') {
				fs.rmSync(abs(d), { recursive: true });
				return { kind, touched: [abs(d)] };
			}
			const to = `m${counter.n++}`;
			fs.renameSync(abs(d), abs(to));
			return { kind, touched: [abs(d), abs(to)] };
		}
		case 'binary': {
			const f = pick(rnd, files);
			fs.writeFileSync(abs(f), Buffer.from([1, 2, 0, 3, 4]));
			return { kind, touched: [abs(f)] };
		}
		case 'ignore-rule': {
			const pat = pick(rnd, ['*.json', 'd1/', '*.sh', '!keep.json', 'd0/d2/']);
			fs.appendFileSync(abs('.gitignore'), pat + '\n');
			return { kind, touched: [abs('.gitignore')] };
		}
	}
}
