// Starts and stops the VS Code server (code-server's lib/vscode/out/server-main.js, run directly:
// code-server's own CLI rejects --enable-smoke-test-driver) on 127.0.0.1, in its own process group
// so that stopping it also ends its extension hosts, file watchers and pty host.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { paths } from './install.mjs';

/** User settings that keep the workbench quiet and deterministic. */
const SETTINGS = {
	'workbench.startupEditor': 'none',
	'workbench.tips.enabled': false,
	'workbench.secondarySideBar.defaultVisibility': 'hidden',
	'telemetry.telemetryLevel': 'off',
	'extensions.autoCheckUpdates': false,
	'extensions.autoUpdate': false,
	'update.mode': 'none',
	'chat.disableAIFeatures': true,
	'security.workspace.trust.enabled': false,
	'git.enabled': false,
};

function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.once('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

/**
 * @param {{ runDir: string, extensionsDir?: string, env?: Record<string, string>, port?: number }} o
 *   runDir: throw-away folder for user data, server data, TMPDIR (the server's sockets) and the log.
 * @returns {Promise<{ url: string, pid: number, log: string, stop: () => Promise<void> }>}
 */
export async function startServer(o) {
	const p = paths();
	const port = o.port ?? (await freePort());
	const dirs = { userData: path.join(o.runDir, 'user-data'), serverData: path.join(o.runDir, 'server-data'), tmp: path.join(o.runDir, 'tmp') };
	const extensionsDir = o.extensionsDir ?? path.join(o.runDir, 'extensions');
	for (const d of [path.join(dirs.userData, 'User'), dirs.serverData, dirs.tmp, extensionsDir]) fs.mkdirSync(d, { recursive: true });
	fs.writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), JSON.stringify(SETTINGS, null, '\t'));
	const log = path.join(o.runDir, `server-${port}.log`);
	const out = fs.openSync(log, 'a');
	const child = spawn(p.node, [
		p.serverMain,
		'--host', '127.0.0.1', '--port', String(port),
		// No auth: bound to loopback only.
		'--without-connection-token', '--accept-server-license-terms',
		'--enable-smoke-test-driver', '--disable-telemetry', '--disable-workspace-trust',
		'--user-data-dir', dirs.userData, '--server-data-dir', dirs.serverData, '--extensions-dir', extensionsDir,
	], {
		detached: true, // its own process group: stop() kills the whole group
		stdio: ['ignore', out, out],
		// EXTENSIONS_GALLERY={}: no marketplace (the default, open-vsx.org, is unreachable and logs errors).
		env: { ...process.env, ...o.env, TMPDIR: dirs.tmp, EXTENSIONS_GALLERY: '{}' },
	});
	fs.closeSync(out);
	let exited = false;
	child.once('exit', () => (exited = true));
	const stop = async () => {
		for (const [sig, waits] of [['SIGTERM', 20], ['SIGKILL', 20]]) {
			try {
				process.kill(-child.pid, sig);
			} catch {
				return; // group gone
			}
			for (let i = 0; i < waits; i++) {
				await new Promise((r) => setTimeout(r, 150));
				try {
					process.kill(-child.pid, 0);
				} catch {
					return;
				}
			}
		}
	};
	// A harness killed by Ctrl-C must not leave the server (and its 3-hour reconnect grace) behind.
	const onExit = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } };
	process.once('exit', onExit);
	const url = `http://127.0.0.1:${port}`;
	for (const end = Date.now() + 60_000; Date.now() < end; ) {
		if (exited) throw new Error(`VS Code server exited at start-up:\n${fs.readFileSync(log, 'utf8')}`);
		try {
			const r = await fetch(url + '/');
			if (r.ok) return { url, pid: child.pid, log, stop: async () => { await stop(); process.off('exit', onExit); } };
		} catch { /* not up yet */ }
		await new Promise((r) => setTimeout(r, 250));
	}
	await stop();
	throw new Error(`VS Code server did not answer on ${url} within 60 s:\n${fs.readFileSync(log, 'utf8').slice(-3000)}`);
}

/** Installs a .vsix into an extensions folder, offline, with the server's own CLI. */
export function installVsix(vsix, extensionsDir, runDir) {
	const p = paths();
	return new Promise((resolve, reject) => {
		const c = spawn(p.node, [p.serverMain, '--extensions-dir', extensionsDir, '--user-data-dir', path.join(runDir, 'user-data'),
			'--server-data-dir', path.join(runDir, 'server-data'), '--accept-server-license-terms', '--install-extension', vsix],
		{ stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EXTENSIONS_GALLERY: '{}' } });
		let text = '';
		c.stdout.on('data', (d) => (text += d));
		c.stderr.on('data', (d) => (text += d));
		c.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`--install-extension exited ${code}: ${text}`))));
	});
}
