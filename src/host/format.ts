// Number, size, duration and share formatting for views, the status bar and summaries, in the
// display language VS Code runs in.
import * as vscode from 'vscode';

let numberFormat: Intl.NumberFormat | undefined;

export function num(n: number): string {
	numberFormat ??= new Intl.NumberFormat(vscode.env.language || 'en');
	return numberFormat.format(n);
}

export function bytes(n: number): string {
	if (n < 1024) return vscode.l10n.t('{0} B', num(n));
	const units = ['KB', 'MB', 'GB', 'TB'];
	let v = n / 1024;
	let u = 0;
	while (v >= 1024 && u < units.length - 1) {
		v /= 1024;
		u++;
	}
	return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

export function duration(ms: number): string {
	if (ms < 1) return '<1 ms';
	if (ms < 1000) return `${Math.round(ms)} ms`;
	if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
	return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Share of `part` in `whole` as a whole percent ("<1%" for small non-zero shares). */
export function share(part: number, whole: number): string {
	if (whole <= 0 || part <= 0) return '0%';
	const p = (part / whole) * 100;
	return p < 1 ? '<1%' : `${Math.round(p)}%`;
}

/** "3 files · 45 lines" */
export function filesLines(files: number, lines: number): string {
	return `${files === 1 ? vscode.l10n.t('1 file') : vscode.l10n.t('{0} files', num(files))} · ${lines === 1 ? vscode.l10n.t('1 line') : vscode.l10n.t('{0} lines', num(lines))}`;
}
