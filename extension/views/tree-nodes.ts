// One class per kind of tree element (the npm and pull-request extensions' pattern): a command
// invoked from a tree row asks `arg instanceof PeerNode` instead of sniffing the value's fields.
// Each node holds its rendering (a Row, built by the pure row builders) and the value it stands
// for. No vscode import: the classes are plain data, so commands' target code is unit-tested.

import type { ShownFileProblem } from '../../engine/api/file-problems';
import type { DataItem, PeerInfo, TrustedDeviceInfo } from '../../engine/api/types';
import type { TeamInfo } from '../../engine/team/team-view';
import type { Row } from './rows';
import { memberKeyOfRowId } from './team-rows';

/** A tree element: its rendering and the value it stands for (what commands receive). */
export abstract class RowNode<T = unknown> {
  constructor(
    public row: Row,
    public value: T,
  ) {}
}

/** A row of the Peers view. */
export class PeerNode extends RowNode<PeerInfo> {}

/** A trusted or revoked device in Trusted Devices. */
export class DeviceNode extends RowNode<TrustedDeviceInfo> {}

/** A device's detail line (first seen, approval...): it names its device. */
export class DeviceDetailNode extends RowNode<TrustedDeviceInfo> {}

/** The row on top of Trusted Devices while a trust or team file cannot be used. */
export class FileProblemNode extends RowNode<ShownFileProblem> {}

/** A team this device administers, belongs to or trusts. */
export class TeamNode extends RowNode<TeamInfo> {}

/** A row under a team: a member, this device's own certificate, a revoked or connected device. */
export class TeamMemberNode extends RowNode<TeamInfo> {
  /** The member's public key, for member rows (undefined for this device's own certificate). */
  get memberKey(): string | undefined {
    return memberKeyOfRowId(this.row.id);
  }
}

/** An item of Offloaded Data. */
export class DataNode extends RowNode<DataItem> {}

/** How a tree makes the nodes of one kind of top-level row and of its children. */
export interface NodeKind<T> {
  create(row: Row, value: T): RowNode<T>;
  createChild(row: Row, value: T): RowNode<T>;
  /** Whether `node` was made by create(): only then is it kept across refreshes. */
  made(node: RowNode<unknown>): boolean;
}

type NodeClass<T> = new (row: Row, value: T) => RowNode<T>;

function kind<T>(node: NodeClass<T>, child: NodeClass<T>): NodeKind<T> {
  return { create: (row, value) => new node(row, value), createChild: (row, value) => new child(row, value), made: (n) => n instanceof node };
}

export const NodeKinds = {
  peer: kind(PeerNode, PeerNode),
  device: kind(DeviceNode, DeviceDetailNode),
  fileProblem: kind(FileProblemNode, FileProblemNode),
  team: kind(TeamNode, TeamMemberNode),
  data: kind(DataNode, DataNode),
};
