// Worker of the I/O strategy benchmark: reads each file of a batch synchronously and counts
// newlines; replies with the batch's totals.

import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { countNewlines } from './naiveReader';

if (parentPort) {
	const port = parentPort;
	port.on('message', (paths: string[]) => {
		let bytes = 0;
		let newlines = 0;
		for (const p of paths) {
			const b = fs.readFileSync(p);
			bytes += b.length;
			newlines += countNewlines(b);
		}
		port.postMessage({ files: paths.length, bytes, newlines });
	});
}
