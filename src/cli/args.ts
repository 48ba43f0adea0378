// Argument helpers shared by the CLI's commands: usage errors, value parsers, the paths the
// user named, and the stderr logger.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../core/types';

/** A mistake in the command line: printed with a hint to `--help`, exit code 2. */
export class UsageError extends Error {
	readonly reason = 'usage';
	static is(e: unknown): e is UsageError {
		return e instanceof Error && (e as { reason?: unknown }).reason === 'usage';
	}
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/**
 * Parses a byte size: a plain number of bytes (`1048576`), or a number with a unit `k`, `m`,
 * `g` (optionally `b`/`ib`, any case); units are powers of 1024 (`10MB` = 10 × 1024²), as in
 * ripgrep's `--max-filesize`. `0` means no limit; a size that is not 0 but under one byte
 * (`0.5`, `0.9b`) is an error, not "no limit".
 */
export function parseSize(text: string, option: string): number {
	const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
	const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
	if (!m || unit === undefined) {
		throw new UsageError(`${option}: expected a size like 10MB, 512k or a number of bytes, got '${text}'`);
	}
	const n = Math.floor(Number(m[1]) * unit);
	if (!Number.isSafeInteger(n)) throw new UsageError(`${option}: size too big: '${text}'`);
	if (n === 0 && Number(m[1]) !== 0) throw new UsageError(`${option}: '${text}' is less than one byte (use 0 for no limit)`);
	return n;
}

/** Parses a whole number ≥ `min`. */
export function parseWholeNumber(text: string, option: string, min = 0): number {
	if (!/^\s*\d+\s*$/.test(text)) throw new UsageError(`${option}: expected a whole number, got '${text}'`);
	const n = Number(text);
	if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${option}: expected a whole number ≥ ${min}, got '${text}'`);
	return n;
}

/** Turns node:util parseArgs errors (unknown option, missing value…) into usage errors. */
export function asUsageError(e: unknown): unknown {
	const code = (e as { code?: unknown } | undefined)?.code;
	if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) return new UsageError((e as Error).message);
	return e;
}

/**
 * Paths as the user meant them: under `npm run scan`, relative to where they typed it. A path
 * given twice (`src ./src/`) is kept once, since a root given twice would count every file twice;
 * `onRepeat` hears of each one dropped.
 */
export function resolveUserPaths(paths: string[], onRepeat?: (p: string) => void): string[] {
	const base = process.env.npm_lifecycle_event === 'scan' && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
	const out: string[] = [];
	for (const p of paths) {
		const abs = path.resolve(base, p);
		if (out.includes(abs)) onRepeat?.(abs);
		else out.push(abs);
	}
	return out;
}

/** Every path exists (else a usage error naming it). */
export function checkPaths(paths: string[]): void {
	for (const p of paths) {
		try {
			fs.statSync(p);
		} catch (e) {
			const code = (e as NodeJS.ErrnoException).code;
			throw new UsageError(code === 'ENOENT' ? `no such file or folder: ${p}` : `cannot use ${p}: ${(e as Error).message}`);
		}
	}
}

/** Warnings and errors of the core (e.g. no worker script: running on one thread) go to stderr. */
export function stderrLogger(stderr: NodeJS.WritableStream): Logger {
	const write = (level: string, m: unknown) => stderr.write(`workspace-stats: ${level}: ${m instanceof Error ? m.message : String(m)}\n`);
	return { trace() {}, debug() {}, info() {}, warn: (m) => write('warning', m), error: (m) => write('error', m) };
}

/** For `resolveUserPaths`: tells on stderr of a path given twice, which is counted once. */
export function repeatNote(stderr: NodeJS.WritableStream): (p: string) => void {
	return (p) => stderr.write(`workspace-stats: ${p} is given more than once; counted once\n`);
}
