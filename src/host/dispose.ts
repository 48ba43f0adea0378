// One owner per resource: whatever a class creates and must release is registered with it and
// released when it is disposed (after VS Code's markdown extension, util/dispose.ts).
import type * as vscode from 'vscode';

/** Disposes every item, even when some throw; rethrows the first failure afterwards. */
export function disposeAll(items: Iterable<vscode.Disposable>): void {
	let first: unknown;
	for (const d of items) {
		try {
			d.dispose();
		} catch (e) {
			first ??= e;
		}
	}
	if (first !== undefined) throw first;
}

export abstract class Disposable implements vscode.Disposable {
	private readonly disposables: vscode.Disposable[] = [];
	private disposed = false;

	protected get isDisposed(): boolean {
		return this.disposed;
	}

	protected register<T extends vscode.Disposable>(d: T): T {
		if (this.disposed) d.dispose();
		else this.disposables.push(d);
		return d;
	}

	dispose(): void {
		if (this.disposed) return;
		this.disposed = true;
		disposeAll(this.disposables.splice(0));
	}
}
