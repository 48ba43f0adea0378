import * as assert from 'node:assert';
import * as vscode from 'vscode';

describe('second launch on the same folder', () => {
	it('the extension is loaded again', async () => {
		const ext = vscode.extensions.getExtension('workspace-stats.workspace-stats');
		assert.ok(ext);
		await ext.activate();
		assert.deepStrictEqual((vscode.workspace.workspaceFolders ?? []).map((f) => f.name), ['alpha']);
	});
});
