// Runs first in the main launch: nothing has shown a Workspace Stats view yet.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, EXTENSION_ID, REPO } from './helpers';

describe('activation', () => {
	it('activates without scanning, fast', async () => {
		const a = await api();
		assert.deepStrictEqual((vscode.workspace.workspaceFolders ?? []).map((f) => f.name), ['alpha']);
		// Let the deferred start-up (index load) run: there is no index yet, and no view is visible.
		await new Promise((r) => setTimeout(r, 300));
		assert.strictEqual(a.model.scanCount, 0, 'a scan ran although no view was shown and no command asked');
		assert.strictEqual(a.model.index.size, 0);
		assert.strictEqual(a.model.indexStatus, 'missing');
		console.log(`    activation took ${a.activationMs.toFixed(2)} ms`);
		assert.ok(a.activationMs < 50, `activate() took ${a.activationMs} ms`);
	});

	it('shows the status bar item before any scan', async () => {
		const a = await api();
		assert.strictEqual(a.statusBar.item.text, '$(graph) Workspace Stats');
		assert.strictEqual((a.statusBar.item.command as vscode.Command).command, 'workspaceStats.overview.focus');
	});

	it('registers every command of the manifest', async () => {
		const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
		const ids = manifest.contributes.commands.map((c) => c.command);
		assert.ok(ids.length >= 10);
		const all = new Set(await vscode.commands.getCommands(true));
		for (const id of ids) assert.ok(all.has(id), `${id} is not registered`);
		assert.strictEqual(vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.capabilities.untrustedWorkspaces.supported, true);
	});

	it('the first scan starts when a view becomes visible', async () => {
		const a = await api();
		await vscode.commands.executeCommand('workspaceStats.overview.focus');
		await new Promise<void>((resolve) => {
			const check = () => (a.model.scannedThisSession ? resolve() : setTimeout(check, 20));
			check();
		});
		assert.strictEqual(a.model.scanCount, 1);
		assert.ok(a.model.index.size > 0);
	});
});
