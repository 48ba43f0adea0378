// Headless Debian Chromium (playwright-core, no browser download) opening the VS Code web workbench
// served by the VS Code server, and the runner of `extensionTestsPath` suites in its Node extension host.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as util from 'node:util';
import { chromium } from 'playwright-core';
import { paths } from './install.mjs';

/** Workbench chatter that the renderer logs at info level on every launch; hidden unless --verbose. */
const NOISE = /^(Resolving connection token|Resolved connection token|Creating a socket|Ignoring fetching additional builtin|Updating additional builtin|ChatSessionStore:|\[Service Worker\] registration)/;

const CHROMIUM_ARGS = [
	'--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * The workbench URL opening `folder` (or a `.code-workspace` file) with the workbench "payload" for
 * extension development and tests. Paths are server-side; they become vscode-remote:// URIs so the
 * extension and its tests load in the server's Node extension host, not in a web worker.
 * @param {string} base e.g. http://127.0.0.1:PORT
 * @param {{ folder?: string, workspace?: string, extensionDevelopmentPath?: string, extensionTestsPath?: string }} o
 */
export function workbenchUrl(base, o) {
	const authority = new URL(base).host;
	const remote = (p) => `vscode-remote://${authority}${path.resolve(p)}`;
	const payload = [];
	if (o.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(o.extensionDevelopmentPath)]);
	if (o.extensionTestsPath) payload.push(['extensionTestsPath', remote(o.extensionTestsPath)]);
	const q = new URLSearchParams();
	if (o.folder) q.set('folder', path.resolve(o.folder));
	if (o.workspace) q.set('workspace', path.resolve(o.workspace));
	if (payload.length) q.set('payload', JSON.stringify(payload));
	return `${base}/?${q}`;
}

/** A fresh Chromium profile per launch; close() removes it. */
export async function launch({ width = 1400, height = 900 } = {}) {
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wstats-chromium-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: paths().chromium,
		headless: true,
		args: CHROMIUM_ARGS,
		viewport: { width, height },
	});
	const page = context.pages()[0] ?? (await context.newPage());
	const close = async () => {
		await context.close().catch(() => {});
		fs.rmSync(userDataDir, { recursive: true, force: true });
	};
	return { context, page, close };
}

/**
 * Runs one `extensionTestsPath` module (exporting run()) in the server's extension host.
 * VS Code's web workbench calls window.codeAutomationLog for every renderer log line (the extension
 * host's console output included) and window.codeAutomationExit(code) when the extension host that
 * ran the tests exits; we provide both.
 * @returns {Promise<{ code: number, timedOut: boolean, lines: string[], seconds: number }>} code 0 = run() resolved.
 */
export async function runExtensionTests({ url, ext, tests, folder, workspace, timeoutS = 120, verbose = false, prefix = '' }) {
	const { page, close } = await launch();
	const lines = [];
	let finish;
	const done = new Promise((r) => (finish = r));
	await page.exposeFunction('codeAutomationLog', (level, args) => {
		const line = Array.isArray(args) ? util.format(...args) : String(args);
		lines.push(line);
		if (verbose) console.log(`${prefix}[${level}] ${line}`);
		else if (NOISE.test(line)) return;
		else if (level === 'info' || level === 'log') console.log(prefix + line.replace(/\n/g, `\n${prefix}`));
		else if (level === 'error') console.log(`${prefix}[vscode error] ${line}`);
	});
	await page.exposeFunction('codeAutomationExit', (code) => finish({ code, timedOut: false }));
	const started = Date.now();
	await page.goto(workbenchUrl(url, { folder, workspace, extensionDevelopmentPath: ext, extensionTestsPath: tests }));
	const timer = setTimeout(() => finish({ code: 1, timedOut: true }), timeoutS * 1000);
	const r = await done;
	clearTimeout(timer);
	await close();
	return { ...r, lines, seconds: (Date.now() - started) / 1000 };
}
