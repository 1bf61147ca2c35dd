// What a command was invoked on: a tree node (inline and context-menu actions), a plain string
// (other extensions, tests), a Uri (explorer menu), or nothing (the palette: ask the user).

import * as vscode from 'vscode';
import type { DataItem, PeerInfo, TrustedDeviceInfo } from '../../engine/api/types';
import { RowNode } from '../views/row-tree-provider';

export function nodeValue(arg: unknown): unknown {
  return arg instanceof RowNode ? arg.value : undefined;
}

export function peerOf(arg: unknown): PeerInfo | undefined {
  const v = nodeValue(arg) as Partial<PeerInfo> | undefined;
  return v && typeof v.state === 'string' && typeof v.publicKey === 'string' ? (v as PeerInfo) : undefined;
}

/** A device named by a tree node (peer or trusted device) or a string (name, fingerprint or key). */
export function deviceOf(arg: unknown): { readonly query: string; readonly name: string } | undefined {
  if (typeof arg === 'string' && arg.trim() !== '') return { query: arg.trim(), name: arg.trim() };
  const v = nodeValue(arg) as Partial<TrustedDeviceInfo> | undefined;
  if (v && typeof v.publicKey === 'string' && typeof v.name === 'string') return { query: v.publicKey, name: v.name };
  return undefined;
}

export function dataOf(arg: unknown): DataItem | undefined {
  const v = nodeValue(arg) as Partial<DataItem> | undefined;
  return v && typeof v.id === 'string' && typeof v.kind === 'string' && typeof v.size === 'number' ? (v as DataItem) : undefined;
}

/** File system paths from the explorer's (uri, selectedUris) or a string / Uri argument. */
export function pathsOf(arg: unknown, selected: unknown): string[] {
  if (Array.isArray(selected) && selected.length > 0 && selected.every((u) => u instanceof vscode.Uri)) {
    return (selected as vscode.Uri[]).map((u) => u.fsPath);
  }
  if (arg instanceof vscode.Uri) return [arg.fsPath];
  if (typeof arg === 'string' && arg.trim() !== '') return [arg];
  return [];
}

/** Whether the user reached the command through a tree item (so a confirmation makes sense). */
export function fromTree(arg: unknown): boolean {
  return arg instanceof RowNode;
}
