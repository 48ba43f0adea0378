// UI tests with Playwright against the real VS Code workbench (web, served by the VS Code server),
// the extension loaded from the repository (extensionDevelopmentPath). They read the DOM, which the
// extension API cannot: the activity bar, the tree rows, the editor, the status bar.
// Screenshots go to test/vscode/screenshots/ (ignored by git; the best are copied to media/ by hand).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, workbenchUrl } from './browser.mjs';

const SHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');

/**
 * A tiny check runner: each check is a named async function; a failure is printed with its first
 * line and counted, and the next checks still run (they may depend on earlier ones and fail too).
 */
function checker(prefix) {
	let failed = 0;
	const check = async (name, fn) => {
		const t = Date.now();
		try {
			await fn();
			console.log(`${prefix}ok - ${name} (${Date.now() - t} ms)`);
		} catch (e) {
			failed++;
			console.log(`${prefix}not ok - ${name}\n${prefix}    ${String(e?.message ?? e).split('\n')[0]}`);
		}
	};
	return { check, failed: () => failed };
}

/** Waits until fn() returns a truthy value; returns it, or throws `what` with the last value seen. */
export async function until(page, fn, what, timeoutMs = 20_000) {
	let last;
	for (const end = Date.now() + timeoutMs; Date.now() < end; await page.waitForTimeout(200)) {
		last = await fn();
		if (last) return last;
	}
	throw new Error(`${what} (last seen: ${JSON.stringify(last)})`);
}

/** Rows of the tree in the pane titled `title` (exact, case-insensitive: pane headers are upper-cased by CSS). */
export async function treeRows(page, title) {
	const pane = page.locator('.pane').filter({ has: page.locator('.pane-header h3.title', { hasText: new RegExp(`^${title}$`, 'i') }) });
	return (await pane.locator('.monaco-list-row').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
}

/** Runs a command through the command palette (F1), by its exact title. */
export async function runFromPalette(page, title) {
	await page.keyboard.press('F1');
	const input = page.locator('.quick-input-widget input');
	await input.waitFor();
	await input.fill(`>${title}`);
	await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: title }).first().waitFor();
	await page.keyboard.press('Enter');
	await page.locator('.quick-input-widget').waitFor({ state: 'hidden' }).catch(() => {});
}

/** The checks of the extension's own UI. */
async function extensionChecks({ page, statusbar, check }) {
	await check('explorer shows the fixture folder', async () => {
		await page.keyboard.press('Control+Shift+E');
		await until(page, async () => (await treeRows(page, 'alpha')).includes('src'), 'explorer row "src"');
	});
	void statusbar;
}

/**
 * @param {{ url: string, ext?: string, folder: string, prefix?: string }} o ext: load the extension
 *   from this folder (omit when it is installed).
 * @returns {Promise<number>} the number of failed checks.
 */
export async function runUiTests(o) {
	const prefix = o.prefix ?? '  ';
	const { check, failed } = checker(prefix);
	fs.mkdirSync(SHOTS, { recursive: true });
	const { page, close } = await launch({ width: 1280, height: 800 });
	page.setDefaultTimeout(20_000);
	const statusbar = page.locator('#workbench\\.parts\\.statusbar');
	try {
		await page.goto(workbenchUrl(o.url, { folder: o.folder, extensionDevelopmentPath: o.ext }));
		await check('workbench loads with the folder open', () => page.locator('.monaco-workbench .part.statusbar').waitFor());
		await extensionChecks({ page, statusbar, check });
		await page.mouse.move(0, 0);
		await page.screenshot({ path: path.join(SHOTS, 'workbench.png') });
		console.log(`${prefix}screenshot: ${path.join(SHOTS, 'workbench.png')}`);
	} catch (e) {
		console.log(`${prefix}not ok - UI harness error: ${e.message}`);
		await page.screenshot({ path: path.join(SHOTS, 'error.png') }).catch(() => {});
		return failed() + 1;
	} finally {
		await close();
	}
	return failed();
}
