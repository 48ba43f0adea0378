// A tiny event emitter shaped like VS Code's (`event(listener) → { dispose() }`), so the host can
// expose core events as `vscode.Event`s without the core importing `vscode`.

import type { Logger } from './types';
import { silentLogger } from './types';

export interface Disposable {
	dispose(): void;
}

/** Subscribes a listener; the returned object unsubscribes it. */
export type Event<T> = (listener: (e: T) => unknown) => Disposable;

export class Emitter<T> {
	private listeners: ((e: T) => unknown)[] = [];
	private disposed = false;

	/** @param logger Where a listener's exception goes; it never reaches the code that fired. */
	constructor(private readonly logger: Logger = silentLogger) {}

	readonly event: Event<T> = (listener) => {
		if (this.disposed) return { dispose() {} };
		this.listeners.push(listener);
		return {
			dispose: () => {
				const i = this.listeners.indexOf(listener);
				if (i !== -1) this.listeners.splice(i, 1);
			},
		};
	};

	fire(e: T): void {
		// A copy: a listener may dispose itself (or others) while we iterate.
		for (const l of [...this.listeners]) {
			try {
				l(e);
			} catch (err) {
				this.logger.error(err instanceof Error ? err : String(err));
			}
		}
	}

	get hasListeners(): boolean {
		return this.listeners.length > 0;
	}

	dispose(): void {
		this.disposed = true;
		this.listeners = [];
	}
}
