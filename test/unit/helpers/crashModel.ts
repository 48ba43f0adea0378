// The deterministic batch sequence shared by the crash-safety test and its child writer.

import type { IndexChanges } from '../../../src/core/fileIndex';
import type { IndexMeta } from '../../../src/core/indexStore';
import type { FileRecord } from '../../../src/core/types';
import { makeRecord, prng } from './indexRecords';

export const crashMeta: IndexMeta = { roots: ['/crash/root'], fingerprint: 'crash' };

const SEQ_PATH = '__seq__';

/** Batch k (k ≥ 1): a few upserts and deletes among 300 files, plus the sequence record. */
export function crashBatch(seed: number, k: number): IndexChanges {
	const rnd = prng(seed * 1000003 + k);
	const upserts: FileRecord[] = [];
	// The first batch fills the index so compactions rewrite a real amount of data.
	const n = k === 1 ? 300 : 1 + Math.floor(rnd() * 5);
	for (let i = 0; i < n; i++) upserts.push(makeRecord(k === 1 ? i : Math.floor(rnd() * 300), k));
	const deletes = Array.from({ length: Math.floor(rnd() * 3) }, () => ({ root: 0, path: makeRecord(Math.floor(rnd() * 300)).path }))
		.filter((d) => !upserts.some((u) => u.path === d.path));
	upserts.push({
		path: SEQ_PATH, root: 0, language: 'Text', category: 'docs', size: k, mtimeMs: k, bytes: 0,
		lines: 0, code: 0, comment: 0, blank: 0, imports: [], classes: [], functions: [],
	});
	return { upserts, deletes };
}

/** The batch number a state was written by (0 for the empty state). */
export function seqOf(state: Map<string, FileRecord>): number {
	return state.get(SEQ_PATH)?.size ?? 0;
}
