// Discovery as the engine uses it: advertise this node, and keep a session with every trusted
// device found on the LAN (dialed with its advertised key expected, so an impostor answering at
// that address is refused). Untrusted devices are only listed; connecting to them is a user action.
// Records are hints: where to dial, and how often, is the dial plan's decision (section 8.1), and
// discovery never closes a session (a goodbye only removes the listing).

import { Discovery, type DiscoveredPeer, type DiscoveryOptions } from './index';
import { DialPlan } from './dial-plan';
import { isMemCloudError } from '../errors';
import { parsePublicKey } from '../identity/public-key';
import type { Logger } from '../log/log';
import type { SessionManager } from '../session/session-manager';
import type { TrustStore } from '../trust/trust-store';

/** What the dialer reads and drives: the sessions it keeps, the trust that decides whom to dial. */
export interface DialerParts {
  readonly trust: TrustStore;
  readonly sessions: SessionManager;
  readonly log: Logger;
  /** The LAN listing changed (a device came or went). */
  readonly listingChanged: () => void;
}

export class DiscoveryDialer {
  private readonly dialing = new Set<string>();
  private readonly plan = new DialPlan();
  /** Keys with a dial round waiting for their gap to pass. */
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private readonly unsubscribe: () => void;
  private stopped = false;

  private constructor(
    private readonly parts: DialerParts,
    private readonly discovery: Discovery,
  ) {
    discovery.on('up', (p) => this.noteListing(p, 'up'));
    discovery.on('down', (p) => this.noteListing(p, 'down'));
    discovery.on('up', (p) => this.maybeDial(p.publicKey));
    discovery.on('update', (p) => this.maybeDial(p.publicKey));
    const sessions = parts.sessions;
    const onSession = (s: { publicKey: string; remoteHost: string; remotePort: number; direction: 'inbound' | 'outbound' }) =>
      this.plan.authenticated(s.publicKey, s.remoteHost, s.direction === 'outbound' ? s.remotePort : undefined);
    // A session with a discovered trusted device ended: dial it again (within the plan's gaps).
    const onClosed = (s: { publicKey: string }) => this.maybeDial(s.publicKey);
    sessions.on('session', onSession);
    sessions.on('session-closed', onClosed);
    this.unsubscribe = () => {
      sessions.off('session', onSession);
      sessions.off('session-closed', onClosed);
    };
    discovery.on('up', () => parts.listingChanged());
    discovery.on('down', () => parts.listingChanged());
    discovery.on('error', (err) => parts.log.warn(`discovery: ${err.message}`));
  }

  /** Starts advertising `self` and dialing trusted devices the LAN lists. */
  static async start(parts: DialerParts, self: Pick<DiscoveryOptions, 'publicKey' | 'name' | 'fingerprint' | 'port' | 'offeredBytes'>): Promise<DiscoveryDialer> {
    const discovery = await Discovery.start({
      ...self,
      // A flood of fake announcements must not keep a trusted device out of the table.
      isPreferred: (publicKey) => parts.trust.getByText(publicKey)?.status === 'trusted',
    });
    return new DiscoveryDialer(parts, discovery);
  }

  peers(): readonly DiscoveredPeer[] {
    return this.discovery.peers();
  }

  updateOffer(bytes: number): void {
    this.discovery.updateOffer(bytes);
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    for (const t of this.retries.values()) clearTimeout(t);
    this.retries.clear();
    return this.discovery.stop();
  }

  /** Trusted devices coming and going from the LAN listing are worth a line (strangers are not: they could flood it). */
  private noteListing(p: DiscoveredPeer, change: 'up' | 'down'): void {
    if (this.parts.trust.getByText(p.publicKey)?.status !== 'trusted') return;
    const where = change === 'up' ? `listed at ${p.addresses.join(', ')} port ${p.port}` : 'no longer listed (goodbye or expiry); its sessions are not affected';
    this.parts.log.info(`LAN: ${p.name} (${p.fingerprint}) ${where}, as ${JSON.stringify(p.instance)}`);
  }

  /** Dials a trusted device discovery lists and we have no session with, where and when the plan says. */
  private maybeDial(publicKey: string): void {
    const { parts } = this;
    if (this.stopped || parts.trust.getByText(publicKey)?.status !== 'trusted') return;
    if (parts.sessions.sessionsFor(publicKey).length > 0 || this.dialing.has(publicKey) || this.retries.has(publicKey)) return;
    // Every listing of this key (a forged one may be among them), most recently seen first.
    const listed = this.discovery.peers().filter((p) => p.publicKey === publicKey).sort((a, b) => b.lastSeen - a.lastSeen);
    if (listed.length === 0) return;
    const targets = this.plan.take(publicKey, listed);
    if (targets.length === 0) return this.retryLater(publicKey);
    const name = listed[0]!.name;
    this.dialing.add(publicKey);
    void (async () => {
      for (const t of targets) {
        try {
          await parts.sessions.dial(t.host, t.port, { expectedKey: parsePublicKey(publicKey) });
          return;
        } catch (err) {
          parts.log.debug(`could not reach ${name} at ${t.host}:${t.port}: ${isMemCloudError(err) ? err.message : String(err)}`);
        }
      }
      this.plan.failed(publicKey);
    })().finally(() => {
      this.dialing.delete(publicKey);
      if (parts.sessions.sessionsFor(publicKey).length === 0) this.retryLater(publicKey);
    });
  }

  private retryLater(publicKey: string): void {
    if (this.stopped || this.retries.has(publicKey)) return;
    const t = setTimeout(() => {
      this.retries.delete(publicKey);
      this.maybeDial(publicKey);
    }, Math.max(100, this.plan.waitFor(publicKey)));
    t.unref();
    this.retries.set(publicKey, t);
  }
}
