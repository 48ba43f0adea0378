// The three tree views of the Workspace Stats container. A view becoming visible is what starts
// the first scan; while it runs without earlier results the views say so.
import * as vscode from 'vscode';
import type { FolderNode, FoldersProvider } from './foldersTree';
import { num } from './format';
import type { StatsModel } from './model';
import type { OverviewNode, OverviewProvider } from './overviewTree';
import type { ScanController } from './scanController';
import type { StructureNode, StructureProvider } from './structureTree';

export interface ViewDeps {
	model: StatsModel;
	controller: ScanController;
	overview: OverviewProvider;
	folders: FoldersProvider;
	structure: StructureProvider;
}

export function registerViews(d: ViewDeps): vscode.Disposable[] {
	const overview = vscode.window.createTreeView<OverviewNode>('workspaceStats.overview', { treeDataProvider: d.overview });
	const folders = vscode.window.createTreeView<FolderNode>('workspaceStats.folders', { treeDataProvider: d.folders, showCollapseAll: true });
	const structure = vscode.window.createTreeView<StructureNode>('workspaceStats.structure', { treeDataProvider: d.structure });

	const scanningMessage = () => {
		const m = d.model;
		const msg = m.state === 'scanning' && m.index.size === 0 ? vscode.l10n.t('Scanning… {0} files so far', num(m.progress.files)) : undefined;
		overview.message = msg;
		folders.message = msg;
	};
	const structureMessage = () => {
		structure.message = d.structure.message();
		structure.description = d.structure.currentFile ? vscode.workspace.asRelativePath(d.structure.currentFile) : undefined;
	};
	structureMessage();

	const out: vscode.Disposable[] = [overview, folders, structure];
	for (const view of [overview, folders] as vscode.TreeView<unknown>[]) {
		out.push(view.onDidChangeVisibility((e) => e.visible && d.controller.onViewVisible()));
		if (view.visible) d.controller.onViewVisible();
	}
	out.push(
		d.model.onDidChangeState(scanningMessage),
		d.model.onDidProgress(scanningMessage),
		d.model.onDidChange(scanningMessage),
		d.structure.onDidChangeFile(structureMessage),
	);
	return out;
}
