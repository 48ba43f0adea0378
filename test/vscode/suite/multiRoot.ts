// extensionTestsPath of the multi-root launch (test/vscode/workspace/multi.code-workspace).
import * as vscode from 'vscode';
import { runMocha } from './runner';

/** Printed when the workbench came up without the workspace; the harness then retries the launch once. */
export const NOT_OPENED = 'WSTATS_WORKSPACE_NOT_OPENED';

export function run(): Promise<void> {
	// Now and then (under load) the web workbench opens an empty window instead of the
	// .code-workspace given in its URL: that is a failure to start, not a test result.
	if (!vscode.workspace.workspaceFile) {
		console.log(`${NOT_OPENED}: the workbench opened no workspace`);
		return Promise.reject(new Error('no workspace opened'));
	}
	return runMocha(/\.multiRoot\.test\.js$/);
}
