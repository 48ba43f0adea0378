// Folder digests: what lets a warm start with nothing changed skip the per-file comparison.
//
// The index stores, per folder (root + root-relative path), the number of its records and two
// 32-bit sums of a hash of each record's (name, size, mtime). The stat walk's workers compute the
// same over the files they list in that folder; equal digests mean the folder's files are the
// indexed ones, unchanged, and the calling thread never sees them one by one. Sums make the
// digest independent of listing order. Two hashes with different multipliers give ~64 bits: a
// changed folder that still matches (a stale record kept) needs a collision of both. Anything
// that does not match costs nothing but the ordinary per-file comparison.

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function mix(h: number, k: number, m: number): number {
	h = Math.imul(h ^ k, m);
	return h ^ (h >>> 15);
}

function fmix(h: number): number {
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b);
	h ^= h >>> 13;
	h = Math.imul(h, 0xc2b2ae35);
	return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Adds one file (its name in the folder, size, mtime) to a folder digest `acc`
 * ([count, sum1, sum2]) in place. The name is `name` from index `from` on (a path's base name
 * without slicing it off).
 */
export function addToDigest(acc: Uint32Array | number[], name: string, size: number, mtimeMs: number, from = 0): void {
	let h1 = 0x811c9dc5;
	let h2 = 0x9747b28c;
	for (let i = from; i < name.length; i++) {
		const c = name.charCodeAt(i);
		h1 = mix(h1, c, 0x01000193);
		h2 = mix(h2, c, 0x5bd1e995);
	}
	f64[0] = size;
	h1 = mix(mix(h1, u32[0], 0x01000193), u32[1], 0x01000193);
	h2 = mix(mix(h2, u32[0], 0x5bd1e995), u32[1], 0x5bd1e995);
	f64[0] = mtimeMs;
	h1 = mix(mix(h1, u32[0], 0x01000193), u32[1], 0x01000193);
	h2 = mix(mix(h2, u32[0], 0x5bd1e995), u32[1], 0x5bd1e995);
	acc[0] = (acc[0] + 1) >>> 0;
	acc[1] = (acc[1] + fmix(h1)) >>> 0;
	acc[2] = (acc[2] + fmix(h2 ^ 0x5bd1e995)) >>> 0;
}

/**
 * Folder digests of an index, flat: `[root, dir, count, sum1, sum2]` per folder, `dir` an index
 * into the index's folder table. Built from records in any order.
 */
export class DigestTable {
	/** Per root, per folder number: [count, sum1, sum2]. */
	private readonly roots: (number[] | undefined)[][] = [];

	/** Adds a record's file by its root-relative path. `dir` is the folder's number in the caller's folder table. */
	add(root: number, dir: number, path: string, size: number, mtimeMs: number): void {
		const dirs = (this.roots[root] ??= []);
		const acc = (dirs[dir] ??= [0, 0, 0]);
		addToDigest(acc, path, size, mtimeMs, path.lastIndexOf('/') + 1);
	}

	/** `[root, dir, count, sum1, sum2, …]`. */
	flat(): number[] {
		const out: number[] = [];
		for (let r = 0; r < this.roots.length; r++) {
			const dirs = this.roots[r];
			if (!dirs) continue;
			for (let d = 0; d < dirs.length; d++) {
				const a = dirs[d];
				if (a) out.push(r, d, a[0], a[1], a[2]);
			}
		}
		return out;
	}
}
