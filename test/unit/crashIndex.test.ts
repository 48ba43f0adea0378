import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { JsonlIndexStore } from '../../src/core/indexStore';
import type { FileRecord } from '../../src/core/types';
import { crashBatch, crashMeta, seqOf } from './helpers/crashModel';
import { prng } from './helpers/indexRecords';

const TRIALS = Number(process.env.CRASH_TRIALS ?? 200);
/** Kills that must land inside a full write (a temp file left behind) for the run to prove anything. */
const MID_SAVE_MIN = 5;
const child = path.join(__dirname, 'helpers', 'crashWriter.js');

interface Trial { acked: number; stderr: string; code: number | null; signal: NodeJS.Signals | null }

/**
 * Starts a writer, kills it `delayMs` after it has loaded the index and acknowledged `acks`
 * more batches, returns what it reported. Counting acknowledgements, not only milliseconds,
 * keeps the kills spread over the writes however slow fsync is on a busy machine (CI once saw
 * only 19 of 200 trials get past the first batch within 25 ms).
 */
function runAndKill(file: string, seed: number, acks: number, delayMs: number): Promise<Trial> {
	return new Promise((resolve, reject) => {
		const p = spawn(process.execPath, [child, file, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		let stderr = '';
		let armed = false;
		p.stdout.setEncoding('utf8');
		p.stdout.on('data', (d: string) => {
			out += d;
			if (!armed && out.startsWith('ready\n') && out.split('\n').length - 2 >= acks) {
				armed = true;
				setTimeout(() => p.kill('SIGKILL'), delayMs);
			}
		});
		p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		p.on('error', reject);
		p.on('close', (code, signal) => {
			const nums = out.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
			resolve({ acked: nums.length ? nums[nums.length - 1] : 0, stderr, code, signal });
		});
	});
}

test(`an index written by a process SIGKILLed at random moments always loads as a state before or after a write (${TRIALS} trials)`, { timeout: 300_000 }, async (t) => {
	const dir = mkdtempSync(path.join(tmpdir(), 'ws-crash-'));
	try {
		const file = path.join(dir, 'index');
		const seed = 20261128;
		const rnd = prng(seed);
		// The expected state, advanced batch by batch as the loaded sequence number grows.
		const expected = new Map<string, FileRecord>();
		let expectedK = 0;
		let lastK = 0;
		let midSave = 0;
		let torn = 0;
		let advanced = 0;
		// At least TRIALS kills, and more (up to 3×) until MID_SAVE_MIN of them have landed inside
		// a full write: how many land there depends on how long a save takes against the fsyncs
		// around it, and a faster save once left CI with 3 of 200.
		let i = 0;
		for (; i < TRIALS || (midSave < MID_SAVE_MIN && i < 3 * TRIALS); i++) {
			const trial = await runAndKill(file, seed, Math.floor(rnd() * 3), Math.floor(rnd() * 25));
			assert.equal(trial.signal, 'SIGKILL', `trial ${i}: the child ended by itself (code ${trial.code}): ${trial.stderr}`);
			// Evidence of where the kill landed, read before the loader cleans up.
			if (readdirSync(dir).some((n) => n.includes('.tmp-'))) midSave++;
			if (existsSync(file + '.journal') && !readFileSync(file + '.journal', 'utf8').endsWith('\n')) torn++;
			const loaded = await new JsonlIndexStore(file).load(crashMeta);
			assert.ok(loaded.status === 'ok' || (loaded.status === 'missing' && trial.acked === 0),
				`trial ${i}: status ${loaded.status}: ${loaded.warnings.join('; ')}`);
			const state = new Map(loaded.records.map((r) => [r.path, r]));
			const k = seqOf(state);
			assert.ok(k >= trial.acked, `trial ${i}: loaded batch ${k} is older than the acknowledged ${trial.acked}`);
			assert.ok(k >= lastK, `trial ${i}: went back from batch ${lastK} to ${k}`);
			if (k > lastK) advanced++;
			while (expectedK < k) {
				expectedK++;
				const b = crashBatch(seed, expectedK);
				for (const d of b.deletes) expected.delete(d.path);
				for (const r of b.upserts) expected.set(r.path, r);
			}
			assert.deepEqual(state, expected, `trial ${i}: the index after batch ${k} differs from that state`);
			lastK = k;
		}
		t.diagnostic(`${i} kills (${advanced} after progress): ${midSave} left a temp file (killed inside a full write), ${torn} left a torn journal line; ${lastK} batches written`);
		// A run where nothing was written, or no kill hit a full write, proves nothing. (How many
		// kills land where depends on the machine's speed; these floors hold even on a loaded one.)
		assert.ok(lastK >= TRIALS / 4, `only ${lastK} batches written in ${TRIALS} trials`);
		assert.ok(advanced >= TRIALS / 10, `only ${advanced} trials made progress`);
		assert.ok(midSave >= MID_SAVE_MIN, `only ${midSave} of ${i} kills landed inside a full write`);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
