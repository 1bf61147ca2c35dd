// Live statistics: storage, what we lend and borrow, the pool, and throughput and operation rates
// measured over the last few seconds (sampled once a second, timer unref'd).

import type { Stats } from '../api/types';
import type { HolderTable } from '../cluster/holder-table';
import type { HolderService } from '../cluster/holder-service';
import { SELF } from '../store/self';
import type { ReplicaIO } from '../cluster/replica-io';
import type { Catalog } from '../data/catalog';
import { chargedOn } from '../data/stored-size';
import type { SessionManager } from '../session/session-manager';
import type { BlockStore } from '../store/block-store';

const WINDOW = 5;

interface Sample {
  readonly at: number;
  readonly sent: number;
  readonly received: number;
  readonly ops: number;
}

/** What the stats are computed from. */
export interface StatsSources {
  readonly store: BlockStore;
  readonly holder: HolderService;
  readonly catalog: Catalog;
  readonly io: Pick<ReplicaIO, 'isLive'>;
  readonly rpcs: Pick<HolderTable, 'connectedRpcs'>;
  readonly sessions: SessionManager;
  readonly offered: () => number;
}

export class StatsSampler {
  private ops = 0;
  /** Bytes counted by channels that have since closed. */
  private closedSent = 0;
  private closedReceived = 0;
  private readonly samples: Sample[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly src: StatsSources) {
    src.sessions.on('session-closed', (s) => {
      this.closedSent += s.channel.bytesSent;
      this.closedReceived += s.channel.bytesReceived;
    });
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
    this.sample();
  }

  op(): void {
    this.ops++;
  }

  snapshot(): Stats {
    const now = this.current();
    const first = this.samples[0] ?? now;
    const seconds = Math.max(0.001, (now.at - first.at) / 1000);
    const { store, holder, catalog, io } = this.src;
    const totals = store.totals();
    const owners = store.namespaces().filter((ns) => ns !== SELF).length;
    let placed = 0;
    let degraded = 0;
    for (const r of catalog.blocks.values()) {
      placed += r.holders.filter((h) => h !== SELF).length * chargedOn(r);
      if (r.holders.filter((h) => io.isLive(h)).length < r.wanted) degraded++;
    }
    const rpcs = this.src.rpcs.connectedRpcs();
    return {
      at: now.at,
      local: { usedBytes: totals.usedBytes, capacityBytes: totals.capacityBytes, blocks: totals.blocks, pinnedBytes: totals.pinnedBytes, cacheBytes: totals.cacheBytes },
      // The API's names (spec section 10): lent = this node as holder, borrowed = as owner.
      lent: { usedBytes: holder.heldBytes, offeredBytes: this.src.offered(), peers: owners },
      borrowed: { usedBytes: placed, items: catalog.blocks.size, degraded },
      pool: { offeredBytes: rpcs.reduce((n, r) => n + r.session.remote.offeredBytes, 0), connectedPeers: rpcs.length },
      throughput: { sentPerSec: (now.sent - first.sent) / seconds, receivedPerSec: (now.received - first.received) / seconds },
      ops: { total: this.ops, perSec: (now.ops - first.ops) / seconds },
      evictions: totals.evictions,
    };
  }

  close(): void {
    clearInterval(this.timer);
  }

  private current(): Sample {
    let sent = this.closedSent;
    let received = this.closedReceived;
    for (const s of this.src.sessions.sessions()) {
      sent += s.channel.bytesSent;
      received += s.channel.bytesReceived;
    }
    return { at: Date.now(), sent, received, ops: this.ops };
  }

  private sample(): void {
    this.samples.push(this.current());
    if (this.samples.length > WINDOW) this.samples.shift();
  }
}
