// The Structure view: imports, classes and functions of one file — the active editor's, or the
// one picked in the Folders view. Clicking a class or function opens the file at its line.
import * as vscode from 'vscode';
import type { FileRecord, SymbolRef } from '../core/types';
import { Disposable } from './dispose';
import { num } from './format';
import type { ModelChange, RootSkip, StatsModel } from './model';
import { skipReasonLabel } from './overviewTree';

export type StructureNode =
	| { kind: 'group'; id: string; group: 'imports' | 'classes' | 'functions' }
	| { kind: 'import'; id: string; name: string }
	| { kind: 'symbol'; id: string; group: 'classes' | 'functions'; symbol: SymbolRef };

export class StructureProvider extends Disposable implements vscode.TreeDataProvider<StructureNode> {
	private file: vscode.Uri | undefined;
	private record: FileRecord | RootSkip | undefined;
	private loading: Promise<void> = Promise.resolve();
	private readonly _onDidChangeTreeData = this.register(new vscode.EventEmitter<StructureNode | undefined>());
	readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
	private readonly _onDidChangeFile = this.register(new vscode.EventEmitter<void>());
	/** Fires when the file shown (or its record) changed; the view updates its title and message. */
	readonly onDidChangeFile = this._onDidChangeFile.event;

	constructor(private readonly model: StatsModel) {
		super();
		this.register(model.onDidChange((c) => this.onModelChange(c)));
		this.register(vscode.window.onDidChangeActiveTextEditor((e) => {
			if (e && e.document.uri.scheme === 'file') void this.show(e.document.uri);
		}));
		const active = vscode.window.activeTextEditor?.document.uri;
		if (active?.scheme === 'file') void this.show(active);
	}

	get currentFile(): vscode.Uri | undefined {
		return this.file;
	}

	get currentRecord(): FileRecord | RootSkip | undefined {
		return this.record;
	}

	/** Shows the structure of `uri`; resolves once the view has its data. */
	show(uri: vscode.Uri): Promise<void> {
		this.file = uri;
		this.loading = this.reload();
		return this.loading;
	}

	/** Resolves once the data of the current file has been read. */
	ready(): Promise<void> {
		return this.loading;
	}

	private async reload(): Promise<void> {
		const uri = this.file;
		if (!uri) return;
		const record = await this.model.recordOf(uri).catch(() => undefined);
		if (this.file !== uri) return; // another file was picked meanwhile
		this.record = record;
		this._onDidChangeTreeData.fire(undefined);
		this._onDidChangeFile.fire();
	}

	private onModelChange(c: ModelChange): void {
		if (!this.file) return;
		const loc = this.model.locate(this.file.fsPath);
		if (c.reset || (loc && c.delta?.changed.some((f) => f.root === loc.root && f.path === loc.rel))) void this.show(this.file);
	}

	/** A line for the view's message: which file, or why there is nothing to show. */
	message(): string | undefined {
		if (!this.file) return vscode.l10n.t('Open a file, or pick one in the Folders view, to see its imports, classes and functions.');
		const r = this.record;
		if (!r) return vscode.l10n.t('{0} cannot be read.', vscode.workspace.asRelativePath(this.file));
		if ('reason' in r) return vscode.l10n.t('{0} was skipped: {1}.', vscode.workspace.asRelativePath(this.file), skipReasonLabel(r.reason));
		if (r.imports.length + r.classes.length + r.functions.length === 0) return vscode.l10n.t('{0} ({1}) has no imports, classes or functions.', vscode.workspace.asRelativePath(this.file), r.language);
		return undefined;
	}

	getChildren(element?: StructureNode): StructureNode[] {
		const r = this.record;
		if (!r || 'reason' in r) return [];
		if (!element) {
			const groups: StructureNode[] = [];
			if (r.imports.length) groups.push({ kind: 'group', id: 'structure/imports', group: 'imports' });
			if (r.classes.length) groups.push({ kind: 'group', id: 'structure/classes', group: 'classes' });
			if (r.functions.length) groups.push({ kind: 'group', id: 'structure/functions', group: 'functions' });
			return groups;
		}
		if (element.kind !== 'group') return [];
		if (element.group === 'imports') return r.imports.map((name, i) => ({ kind: 'import', id: `structure/import/${i}/${name}`, name }));
		const group = element.group;
		return [...r[group]].sort((a, b) => a.line - b.line).map((symbol) => ({ kind: 'symbol', id: `structure/${group}/${symbol.line}/${symbol.name}`, group, symbol }));
	}

	getTreeItem(n: StructureNode): vscode.TreeItem {
		const r = this.record;
		if (n.kind === 'group') {
			const count = r && !('reason' in r) ? r[n.group].length : 0;
			const label = n.group === 'imports' ? vscode.l10n.t('Imports') : n.group === 'classes' ? vscode.l10n.t('Classes') : vscode.l10n.t('Functions');
			const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Expanded);
			item.id = n.id;
			item.description = num(count);
			item.iconPath = new vscode.ThemeIcon(n.group === 'imports' ? 'references' : n.group === 'classes' ? 'symbol-class' : 'symbol-method');
			return item;
		}
		if (n.kind === 'import') {
			const item = new vscode.TreeItem(n.name, vscode.TreeItemCollapsibleState.None);
			item.id = n.id;
			item.iconPath = new vscode.ThemeIcon('package');
			return item;
		}
		const item = new vscode.TreeItem(n.symbol.name, vscode.TreeItemCollapsibleState.None);
		item.id = n.id;
		item.description = vscode.l10n.t('line {0}', n.symbol.line);
		item.iconPath = new vscode.ThemeIcon(n.group === 'classes' ? 'symbol-class' : 'symbol-function');
		if (this.file) {
			const pos = new vscode.Position(n.symbol.line - 1, 0);
			item.command = { command: 'vscode.open', title: vscode.l10n.t('Go to {0}', n.symbol.name), arguments: [this.file, { selection: new vscode.Range(pos, pos) } satisfies vscode.TextDocumentShowOptions] };
		}
		return item;
	}
}
