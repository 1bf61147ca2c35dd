// What this node does for peers that store RAM here: each peer reads, lists and frees only its own
// namespace (its identity key), within the quota we allow it and the total we offer. A write over
// either limit is refused with an explicit error, never dropped. Usage is kept by identity, so it
// survives reconnects.

import { ErrorCodes, MemCloudError, isMemCloudError } from '../errors';
import type { BlockStore, EvictedBlock } from '../store/block-store';
import { MAX_RECORD_PLAINTEXT } from '../net/constants';
import { formatSize } from '../store/sizes';
import type { PeerLink } from './peer-link';
import {
  Op,
  encodeError,
  encodeEvicted,
  encodeFreeReply,
  encodeListReply,
  encodeLoadReply,
  encodeOk,
  encodeStatReply,
  type PeerRequest,
  type StatReply,
} from './peer-protocol';

export const SELF = 'self';

export interface HolderPolicy {
  /** Bytes this peer may store here (its trust entry's allowance, else our default). */
  allowance(publicKey: string): number;
  /** Bytes we lend to all peers together. */
  offeredBytes(): number;
}

/** Requests peers send us (their notices go to the owner side, see cluster.ts). */
export class HolderService {
  private lent = 0;
  private served = 0;

  constructor(
    private readonly store: BlockStore,
    private readonly policy: HolderPolicy,
    private readonly linkFor: (publicKey: string) => PeerLink | undefined,
  ) {
    for (const ns of store.namespaces()) if (ns !== SELF) this.lent += store.usage(ns).bytes;
  }

  /** Bytes all peers together store here. */
  get lentBytes(): number {
    return this.lent;
  }

  get requestsServed(): number {
    return this.served;
  }

  stat(publicKey: string): StatReply {
    const allowedBytes = this.policy.allowance(publicKey);
    const usedBytes = this.store.usage(publicKey).bytes;
    const totals = this.store.totals();
    const memoryRoom = Math.max(0, totals.capacityBytes - totals.pinnedBytes);
    const availableBytes = Math.max(0, Math.min(allowedBytes - usedBytes, this.policy.offeredBytes() - this.lent, memoryRoom));
    return { allowedBytes, usedBytes, availableBytes };
  }

  request(link: PeerLink, req: PeerRequest): void {
    this.served++;
    try {
      link.send(this.answer(link.publicKey, req));
    } catch (err) {
      const e = isMemCloudError(err) ? err : new MemCloudError(ErrorCodes.INTERNAL, String(err));
      link.send(encodeError(req.op, req.id, e));
    }
  }

  /** Evictions of blocks peers stored here: tell their owners (if connected; else at reconcile). */
  onEvicted(evicted: readonly EvictedBlock[]): void {
    const byOwner = new Map<string, string[]>();
    for (const e of evicted) {
      if (e.ns === SELF) continue;
      this.lent -= e.size;
      const list = byOwner.get(e.ns) ?? [];
      list.push(e.id);
      byOwner.set(e.ns, list);
    }
    for (const [owner, ids] of byOwner) {
      const link = this.linkFor(owner);
      for (let i = 0; link && i < ids.length; i += 4096) link.send(encodeEvicted(ids.slice(i, i + 4096)));
    }
  }

  /** Frees everything a device stored here (used when its trust is forgotten). */
  dropOwner(publicKey: string): void {
    this.lent -= this.store.flush(publicKey).bytes;
  }

  /** Refuses a write that would take what all peers store here past what we offer. */
  private readonly admitLent = (growth: number): void => {
    const offered = this.policy.offeredBytes();
    if (growth > 0 && this.lent + growth > offered) {
      throw new MemCloudError(ErrorCodes.QUOTA_EXCEEDED, `this node lends at most ${formatSize(offered)} in total and ${formatSize(this.lent)} is in use`);
    }
  };

  private answer(owner: string, req: PeerRequest): Uint8Array | readonly Uint8Array[] {
    switch (req.op) {
      case Op.STORE: {
        const { replacedBytes } = this.store.put(owner, req.block, req.data, {
          durability: req.durability === 1 ? 'cache' : 'pinned',
          quotaBytes: this.policy.allowance(owner),
          admit: this.admitLent,
          // Safe: LOAD hands a block to the channel, which copies anything smaller than a record
          // at once (record-sender.ts); larger blocks are sealed where they lie, so never reused.
          reuse: req.data.length < MAX_RECORD_PLAINTEXT,
        });
        this.lent += req.data.length - replacedBytes;
        return encodeOk(Op.STORE, req.id);
      }
      case Op.LOAD: {
        const data = this.store.get(owner, req.block);
        if (!data) throw new MemCloudError(ErrorCodes.NOT_FOUND, `no block ${req.block}`);
        return encodeLoadReply(req.id, data);
      }
      case Op.FREE: {
        const freed = this.store.deleteMany(owner, req.blocks);
        this.lent -= freed.bytes;
        return encodeFreeReply(req.id, freed.blocks);
      }
      case Op.STAT:
        return encodeStatReply(req.id, this.stat(owner));
      case Op.LIST:
        return encodeListReply(req.id, this.store.ids(owner));
      default: {
        const never: never = req;
        throw new MemCloudError(ErrorCodes.BAD_REQUEST, `unknown request ${String(never)}`);
      }
    }
  }
}
