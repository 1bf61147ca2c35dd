// What a command was invoked on: a tree node (inline and context-menu actions: its class says
// which kind, views/tree-nodes.ts), a plain string (other extensions, tests), or nothing (the
// palette: ask the user). No vscode import (unit-tested).

import type { DataItem, PeerInfo } from '../../engine/api/types';
import type { TeamInfo } from '../../engine/team/team-view';
import { DataNode, DeviceNode, PeerNode, TeamNode } from '../views/tree-nodes';

export function peerOf(arg: unknown): PeerInfo | undefined {
  return arg instanceof PeerNode ? arg.value : undefined;
}

/** A device named by a tree node (peer or trusted device) or a string (name, fingerprint or key). */
export function deviceOf(arg: unknown): { readonly query: string; readonly name: string } | undefined {
  if (typeof arg === 'string' && arg.trim() !== '') return { query: arg.trim(), name: arg.trim() };
  if (arg instanceof PeerNode || arg instanceof DeviceNode) return { query: arg.value.publicKey, name: arg.value.name };
  return undefined;
}

export function dataOf(arg: unknown): DataItem | undefined {
  return arg instanceof DataNode ? arg.value : undefined;
}

export function teamOf(arg: unknown): TeamInfo | undefined {
  return arg instanceof TeamNode ? arg.value : undefined;
}
