#!/usr/bin/env node
// Writes l10n/bundle.l10n.json: every string the host passes to vscode.l10n.t (the source a
// translator starts from, as `@vscode/l10n-dev export` makes it). Translations go beside it as
// bundle.l10n.<locale>.json; the manifest's strings are in package.nls.json.
//   node scripts/l10n.mjs [--check]   --check: fail when the bundle is out of date
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const files = [path.join(REPO, 'src', 'extension.ts'), ...fs.readdirSync(path.join(REPO, 'src', 'host')).map((f) => path.join(REPO, 'src', 'host', f))];
const strings = new Set();
for (const f of files) {
	const text = fs.readFileSync(f, 'utf8');
	for (const m of text.matchAll(/l10n\.t\(\s*'((?:[^'\\]|\\.)*)'/g)) strings.add(m[1].replace(/\\'/g, "'"));
}
const bundle = Object.fromEntries([...strings].sort().map((s) => [s, s]));
const out = path.join(REPO, 'l10n', 'bundle.l10n.json');
const json = JSON.stringify(bundle, null, '\t') + '\n';
if (process.argv.includes('--check')) {
	if (!fs.existsSync(out) || fs.readFileSync(out, 'utf8') !== json) {
		console.error('l10n/bundle.l10n.json is out of date: run node scripts/l10n.mjs');
		process.exit(1);
	}
} else {
	fs.mkdirSync(path.dirname(out), { recursive: true });
	fs.writeFileSync(out, json);
	console.log(`${out}: ${strings.size} strings`);
}
