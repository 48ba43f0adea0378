// The analysis pool never starts more worker threads than its documented maximum (4 per core,
// at least 8), whatever `jobs` asks for: each worker is a V8 heap of its own.

import { strict as assert } from 'node:assert';
import * as os from 'node:os';
import { describe, it } from 'node:test';
import { parseScanArgs } from '../../src/cli/scanCommand';
import { AnalyzerPool } from '../../src/core/pool';

// Worked out from the documented rule, not read from the code.
const MAX = Math.max(8, 4 * os.availableParallelism());

describe('worker thread limit', () => {
	it('a pool asked for more workers than the maximum starts the maximum; fewer, as many as asked', async () => {
		// MAX + 3, not a huge number: without the limit this test must not exhaust the machine.
		for (const [jobs, want] of [[MAX + 3, MAX], [2, 2]]) {
			const pool = new AnalyzerPool({ jobs });
			try {
				pool.start();
				assert.equal(pool.size, want, `jobs ${jobs}`);
			} finally {
				await pool.close();
			}
		}
	});

	it('--jobs 100000 parses to the maximum, with a note; --jobs at the maximum has none', () => {
		const o = parseScanArgs(['--jobs', '100000', '.']);
		assert.equal(o.scan.jobs, MAX);
		assert.equal(o.jobsNote, `--jobs 100000: using ${MAX} threads (at most 4 per core, at least 8)`);
		const w = parseScanArgs(['-j', String(MAX)]);
		assert.equal(w.scan.jobs, MAX);
		assert.equal(w.jobsNote, undefined);
	});
});
