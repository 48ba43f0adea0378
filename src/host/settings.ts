// The extension's settings (contributes.configuration in package.json) read per workspace folder,
// turned into the core's scan options. The fingerprint names every option that changes records,
// so a setting change rescans exactly the folders it affects and a persisted index built with
// other options is not trusted.
import * as vscode from 'vscode';
import type { ScanOptions } from '../core/types';
import { indexFingerprint } from '../core/warmScan';

export const SECTION = 'workspaceStats';

/** Settings that change what a scan finds (a change means a rescan of the folder). */
export const SCAN_SETTINGS = ['include', 'exclude', 'respectGitignore', 'respectFilesExclude', 'maxFileSize', 'followSymlinks', 'docstringsAsCode', 'likeCloc', 'languageOverrides'] as const;

export interface FolderSettings {
	options: Pick<ScanOptions, 'include' | 'exclude' | 'respectIgnoreFiles' | 'followSymlinks' | 'maxFileSize' | 'docstringsAsCode' | 'likeCloc' | 'languageOverrides'>;
	/** Stable text of `options`; equal fingerprints mean equal scan results. */
	fingerprint: string;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s.length > 0) : []);

/** `files.exclude` globs that are on (`true`); `{ when: … }` sibling conditions cannot be expressed as globs and are left out. */
function filesExclude(scope: vscode.Uri): string[] {
	const ex = vscode.workspace.getConfiguration('files', scope).get<Record<string, unknown>>('exclude') ?? {};
	return Object.entries(ex).filter(([, on]) => on === true).map(([glob]) => glob);
}

export function readFolderSettings(folder: vscode.Uri): FolderSettings {
	const c = vscode.workspace.getConfiguration(SECTION, folder);
	const exclude = strings(c.get('exclude'));
	if (c.get<boolean>('respectFilesExclude', true)) exclude.push(...filesExclude(folder));
	const overrides: Record<string, string> = {};
	for (const [ext, lang] of Object.entries(c.get<Record<string, unknown>>('languageOverrides') ?? {})) {
		if (typeof lang !== 'string' || !ext) continue;
		// The table's keys are lower-case extensions with the dot.
		overrides[(ext.startsWith('.') ? ext : '.' + ext).toLowerCase()] = lang;
	}
	const mb = c.get<number>('maxFileSize', 16);
	const options: FolderSettings['options'] = {
		include: strings(c.get('include')),
		exclude: [...new Set(exclude)].sort(),
		respectIgnoreFiles: c.get<boolean>('respectGitignore', true),
		followSymlinks: c.get<boolean>('followSymlinks', false),
		maxFileSize: Number.isFinite(mb) && mb > 0 ? Math.round(mb * 1024 * 1024) : 0,
		docstringsAsCode: c.get<boolean>('docstringsAsCode', false),
		likeCloc: c.get<boolean>('likeCloc', false),
		languageOverrides: overrides,
	};
	return { options, fingerprint: indexFingerprint(options) };
}

export function scanOnStartup(): boolean {
	return vscode.workspace.getConfiguration(SECTION).get<boolean>('scanOnStartup', false);
}

export function showStatusBar(): boolean {
	return vscode.workspace.getConfiguration(SECTION).get<boolean>('showStatusBar', true);
}

/** Does this configuration change affect how `folder` is scanned? */
export function affectsScan(e: vscode.ConfigurationChangeEvent, folder: vscode.Uri): boolean {
	if (SCAN_SETTINGS.some((s) => e.affectsConfiguration(`${SECTION}.${s}`, folder))) return true;
	return e.affectsConfiguration('files.exclude', folder) && vscode.workspace.getConfiguration(SECTION, folder).get<boolean>('respectFilesExclude', true);
}
