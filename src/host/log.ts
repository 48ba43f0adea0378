// The extension's log: one LogOutputChannel ("Workspace Stats"), every line tagged with the
// component that wrote it ([scanner], [index], [watcher], …). Core code gets a Logger of the same
// shape, so the scanner's and the index's messages land here too.
import * as vscode from 'vscode';
import type { Logger } from '../core/types';

export type Component = 'activate' | 'scanner' | 'index' | 'watcher' | 'views' | 'commands' | 'benchmark' | 'settings';

export class Log implements vscode.Disposable {
	readonly channel: vscode.LogOutputChannel;

	constructor(name: string) {
		this.channel = vscode.window.createOutputChannel(name, { log: true });
	}

	/** A logger whose lines start with `[component]`. */
	for(component: Component): Logger {
		const tag = `[${component}]`;
		const c = this.channel;
		return {
			trace: (m, ...a) => c.trace(`${tag} ${m}`, ...a),
			debug: (m, ...a) => c.debug(`${tag} ${m}`, ...a),
			info: (m, ...a) => c.info(`${tag} ${m}`, ...a),
			warn: (m, ...a) => c.warn(`${tag} ${m}`, ...a),
			error: (m, ...a) => c.error(m instanceof Error ? `${tag} ${m.stack ?? m.message}` : `${tag} ${m}`, ...a),
		};
	}

	show(): void {
		this.channel.show(true);
	}

	dispose(): void {
		this.channel.dispose();
	}
}
