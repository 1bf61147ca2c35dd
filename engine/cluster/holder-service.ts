// What this node does for peers that store RAM here: each peer reads, lists and frees only its own
// namespace (its identity key), within the quota we allow it, the total we offer and our memory
// cap, every block charged its data plus a fixed overhead (store/block-cost.ts). A cache block
// may be evicted to admit another (the owner is told with EVICTED); a write that cannot fit even
// so is refused with an explicit error, never dropped. Usage is kept by identity, so it survives
// reconnects. Requests run in order per peer, only while the peer reads its replies
// (holder-dispatch.ts).

import { ErrorCodes, MemCloudError, toMemCloudError } from '../errors';
import type { BlockStore, EvictedBlock, Usage } from '../store/block-store';
import { MAX_RECORD_PLAINTEXT } from '../net/constants';
import { HolderDispatch } from './holder-dispatch';
import type { PeerRpc } from './peer-rpc';
import { SELF } from '../store/self';
import {
  MAX_BLOCK_BYTES,
  MAX_BLOCKS_PER_OWNER,
  MAX_LIST_PAGE,
  MAX_NOTICE_IDS,
  Op,
  encodeError,
  encodeEvicted,
  encodeFreeReply,
  encodeListReply,
  encodeLoadReply,
  encodeOk,
  encodeQuota,
  encodeStatReply,
  type PeerRequest,
  type StatReply,
} from './peer-protocol';

export interface HolderPolicy {
  /** Bytes this peer may store here (its trust entry's allowance, else our default). */
  allowance(publicKey: string): number;
}

/** Requests peers send us (their notices go to the owner side, see cluster.ts). */
export class HolderService {
  private served = 0;
  private readonly dispatch: HolderDispatch;

  constructor(
    private readonly store: BlockStore,
    private readonly policy: HolderPolicy,
    private readonly rpcFor: (publicKey: string) => PeerRpc | undefined,
    warn: (message: string) => void = () => undefined,
  ) {
    this.dispatch = new HolderDispatch({
      serve: (rpc, req) => this.serve(rpc, req),
      refuse: (rpc, req, err) => rpc.send(encodeError(req.op, req.id, err)),
    }, warn);
  }

  /** Charged bytes all owners together store here (Stats.lent.usedBytes). */
  get heldBytes(): number {
    return this.store.totals().peerUsedBytes;
  }

  get requestsServed(): number {
    return this.served;
  }

  /** Requests answered BUSY (their peer had too many waiting for it to read earlier replies). */
  get requestsRefused(): number {
    return this.dispatch.refused;
  }

  /** Requests of `rpc` waiting for it to read earlier replies. */
  waitingRequests(rpc: PeerRpc): number {
    return this.dispatch.waiting(rpc);
  }

  stat(publicKey: string): StatReply {
    const allowedBytes = this.policy.allowance(publicKey);
    return { allowedBytes, usedBytes: this.store.usage(publicKey).bytes, availableBytes: this.store.roomFor(publicKey, allowedBytes, MAX_BLOCKS_PER_OWNER) };
  }

  request(rpc: PeerRpc, req: PeerRequest): void {
    this.dispatch.request(rpc, req);
  }

  /** Evictions of blocks peers stored here: tell each owner in one batch (if connected; else LIST shows it). */
  onEvicted(evicted: readonly EvictedBlock[]): void {
    const byOwner = new Map<string, string[]>();
    for (const e of evicted) {
      if (e.ns === SELF) continue;
      const list = byOwner.get(e.ns);
      if (list) list.push(e.id);
      else byOwner.set(e.ns, [e.id]);
    }
    for (const [owner, ids] of byOwner) {
      const rpc = this.rpcFor(owner);
      for (let i = 0; rpc && i < ids.length; i += MAX_NOTICE_IDS) rpc.send(encodeEvicted(ids.slice(i, i + MAX_NOTICE_IDS)));
    }
  }

  /** Tells a connected owner what it may store here from now on (its allowance changed). */
  sendQuota(publicKey: string, allowedBytes: number): void {
    this.rpcFor(publicKey)?.send(encodeQuota(allowedBytes));
  }

  /** Frees everything a device stored here (its trust was revoked or forgotten). */
  dropOwner(publicKey: string): Usage {
    return this.store.flush(publicKey);
  }

  private serve(rpc: PeerRpc, req: PeerRequest): void {
    this.served++;
    try {
      rpc.send(this.answer(rpc.publicKey, req));
    } catch (err) {
      const e = toMemCloudError(err);
      rpc.send(encodeError(req.op, req.id, e));
    }
  }

  private answer(owner: string, req: PeerRequest): Uint8Array | readonly Uint8Array[] {
    switch (req.op) {
      case Op.STORE: {
        if (req.data.length > MAX_BLOCK_BYTES) {
          throw new MemCloudError(ErrorCodes.BAD_REQUEST, `a block holds at most ${MAX_BLOCK_BYTES} bytes; this one has ${req.data.length}`);
        }
        this.store.put(owner, req.block, req.data, {
          durability: req.durability === 1 ? 'cache' : 'pinned',
          quotaBytes: this.policy.allowance(owner),
          maxBlocks: MAX_BLOCKS_PER_OWNER, // the quota bounds them too: 512 B each at least
          // Safe: LOAD hands a block to the channel, which copies anything smaller than a record
          // at once (record-sender.ts); larger blocks are sealed where they lie, so never reused.
          reuse: req.data.length < MAX_RECORD_PLAINTEXT,
        });
        return encodeOk(Op.STORE, req.id);
      }
      case Op.LOAD: {
        const data = this.store.get(owner, req.block);
        if (!data) throw new MemCloudError(ErrorCodes.NOT_FOUND, `no block ${req.block}`);
        return encodeLoadReply(req.id, data);
      }
      case Op.FREE:
        return encodeFreeReply(req.id, this.store.deleteMany(owner, req.blocks).blocks);
      case Op.STAT:
        return encodeStatReply(req.id, this.stat(owner));
      case Op.LIST: {
        if (req.limit === 0) throw new MemCloudError(ErrorCodes.BAD_REQUEST, 'LIST limit must be 1 or more');
        const page = this.store.listPage(owner, req.cursor, Math.min(req.limit, MAX_LIST_PAGE));
        return encodeListReply(req.id, page.next, page.ids);
      }
      default: {
        const never: never = req;
        throw new MemCloudError(ErrorCodes.BAD_REQUEST, `unknown request ${String(never)}`);
      }
    }
  }
}
