// System errors end the CLI with one clear line and exit 1 (a full disk on stdout: "cannot write
// the output: ENOSPC …"); only programming errors (no system error code) print a stack trace.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main';
import { isSystemError } from '../../src/core/types';

const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js');

function tree(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-cli-err-'));
	fs.writeFileSync(path.join(dir, 'a.py'), 'x = 1\n');
	return dir;
}

/** A stdout whose write throws `err`; stderr collected. */
function failingIo(err: Error): { io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }; err: () => string } {
	let text = '';
	const stdout = new Writable({ write: (_c, _e, cb) => cb() });
	stdout.write = () => {
		throw err;
	};
	const stderr = new Writable({
		write: (c: Buffer, _e, cb) => {
			text += c.toString();
			cb();
		},
	});
	return { io: { stdout, stderr }, err: () => text };
}

describe('CLI: system errors in one line, bugs with a stack trace', () => {
	it('stdout on a full disk (/dev/full): one line, exit 1, in every format', { skip: fs.existsSync('/dev/full') ? false : 'needs /dev/full' }, () => {
		const dir = tree();
		try {
			for (const args of [['-f', 'csv'], ['-f', 'json', '--by-file'], [], ['-f', 'markdown', '--index', path.join(dir, '..', path.basename(dir) + '.idx')]]) {
				const full = fs.openSync('/dev/full', 'w');
				try {
					const r = spawnSync(process.execPath, [CLI, '--jobs', '0', ...args, dir], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
					assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
					assert.equal(r.stderr, 'workspace-stats: cannot write the output: ENOSPC: no space left on device, write\n', args.join(' '));
				} finally {
					fs.closeSync(full);
				}
			}
		} finally {
			fs.rmSync(path.join(dir, '..', path.basename(dir) + '.idx'), { force: true });
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});

	it('a system error reaching main: its message in one line, exit 1; a bug keeps its stack trace', async () => {
		const dir = tree();
		try {
			const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
			const a = failingIo(enospc);
			assert.equal(await main(['--jobs', '0', '-f', 'json', dir], a.io), 1);
			assert.equal(a.err(), 'workspace-stats: ENOSPC: no space left on device, write\n');

			const b = failingIo(new TypeError('out.write is not a function'));
			assert.equal(await main(['--jobs', '0', '-f', 'json', dir], b.io), 1);
			assert.match(b.err(), /^workspace-stats: TypeError: out\.write is not a function\n {4}at /);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});

	it('isSystemError: errno codes and Node SystemErrors, not Node\'s ERR_ argument errors', () => {
		let real: unknown;
		try {
			fs.readFileSync(os.tmpdir());
		} catch (e) {
			real = e;
		}
		assert.equal(isSystemError(real), true);
		assert.equal(isSystemError(Object.assign(new Error('x'), { code: 'EACCES' })), true);
		assert.equal(isSystemError(Object.assign(new Error('Path is a directory'), { code: 'ERR_FS_EISDIR', syscall: 'rm' })), true);
		assert.equal(isSystemError(Object.assign(new TypeError('bad'), { code: 'ERR_INVALID_ARG_TYPE' })), false);
		assert.equal(isSystemError(new Error('plain')), false);
		assert.equal(isSystemError({ code: 'EACCES', message: 'not an Error' }), false);
		assert.equal(isSystemError(undefined), false);
	});
});
