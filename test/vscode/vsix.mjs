// The packaged extension: `vsce package --no-dependencies` (esbuild bundles the dependencies;
// esbuild.mjs --vsix, as `npm run package` does it, from the build in dist/),
// installed offline into a fresh extensions folder with the server's --install-extension, then
// opened in the workbench WITHOUT extensionDevelopmentPath: the container and the status bar must
// show up from the installed copy.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launch, workbenchUrl } from './browser.mjs';
import { packageVsix } from '../../esbuild.mjs';
import { installVsix, startServer } from './server.mjs';

export async function runVsixTest({ runDir, folder, prefix = '  ' }) {
	const vsix = path.join(runDir, 'workspace-stats.vsix');
	try {
		packageVsix(vsix);
	} catch (e) {
		console.log(`${prefix}not ok - vsce package\n${e.message}`);
		return false;
	}
	console.log(`${prefix}ok - vsce package: ${(fs.statSync(vsix).size / 1024).toFixed(0)} KB`);
	const vsixRun = path.join(runDir, 'vsix-server');
	const extensionsDir = path.join(vsixRun, 'extensions');
	fs.mkdirSync(extensionsDir, { recursive: true });
	try {
		await installVsix(vsix, extensionsDir, vsixRun);
	} catch (e) {
		console.log(`${prefix}not ok - install the .vsix offline: ${e.message}`);
		return false;
	}
	const installed = fs.readdirSync(extensionsDir).filter((d) => d.startsWith('workspace-stats.'));
	if (installed.length !== 1) {
		console.log(`${prefix}not ok - install the .vsix offline: extensions folder holds ${JSON.stringify(fs.readdirSync(extensionsDir))}`);
		return false;
	}
	console.log(`${prefix}ok - installed offline as ${installed[0]}`);
	const server = await startServer({ runDir: vsixRun, extensionsDir });
	const { page, close } = await launch({ width: 1280, height: 800 });
	try {
		await page.goto(workbenchUrl(server.url, { folder }));
		const item = page.locator('#workbench\\.parts\\.statusbar .statusbar-item').filter({ hasText: /files · .* lines/ }).first();
		const container = page.locator('.activitybar .action-item a[aria-label^="Workspace Stats"], .activitybar .action-item[aria-label^="Workspace Stats"]').first();
		await container.waitFor({ timeout: 30_000 });
		await container.click();
		await item.waitFor({ timeout: 30_000 });
		console.log(`${prefix}ok - installed extension shows its container and status bar: ${JSON.stringify((await item.innerText()).trim())}`);
		return true;
	} catch (e) {
		console.log(`${prefix}not ok - installed extension in the workbench: ${String(e.message).split('\n')[0]}`);
		return false;
	} finally {
		await close();
		await server.stop();
	}
}
