import * as assert from 'node:assert';
import * as vscode from 'vscode';

const EXTENSION_ID = 'workspace-stats.workspace-stats';

describe('activation', () => {
	it('the extension is loaded and activates', async () => {
		const ext = vscode.extensions.getExtension(EXTENSION_ID);
		assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
		await ext.activate();
		assert.strictEqual(ext.isActive, true);
	});

	it('the fixture folder is open', () => {
		const folders = vscode.workspace.workspaceFolders ?? [];
		assert.deepStrictEqual(folders.map((f) => f.name), ['alpha']);
	});
});
