// Language detection and compilation (the loader side of src/core/languages.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
	analyzeRule,
	compileLanguage,
	detectLanguage,
	getLanguageByName,
	getLanguageTable,
	literalIsLeading,
	numberNameGroup,
	shebangInterpreter,
	HINT_BITS,
	STRING_HINT,
} from '../../src/core/languages';

const name = (f: string, head?: string, overrides?: Record<string, string>): string | undefined =>
	detectLanguage(f, head === undefined ? undefined : Buffer.from(head), overrides)?.name;

describe('detectLanguage', () => {
	it('by extension, case-insensitively, from a path; longest extension first', () => {
		assert.equal(name('src/a/b.py'), 'Python');
		assert.equal(name('C:\\x\\Main.PY'), 'Python');
		assert.equal(name('index.d.ts'), 'TypeScript');
		assert.equal(name('a.tsx'), 'TSX');
		assert.equal(name('a.h'), 'C');
		assert.equal(name('a.hpp'), 'C++');
		assert.equal(name('archive.tar.gz'), undefined);
		assert.equal(name('.bashrc.unknown'), undefined);
	});

	it('by exact file name before extensions', () => {
		assert.equal(name('proj/SConstruct'), 'Python');
		assert.equal(name('sconstruct'), undefined, 'file names are case-sensitive');
	});

	it('by a #! interpreter, incl. env, env options and versioned names', () => {
		assert.equal(name('run', '#!/usr/bin/env python3.11\nprint(1)\n'), 'Python');
		assert.equal(name('run', '#!/usr/bin/python3\n'), 'Python');
		assert.equal(name('run', '#!/usr/bin/env -S node --max-old-space-size=100\n'), 'JavaScript');
		assert.equal(name('run', '#!/usr/bin/env FOO=1 node\n'), 'JavaScript');
		assert.equal(name('run', '\ufeff#!/usr/local/bin/pypy3\n'), 'Python');
		assert.equal(name('run', '#!/usr/bin/env\n'), undefined);
		assert.equal(name('run', 'print(1)\n'), undefined);
		// An extension the table knows wins over the shebang.
		assert.equal(name('tool.js', '#!/usr/bin/env python3\n'), 'JavaScript');
	});

	it('overrides map an extension to a language name first', () => {
		assert.equal(name('a.h', undefined, { '.h': 'C++' }), 'C++');
		assert.equal(name('a.inc', undefined, { '.inc': 'C' }), 'C');
		assert.equal(name('a.py', undefined, { '.h': 'C++' }), 'Python');
		assert.equal(name('a.py', undefined, { '.py': 'No Such Language' }), 'Python');
	});

	it('shebangInterpreter reads only the first line', () => {
		assert.equal(shebangInterpreter(Buffer.from('#!/bin/bash -e\necho')), 'bash');
		assert.equal(shebangInterpreter(Buffer.from('#! /usr/bin/env   ruby\n')), 'ruby');
		assert.equal(shebangInterpreter(Buffer.from('# !/bin/sh\n')), undefined);
	});
});

describe('compileLanguage', () => {
	it('is cached per language and sorts delimiters longest first', () => {
		const py = getLanguageByName('Python');
		assert.ok(py);
		const c = compileLanguage(py);
		assert.equal(compileLanguage(py), c);
		const quote = c.tokensByFirst['"'.charCodeAt(0)];
		assert.ok(quote);
		for (let k = 1; k < quote.length; k++) assert.ok(quote[k - 1].open.length >= quote[k].open.length);
		assert.equal(Buffer.from(quote[0].open).toString(), '"""');
	});

	it('compiles every language of the table', () => {
		for (const d of getLanguageTable()) {
			const c = compileLanguage(d);
			assert.equal(c.def, d);
			assert.equal(c.codeClass[0x0a], 2);
			assert.equal(c.codeClass[0x0d], 3);
		}
	});

	it('reads first bytes, needed hint bytes and literals off a rule', () => {
		const r = analyzeRule('^\\s*(?:export\\s+)?(?:async\\s+)?function\\s*(?<name>\\w+)\\s*\\(');
		const first = [...r.first.subarray(0, 128)].map((v, b) => (v ? String.fromCharCode(b) : '')).join('');
		assert.equal(first, 'aef');
		assert.equal(r.need, HINT_BITS['(']);
		assert.equal(Buffer.from(r.lit ?? []).toString(), 'function');
		const q = analyzeRule('^\\s*import\\s+[\'"](?<name>[^\'"]+)[\'"]');
		assert.equal(q.need, STRING_HINT);
		// Not understood → every byte, nothing needed: slower, never wrong.
		const u = analyzeRule('(?<name>x)');
		assert.equal(u.first.every((v) => v === 1), true);
		assert.equal(u.need, 0);
		// A rule that may start with a blank-matching class allows every byte.
		assert.equal(analyzeRule('^[\\s\\w]+(?<name>x)').first.every((v) => v === 1), true);
	});

	it('turns the name group into a numbered group', () => {
		assert.deepEqual(numberNameGroup('^(a)(?:b)(?=c)[(](?<name>d)'), { source: '^(a)(?:b)(?=c)[(](d)', group: 2 });
		assert.deepEqual(numberNameGroup('^\\((?<x>y)(?<name>z)'), { source: '^\\((?<x>y)(z)', group: 2 });
		assert.throws(() => numberNameGroup('^abc'), TypeError);
	});

	it('literalIsLeading: what can come before a rule\'s literal, read off its source', () => {
		const cases: [string, string, 0 | 1 | 2][] = [
			['^\\s*(?:export\\s+)?(?:async\\s+)?function\\s*(?<name>[\\w$]+)', 'function', 1],
			['^\\s*(?:(?:private|module_function)\\s+)?def\\s+(?<name>\\w+)', 'def', 1],
			['^\\s*(?<name>[A-Za-z_]\\w*)\\s*=\\s*lambda\\b', 'lambda', 2],
			['^\\s*from\\s+(?<name>\\.*[\\w.]*)\\s+import\\b', 'import', 2],
			['^\\s*(?<name>[\\w$]+)\\s*:\\s*(?:async\\s+)?function\\b', 'function', 2],
			// Anything may come before the literal: a brace, a negated class, an unescaped dot, a counted quantifier.
			['^\\s*\\}\\s*from\\s+[\'"](?<name>[^\'"]+)', 'from', 0],
			['^\\s*(?:const|let)\\s+(?<name>\\w+)\\s*(?::[^=]+)?=\\s*function', 'function', 0],
			['^.*function\\s+(?<name>\\w+)', 'function', 0],
			['^\\s*(?:ab){2}function\\s+(?<name>\\w+)', 'function', 0],
			['^\\s*(?!x)function\\s+(?<name>\\w+)', 'function', 0],
			// Spelled twice: which one is the mandatory one is not known.
			['^\\s*(?:function\\s+)?function\\s+(?<name>\\w+)', 'function', 0],
		];
		for (const [src, lit, want] of cases) assert.equal(literalIsLeading(src, lit), want, src);
	});
});
