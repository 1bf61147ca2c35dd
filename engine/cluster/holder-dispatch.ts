// How the holder takes requests from one peer (docs/protocol.md section 7.5): in the order they
// arrive, but only while that peer reads its replies. While the session to it is not writable (8 MiB
// or more queued to it, see PeerRpc.writable) its next requests wait; waiting is bounded in count
// and bytes, and a request over those bounds is answered BUSY at once, without running. So a peer that pipelines honestly runs
// at full speed, and a peer that sends LOADs without reading makes this node hold at most one
// reply beyond the backlog, the waiting requests and small BUSY replies, never a reply per request.

import { ErrorCodes, MemCloudError } from '../errors';
import type { PeerRpc } from './peer-rpc';
import { Op, type PeerRequest } from './peer-protocol';

/** Requests of one peer that may wait, and their bytes (STORE data, mostly). */
export const MAX_WAITING_REQUESTS = 1024;
export const MAX_WAITING_BYTES = 32 * 1024 * 1024;
/** What a waiting request is counted as besides its data: the decoded request and its header. */
const REQUEST_OVERHEAD_BYTES = 64;
/** One error for every refusal: a peer that floods us costs no stack trace per request. */
const BUSY = new MemCloudError(ErrorCodes.BUSY,
  `busy: ${MAX_WAITING_REQUESTS} requests or ${MAX_WAITING_BYTES / (1024 * 1024)} MiB of yours already wait for you to read earlier replies; nothing was done`);

export interface DispatchTarget {
  /** Runs a request and queues its reply. */
  serve(rpc: PeerRpc, req: PeerRequest): void;
  /** Answers a request with an error without running it. */
  refuse(rpc: PeerRpc, req: PeerRequest, err: MemCloudError): void;
}

class PeerQueue {
  /** Waiting requests from `head` on (a queue without O(n) shifts). */
  private items: PeerRequest[] = [];
  private head = 0;
  bytes = 0;
  pumping = false;
  /** Some request was refused since the queue last ran empty (one log line per such episode). */
  refusing = false;

  get length(): number {
    return this.items.length - this.head;
  }

  push(req: PeerRequest): void {
    this.items.push(req);
    this.bytes += sizeOf(req);
  }

  shift(): PeerRequest {
    const req = this.items[this.head]!;
    this.items[this.head++] = undefined as unknown as PeerRequest; // release it now
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    this.bytes -= sizeOf(req);
    return req;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.bytes = 0;
  }
}

export class HolderDispatch {
  private readonly queues = new Map<PeerRpc, PeerQueue>();
  /** Requests answered BUSY so far, all peers together. */
  refused = 0;

  constructor(
    private readonly target: DispatchTarget,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  /** Requests of `rpc` waiting for its replies to drain. */
  waiting(rpc: PeerRpc): number {
    return this.queues.get(rpc)?.length ?? 0;
  }

  request(rpc: PeerRpc, req: PeerRequest): void {
    const queue = this.queues.get(rpc);
    if (queue === undefined || queue.length === 0) {
      if (rpc.writable) return this.target.serve(rpc, req);
      return this.enqueue(rpc, this.open(rpc), req);
    }
    this.enqueue(rpc, queue, req);
  }

  private enqueue(rpc: PeerRpc, queue: PeerQueue, req: PeerRequest): void {
    if (queue.length >= MAX_WAITING_REQUESTS || queue.bytes + sizeOf(req) > MAX_WAITING_BYTES) {
      this.refused++;
      if (!queue.refusing) {
        queue.refusing = true;
        this.warn(`${rpc.name} (${rpc.fingerprint}) is not reading its replies: ${queue.length} of its requests wait; refusing more with BUSY`);
      }
      this.target.refuse(rpc, req, BUSY);
      return;
    }
    queue.push(req);
    if (!queue.pumping) void this.pump(rpc, queue);
  }

  /** Runs waiting requests whenever its replies drain, until none waits or the session closes. */
  private async pump(rpc: PeerRpc, queue: PeerQueue): Promise<void> {
    queue.pumping = true;
    try {
      while (queue.length > 0) {
        await rpc.whenWritable(null);
        if (!rpc.isOpen) break;
        while (queue.length > 0 && rpc.isOpen && rpc.writable) this.target.serve(rpc, queue.shift());
      }
      queue.refusing = false;
    } finally {
      queue.pumping = false;
      if (!rpc.isOpen) this.forget(rpc);
    }
  }

  private open(rpc: PeerRpc): PeerQueue {
    const queue = new PeerQueue();
    this.queues.set(rpc, queue);
    rpc.once('close', () => this.forget(rpc));
    return queue;
  }

  private forget(rpc: PeerRpc): void {
    this.queues.get(rpc)?.clear();
    this.queues.delete(rpc);
  }
}

function sizeOf(req: PeerRequest): number {
  return REQUEST_OVERHEAD_BYTES + (req.op === Op.STORE ? req.data.byteLength : req.op === Op.FREE ? req.blocks.length * 16 : 0);
}
