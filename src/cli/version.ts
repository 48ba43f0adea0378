// The package version, read from the package.json above the running file: `dist/cli.js` (bundle)
// and `out/src/cli/version.js` (tests) both find the project's package.json by walking up.

import * as fs from 'node:fs';
import * as path from 'node:path';

export function readVersion(): string {
	let dir = __dirname;
	for (;;) {
		const file = path.join(dir, 'package.json');
		try {
			const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
			if (pkg.name === 'workspace-stats' && pkg.version) return pkg.version;
		} catch {
			// No package.json here (or not ours): keep walking up.
		}
		const parent = path.dirname(dir);
		if (parent === dir) return 'unknown';
		dir = parent;
	}
}
