// extensionTestsPath of the multi-root launch (test/vscode/workspace/multi.code-workspace).
import { runMocha } from './runner';

export function run(): Promise<void> {
	return runMocha(/\.multiRoot\.test\.js$/);
}
