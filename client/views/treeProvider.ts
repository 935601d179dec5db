/**
 * A TreeDataProvider over a pure view-model function. Refreshes when the active cluster's store reports a
 * change to one of the kinds this view reads, coalesced by the store; stable ids keep expansion in place.
 */
import * as vscode from 'vscode';
import type { TreeNodeModel } from '../model/tree.ts';

export interface ModelSource {
  roots(): TreeNodeModel[];
  /** Shown when there are no roots (e.g. "the bundled cluster is not running"). */
  emptyMessage?(): string | undefined;
}

export class ModelTreeProvider implements vscode.TreeDataProvider<TreeNodeModel>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNodeModel | undefined | void>();
  readonly onDidChangeTreeData = this.emitter.event;
  view: vscode.TreeView<TreeNodeModel> | undefined;

  constructor(private readonly source: ModelSource) {}

  refresh(): void {
    this.emitter.fire();
  }

  getTreeItem(m: TreeNodeModel): vscode.TreeItem {
    return toTreeItem(m);
  }

  getChildren(m?: TreeNodeModel): TreeNodeModel[] {
    if (m) return m.children?.() ?? [];
    const roots = this.source.roots();
    if (this.view) this.view.message = roots.length ? undefined : this.source.emptyMessage?.();
    return roots;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

export function toTreeItem(m: TreeNodeModel): vscode.TreeItem {
  const state = !m.children ? vscode.TreeItemCollapsibleState.None
    : m.collapsed === false ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
  const item = new vscode.TreeItem(m.label, state);
  item.id = m.id;
  item.description = m.description;
  if (m.tooltip) item.tooltip = new vscode.MarkdownString(m.tooltip);
  if (m.icon) item.iconPath = new vscode.ThemeIcon(m.icon.id, m.icon.color ? new vscode.ThemeColor(m.icon.color) : undefined);
  item.contextValue = m.contextValue;
  return item;
}
