// `workspace-stats --index PATH [scan options] [paths...]`: the scan command through a
// persistent index. The first run scans cold and writes the index; later runs load it, re-read
// only new and changed files and print the same report a cold scan would.

import { formatReport, toJsonReport } from '../core/report';
import { SMALL_SCAN } from '../core/scanner';
import { scanWithIndex } from '../core/warmScan';
import { checkPaths, repeatNote, resolveUserPaths, stderrLogger, UsageError } from './args';
import type { CliIo } from './main';
import { parseScanArgs, runScan } from './scanCommand';

/** Splits `--index PATH` / `--index=PATH` out of the arguments (not after `--`). */
export function takeIndexFlag(args: string[]): { indexPath: string | undefined; rest: string[] } {
	const rest: string[] = [];
	let indexPath: string | undefined;
	for (let i = 0; i < args.length; i++) {
		const a = args[i];
		if (a === '--') {
			rest.push(...args.slice(i));
			break;
		}
		if (a === '--index' || a.startsWith('--index=')) {
			const v = a === '--index' ? args[++i] : a.slice('--index='.length);
			if (v === undefined || v === '' || (a === '--index' && v.startsWith('-'))) throw new UsageError('--index: needs the path of the index file');
			indexPath = v;
			continue;
		}
		rest.push(a);
	}
	return { indexPath, rest };
}

/** True when the arguments ask for an index (so `main` routes them here). */
export function hasIndexFlag(args: string[]): boolean {
	for (const a of args) {
		if (a === '--') return false;
		if (a === '--index' || a.startsWith('--index=')) return true;
	}
	return false;
}

export async function runIndexedScan(args: string[], io: CliIo): Promise<number> {
	const { indexPath, rest } = takeIndexFlag(args);
	const o = parseScanArgs(rest);
	if (o.help || o.version || indexPath === undefined) return runScan(rest, io);
	if (o.jobsNote) io.stderr.write(`workspace-stats: ${o.jobsNote}\n`);
	const paths = resolveUserPaths(o.paths, repeatNote(io.stderr));
	checkPaths(paths);
	const result = await scanWithIndex(paths, resolveUserPaths([indexPath])[0], { ...o.scan, smallScan: SMALL_SCAN, syncListing: true, logger: stderrLogger(io.stderr) });
	if ((io.stderr as NodeJS.WriteStream).isTTY) {
		const w = result.warm;
		io.stderr.write(result.mode === 'warm' && w
			? `index: warm start: ${w.reused} files unchanged, ${w.analyzed} re-read, ${w.removed} removed\n`
			: `index: cold scan, ${result.saveError ? 'index not written' : 'index written'}\n`);
	}
	const tr = performance.now();
	const report = toJsonReport(result, { byFile: o.byFile, byFolder: o.byFolder });
	report.timing.report = Math.round((performance.now() - tr) * 10) / 10;
	io.stdout.write(formatReport(o.format, report));
	if (o.format === 'csv' && report.skipped.length > 0) {
		io.stderr.write(`skipped ${report.skipped.length}:\n`);
		for (const s of report.skipped) io.stderr.write(`  ${s.reason}\t${JSON.stringify(s.path)}${s.detail ? `\t${s.detail}` : ''}\n`);
	}
	// The report is complete, but the index asked for was not saved (the warning is on stderr).
	return result.saveError ? 1 : 0;
}
