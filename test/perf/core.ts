// Loads the project's compiled modules (out/src/core/*.js, out/test/perf/*.js) lazily and by
// export name, so every suite can say "not available yet" when the module it measures has not
// been written, instead of breaking the build of the benchmarks at that commit.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { REPO_ROOT } from './trees';

const load = createRequire(__filename);

/** The compiled tree this file belongs to (`out/`, or a snapshot's copy of it). */
export const OUT_ROOT = path.resolve(__dirname, '..', '..');
/** Compiled core modules. */
export const CORE_OUT = path.join(OUT_ROOT, 'src', 'core');

/** Loads a compiled module by its path relative to `out/`; undefined when it is missing or throws. */
export function tryModule(relToOut: string): Record<string, unknown> | undefined {
	const file = path.join(OUT_ROOT, relToOut);
	if (!fs.existsSync(file)) return undefined;
	try {
		return load(file) as Record<string, unknown>;
	} catch {
		return undefined;
	}
}

/**
 * Finds an exported value by name: first in the preferred modules (relative to out/src/core,
 * without `.js`), then in every compiled core module. Returns it with the module it came from.
 */
export function findExport<T>(name: string, preferred: string[] = []): { value: T; module: string } | undefined {
	const seen = new Set<string>();
	const tryOne = (base: string): { value: T; module: string } | undefined => {
		if (seen.has(base)) return undefined;
		seen.add(base);
		const mod = tryModule(path.join('src', 'core', `${base}.js`));
		if (mod && mod[name] !== undefined) return { value: mod[name] as T, module: `src/core/${base}.ts` };
		return undefined;
	};
	for (const p of preferred) {
		const hit = tryOne(p);
		if (hit) return hit;
	}
	let names: string[] = [];
	try {
		names = fs.readdirSync(CORE_OUT).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3));
	} catch {
		return undefined;
	}
	// The worker entry starts listening on import: never load it here.
	for (const base of names.sort()) {
		if (/worker/i.test(base)) continue;
		const hit = tryOne(base);
		if (hit) return hit;
	}
	return undefined;
}

let cli = path.join(REPO_ROOT, 'dist', 'cli.js');

/** The bundled CLI measured (`--cli`; dist/cli.js by default). */
export function cliPath(): string {
	return cli;
}

export function setCliPath(p: string): void {
	cli = path.resolve(p);
}
