// The `workspace-stats` command line. A small dispatch: the first argument may name a command
// (`workspace-stats <command> ...`); otherwise everything is the default `scan` command, so
// `workspace-stats src test` scans two folders. Scanning a folder whose name is a command
// needs a path form that isn't one: `workspace-stats ./watch`.
//
// Exit codes: 0 done (skipped files are reported, not errors), 1 failure, 2 usage error.

import { isSystemError } from '../core/types';
import { UsageError } from './args';
import { readVersion } from './version';
import { runScan } from './scanCommand';
import { hasIndexFlag, runIndexedScan } from './indexCommand';
import { runWatch } from './watchCommand';

/** Where a command writes; tests and the extension can pass their own. */
export interface CliIo {
	stdout: NodeJS.WritableStream;
	stderr: NodeJS.WriteStream | NodeJS.WritableStream;
}

export type Command = (args: string[], io: CliIo) => Promise<number>;

/**
 * Commands by name, besides the default `scan`. Add a command here (e.g. `watch`, with its own
 * file under src/cli/) and describe it in `--help`.
 */
export const commands: Record<string, Command> = {
	scan: runScan,
	watch: runWatch,
};

export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
	const first = argv[0];
	let command: Command = runScan;
	let args = argv;
	if (first !== undefined && Object.prototype.hasOwnProperty.call(commands, first)) {
		command = commands[first];
		args = argv.slice(1);
	}
	// `--index PATH`: the scan through the persistent index (warm start).
	if (command === runScan && hasIndexFlag(args)) command = runIndexedScan;
	try {
		return await command(args, io);
	} catch (e) {
		if (UsageError.is(e)) {
			io.stderr.write(`workspace-stats: ${e.message}\nTry 'workspace-stats --help'.\n`);
			return 2;
		}
		// A system error (a full disk, a folder we may not read…) is the user's to fix: one line.
		// Anything else is a bug in this program: its stack trace helps to find it.
		if (isSystemError(e)) io.stderr.write(`workspace-stats: ${e.message}\n`);
		else io.stderr.write(`workspace-stats: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
		return 1;
	}
}

export { readVersion };

if (require.main === module) {
	// A closed pipe (`workspace-stats | head`) is a normal end, not a crash. Any other write
	// error (a full disk: ENOSPC, EIO…) is a failure, told in one line.
	process.stdout.on('error', (e: NodeJS.ErrnoException) => {
		if (e.code === 'EPIPE') process.exit(0);
		if (!isSystemError(e)) throw e;
		process.stderr.write(`workspace-stats: cannot write the output: ${e.message}\n`);
		process.exit(1);
	});
	main(process.argv.slice(2)).then(
		(code) => {
			// exitCode, not exit(): pending stdout writes to a pipe are flushed first.
			process.exitCode = code;
		},
		(e: unknown) => {
			process.stderr.write(`workspace-stats: ${String(e)}\n`);
			process.exitCode = 1;
		},
	);
}
