// UI tests with Playwright against the real VS Code workbench (web, served by the VS Code server),
// the extension loaded from the repository (extensionDevelopmentPath). They read the DOM, which the
// extension API cannot: the activity bar, the tree rows, the editor, the status bar.
// Screenshots go to test/vscode/screenshots/ (ignored by git; the best are copied to media/ by hand).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, workbenchUrl } from './browser.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SHOTS = path.join(HERE, 'screenshots');
const REPO = path.resolve(HERE, '../..');

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

/** The view pane titled `title` (exact, case-insensitive: pane headers are upper-cased by CSS). */
export function pane(page, title) {
	return page.locator('.pane').filter({ has: page.locator('.pane-header h3.title', { hasText: new RegExp(`^${title}$`, 'i') }) });
}

/** Rows of the tree in the pane titled `title`, as "label description" (whitespace collapsed). */
export async function treeRows(page, title) {
	return pane(page, title).locator('.monaco-list-row').evaluateAll((rows) => rows.map((r) => {
		const text = (sel) => (r.querySelector(sel)?.textContent ?? '').replace(/\s+/g, ' ').trim();
		return [text('.label-name'), text('.label-description')].filter(Boolean).join(' ');
	}));
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

/** Rows of a pane as "label description" strings (whitespace collapsed). */
const paneRows = (page, title) => treeRows(page, title);

/** The CLI's JSON for a folder: the independent reference for the numbers the views show. */
function cliJson(folder) {
	const r = spawnSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), '--format', 'json', '--by-folder', '--jobs', '1', folder], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`CLI failed: ${r.stderr}`);
	return JSON.parse(r.stdout);
}

const fmt = (v) => v.toLocaleString('en');
const share = (part, whole) => (whole <= 0 || part <= 0 ? '0%' : (part / whole) * 100 < 1 ? '<1%' : `${Math.round((part / whole) * 100)}%`);
const filesLines = (f, l) => `${f === 1 ? '1 file' : `${fmt(f)} files`} · ${l === 1 ? '1 line' : `${fmt(l)} lines`}`;

/** The checks of the extension's own UI, on a fresh copy of test/vscode/workspace/alpha. */
async function extensionChecks({ page, statusbar, check, folder, shots }) {
	const cli = cliJson(folder);
	const t = cli.totals;
	const ours = statusbar.locator('.statusbar-item').filter({ hasText: /files · .* lines/ });

	await check('the status bar item is there before any scan', () => statusbar.locator('.statusbar-item').filter({ hasText: /^\s*Workspace Stats\s*$/ }).first().waitFor());
	await check('the activity bar opens the Workspace Stats container', async () => {
		await page.locator('.activitybar .action-item a[aria-label^="Workspace Stats"], .activitybar .action-item[aria-label^="Workspace Stats"]').first().click();
		await page.locator('.pane-header h3.title', { hasText: /^Overview$/i }).waitFor();
		await page.locator('.pane-header h3.title', { hasText: /^Folders$/i }).waitFor();
		await page.locator('.pane-header h3.title', { hasText: /^Structure$/i }).waitFor();
	});
	await check('Overview rows show the CLI\'s totals and languages (the first scan ran when the view opened)', async () => {
		const expected = [
			`Files ${fmt(t.files)}`, `Lines ${fmt(t.lines)}`, `Code ${fmt(t.code)} · ${share(t.code, t.lines)}`,
			`Comments ${fmt(t.comment)} · ${share(t.comment, t.lines)}`, `Blank ${fmt(t.blank)} · ${share(t.blank, t.lines)}`,
		];
		const langs = cli.languages.map((l) => `${l.name} ${filesLines(l.files, l.lines)} · ${share(l.code, t.code)}`);
		/** The language rows under their group, or why not (yet). */
		const languageRows = (rows) => {
			const start = rows.indexOf(`Languages ${cli.languages.length}`);
			if (start < 0) return { why: `no "Languages ${cli.languages.length}" row`, rows };
			// The list is virtualized: compare the rows the pane has room for (at least two).
			const got = rows.slice(start + 1, start + 1 + langs.length).filter((r) => !/^(Categories|Skipped) /.test(r));
			if (got.length < Math.min(2, langs.length) || JSON.stringify(got) !== JSON.stringify(langs.slice(0, got.length))) return { why: `languages ${JSON.stringify(got)} != ${JSON.stringify(langs)}`, rows };
			return undefined;
		};
		// The view fills in while the first scan runs (a group may first show the files read so
		// far): wait until the totals and the languages have both reached the CLI's numbers.
		let last;
		await until(page, async () => {
			const r = await paneRows(page, 'Overview');
			last = expected.every((e) => r.includes(e)) ? languageRows(r) : { why: 'totals', rows: r };
			return last === undefined;
		}, `Overview rows ${JSON.stringify(expected)}`).catch(() => {
			throw new Error(`Overview: ${last?.why} in ${JSON.stringify(last?.rows)}`);
		});
	});
	await check('the status bar shows files · lines · time', async () => {
		await ours.first().waitFor();
		const text = (await ours.first().innerText()).trim();
		if (!new RegExp(`^${fmt(t.files)} files · ${fmt(t.lines)} lines · (<1 ms|\\d+ ms|\\d+\\.\\d s)$`).test(text)) throw new Error(`status bar: ${JSON.stringify(text)}`);
	});
	await check('Folders rows: the root and its folders, biggest first, with recursive totals', async () => {
		const root = cli.folders.find((f) => f.path === '');
		const top = cli.folders.filter((f) => f.path !== '' && !f.path.includes('/')).sort((a, b) => b.lines - a.lines || b.files - a.files || (a.path < b.path ? -1 : 1));
		const expected = [`alpha ${filesLines(root.files, root.lines)}`, ...top.map((f) => `${f.path} ${filesLines(f.files, f.lines)}`)];
		await until(page, async () => {
			const r = await paneRows(page, 'Folders');
			return JSON.stringify(r.slice(0, expected.length)) === JSON.stringify(expected) && r;
		}, `Folders rows ${JSON.stringify(expected)}`);
	});
	await check('picking a file in Folders shows its structure; clicking a function opens the editor at its line', async () => {
		const folders = pane(page, 'Folders');
		const rowNamed = (p, name) => p.locator('.monaco-list-row .label-name').filter({ hasText: new RegExp(`^${name.replace('.', '\\.')}$`) }).first();
		await rowNamed(folders, 'src').click();
		await rowNamed(folders, 'shapes.py').click();
		let clicks = 1;
		await until(page, async () => {
			const r = await paneRows(page, 'Structure');
			if (r.includes('area line 10')) return r;
			// On a loaded machine a late refresh of the Folders tree (the first scan's index being
			// saved, a watcher batch) can swallow the click: pick the file again, a few times at most.
			if (clicks < 5 && (await rowNamed(folders, 'shapes.py').count()) > 0) {
				clicks++;
				await rowNamed(folders, 'shapes.py').click();
			} else if (clicks < 5) {
				clicks++;
				await rowNamed(folders, 'src').click();
			}
			return false;
		}, 'Structure rows with "area line 10"');
		const structure = pane(page, 'Structure');
		await rowNamed(structure, 'area').click();
		await page.locator('.tabs-container .tab', { hasText: /^\s*shapes\.py/ }).first().waitFor();
		await statusbar.getByText(/^Ln 10, Col 1$/).first().waitFor();
		const line = await page.locator('.monaco-editor .view-line').filter({ hasText: /def\s+area/ }).count();
		if (line !== 1) throw new Error('the editor does not show "def area"');
	});
	await page.mouse.move(0, 0);
	await page.screenshot({ path: path.join(shots, 'views.png') });
	await check('the status bar tooltip shows the phase timings', async () => {
		await ours.first().hover();
		await page.locator('.monaco-hover, .workbench-hover').filter({ hasText: /Phase/ }).first().waitFor();
		await page.screenshot({ path: path.join(shots, 'status-tooltip.png') });
		await page.mouse.move(600, 400);
	});
	await check('command palette: "Workspace Stats: Rescan from Scratch" runs and the status bar shows the result again', async () => {
		await page.locator('.monaco-workbench').click({ position: { x: 700, y: 300 } }).catch(() => {});
		await runFromPalette(page, 'Workspace Stats: Rescan from Scratch');
		await until(page, async () => {
			const text = await ours.first().innerText().catch(() => '');
			return new RegExp(`^${fmt(t.files)} files · ${fmt(t.lines)} lines`).test(text.trim());
		}, 'the status bar after the rescan');
	});
	await check('command palette: "Workspace Stats: Show Log" shows the log with tagged lines', async () => {
		await runFromPalette(page, 'Workspace Stats: Show Log');
		await page.locator('.part.panel .view-line').filter({ hasText: /\[scanner\]\s+scan\s+done\s+in/ }).first().waitFor();
	});
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
	const { page, close } = await launch({ width: 1280, height: 900 });
	page.setDefaultTimeout(20_000);
	const statusbar = page.locator('#workbench\\.parts\\.statusbar');
	try {
		await page.goto(workbenchUrl(o.url, { folder: o.folder, extensionDevelopmentPath: o.ext }));
		await check('workbench loads with the folder open', () => page.locator('.monaco-workbench .part.statusbar').waitFor());
		await extensionChecks({ page, statusbar, check, folder: o.folder, shots: SHOTS });
		await page.screenshot({ path: path.join(SHOTS, 'workbench.png') });
		console.log(`${prefix}screenshots in ${SHOTS}`);
		await check('with no folder open, the views show the welcome text', async () => {
			await page.goto(workbenchUrl(o.url, { extensionDevelopmentPath: o.ext }));
			await page.locator('.activitybar .action-item a[aria-label^="Workspace Stats"], .activitybar .action-item[aria-label^="Workspace Stats"]').first().click();
			await pane(page, 'Overview').locator('.welcome-view-content').filter({ hasText: /counts the files, lines and structure/ }).first().waitFor();
			await pane(page, 'Overview').getByRole('button', { name: 'Open Folder' }).first().waitFor();
		});
	} catch (e) {
		console.log(`${prefix}not ok - UI harness error: ${e.message}`);
		await page.screenshot({ path: path.join(SHOTS, 'error.png') }).catch(() => {});
		return failed() + 1;
	} finally {
		await close();
	}
	return failed();
}
