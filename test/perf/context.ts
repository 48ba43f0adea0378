// What every suite gets: the options of the run, the report, the cache folder and a logger.

import type { Report } from './report';
import type { Tree } from './trees';

export interface BenchOptions {
	/** Suites to run (`--only a,b`); null means all. */
	only: Set<string> | null;
	/** Files of the synthetic tree (`--files`). @default 100000 */
	files: number;
	/** Trees to run on (`--trees synth,real`). @default ['synth', 'real'] */
	trees: string[];
	/** Measured runs per measurement (`--runs`). @default 5 */
	runs: number;
	/** Unmeasured warm-up runs (`--warmup`). @default 1 */
	warmup: number;
	/** Measured runs of cloc, which is slow (`--cloc-runs`). @default 1 */
	clocRuns: number;
	/** N of `--jobs N` (`--jobs`). @default the number of cores */
	jobs: number;
	/** Files of the storm benchmark's tree, one event each (`--storm-files`). @default 50000 */
	stormFiles: number;
	/** Megabytes of file content preloaded for the in-memory suites (`--sample-mb`). @default 64 */
	sampleMB: number;
	/** Print JSON instead of tables (`--json`). */
	json: boolean;
	/** Profile one CLI scan per tree with `node --cpu-prof` (`--cpu-prof`). */
	cpuProf: boolean;
	/** The bundled CLI (`--cli`). @default <repo>/dist/cli.js */
	cli?: string;
	/** Cache folder (`--cache`). @default <repo>/.bench-cache */
	cacheDir: string;
}

export interface Ctx {
	opts: BenchOptions;
	report: Report;
	/** Progress and notes for people (stderr with --json, stdout otherwise). */
	log(line: string): void;
}

/** One suite: `run` is called once per selected tree (or once with `tree` undefined when `perTree` is false). */
export interface Suite {
	name: string;
	description: string;
	perTree: boolean;
	run(ctx: Ctx, tree: Tree | undefined): Promise<void>;
}
