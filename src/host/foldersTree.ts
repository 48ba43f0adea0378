// The Folders view: one root per workspace folder, every folder with its recursive totals and
// its files, biggest (most lines) first. A file opens its structure in the Structure view.
// Children lists are kept per folder and patched from each batch's delta (not rebuilt from the
// records), and a refresh names only the folders whose lists or numbers moved.
import * as vscode from 'vscode';
import { folderKey } from '../core/aggregate';
import type { FileRecord, FolderTotals } from '../core/types';
import { Disposable } from './dispose';
import { filesLines, num } from './format';
import type { ModelChange, StatsModel } from './model';

export type FolderNode =
	| { kind: 'folder'; id: string; root: number; path: string }
	| { kind: 'file'; id: string; root: number; path: string };

interface Children {
	folders: Set<string>;
	files: Set<string>;
}

function parentOf(path: string): string {
	const i = path.lastIndexOf('/');
	return i < 0 ? '' : path.slice(0, i);
}

function baseOf(path: string): string {
	return path.slice(path.lastIndexOf('/') + 1);
}

export class FoldersProvider extends Disposable implements vscode.TreeDataProvider<FolderNode> {
	private readonly nodes = new Map<string, FolderNode>();
	/** folderKey(root, folder) → its direct sub-folders and files (root-relative paths); undefined = rebuild. */
	private children: Map<string, Children> | undefined;
	private readonly _onDidChangeTreeData = this.register(new vscode.EventEmitter<FolderNode | FolderNode[] | undefined>());
	readonly onDidChangeTreeData = this._onDidChangeTreeData.event;

	constructor(private readonly model: StatsModel) {
		super();
		this.register(model.onDidChange((c) => this.onModelChange(c)));
	}

	private node(kind: FolderNode['kind'], root: number, path: string): FolderNode {
		const id = `folders/${root}/${kind}/${path}`;
		const old = this.nodes.get(id);
		if (old) return old;
		const n: FolderNode = { kind, id, root, path };
		this.nodes.set(id, n);
		return n;
	}

	private slot(root: number, folder: string): Children {
		const key = folderKey(root, folder);
		let c = this.children!.get(key);
		if (!c) {
			c = { folders: new Set(), files: new Set() };
			this.children!.set(key, c);
		}
		return c;
	}

	private build(): Map<string, Children> {
		this.children = new Map();
		for (const f of this.model.index.aggregates.folders.values()) if (f.path !== '') this.slot(f.root, parentOf(f.path)).folders.add(f.path);
		// Keys only: values() would decode every record's structure (most are pending after a load).
		for (const r of this.model.index.keys()) this.slot(r.root, parentOf(r.path)).files.add(r.path);
		return this.children;
	}

	private onModelChange(c: ModelChange): void {
		if (c.reset || !this.children) {
			this.children = undefined;
			this.nodes.clear();
			this._onDidChangeTreeData.fire(undefined);
			return;
		}
		if (!c.delta) return;
		const fire = new Set<FolderNode>();
		const touch = (root: number, folder: string) => fire.add(this.node('folder', root, folder));
		for (const f of c.delta.changed) {
			const parent = parentOf(f.path);
			const kids = this.slot(f.root, parent);
			if (f.kind === 'removed') {
				kids.files.delete(f.path);
				this.nodes.delete(`folders/${f.root}/file/${f.path}`);
			} else kids.files.add(f.path);
			touch(f.root, parent);
		}
		for (const d of c.delta.aggregates.folders) {
			const f = (d.after ?? d.before)!;
			if (f.path === '') {
				touch(f.root, '');
				continue;
			}
			const parent = parentOf(f.path);
			const kids = this.slot(f.root, parent);
			if (!d.after) {
				kids.folders.delete(f.path);
				this.children.delete(folderKey(f.root, f.path));
				this.nodes.delete(`folders/${f.root}/folder/${f.path}`);
			} else kids.folders.add(f.path);
			// Its numbers moved: the parent re-lists it (its place in the biggest-first order may change too).
			touch(f.root, parent);
		}
		const live = [...fire].filter((n) => this.nodes.get(n.id) === n);
		if (live.length) this._onDidChangeTreeData.fire(live);
	}

	private folderTotals(root: number, path: string): FolderTotals | undefined {
		return this.model.index.aggregates.folders.get(folderKey(root, path));
	}

	getChildren(element?: FolderNode): FolderNode[] {
		if (!this.model.hasResults) return [];
		if (!element) return this.model.folders.map((_, i) => this.node('folder', i, ''));
		if (element.kind === 'file') return [];
		const kids = (this.children ?? this.build()).get(folderKey(element.root, element.path));
		if (!kids) return [];
		const folders = [...kids.folders]
			.map((p) => this.folderTotals(element.root, p))
			.filter((f): f is FolderTotals => f !== undefined)
			.sort((a, b) => b.lines - a.lines || b.files - a.files || (a.path < b.path ? -1 : 1))
			.map((f) => this.node('folder', f.root, f.path));
		const files = [...kids.files]
			.map((p) => this.model.index.get(element.root, p))
			.filter((r): r is FileRecord => r !== undefined)
			.sort((a, b) => b.lines - a.lines || (a.path < b.path ? -1 : 1))
			.map((r) => this.node('file', r.root, r.path));
		return [...folders, ...files];
	}

	getParent(element: FolderNode): FolderNode | undefined {
		if (element.kind === 'folder' && element.path === '') return undefined;
		return this.node('folder', element.root, parentOf(element.path));
	}

	getTreeItem(n: FolderNode): vscode.TreeItem {
		const uri = this.model.uriOf(n.root, n.path);
		if (n.kind === 'folder') {
			const t = this.folderTotals(n.root, n.path);
			const isRoot = n.path === '';
			const label = isRoot ? this.model.folders[n.root]?.name ?? '' : baseOf(n.path);
			const item = new vscode.TreeItem(label, isRoot ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
			item.id = n.id;
			item.resourceUri = uri;
			item.iconPath = isRoot ? new vscode.ThemeIcon('root-folder') : vscode.ThemeIcon.Folder;
			item.description = t ? filesLines(t.files, t.lines) : vscode.l10n.t('no files');
			if (t) item.tooltip = new vscode.MarkdownString(`**${isRoot ? label : n.path}**\n\n${vscode.l10n.t('{0} code, {1} comment, {2} blank lines', num(t.code), num(t.comment), num(t.blank))}`);
			item.contextValue = 'folder';
			return item;
		}
		const r = this.model.index.get(n.root, n.path);
		const item = new vscode.TreeItem(baseOf(n.path), vscode.TreeItemCollapsibleState.None);
		item.id = n.id;
		item.resourceUri = uri;
		item.iconPath = vscode.ThemeIcon.File;
		if (r) {
			item.description = `${r.language} · ${r.lines === 1 ? vscode.l10n.t('1 line') : vscode.l10n.t('{0} lines', num(r.lines))}`;
			item.tooltip = new vscode.MarkdownString(`**${n.path}** (${r.language})\n\n${vscode.l10n.t('{0} code, {1} comment, {2} blank lines', num(r.code), num(r.comment), num(r.blank))}\n\n${vscode.l10n.t('{0} imports, {1} classes, {2} functions', num(r.imports.length), num(r.classes.length), num(r.functions.length))}`);
		}
		item.contextValue = 'file';
		item.command = { command: 'workspaceStats._showStructure', title: vscode.l10n.t('Show Structure of File'), arguments: [uri] };
		return item;
	}
}
