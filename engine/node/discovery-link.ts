// Discovery as the engine uses it: advertise this node, and keep a session with every trusted
// device found on the LAN (dialed with its advertised key expected, so an impostor answering at
// that address is refused). Untrusted devices are only listed; connecting to them is a user action.

import { Discovery, type DiscoveredPeer } from '../discovery';
import { isMemCloudError } from '../errors';
import { parsePublicKey } from '../identity/public-key';
import type { EngineEvent } from '../api/types';
import type { Logger } from '../log/log';
import type { SessionManager } from '../session/session-manager';
import type { TrustStore } from '../trust/trust-store';

/** The parts of the engine that discovery reads and drives. */
export interface DiscoveryHost {
  readonly identity: { readonly publicKeyText: string; readonly fingerprint: string };
  readonly options: { readonly name: string };
  readonly offeredBytes: number;
  readonly trust: TrustStore;
  readonly sessions: SessionManager;
  readonly service: { publish(event: EngineEvent): void };
  readonly log: Logger;
}

export class DiscoveryLink {
  private readonly dialing = new Set<string>();

  private constructor(
    private readonly engine: DiscoveryHost,
    private readonly discovery: Discovery,
  ) {
    discovery.on('up', (p) => this.maybeDial(p));
    discovery.on('update', (p) => this.maybeDial(p));
    discovery.on('up', () => engine.service.publish({ type: 'peers-changed' }));
    discovery.on('down', () => engine.service.publish({ type: 'peers-changed' }));
    discovery.on('error', (err) => engine.log.warn(`discovery: ${err.message}`));
  }

  static async start(engine: DiscoveryHost, port: number): Promise<DiscoveryLink> {
    const discovery = await Discovery.start({
      publicKey: engine.identity.publicKeyText,
      name: engine.options.name,
      fingerprint: engine.identity.fingerprint,
      port,
      offeredBytes: engine.offeredBytes,
    });
    return new DiscoveryLink(engine, discovery);
  }

  peers(): readonly DiscoveredPeer[] {
    return this.discovery.peers();
  }

  updateOffer(bytes: number): void {
    this.discovery.updateOffer(bytes);
  }

  stop(): Promise<void> {
    return this.discovery.stop();
  }

  private maybeDial(p: DiscoveredPeer): void {
    const { engine } = this;
    if (engine.trust.getByText(p.publicKey)?.status !== 'trusted') return;
    if (engine.sessions.sessionsFor(p.publicKey).length > 0 || this.dialing.has(p.publicKey)) return;
    this.dialing.add(p.publicKey);
    void (async () => {
      for (const address of p.addresses) {
        try {
          await engine.sessions.dial(address, p.port, { expectedKey: parsePublicKey(p.publicKey) });
          return;
        } catch (err) {
          engine.log.debug(`could not reach ${p.name} at ${address}:${p.port}: ${isMemCloudError(err) ? err.message : String(err)}`);
        }
      }
    })().finally(() => this.dialing.delete(p.publicKey));
  }
}
