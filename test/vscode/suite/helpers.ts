// Shared helpers of the integration tests: the extension's API, the CLI's JSON for the same
// folders (the independent reference the views are compared with), tree reading and waiting.
import * as assert from 'node:assert';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { JsonReport } from '../../../src/core/report';
import type { WorkspaceStatsApi } from '../../../src/extension';

export const EXTENSION_ID = 'workspace-stats.workspace-stats';
/** The repository (compiled tests live in out/test/vscode/suite). */
export const REPO = path.resolve(__dirname, '../../../..');

export async function api(): Promise<WorkspaceStatsApi> {
	const ext = vscode.extensions.getExtension<WorkspaceStatsApi>(EXTENSION_ID);
	assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
	return ext.activate();
}

/** The CLI's JSON (`dist/cli.js --format json --by-folder --by-file`) for these folders. */
export function cliJson(folders: string[], extra: string[] = []): Promise<JsonReport> {
	return new Promise((resolve, reject) => {
		execFile(process.execPath, [path.join(REPO, 'dist', 'cli.js'), '--format', 'json', '--by-folder', '--by-file', '--jobs', '1', ...extra, ...folders],
			{ maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
				if (err) reject(new Error(`CLI failed: ${err.message}\n${stderr}`));
				else resolve(JSON.parse(stdout) as JsonReport);
			});
	});
}

export function folderPaths(): string[] {
	return (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
}

export async function waitFor<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
	const end = Date.now() + timeoutMs;
	let last: T | undefined;
	while (Date.now() < end) {
		last = await fn();
		if (last) return last;
		await new Promise((r) => setTimeout(r, 20));
	}
	throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

export interface Row {
	id: string;
	label: string;
	description: string;
	children?: Row[];
}

/** Reads a tree the way the view does (getChildren + getTreeItem), to `depth` levels. */
export async function readTree<T>(provider: vscode.TreeDataProvider<T>, depth = 9, element?: T): Promise<Row[]> {
	const kids = (await provider.getChildren(element)) ?? [];
	const out: Row[] = [];
	for (const k of kids) {
		const item = await provider.getTreeItem(k);
		const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
		const row: Row = { id: item.id ?? '', label, description: typeof item.description === 'string' ? item.description : '' };
		if (depth > 1 && item.collapsibleState !== vscode.TreeItemCollapsibleState.None) row.children = await readTree(provider, depth - 1, k);
		out.push(row);
	}
	return out;
}

/** Expected display of numbers (en): thousands separators. */
export const n = (v: number): string => v.toLocaleString('en');
export const share = (part: number, whole: number): string => (whole <= 0 || part <= 0 ? '0%' : (part / whole) * 100 < 1 ? '<1%' : `${Math.round((part / whole) * 100)}%`);
export const filesLines = (files: number, lines: number): string => `${files === 1 ? '1 file' : `${n(files)} files`} · ${lines === 1 ? '1 line' : `${n(lines)} lines`}`;
