// The `detail` of a file that could not be read holds the system error's code once:
// "ENXIO: no such device or address, open '…'", not "ENXIO: ENXIO: no such device…".
// (EACCES, the common case, cannot be provoked as root; a Unix socket gives a real ENXIO.)

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { errorSkip } from '../../src/core/analyzeWorker';
import { analyzeFile } from '../../src/core/scanner';

const JOB = { absPath: '/r/a.py', relPath: 'a.py', root: 0 };

describe('unreadable: the error detail', () => {
	it('the code appears once: a Node system error keeps its message (the code is already in front)', () => {
		const eacces = Object.assign(new Error("EACCES: permission denied, open '/r/a.py'"), { code: 'EACCES', errno: -13, syscall: 'open', path: '/r/a.py' });
		assert.deepEqual(errorSkip(JOB, eacces), { path: 'a.py', root: 0, reason: 'unreadable', detail: "EACCES: permission denied, open '/r/a.py'" });
		// A real one, thrown by fs.
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-errdetail-'));
		try {
			let err: unknown;
			try {
				fs.readFileSync(dir);
			} catch (e) {
				err = e;
			}
			assert.equal(errorSkip(JOB, err).detail, 'EISDIR: illegal operation on a directory, read');
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
		// An error whose message lacks its code gets it in front; one without a code is its message.
		assert.equal(errorSkip(JOB, Object.assign(new Error('the disk said no'), { code: 'EIO' })).detail, 'EIO: the disk said no');
		assert.equal(errorSkip(JOB, new Error('boom')).detail, 'boom');
		assert.equal(errorSkip(JOB, Object.assign(new Error('gone'), { code: 'ENOENT' })).reason, 'vanished');
	});

	it('a Unix socket read as a file: unreadable, with the code once', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-errdetail-'));
		const sock = path.join(dir, 's.py');
		const server = net.createServer();
		await new Promise<void>((resolve) => server.listen(sock, resolve));
		try {
			const out = await analyzeFile(sock, 's.py', 0);
			assert.deepEqual(out, { path: 's.py', root: 0, reason: 'unreadable', detail: `ENXIO: no such device or address, open '${sock}'` });
		} finally {
			await new Promise((resolve) => server.close(resolve));
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});
