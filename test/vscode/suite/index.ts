// extensionTestsPath of the main launch: a single-root copy of test/vscode/workspace.
import { runMocha } from './runner';

export function run(): Promise<void> {
	return runMocha(/^(?!.*\.(restart|multiRoot)\.test\.js$).*\.test\.js$/);
}
