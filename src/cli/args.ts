// Argument helpers shared by the CLI's commands: usage errors and value parsers.

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
