// The node itself in the API: its status and stats, the RAM it offers, its log, stopping it. Peers
// and trust have their own services (peer-service.ts, trust-service.ts), events theirs
// (node-events.ts); the data half is DataService (engine/data). Each gets only the parts it uses.

import type { LogEntry, NodeStatus, Stats, StopReason } from '../api/types';
import { ErrorCodes, MemCloudError } from '../errors';
import type { Logger } from '../log/log';
import type { NodeEvents } from './node-events';
import type { StatsSampler } from './stats';

export interface NodeServiceParts {
  /** The node's status as of now. */
  readonly status: () => NodeStatus;
  readonly sampler: Pick<StatsSampler, 'snapshot'>;
  readonly setOffer: (bytes: number) => void;
  readonly log: Pick<Logger, 'recent'>;
  readonly stop: (reason: StopReason) => Promise<void>;
  readonly events: Pick<NodeEvents, 'publish'>;
}

export class NodeService {
  constructor(private readonly parts: NodeServiceParts) {}

  async status(): Promise<NodeStatus> {
    return this.parts.status();
  }

  async stats(): Promise<Stats> {
    return this.parts.sampler.snapshot();
  }

  async setOffer(bytes: number): Promise<void> {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'offered bytes must be a non-negative integer');
    this.parts.setOffer(bytes);
    this.parts.events.publish({ type: 'peers-changed' });
  }

  async logs(opts: { readonly lines?: number } = {}): Promise<LogEntry[]> {
    return this.parts.log.recent(opts.lines ?? 100);
  }

  async shutdown(): Promise<void> {
    setImmediate(() => void this.parts.stop('requested'));
  }
}
