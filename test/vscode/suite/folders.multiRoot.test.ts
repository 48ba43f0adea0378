import * as assert from 'node:assert';
import * as vscode from 'vscode';

describe('multi-root workspace', () => {
	it('opens both folders of multi.code-workspace', async () => {
		const ext = vscode.extensions.getExtension('workspace-stats.workspace-stats');
		assert.ok(ext);
		await ext.activate();
		assert.deepStrictEqual((vscode.workspace.workspaceFolders ?? []).map((f) => f.name), ['alpha', 'beta']);
	});
});
