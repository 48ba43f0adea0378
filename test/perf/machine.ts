// What of the machine a benchmark run should know besides its CPU and memory.

import fs from 'node:fs';
import path from 'node:path';

/**
 * Linux's DAMON reclaiming idle memory ("pageout" schemes of a running kdamond, as on the
 * firecracker machines this project is measured on): page cache not touched for the scheme's
 * minimum age is dropped, so a tree read a minute ago may be read from disk again. Returns a
 * sentence saying so, or undefined when no such scheme runs (or there is no sysfs to ask).
 */
export function pageCacheReclaim(root = '/sys/kernel/mm/damon/admin/kdamonds'): string | undefined {
	const read = (p: string) => fs.readFileSync(p, 'utf8').trim();
	const found: string[] = [];
	let ids: string[];
	try {
		ids = fs.readdirSync(root).filter((d) => /^\d+$/.test(d));
	} catch {
		return undefined;
	}
	for (const k of ids) {
		try {
			if (read(path.join(root, k, 'state')) !== 'on') continue;
			const ctxs = path.join(root, k, 'contexts');
			for (const c of fs.readdirSync(ctxs).filter((d) => /^\d+$/.test(d))) {
				const aggrUs = Number(read(path.join(ctxs, c, 'monitoring_attrs', 'intervals', 'aggr_us')));
				const schemes = path.join(ctxs, c, 'schemes');
				for (const sc of fs.readdirSync(schemes).filter((d) => /^\d+$/.test(d))) {
					if (read(path.join(schemes, sc, 'action')) !== 'pageout') continue;
					const minAge = Number(read(path.join(schemes, sc, 'access_pattern', 'age', 'min')));
					found.push(`kdamond ${k}: memory idle for ${((minAge * aggrUs) / 1e6).toFixed(0)} s or more is paged out`);
				}
			}
		} catch {
			// not readable: say nothing of this one
		}
	}
	return found.length > 0 ? `DAMON reclaim is on (${found.join('; ')}): file data not read for that long may be read from disk again, so "warm cache" holds only within that time` : undefined;
}
