// Last in the main launch: every change the tests made is in the saved index before the extension
// host exits, so the restart launch can compare what it loads with the disk.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import { api } from './helpers';

describe('end of the first launch', () => {
	it('the index is saved with every change applied', async () => {
		const a = await api();
		await a.live.settled();
		await a.model.flush();
		assert.ok(fs.existsSync(a.model.storagePath('index.jsonl')!));
	});
});
