// The benchmark's warning about DAMON reclaim, read from a sysfs-shaped folder made here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pageCacheReclaim } from '../perf/machine';

function kdamond(root: string, id: number, state: string, aggrUs: number, schemes: [action: string, minAge: number][]): void {
	const k = path.join(root, String(id));
	mkdirSync(path.join(k, 'contexts', '0', 'monitoring_attrs', 'intervals'), { recursive: true });
	writeFileSync(path.join(k, 'state'), `${state}\n`);
	writeFileSync(path.join(k, 'contexts', '0', 'monitoring_attrs', 'intervals', 'aggr_us'), `${aggrUs}\n`);
	schemes.forEach(([action, minAge], i) => {
		const s = path.join(k, 'contexts', '0', 'schemes', String(i));
		mkdirSync(path.join(s, 'access_pattern', 'age'), { recursive: true });
		writeFileSync(path.join(s, 'action'), `${action}\n`);
		writeFileSync(path.join(s, 'access_pattern', 'age', 'min'), `${minAge}\n`);
	});
	mkdirSync(path.join(k, 'contexts', '0', 'schemes'), { recursive: true });
}

test('pageCacheReclaim: a running pageout scheme is reported with its idle time; others are not', () => {
	const root = mkdtempSync(path.join(tmpdir(), 'ws-damon-'));
	try {
		assert.equal(pageCacheReclaim(path.join(root, 'none')), undefined, 'no sysfs folder');
		kdamond(root, 0, 'off', 5_000_000, [['pageout', 12]]);
		kdamond(root, 1, 'on', 5_000_000, [['stat', 0]]);
		assert.equal(pageCacheReclaim(root), undefined, 'stopped, or not paging out');
		// 12 aggregation intervals of 5 s: one minute idle.
		kdamond(root, 2, 'on', 5_000_000, [['lru_prio', 3], ['pageout', 12]]);
		const said = pageCacheReclaim(root);
		assert.ok(said?.includes('kdamond 2: memory idle for 60 s or more is paged out'), said);
		assert.ok(!said?.includes('kdamond 0') && !said?.includes('kdamond 1'), said);
	} finally {
		rmSync(root, { recursive: true, force: true });
	}
});
