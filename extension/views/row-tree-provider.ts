// A TreeDataProvider over plain rows. Element objects are kept per id across refreshes, and
// onDidChangeTreeData fires only for what diffRows says changed, so a refresh that renders the
// same labels costs the tree nothing. Labels, descriptions and tooltips are plain text in VS Code
// (string tooltips are never markdown here: this provider has no resolveTreeItem); controls and
// format characters in them are shown as escapes.

import * as vscode from 'vscode';
import { displayText } from '../../engine/text/display-text';
import { diffRows, type Row } from './rows';
import type { NodeKind, RowNode } from './tree-nodes';

/** A top-level row, the value it renders and the kind of node that stands for it. */
export interface RowItem<T> {
  readonly row: Row;
  readonly value: T;
  readonly kind: NodeKind<T>;
}

export class RowTreeProvider<T> implements vscode.TreeDataProvider<RowNode<T>>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RowNode<T> | RowNode<T>[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: RowNode<T>[] = [];
  private readonly children = new Map<RowNode<T>, RowNode<T>[]>();
  /** How many times the tree was told to redraw (tests check that unchanged data costs nothing). */
  redraws = 0;

  /** Replaces the items; fires only for rows whose rendering changed. */
  setItems(items: readonly RowItem<T>[]): void {
    const diff = diffRows(
      this.roots.map((n) => n.row),
      items.map((i) => i.row),
    );
    const byId = new Map(this.roots.map((n) => [n.row.id, n]));
    const changedNodes: RowNode<T>[] = [];
    this.roots = items.map((item) => {
      // A node is kept across refreshes only as the same kind (VS Code keeps its expansion by id).
      const same = byId.get(item.row.id);
      const known = same !== undefined && item.kind.made(same) ? same : undefined;
      const node = known ?? item.kind.create(item.row, item.value);
      const rowChanged = known !== undefined && JSON.stringify(known.row) !== JSON.stringify(item.row);
      if (rowChanged) changedNodes.push(node);
      node.row = item.row;
      node.value = item.value;
      if (!known || rowChanged) this.children.set(node, (item.row.children ?? []).map((c) => item.kind.createChild(c, item.value)));
      else for (const child of this.children.get(node) ?? []) child.value = item.value;
      return node;
    });
    for (const gone of byId.values()) if (!this.roots.includes(gone)) this.children.delete(gone);
    if (diff.kind === 'none') return;
    this.redraws++;
    this.changed.fire(diff.kind === 'all' ? undefined : changedNodes);
  }

  /** The top-level rows as rendered now. */
  rows(): readonly Row[] {
    return this.roots.map((n) => n.row);
  }

  nodes(): readonly RowNode<T>[] {
    return this.roots;
  }

  getTreeItem(node: RowNode<T>): vscode.TreeItem {
    const { row } = node;
    const hasChildren = (row.children?.length ?? 0) > 0;
    const item = new vscode.TreeItem(displayText(row.label, 'plain'), hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = row.id;
    if (row.description !== undefined) item.description = displayText(row.description, 'plain');
    if (row.tooltip !== undefined) item.tooltip = displayText(row.tooltip, 'plain');
    if (row.contextValue !== undefined) item.contextValue = row.contextValue;
    if (row.open !== undefined) item.command = { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(row.open)] };
    if (row.icon) item.iconPath = new vscode.ThemeIcon(row.icon.id, row.icon.color ? new vscode.ThemeColor(row.icon.color) : undefined);
    return item;
  }

  getChildren(node?: RowNode<T>): RowNode<T>[] {
    return node ? (this.children.get(node) ?? []) : this.roots;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
