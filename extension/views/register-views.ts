// The three trees of the MemCloud container (Peers, Trusted Devices, Offloaded Data), fed from
// the model; the Peers view carries a badge with the connected count.

import * as vscode from 'vscode';
import type { DataItem, PeerInfo, TrustedDeviceInfo } from '../../engine/api/types';
import type { TeamInfo } from '../../engine/team/team-view';
import { fileProblems, type ShownFileProblem } from '../../engine/api/file-problems';
import { Views } from '../constants';
import type { ModelPart } from '../model/node-model';
import type { Services } from '../services';
import { dataRow } from './data-rows';
import { deviceRows, trustProblemRow } from './device-rows';
import { connectedCount, peerRows } from './peer-rows';
import { teamRows } from './team-rows';
import { RowTreeProvider, type RowItem } from './row-tree-provider';
import { NodeKinds, type NodeKind } from './tree-nodes';
import type { Row } from './rows';
import { count } from './format';
import { listen } from '../lifecycle/disposable';

/** What a Trusted Devices row stands for (what its commands receive). */
export type TrustedThing = TrustedDeviceInfo | ShownFileProblem | TeamInfo;

export interface MemCloudViews {
  readonly peers: RowTreeProvider<PeerInfo>;
  /** Trusted devices, led by a row per trust file that cannot be used, then the teams. */
  readonly trusted: RowTreeProvider<TrustedThing>;
  readonly data: RowTreeProvider<DataItem>;
  /** The Peers view (its badge shows the connected count). */
  readonly peersView: vscode.TreeView<unknown>;
}

/** Pairs rows with the values they render (rows are built by a function that may reorder), as nodes of `kind`. */
function itemsBy<T>(values: readonly T[], rows: readonly Row[], idOf: (v: T) => string, kind: NodeKind<T>): RowItem<T>[] {
  const byId = new Map(values.map((v) => [idOf(v), v]));
  return rows.map((row) => ({ row, value: byId.get(row.id)!, kind }));
}

export function registerViews(context: vscode.ExtensionContext, services: Services): MemCloudViews {
  const peers = new RowTreeProvider<PeerInfo>();
  const trusted = new RowTreeProvider<TrustedThing>();
  const data = new RowTreeProvider<DataItem>();
  const peersView = vscode.window.createTreeView(Views.peers, { treeDataProvider: peers });
  const trustedView = vscode.window.createTreeView(Views.trusted, { treeDataProvider: trusted, showCollapseAll: true });
  const dataView = vscode.window.createTreeView(Views.data, { treeDataProvider: data });
  context.subscriptions.push(peers, trusted, data, peersView, trustedView, dataView);

  const update = (parts: ReadonlySet<ModelPart>) => {
    const snap = services.model.snapshot;
    if (parts.has('peers')) {
      peers.setItems(itemsBy(snap.peers, peerRows(snap.peers), (p) => `peer:${p.publicKey}`, NodeKinds.peer));
      const n = connectedCount(snap.peers);
      const badge = n > 0 ? { value: n, tooltip: `${count(n, 'connected peer')}` } : undefined;
      if (peersView.badge?.value !== badge?.value) peersView.badge = badge;
    }
    if (parts.has('trusted') || parts.has('status') || parts.has('teams') || parts.has('peers')) {
      const problems: RowItem<TrustedThing>[] = fileProblems(snap.status).map((p) => ({ row: trustProblemRow(p), value: p, kind: NodeKinds.fileProblem }));
      const devices: RowItem<TrustedThing>[] = itemsBy(snap.trusted, deviceRows(snap.trusted), (d) => `device:${d.publicKey}`, NodeKinds.device);
      const teams: RowItem<TrustedThing>[] = itemsBy(snap.teams, teamRows(snap.teams, snap.peers), (t) => `team:${t.publicKey}`, NodeKinds.team);
      trusted.setItems([...problems, ...devices, ...teams]);
    }
    if (parts.has('data')) data.setItems(snap.data.map((item) => ({ row: dataRow(item), value: item, kind: NodeKinds.data })));
  };
  context.subscriptions.push(listen(services.model, 'change', update));
  update(new Set<ModelPart>(['peers', 'trusted', 'data', 'teams']));
  return { peers, trusted, data, peersView };
}
