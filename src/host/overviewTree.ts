// The Overview view: workspace-wide totals, then languages by code lines, categories, and the
// skipped files grouped by reason. Nodes are kept per id, so a refresh names exactly the nodes
// whose numbers moved and expansion survives.
import * as vscode from 'vscode';
import type { LanguageTotals, SkipReason, Totals } from '../core/types';
import { Disposable } from './dispose';
import { bytes, filesLines, num, share } from './format';
import type { ModelChange, RootSkip, StatsModel } from './model';

type TotalKey = 'files' | 'lines' | 'code' | 'comment' | 'blank' | 'bytes';

export type OverviewNode =
	| { kind: 'total'; id: string; key: TotalKey }
	| { kind: 'group'; id: string; group: 'languages' | 'categories' | 'skipped' }
	| { kind: 'language'; id: string; name: string }
	| { kind: 'category'; id: string; name: string }
	| { kind: 'skipReason'; id: string; reason: SkipReason }
	| { kind: 'skippedFile'; id: string; skip: RootSkip };

const TOTAL_KEYS: TotalKey[] = ['files', 'lines', 'code', 'comment', 'blank', 'bytes'];

export function skipReasonLabel(reason: SkipReason): string {
	switch (reason) {
		case 'binary': return vscode.l10n.t('Binary');
		case 'too-large': return vscode.l10n.t('Too large');
		case 'unreadable': return vscode.l10n.t('Unreadable');
		case 'vanished': return vscode.l10n.t('Vanished while scanning');
		case 'symlink-loop': return vscode.l10n.t('Symbolic link loops');
		case 'dangling-symlink': return vscode.l10n.t('Dangling symbolic links');
		case 'unreadable-folder': return vscode.l10n.t('Unreadable folders');
		case 'special': return vscode.l10n.t('Sockets, pipes and devices');
	}
}

export function categoryLabel(name: string): string {
	switch (name) {
		case 'code': return vscode.l10n.t('Code');
		case 'docs': return vscode.l10n.t('Docs');
		case 'data': return vscode.l10n.t('Data');
		case 'config': return vscode.l10n.t('Config');
		default: return name;
	}
}

function totalLabel(key: TotalKey): string {
	switch (key) {
		case 'files': return vscode.l10n.t('Files');
		case 'lines': return vscode.l10n.t('Lines');
		case 'code': return vscode.l10n.t('Code');
		case 'comment': return vscode.l10n.t('Comments');
		case 'blank': return vscode.l10n.t('Blank');
		case 'bytes': return vscode.l10n.t('Size');
	}
}

/** Tooltip of a language or category: every number it has. */
function totalsTooltip(title: string, t: LanguageTotals): vscode.MarkdownString {
	const md = new vscode.MarkdownString(`**${title}**\n\n`);
	md.appendMarkdown(`| | |\n|---|---:|\n`);
	const rows: [string, string][] = [
		[vscode.l10n.t('Files'), num(t.files)], [vscode.l10n.t('Lines'), num(t.lines)], [vscode.l10n.t('Code'), num(t.code)],
		[vscode.l10n.t('Comments'), num(t.comment)], [vscode.l10n.t('Blank'), num(t.blank)], [vscode.l10n.t('Size'), bytes(t.bytes)],
		[vscode.l10n.t('Imports'), num(t.imports)], [vscode.l10n.t('Classes'), num(t.classes)], [vscode.l10n.t('Functions'), num(t.functions)],
	];
	for (const [k, v] of rows) md.appendMarkdown(`| ${k} | ${v} |\n`);
	if (t.unknown) md.appendMarkdown(`\n${vscode.l10n.t('Not a known language: only files, lines and size are counted.')}`);
	return md;
}

export class OverviewProvider extends Disposable implements vscode.TreeDataProvider<OverviewNode> {
	private readonly nodes = new Map<string, OverviewNode>();
	private readonly _onDidChangeTreeData = this.register(new vscode.EventEmitter<OverviewNode | OverviewNode[] | undefined>());
	readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
	/** Whether the root showed the skipped group at the last getChildren (its appearance changes the root). */
	private rootHadSkipped = false;
	private rootHadResults = false;

	constructor(private readonly model: StatsModel) {
		super();
		this.register(model.onDidChange((c) => this.onModelChange(c)));
	}

	private node<T extends OverviewNode>(n: T): T {
		const old = this.nodes.get(n.id);
		if (old) return old as T;
		this.nodes.set(n.id, n);
		return n;
	}

	private onModelChange(c: ModelChange): void {
		const hasSkipped = this.model.skipped().length > 0;
		if (c.reset || hasSkipped !== this.rootHadSkipped || this.model.hasResults !== this.rootHadResults) {
			this._onDidChangeTreeData.fire(undefined);
			return;
		}
		if (!c.delta) {
			// A finished scan or update without a delta (e.g. only skips changed). The groups are
			// listed again too: while a first scan fills the view, a group may have been listed
			// from the files read so far, and this makes sure the view ends on the final lists
			// (three nodes; their rows are few).
			const fire: OverviewNode[] = [];
			for (const id of ['overview/group/languages', 'overview/group/categories', 'overview/group/skipped']) this.pushNode(fire, id);
			if (fire.length) this._onDidChangeTreeData.fire(fire);
			return;
		}
		const fire: OverviewNode[] = [];
		const d = c.delta.aggregates;
		for (const key of TOTAL_KEYS) {
			if (d.totals.before[key] !== d.totals.after[key]) {
				const n = this.nodes.get(`overview/total/${key}`);
				if (n) fire.push(n);
			}
		}
		// Percent shares of code/comment/blank depend on lines: refresh those three with lines.
		if (d.totals.before.lines !== d.totals.after.lines) {
			for (const key of ['code', 'comment', 'blank'] as const) {
				const n = this.nodes.get(`overview/total/${key}`);
				if (n && !fire.includes(n)) fire.push(n);
			}
		}
		// A language's share depends on every other: its group re-lists (and re-sorts) them.
		if (d.languages.length || d.totals.before.code !== d.totals.after.code) this.pushNode(fire, 'overview/group/languages');
		if (d.categories.length || d.totals.before.code !== d.totals.after.code) this.pushNode(fire, 'overview/group/categories');
		this.pushNode(fire, 'overview/group/skipped');
		if (fire.length) this._onDidChangeTreeData.fire(fire);
	}

	private pushNode(out: OverviewNode[], id: string): void {
		const n = this.nodes.get(id);
		if (n) out.push(n);
	}

	getChildren(element?: OverviewNode): OverviewNode[] {
		const idx = this.model.index;
		if (!element) {
			this.rootHadResults = this.model.hasResults;
			const skipped = this.model.skipped();
			this.rootHadSkipped = skipped.length > 0;
			if (!this.model.hasResults) return [];
			const out: OverviewNode[] = TOTAL_KEYS.map((key) => this.node({ kind: 'total', id: `overview/total/${key}`, key }));
			out.push(this.node({ kind: 'group', id: 'overview/group/languages', group: 'languages' }));
			out.push(this.node({ kind: 'group', id: 'overview/group/categories', group: 'categories' }));
			if (skipped.length) out.push(this.node({ kind: 'group', id: 'overview/group/skipped', group: 'skipped' }));
			return out;
		}
		if (element.kind === 'group') {
			const snap = idx.aggregates;
			if (element.group === 'languages') {
				return sortByCode([...snap.languages.values()]).map((l) => this.node({ kind: 'language', id: `overview/language/${l.name}`, name: l.name }));
			}
			if (element.group === 'categories') {
				return sortByCode([...snap.categories.values()]).map((c) => this.node({ kind: 'category', id: `overview/category/${c.name}`, name: c.name }));
			}
			const reasons = new Map<SkipReason, number>();
			for (const s of this.model.skipped()) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
			return [...reasons.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
				.map(([reason]) => this.node({ kind: 'skipReason', id: `overview/skipped/${reason}`, reason }));
		}
		if (element.kind === 'skipReason') {
			return this.model.skipped().filter((s) => s.reason === element.reason).map((s) => {
				const n = this.node({ kind: 'skippedFile', id: `overview/skipped/${s.reason}/${s.root}/${s.path}`, skip: s });
				n.skip = s;
				return n;
			});
		}
		return [];
	}

	getTreeItem(n: OverviewNode): vscode.TreeItem {
		const idx = this.model.index;
		const t: Totals = idx.aggregates.totals;
		switch (n.kind) {
			case 'total': {
				const item = new vscode.TreeItem(totalLabel(n.key), vscode.TreeItemCollapsibleState.None);
				const v = t[n.key];
				item.description = n.key === 'bytes' ? bytes(v) : ['code', 'comment', 'blank'].includes(n.key) ? `${num(v)} · ${share(v, t.lines)}` : num(v);
				item.iconPath = new vscode.ThemeIcon(n.key === 'files' ? 'files' : n.key === 'bytes' ? 'database' : n.key === 'comment' ? 'comment' : n.key === 'blank' ? 'whitespace' : 'list-flat');
				return withId(item, n.id);
			}
			case 'group': {
				const count = n.group === 'languages' ? idx.aggregates.languages.size : n.group === 'categories' ? idx.aggregates.categories.size : this.model.skipped().length;
				const label = n.group === 'languages' ? vscode.l10n.t('Languages') : n.group === 'categories' ? vscode.l10n.t('Categories') : vscode.l10n.t('Skipped');
				const item = new vscode.TreeItem(label, n.group === 'skipped' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
				item.description = num(count);
				item.iconPath = new vscode.ThemeIcon(n.group === 'languages' ? 'symbol-namespace' : n.group === 'categories' ? 'tag' : 'warning');
				return withId(item, n.id);
			}
			case 'language':
			case 'category': {
				const l = (n.kind === 'language' ? idx.aggregates.languages.get(n.name) : idx.aggregates.categories.get(n.name as LanguageTotals['category']));
				const label = n.kind === 'category' ? categoryLabel(n.name) : n.name;
				const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
				if (l) {
					item.description = `${filesLines(l.files, l.lines)} · ${share(l.code, t.code)}`;
					item.tooltip = totalsTooltip(label, l);
				}
				item.iconPath = new vscode.ThemeIcon(n.kind === 'category' ? 'tag' : l?.unknown ? 'question' : 'symbol-file');
				return withId(item, n.id);
			}
			case 'skipReason': {
				const count = this.model.skipped().filter((s) => s.reason === n.reason).length;
				const item = new vscode.TreeItem(skipReasonLabel(n.reason), vscode.TreeItemCollapsibleState.Collapsed);
				item.description = num(count);
				return withId(item, n.id);
			}
			case 'skippedFile': {
				const s = n.skip;
				const item = new vscode.TreeItem(s.path, vscode.TreeItemCollapsibleState.None);
				if (this.model.folders.length > 1) item.description = this.model.folders[s.root]?.name;
				item.tooltip = s.detail ? `${s.path}\n${s.detail}` : s.path;
				if (s.root >= 0 && s.root < this.model.folders.length && s.reason !== 'unreadable-folder') {
					const uri = this.model.uriOf(s.root, s.path);
					item.resourceUri = uri;
					item.command = { command: 'vscode.open', title: vscode.l10n.t('Open'), arguments: [uri] };
				}
				return withId(item, n.id);
			}
		}
	}
}

function withId(item: vscode.TreeItem, id: string): vscode.TreeItem {
	item.id = id;
	return item;
}

function sortByCode<T extends LanguageTotals>(list: T[]): T[] {
	return list.sort((a, b) => b.code - a.code || b.lines - a.lines || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
