// Which paths of a root are part of a scan: include/exclude globs (compiled once with picomatch)
// and `.gitignore` / `.ignore` rules (parsed by the `ignore` package), evaluated the way git does.
// The walker asks one entry at a time while it lists folders (and prunes excluded folders); the
// live watcher asks the same question for one changed path with `PathFilter.isIncluded`, which
// loads the ignore files of every parent folder on demand. Both use the same compiled rules.
//
// Glob semantics (documented in the README):
// - Globs match root-relative paths with '/' separators; dot files match (`dot: true`).
// - A glob without a '/' (other than a trailing one) matches a name at any depth, like
//   gitignore: `node_modules`, `dist`, `*.min.js` are `**/node_modules`, `**/dist`, `**/*.min.js`.
// - A leading '/' anchors a glob at the root (`/build`); a glob with a '/' inside is matched
//   from the root as written (`src/**/*.ts`).
// - A trailing '/' matches folders only (`logs/`).
// - Exclude globs apply to folders and files; an excluded folder is pruned (never listed).
//   `**/node_modules/**` prunes the folder itself too (picomatch's `x/**` matches `x`).
// - Include globs apply to files only: every folder is entered unless excluded. An include glob
//   also matches everything below a folder it names (`src` includes `src/a/b.ts`).
// - A glob starting with '!' takes paths back out of its list: `exclude: ['*.js', '!keep.js']`
//   excludes every .js file but keep.js; `include: ['src', '!*.test.ts']`. A path inside a pruned
//   folder cannot be taken back (as in gitignore).
//
// Ignore files (documented in the README):
// - `.gitignore` and `.ignore` in every folder of the root (`.ignore` wins over `.gitignore` in
//   the same folder, as in ripgrep); deeper files win over shallower ones, the last matching
//   line wins within a file, a folder excluded by a rule is never entered (so nothing below it
//   can be re-included), exactly as git.
// - When the root is inside a git repository, the `.gitignore`/`.ignore` files of the root's
//   ancestors up to the repository top and the top's `.git/info/exclude` apply too (what
//   `git status` would do for that folder). They never exclude the root itself: a folder the
//   user asked to scan is always walked. Outside a repository no ancestor rules are read.
//   The user's global `core.excludesFile` is not read (results must not depend on ~/.gitconfig).
// - Patterns are case-sensitive except on Windows and macOS (git's `core.ignorecase` default).

import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import ignore, { type Ignore } from 'ignore';
import type { WalkOptions } from './types';

/** Folder names never entered, whatever the options. A file named `.git` (a submodule's or worktree's pointer) is skipped too. */
export const ALWAYS_SKIPPED = new Set(['.git', '.hg', '.svn']);

/** Ignore files read in every folder, lowest precedence first. */
export const IGNORE_FILE_NAMES = ['.gitignore', '.ignore'] as const;

const IGNORE_CASE = process.platform === 'win32' || process.platform === 'darwin';

type GlobTest = (p: string) => boolean;

/** Rewrites one user glob to our conventions (see the header). Returns '' for a blank glob. */
export function normalizeGlob(glob: string): string {
	// Backslashes are separators on Windows only; elsewhere they escape (backslash-star is a literal star).
	let g = process.platform === 'win32' ? glob.trim().replace(/\\/g, '/') : glob.trim();
	while (g.startsWith('./')) g = g.slice(2);
	if (g.startsWith('/')) return g.replace(/^\/+/, '');
	const body = g.endsWith('/') ? g.slice(0, -1) : g;
	if (body === '' || body.includes('/')) return g;
	return g.startsWith('**') ? g : `**/${g}`;
}

/**
 * A compiled glob list: `pos` matches any of the plain globs, `neg` any of the `!`-negated ones
 * (undefined when there are none). A path matches the list when it matches `pos` and not `neg`
 * (picomatch alone would read a list holding `!x` as "everything but x").
 */
interface GlobList {
	pos: GlobTest | undefined;
	neg: GlobTest | undefined;
}

/** Compiles a glob list into (at most) two picomatch functions, or undefined when the list is empty. */
function compileGlobs(globs: readonly string[] | undefined, alsoBelow: boolean): GlobList | undefined {
	const pos: string[] = [];
	const neg: string[] = [];
	for (const raw of globs ?? []) {
		const negated = raw.trimStart().startsWith('!');
		const g = normalizeGlob(negated ? raw.trimStart().slice(1) : raw);
		if (g === '') continue;
		const list = negated ? neg : pos;
		list.push(g);
		if (alsoBelow) list.push(g.endsWith('/') ? `${g}**` : `${g}/**`);
	}
	if (pos.length === 0 && neg.length === 0) return undefined;
	return {
		pos: pos.length > 0 ? picomatch(pos, { dot: true }) : undefined,
		neg: neg.length > 0 ? picomatch(neg, { dot: true }) : undefined,
	};
}

// --- ignore rules -------------------------------------------------------------------------------

/** Compiled rules of one folder's ignore files. */
interface IgnoreLayer {
	ig: Ignore;
	/** Root-relative folder of the ignore files ('' for the root); paths below it are tested relative to it. */
	dir: string;
	/** For layers above the root: the root's path relative to the layer's folder, with a trailing '/'. */
	prefix: string;
}

/** Rules in effect in a folder: its own layer, then its parents' (deepest first). Shared, immutable. */
export interface RuleChain {
	readonly layer: IgnoreLayer;
	readonly parent: RuleChain | null;
}

type RuleTest = (p: string, checkUnignored: boolean, mode: string) => { ignored: boolean; unignored: boolean };

/**
 * Tests one path against one layer WITHOUT the `ignore` package's parent-folder check: git
 * evaluates each path against all layers, deepest first, and a deeper file may re-include a
 * folder a shallower one excluded (`a/.gitignore: !b/` beats `/.gitignore: a/b/`); the public
 * `test()` would report `a/b/c` ignored by the root layer because its parent `a/b/` matches
 * there. Parents are handled by the walk itself (an ignored folder is never entered) and by
 * `isIncluded` (which checks every parent). `_rules.test` is internal to ignore 7.x (pinned);
 * if it ever disappears we fall back to the public `test()`, losing only that rare case.
 */
function testLayer(layer: IgnoreLayer, rel: string, isDir: boolean): boolean | undefined {
	let local: string;
	if (layer.prefix !== '') local = layer.prefix + rel;
	else if (layer.dir === '') local = rel;
	else local = rel.slice(layer.dir.length + 1);
	if (isDir) local += '/';
	const rules = (layer.ig as unknown as { _rules?: { test?: RuleTest } })._rules;
	const r = typeof rules?.test === 'function' ? rules.test(local, true, 'regex') : layer.ig.test(local);
	if (r.ignored) return true;
	if (r.unignored) return false;
	return undefined;
}

/** True when the rules in `chain` ignore the root-relative path (a folder when `isDir`). */
export function isIgnored(chain: RuleChain | null, rel: string, isDir: boolean): boolean {
	for (let c = chain; c !== null; c = c.parent) {
		const r = testLayer(c.layer, rel, isDir);
		if (r !== undefined) return r;
	}
	return false;
}

/** Builds the chain of a folder from its parent's chain and the texts of its ignore files (empty texts add nothing). */
export function extendChain(parent: RuleChain | null, dir: string, texts: readonly string[], prefix = ''): RuleChain | null {
	const ig = ignore({ ignorecase: IGNORE_CASE });
	let any = false;
	for (const t of texts) {
		if (t.trim() === '') continue;
		ig.add(t);
		any = true;
	}
	return any ? { layer: { ig, dir, prefix }, parent } : parent;
}

async function readIfExists(file: string): Promise<string> {
	try {
		return await fs.promises.readFile(file, 'utf8');
	} catch {
		// Missing or unreadable ignore file: git silently has no rules from it either.
		return '';
	}
}

async function readIgnoreFiles(dirAbs: string): Promise<string[]> {
	return Promise.all(IGNORE_FILE_NAMES.map((n) => readIfExists(path.join(dirAbs, n))));
}

/** Nearest folder at or above `dir` holding a `.git` entry, or undefined. */
async function findRepoTop(dir: string): Promise<string | undefined> {
	for (let d = dir; ; ) {
		try {
			await fs.promises.lstat(path.join(d, '.git'));
			return d;
		} catch {
			// not here; go up
		}
		const up = path.dirname(d);
		if (up === d) return undefined;
		d = up;
	}
}

/** Rules of the root's ancestors inside its git repository (see the header), or null. */
async function loadAncestorChain(root: string): Promise<RuleChain | null> {
	const top = await findRepoTop(root);
	if (top === undefined || top === root) return null;
	const dirs: string[] = [];
	for (let d = path.dirname(root); ; d = path.dirname(d)) {
		dirs.unshift(d);
		if (d === top || path.dirname(d) === d) break;
	}
	const toPrefix = (d: string) => path.relative(d, root).split(path.sep).join('/') + '/';
	let chain: RuleChain | null = null;
	const exclude = await readIfExists(path.join(top, '.git', 'info', 'exclude'));
	chain = extendChain(chain, '', [exclude], toPrefix(top));
	for (const d of dirs) chain = extendChain(chain, '', await readIgnoreFiles(d), toPrefix(d));
	return chain;
}

// --- the filter ---------------------------------------------------------------------------------

/** The options of `WalkOptions` that decide which paths are included. */
export type PathFilterOptions = Pick<WalkOptions, 'include' | 'exclude' | 'respectIgnoreFiles'>;

/**
 * The compiled filter of one root. Build it with `createPathFilter`; the walker uses the same
 * object, so a watcher can reuse the filter a scan built.
 */
export class PathFilter {
	/** Absolute, resolved root folder. */
	readonly root: string;
	readonly respectIgnoreFiles: boolean;
	private readonly exclude: GlobList | undefined;
	private readonly include: GlobList | undefined;
	/** Rules of the root's ancestors (null when none or ignore files are off). */
	readonly baseChain: RuleChain | null;
	/** Chain per root-relative folder, filled by the walk and by `isIncluded`. */
	private readonly chains = new Map<string, Promise<RuleChain | null>>();
	/**
	 * Other roots of the same scan inside this one, as root-relative folders: their files belong
	 * to them (the innermost root), so this root's walk leaves them out and no file counts twice.
	 */
	readonly nestedRoots: ReadonlySet<string>;

	constructor(root: string, opts: PathFilterOptions, baseChain: RuleChain | null, allRoots: readonly string[] = []) {
		this.root = path.resolve(root);
		this.respectIgnoreFiles = opts.respectIgnoreFiles ?? true;
		this.exclude = compileGlobs(opts.exclude, false);
		this.include = compileGlobs(opts.include, true);
		this.baseChain = this.respectIgnoreFiles ? baseChain : null;
		this.nestedRoots = nestedIn(this.root, allRoots);
	}

	/** Exclude globs drop this folder (tested as `rel` and `rel/`), or another root of the scan is this folder. */
	excludesDir(rel: string): boolean {
		if (this.nestedRoots.size > 0 && this.nestedRoots.has(rel)) return true;
		const x = this.exclude;
		if (x?.pos === undefined || !(x.pos(rel) || x.pos(rel + '/'))) return false;
		return x.neg === undefined || !(x.neg(rel) || x.neg(rel + '/'));
	}

	/** Exclude globs match this path itself (a link, before we know whether it points at a file or a folder). */
	excludesPath(rel: string): boolean {
		const x = this.exclude;
		return x?.pos !== undefined && x.pos(rel) && (x.neg === undefined || !x.neg(rel));
	}

	/** Exclude globs drop this file, or include globs (when given) don't take it. */
	dropsFile(rel: string): boolean {
		if (this.excludesPath(rel)) return true;
		const i = this.include;
		if (i === undefined) return false;
		if (i.pos !== undefined && !i.pos(rel)) return true;
		return i.neg !== undefined && i.neg(rel);
	}

	/** Records the chain the walk built for a folder, so later single-path questions don't reread its files. */
	remember(dir: string, chain: RuleChain | null): void {
		this.chains.set(dir, Promise.resolve(chain));
	}

	/** Forgets cached rules (all, or one folder's and below), e.g. when an ignore file changed. */
	invalidate(dir?: string): void {
		if (dir === undefined) {
			this.chains.clear();
			return;
		}
		for (const k of this.chains.keys()) {
			if (dir === '' || k === dir || k.startsWith(dir + '/')) this.chains.delete(k);
		}
	}

	/** Rules in effect for the entries of a root-relative folder (its own ignore files included). */
	chainOf(dir: string): Promise<RuleChain | null> {
		if (!this.respectIgnoreFiles) return Promise.resolve(null);
		const hit = this.chains.get(dir);
		if (hit !== undefined) return hit;
		const parent = dir === '' ? Promise.resolve(this.baseChain) : this.chainOf(dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '');
		const p = parent.then(async (pc) => extendChain(pc, dir, await readIgnoreFiles(path.join(this.root, ...dir.split('/')))));
		this.chains.set(dir, p);
		return p;
	}

	/**
	 * Would a walk of this root yield `rel` (a root-relative '/' path)? Checks every parent folder
	 * (always-skipped names, exclude globs, ignore rules), then the path itself. For one path at a
	 * time (the watcher); the walk asks the same rules entry by entry.
	 */
	async isIncluded(rel: string, isDir = false): Promise<boolean> {
		const parts = rel.split('/').filter((s) => s !== '' && s !== '.');
		let dir = '';
		for (let i = 0; i < parts.length; i++) {
			const name = parts[i];
			const p = dir === '' ? name : `${dir}/${name}`;
			const last = i === parts.length - 1;
			const asDir = !last || isDir;
			if (ALWAYS_SKIPPED.has(name)) return false;
			if (asDir ? this.excludesDir(p) : this.dropsFile(p)) return false;
			if (isIgnored(await this.chainOf(dir), p, asDir)) return false;
			dir = p;
		}
		return true;
	}
}

/**
 * Compiles the filter of one root (reads its ancestors' ignore files when it is inside a git
 * repository). `allRoots`: every root of the scan, so that roots nested in this one are left to
 * themselves (see `PathFilter.nestedRoots`).
 */
export async function createPathFilter(root: string, opts: PathFilterOptions = {}, allRoots: readonly string[] = []): Promise<PathFilter> {
	const abs = path.resolve(root);
	const base = (opts.respectIgnoreFiles ?? true) ? await loadAncestorChain(abs) : null;
	return new PathFilter(abs, opts, base, allRoots);
}

/** The roots in `all` strictly inside `root` (both absolute), as `root`-relative '/' paths. */
export function nestedIn(root: string, all: readonly string[]): Set<string> {
	const out = new Set<string>();
	const prefix = root.endsWith(path.sep) ? root : root + path.sep;
	for (const r of all) {
		const abs = path.resolve(r);
		if (abs.length > prefix.length && abs.startsWith(prefix)) out.add(abs.slice(prefix.length).split(path.sep).join('/'));
	}
	return out;
}
