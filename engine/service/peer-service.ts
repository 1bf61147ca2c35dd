// The peers half of the API: the peers list, dialing and disconnecting, and what a trusted device
// may store here. Devices are named by name, fingerprint or key (trust/device-query.ts).

import type { PeerInfo } from '../api/types';
import type { HolderService } from '../cluster/holder-service';
import { ErrorCodes, MemCloudError } from '../errors';
import { parsePublicKey } from '../identity/public-key';
import { CloseReason } from '../net/constants';
import { parseHostPort } from '../session/peer-address';
import type { SessionManager } from '../session/session-manager';
import { findDevice } from '../trust/device-query';
import type { TrustStore } from '../trust/trust-store';
import type { NodeEvents } from './node-events';
import { listPeers, type PeerSources } from './peer-view';

export interface PeerServiceParts {
  readonly peerSources: PeerSources;
  readonly sessions: Pick<SessionManager, 'dial' | 'sessionsFor'>;
  readonly trust: Pick<TrustStore, 'list' | 'setAllowedBytes'>;
  /** Tells a connected owner its new allowance. */
  readonly holder: Pick<HolderService, 'sendQuota'>;
  readonly events: Pick<NodeEvents, 'publish'>;
}

export class PeerService {
  constructor(private readonly parts: PeerServiceParts) {}

  async peers(): Promise<PeerInfo[]> {
    return listPeers(this.parts.peerSources);
  }

  async connect(address: string, opts: { readonly expectedKey?: string } = {}): Promise<PeerInfo> {
    const { host, port } = parseHostPort(address);
    const expectedKey = opts.expectedKey === undefined ? undefined : parsePublicKey(opts.expectedKey);
    const session = await this.parts.sessions.dial(host, port, expectedKey ? { expectedKey } : {});
    return (await this.peers()).find((p) => p.publicKey === session.publicKey)!;
  }

  async disconnect(peer: string): Promise<void> {
    const target = findDevice(await this.peers(), peer);
    const sessions = this.parts.sessions.sessionsFor(target.publicKey);
    if (sessions.length === 0) throw new MemCloudError(ErrorCodes.PEER_NOT_FOUND, `${target.name} is not connected`);
    await Promise.all(sessions.map((s) => s.channel.close(CloseReason.NORMAL)));
  }

  async updatePeer(peer: string, opts: { readonly allowedBytes: number }): Promise<PeerInfo> {
    if (!Number.isSafeInteger(opts.allowedBytes) || opts.allowedBytes < 0) {
      throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'allowed bytes must be a non-negative integer');
    }
    const target = findDevice(this.parts.trust.list(), peer);
    await this.parts.trust.setAllowedBytes(parsePublicKey(target.publicKey), opts.allowedBytes);
    this.parts.holder.sendQuota(target.publicKey, opts.allowedBytes);
    this.parts.events.publish({ type: 'peers-changed' });
    return (await this.peers()).find((p) => p.publicKey === target.publicKey)!;
  }
}
