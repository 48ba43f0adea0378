// extensionTestsPath of the second launch on the same folder and server: the persisted index.
import { runMocha } from './runner';

export function run(): Promise<void> {
	return runMocha(/\.restart\.test\.js$/);
}
