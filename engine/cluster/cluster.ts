// The RAM pool's sessions: every open session with a trusted peer becomes a PeerRpc. Requests a
// peer sends us go to the holder service (what we lend), notices it sends (LEAVING, EVICTED,
// QUOTA) to the owner side (what we own, engine/data). Also the graceful leave of this node.
// Replica I/O over these connections is Replicas (replicas.ts); the map of what we own is the catalog's.

import { EventEmitter } from 'node:events';
import { ErrorCodes, MemCloudError } from '../errors';
import type { Session } from '../session/session-manager';
import type { BlockStore } from '../store/block-store';
import type { HolderTable } from './holder-table';
import type { HolderService } from './holder-service';
import type { PeerRpc, PeerRequestHandler } from './peer-rpc';
import { Op, encodeLeaving, type PeerNotice, type PeerRequest } from './peer-protocol';
import type { HolderId } from './replica-io';

/** What the owner side (engine/data) is told about holders. */
export interface OwnerEvents {
  /** A holder's session is usable (again). */
  attached(holder: HolderId): void;
  /** A holder's session closed (it may come back). */
  detached(holder: HolderId): void;
  /** A holder announced it is shutting down. */
  leaving(holder: HolderId): void;
  /** A holder says it evicted these blocks of ours. */
  evicted(holder: HolderId, ids: readonly string[]): void;
}

/** What a leaving node still held for connected peers when it stopped waiting. */
export interface LeaveOutcome {
  readonly blocks: number;
  /** As charged (data plus the per-block overhead). */
  readonly bytes: number;
  /** The owners' names (peer text). */
  readonly owners: readonly string[];
}

/** A leave stops waiting once nothing held for peers has moved for this long. */
export const LEAVE_STALL_MS = 5000;

export interface ClusterEvents {
  'peers-changed': [];
  /** A peer sent a team revocation list (docs/protocol.md section 12.4); engine/team takes it. */
  'team-revocations': [rpc: PeerRpc, list: Uint8Array];
}

export class Cluster extends EventEmitter<ClusterEvents> implements PeerRequestHandler {
  constructor(
    private readonly table: HolderTable,
    private readonly holder: HolderService,
    private readonly owner: OwnerEvents,
    private readonly store: BlockStore,
  ) {
    super();
  }

  attach(session: Session): void {
    const rpc = this.table.attach(session, this);
    rpc.once('close', () => this.detach(rpc));
    void this.table.refreshStat(rpc.publicKey).then(() => {
      if (this.table.isCurrent(rpc)) this.owner.attached(rpc.publicKey);
    });
    this.emit('peers-changed');
  }

  request(rpc: PeerRpc, request: PeerRequest): void {
    this.holder.request(rpc, request);
  }

  notice(rpc: PeerRpc, notice: PeerNotice): void {
    switch (notice.op) {
      case Op.LEAVING:
        rpc.leaving = true;
        this.owner.leaving(rpc.publicKey);
        this.emit('peers-changed');
        return;
      case Op.EVICTED:
        this.owner.evicted(rpc.publicKey, notice.blocks);
        return;
      case Op.QUOTA:
        if (this.table.isCurrent(rpc)) void this.table.refreshStat(rpc.publicKey);
        return;
      case Op.TEAM_REVOCATIONS:
        this.emit('team-revocations', rpc, notice.list);
        return;
      default: {
        const never: never = notice;
        throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, `unknown notice ${String(never)}`);
      }
    }
  }

  /**
   * Graceful leave: tell every peer, then wait while owners move their blocks away, until nothing
   * is left, or nothing has moved for `stallMs` (what is left cannot move: no other holder has room
   * for it), or `timeoutMs` passed. Returns what is still held for connected peers.
   */
  async leave(timeoutMs: number, stallMs = LEAVE_STALL_MS): Promise<LeaveOutcome> {
    const rpcs = this.table.connectedRpcs();
    for (const rpc of rpcs) rpc.send(encodeLeaving());
    const deadline = Date.now() + timeoutMs;
    let held = this.heldForPeers();
    let movedAt = Date.now();
    while (held.bytes > 0 && Date.now() < deadline && Date.now() - movedAt < stallMs) {
      await new Promise((r) => setTimeout(r, 100));
      const now = this.heldForPeers();
      if (now.bytes < held.bytes || now.blocks < held.blocks) movedAt = Date.now();
      held = now;
    }
    return held;
  }

  /** What this node keeps for connected peers. */
  private heldForPeers(): LeaveOutcome {
    const out = { blocks: 0, bytes: 0, owners: [] as string[] };
    for (const l of this.table.connectedRpcs()) {
      const u = this.store.usage(l.publicKey);
      if (u.bytes === 0) continue;
      out.blocks += u.blocks;
      out.bytes += u.bytes;
      out.owners.push(l.name);
    }
    return out;
  }

  close(): void {
    this.table.close();
  }

  private detach(rpc: PeerRpc): void {
    if (!this.table.isCurrent(rpc)) return;
    this.emit('peers-changed');
    this.owner.detached(rpc.publicKey);
  }
}
