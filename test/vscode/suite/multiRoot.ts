// extensionTestsPath of the multi-root launch (test/vscode/workspace/multi.code-workspace).
import * as vscode from 'vscode';
import { runMocha } from './runner';

/** Printed when the workbench came up without the workspace; the harness then retries the launch once. */
export const NOT_OPENED = 'WSTATS_WORKSPACE_NOT_OPENED';

export async function run(): Promise<void> {
	// Under load the web workbench can start the extension host before it has read the
	// .code-workspace file: the folders then arrive a moment later, as a folders change.
	for (let i = 0; i < 150 && (vscode.workspace.workspaceFolders ?? []).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
	// Now and then it opens an empty window instead: a failure to start, not a test result.
	if (!vscode.workspace.workspaceFile || (vscode.workspace.workspaceFolders ?? []).length === 0) {
		console.log(`${NOT_OPENED}: the workbench opened no workspace folders (workspace file ${vscode.workspace.workspaceFile?.toString()})`);
		throw new Error('no workspace opened');
	}
	return runMocha(/\.multiRoot\.test\.js$/);
}
