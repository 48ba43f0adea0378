// `workspace-stats [scan] [paths...]`: scans folders (or files) and prints a report.

import { once } from 'node:events';
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_FILE_SIZE } from '../core/analyzer';
import { formatReport, jsonChunks, REPORT_FORMATS, toJsonReport } from '../core/report';
import type { ReportFormat } from '../core/report';
import { scan, SMALL_SCAN } from '../core/scanner';
import type { ScanRunOptions } from '../core/scanner';
import { maxPoolJobs } from '../core/pool';
import { asUsageError, checkPaths, parseSize, parseWholeNumber, repeatNote, resolveUserPaths, stderrLogger, UsageError } from './args';
import type { CliIo } from './main';
import { readVersion } from './version';

export const SCAN_HELP = `Usage: workspace-stats [scan] [options] [paths...]
       workspace-stats watch [options] DIR...

Counts files, lines (code, comments, blanks) and structure (imports, classes,
functions) per language in one pass over each path (default: the current folder).
\`watch\` counts DIR, then prints the changes and new totals as files change
(see workspace-stats watch --help).

Options:
  -f, --format FORMAT      table (default), json, csv or markdown
      --by-file            also list every file
      --by-folder          also list every folder with recursive totals
      --include GLOB       only files matching GLOB (repeatable)
      --exclude GLOB       leave out files and folders matching GLOB (repeatable)
      --no-ignore          do not read .gitignore and .ignore files
      --follow-symlinks    follow symbolic links (loops are detected and reported)
      --max-file-size SIZE skip bigger files as too-large: bytes, or with a unit
                           (512k, 10MB; units are powers of 1024; 0 = no limit;
                           default ${DEFAULT_MAX_FILE_SIZE / 1024 / 1024}MB)
      --docstrings-as-code count doc strings as code (default: as comments)
      --like-cloc          count as cloc does by default: in C, C++, C#, JavaScript,
                           TypeScript, Go, Rust, PHP, Kotlin, Swift, Scala, Dart
                           and CSS/SCSS/Less a comment marker inside a string starts
                           a comment (wrong, but cloc's numbers; structure unchanged)
  -j, --jobs N             analysis threads (default: number of cores,
                           ${os.availableParallelism()} here); 0 or 1 = no worker threads; at most
                           4 per core and at least 8 (${maxPoolJobs()} here): more are clamped;
                           a folder of at most 1,000 files and 16 MB needs none
      --index PATH         keep an index of the counts in PATH: the next run
                           re-reads only new and changed files (warm start)
  -h, --help               show this help
  -V, --version            show the version

Skipped files (binary, too large, unreadable, ...) are listed with their reason
and do not change the exit status. Exit status: 0 done, 1 failure (also when the
report is printed but the --index file could not be saved), 2 usage error.
CSV holds one table: per file (--by-file), per folder (--by-folder) or per
language; skipped files then go to stderr.
`;

/** Parsed scan command line. */
export interface ScanCliOptions {
	paths: string[];
	format: ReportFormat;
	byFile: boolean;
	byFolder: boolean;
	scan: ScanRunOptions;
	help: boolean;
	version: boolean;
	/** Set when `--jobs` was above `maxPoolJobs()` and was clamped: a note for stderr. */
	jobsNote?: string;
}

export function parseScanArgs(args: string[]): ScanCliOptions {
	let parsed;
	try {
		parsed = parseArgs({
			args,
			allowPositionals: true,
			strict: true,
			options: {
				format: { type: 'string', short: 'f' },
				'by-file': { type: 'boolean' },
				'by-folder': { type: 'boolean' },
				include: { type: 'string', multiple: true },
				exclude: { type: 'string', multiple: true },
				'no-ignore': { type: 'boolean' },
				'follow-symlinks': { type: 'boolean' },
				'max-file-size': { type: 'string' },
				'docstrings-as-code': { type: 'boolean' },
				'like-cloc': { type: 'boolean' },
				jobs: { type: 'string', short: 'j' },
				help: { type: 'boolean', short: 'h' },
				version: { type: 'boolean', short: 'V' },
			},
		});
	} catch (e) {
		throw asUsageError(e);
	}
	const v = parsed.values;
	const format = (v.format ?? 'table') as ReportFormat;
	if (!REPORT_FORMATS.includes(format)) {
		throw new UsageError(`--format: expected one of ${REPORT_FORMATS.join(', ')}, got '${v.format}'`);
	}
	const byFile = v['by-file'] ?? false;
	const byFolder = v['by-folder'] ?? false;
	if (format === 'csv' && byFile && byFolder) {
		throw new UsageError('--format csv holds one table: use --by-file or --by-folder, not both');
	}
	const scanOpts: ScanRunOptions = {
		include: v.include ?? [],
		exclude: v.exclude ?? [],
		respectIgnoreFiles: !(v['no-ignore'] ?? false),
		followSymlinks: v['follow-symlinks'] ?? false,
		docstringsAsCode: v['docstrings-as-code'] ?? false,
		likeCloc: v['like-cloc'] ?? false,
		keepRecords: byFile,
	};
	if (v['max-file-size'] !== undefined) scanOpts.maxFileSize = parseSize(v['max-file-size'], '--max-file-size');
	let jobsNote: string | undefined;
	if (v.jobs !== undefined) {
		const jobs = parseWholeNumber(v.jobs, '--jobs');
		// The pool never starts more than this; the CLI says so instead of clamping silently.
		const max = maxPoolJobs();
		scanOpts.jobs = Math.min(jobs, max);
		if (jobs > max) jobsNote = `--jobs ${jobs}: using ${max} threads (at most 4 per core, at least 8)`;
	}
	for (const g of [...(v.include ?? []), ...(v.exclude ?? [])]) {
		if (g.trim() === '') throw new UsageError('--include/--exclude: empty glob');
	}
	const paths = parsed.positionals.length > 0 ? parsed.positionals : ['.'];
	return { paths, format, byFile, byFolder, scan: scanOpts, help: v.help ?? false, version: v.version ?? false, ...(jobsNote ? { jobsNote } : {}) };
}

/** Progress on stderr, only when it is a terminal; redrawn at most 10 times a second. */
function progressReporter(stderr: CliIo['stderr']): { update: (p: { files: number; bytes: number }) => void; done: () => void } | undefined {
	const tty = stderr as NodeJS.WriteStream;
	if (!tty.isTTY) return undefined;
	let last = 0;
	let shown = false;
	return {
		update: ({ files, bytes }) => {
			const now = Date.now();
			if (now - last < 100) return;
			last = now;
			shown = true;
			tty.write(`\r\x1b[Kscanning: ${files} files, ${(bytes / 1024 / 1024).toFixed(1)} MB`);
		},
		done: () => {
			if (shown) tty.write('\r\x1b[K');
		},
	};
}

/** Writes and waits when the stream's buffer is full, so a big report never piles up in memory. */
async function write(out: NodeJS.WritableStream, text: string): Promise<void> {
	if (!out.write(text)) await once(out, 'drain');
}

export async function runScan(args: string[], io: CliIo): Promise<number> {
	const o = parseScanArgs(args);
	if (o.help) {
		io.stdout.write(SCAN_HELP);
		return 0;
	}
	if (o.version) {
		io.stdout.write(`${readVersion()}\n`);
		return 0;
	}
	if (o.jobsNote) io.stderr.write(`workspace-stats: ${o.jobsNote}\n`);
	// Under `npm run scan -- <folder>` npm runs us in the package folder; relative paths mean
	// the folder the user typed the command in (npm's INIT_CWD).
	o.paths = resolveUserPaths(o.paths, repeatNote(io.stderr));
	checkPaths(o.paths);

	const progress = progressReporter(io.stderr);
	let result;
	try {
		result = await scan(o.paths, { ...o.scan, smallScan: SMALL_SCAN, syncListing: true, onProgress: progress?.update, logger: stderrLogger(io.stderr) });
	} finally {
		progress?.done();
	}

	const tr = performance.now();
	// JSON with --by-file is streamed (jsonChunks): the records are not copied into the report.
	const streamJson = o.format === 'json' && o.byFile;
	const report = toJsonReport(result, { byFile: o.byFile && !streamJson, byFolder: o.byFolder });
	// `report`: building the report document; rendering and writing it are not included.
	report.timing.report = Math.round((performance.now() - tr) * 10) / 10;
	if (streamJson) {
		for (const chunk of jsonChunks(report, result.records)) await write(io.stdout, chunk);
	} else {
		await write(io.stdout, formatReport(o.format, report));
	}
	if (o.format === 'csv' && report.skipped.length > 0) {
		io.stderr.write(`skipped ${report.skipped.length}:\n`);
		for (const s of report.skipped) io.stderr.write(`  ${s.reason}\t${JSON.stringify(s.path)}${s.detail ? `\t${s.detail}` : ''}\n`);
	}
	return 0;
}
