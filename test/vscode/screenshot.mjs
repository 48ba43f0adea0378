#!/usr/bin/env node
// README screenshots: the extension on a real folder (default: this repository), the container
// open, a source file in the editor and its structure, and the status bar tooltip.
//   node test/vscode/screenshot.mjs [folder] [file-in-folder]   → test/vscode/screenshots/readme-*.png
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, workbenchUrl } from './browser.mjs';
import { ensureInstalled } from './install.mjs';
import { startServer } from './server.mjs';
import { pane } from './ui.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const folder = path.resolve(process.argv[2] ?? REPO);
const file = process.argv[3] ?? 'src/host/statusBar.ts';
const shots = path.join(REPO, 'test', 'vscode', 'screenshots');
ensureInstalled({ quiet: true });
fs.mkdirSync(shots, { recursive: true });
const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wstats-shot-'));
const server = await startServer({ runDir });
const { page, close } = await launch({ width: 1440, height: 900 });
try {
	await page.goto(workbenchUrl(server.url, { folder, extensionDevelopmentPath: REPO }));
	await page.locator('.activitybar .action-item a[aria-label^="Workspace Stats"]').first().click();
	const status = page.locator('#workbench\\.parts\\.statusbar .statusbar-item').filter({ hasText: /files · .* lines · / }).first();
	await status.waitFor({ timeout: 60_000 });
	// Expand the file's folders in the Folders view; open the file with Quick Open (the row may be
	// out of the pane's sight); the Structure view follows the active editor.
	const parts = file.split('/').slice(0, -1);
	for (const part of parts) {
		await pane(page, 'Folders').locator('.monaco-list-row .label-name').filter({ hasText: new RegExp(`^${part.replace(/\./g, '\\.')}$`) }).first().click();
	}
	await page.keyboard.press('Control+P');
	await page.locator('.quick-input-widget input').fill(file);
	await page.locator('.quick-input-list .monaco-list-row').first().waitFor();
	await page.keyboard.press('Enter');
	await pane(page, 'Structure').locator('.monaco-list-row').first().waitFor();
	await page.waitForTimeout(1500);
	await page.mouse.move(0, 0);
	await page.screenshot({ path: path.join(shots, 'readme-views.png') });
	await status.hover();
	await page.locator('.monaco-hover, .workbench-hover').filter({ hasText: /Phase/ }).first().waitFor();
	await page.screenshot({ path: path.join(shots, 'readme-status.png') });
	console.log(`screenshots: ${shots}/readme-views.png, readme-status.png`);
} finally {
	await close();
	await server.stop();
	fs.rmSync(runDir, { recursive: true, force: true });
}
