// In-memory samples of a tree for the suites that measure CPU work without I/O: a
// deterministic subset of its files (every k-th file in path order, so that about `sampleMB`
// megabytes are kept), preloaded into Buffers once per tree and run.

import fs from 'node:fs';
import path from 'node:path';
import type { Tree } from './trees';

export interface Sample {
	/** Root-relative paths, '/' separators. */
	paths: string[];
	buffers: Buffer[];
	bytes: number;
}

/** Every regular file of a folder (symlinks not followed), root-relative, sorted. */
export function listFiles(root: string): string[] {
	const out: string[] = [];
	const stack = [''];
	while (stack.length > 0) {
		const rel = stack.pop()!;
		for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
			const p = rel ? `${rel}/${e.name}` : e.name;
			if (e.isDirectory()) stack.push(p);
			else if (e.isFile()) out.push(p);
		}
	}
	return out.sort();
}

const cache = new Map<string, Sample>();
const listCache = new Map<string, string[]>();

/** The tree's sorted file list (cached for the run). */
export function treeFiles(tree: Tree): string[] {
	let l = listCache.get(tree.dir);
	if (!l) {
		l = listFiles(tree.dir);
		listCache.set(tree.dir, l);
	}
	return l;
}

/** A sample of about `sampleMB` MB of the tree's files (all of them when the tree is smaller). */
export function sampleOf(tree: Tree, sampleMB: number): Sample {
	const key = `${tree.dir}\0${sampleMB}`;
	const hit = cache.get(key);
	if (hit) return hit;
	const all = treeFiles(tree);
	const step = Math.max(1, Math.round(tree.bytes / (sampleMB * 1e6)));
	const s: Sample = { paths: [], buffers: [], bytes: 0 };
	for (let i = 0; i < all.length; i += step) {
		const buf = fs.readFileSync(path.join(tree.dir, all[i]));
		s.paths.push(all[i]);
		s.buffers.push(buf);
		s.bytes += buf.length;
	}
	cache.set(key, s);
	return s;
}
