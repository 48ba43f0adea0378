// Runs mocha inside the VS Code extension host. Each launch of the workbench gets one entry module
// (extensionTestsPath) exporting run(); VS Code awaits it and exits the extension host with 0 when
// it resolves, 1 when it rejects. Output goes through console.log to the harness (test/vscode/run.mjs).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/**
 * Runs the compiled test files of this folder whose names match `pattern`.
 * WSTATS_TEST_GREP (set on the server by the harness's --grep) narrows the run while developing.
 */
export function runMocha(pattern: RegExp): Promise<void> {
	const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: 'spec', grep: process.env.WSTATS_TEST_GREP || undefined });
	// Only compiled files whose source still exists: tsc never deletes the output of a removed test.
	const sources = path.resolve(__dirname, '../../../../test/vscode/suite');
	const files = fs.readdirSync(__dirname).filter((f) => pattern.test(f) && fs.existsSync(path.join(sources, f.replace(/\.js$/, '.ts')))).sort();
	for (const f of files) mocha.addFile(path.join(__dirname, f));
	return new Promise((resolve, reject) => {
		const runner = mocha.run((failures) => {
			const s = runner.stats;
			console.log(`${s?.passes ?? 0} passed, ${s?.failures ?? failures} failed, ${s?.pending ?? 0} pending`);
			if (failures > 0) reject(new Error(`${failures} test(s) failed`));
			else if ((s?.passes ?? 0) === 0) reject(new Error(`no tests ran (files: ${files.join(', ') || 'none'})`));
			else resolve();
		});
	});
}
