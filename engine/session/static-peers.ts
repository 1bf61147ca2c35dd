// Peers named at start (--connect, config file): dialed at once and redialed with capped
// exponential backoff whenever no session with them is open.

import { isMemCloudError } from '../errors';
import type { SessionManager } from './session-manager';
import { parsePublicKey } from '../identity/public-key';
import { parseHostPort, type StaticPeer } from './peer-address';
import type { Logger } from '../log/log';

const MIN_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;

interface Target {
  readonly address: string;
  readonly host: string;
  readonly port: number;
  readonly expectedKey: Uint8Array | undefined;
  delay: number;
  timer: NodeJS.Timeout | null;
  connected: boolean;
}

export class StaticPeers {
  private readonly targets: Target[];
  private stopped = false;

  constructor(
    private readonly sessions: SessionManager,
    peers: readonly StaticPeer[],
    private readonly log: Logger,
  ) {
    this.targets = peers.map((p) => ({
      address: p.address,
      ...parseHostPort(p.address),
      expectedKey: p.publicKey === undefined ? undefined : parsePublicKey(p.publicKey),
      delay: MIN_DELAY_MS,
      timer: null,
      connected: false,
    }));
  }

  start(): void {
    for (const t of this.targets) void this.dial(t);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.targets) if (t.timer) clearTimeout(t.timer);
  }

  private async dial(t: Target): Promise<void> {
    t.timer = null;
    if (this.stopped) return;
    try {
      const session = await this.sessions.dial(t.host, t.port, t.expectedKey ? { expectedKey: t.expectedKey } : {});
      t.connected = true;
      t.delay = MIN_DELAY_MS;
      session.channel.once('close', () => {
        t.connected = false;
        this.schedule(t);
      });
    } catch (err) {
      const why = isMemCloudError(err) ? err.message : String(err);
      // A failed dial already says "could not connect to HOST:PORT ..." (session-manager.ts).
      const what = isMemCloudError(err, 'CONNECT_FAILED') ? why : `could not connect to ${t.address}: ${why}`;
      this.log.warn(`${what}; retrying in ${Math.round(t.delay / 1000)} s`);
      this.schedule(t);
    }
  }

  private schedule(t: Target): void {
    if (this.stopped || t.timer) return;
    t.timer = setTimeout(() => void this.dial(t), t.delay);
    t.timer.unref();
    t.delay = Math.min(MAX_DELAY_MS, t.delay * 2);
  }
}
