// The node half of the engine API (status, stats, peers, trust, consent, node settings, events)
// over the parts of a running engine it is given (never the engine itself); the data half is
// DataService (engine/data). Peer and trust calls resolve devices by name, fingerprint or key.

import { EventEmitter } from 'node:events';
import type {
  ConsentAnswer,
  ConsentRequestInfo,
  EngineEvent,
  LogEntry,
  NodeStatus,
  PeerInfo,
  Stats,
  StopReason,
  TrustedDeviceInfo,
} from '../api/types';
import type { Cluster } from '../cluster/cluster';
import type { ConsentQueue } from '../consent/consent-queue';
import { ErrorCodes, MemCloudError } from '../errors';
import type { DeviceIdentity } from '../identity/device-identity';
import { parsePublicKey } from '../identity/public-key';
import type { Logger } from '../log/log';
import { CloseReason } from '../net/constants';
import type { SessionManager } from '../session/session-manager';
import { fallbackDeviceName, findDevice } from '../trust/device-query';
import type { TrustStore } from '../trust/trust-store';
import type { NodeApi } from './compose-api';
import { parseHostPort } from '../session/peer-address';
import { consentInfo, listPeers, trustedInfo, type PeerSources } from './peer-view';
import type { StatsSampler } from './stats';

/** What the node half reads and drives: the engine's parts, not the engine. */
export interface NodeParts {
  readonly identity: DeviceIdentity;
  readonly trust: TrustStore;
  readonly consent: ConsentQueue;
  readonly sessions: SessionManager;
  readonly cluster: Pick<Cluster, 'sendQuota'>;
  readonly log: Logger;
  readonly peerSources: PeerSources;
  readonly sampler: StatsSampler;
  /** The node's status as of now. */
  status(): NodeStatus;
  setOffer(bytes: number): void;
  stop(reason: StopReason): Promise<void>;
}

export class NodeService implements NodeApi {
  private readonly events = new EventEmitter<{ event: [EngineEvent] }>();

  constructor(private readonly parts: NodeParts) {
    this.events.setMaxListeners(0);
  }

  publish(event: EngineEvent): void {
    this.events.emit('event', event);
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  async status(): Promise<NodeStatus> {
    return this.parts.status();
  }

  async stats(): Promise<Stats> {
    return this.parts.sampler.snapshot();
  }

  // ---- peers ------------------------------------------------------------------------------

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
    this.parts.cluster.sendQuota(target.publicKey, opts.allowedBytes);
    this.publish({ type: 'peers-changed' });
    return (await this.peers()).find((p) => p.publicKey === target.publicKey)!;
  }

  // ---- trust and consent ------------------------------------------------------------------------

  async trustList(): Promise<TrustedDeviceInfo[]> {
    return this.parts.trust.list().map((d) => trustedInfo(d, this.parts.sessions.sessionsFor(d.publicKey).length > 0));
  }

  async trustAdd(publicKey: string, opts: { readonly name?: string; readonly approval?: 'cli' | 'extension' } = {}): Promise<TrustedDeviceInfo> {
    const key = parsePublicKey(publicKey);
    const text = Buffer.from(key).toString('base64url');
    if (text === this.parts.identity.publicKeyText) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, "that is this device's own key; add the key of the other device");
    const pending = this.parts.consent.list().find((r) => r.publicKey === text);
    const known = (await this.peers()).find((p) => p.publicKey === text);
    const name = opts.name ?? this.parts.trust.getByText(text)?.name ?? known?.name ?? fallbackDeviceName(key);
    const d = await this.parts.trust.trust(key, { name, approval: opts.approval ?? 'cli' });
    // A device waiting for consent is admitted at once (as if answered "trust always").
    if (pending) this.parts.consent.answer(pending.id, 'once');
    return trustedInfo(d, this.parts.sessions.sessionsFor(text).length > 0);
  }

  async trustRemove(device: string, opts: { readonly forget?: boolean } = {}): Promise<TrustedDeviceInfo> {
    const d = findDevice(this.parts.trust.list(), device);
    const key = parsePublicKey(d.publicKey);
    // Its sessions close and what it stored here is dropped on the trust change (node/engine-events.ts),
    // which the trust store makes before writing the file: also when the write fails, it is in force here.
    return opts.forget ? (await this.parts.trust.forget(key), trustedInfo(d, false)) : trustedInfo(await this.parts.trust.revoke(key), false);
  }

  async trustRename(device: string, name: string): Promise<TrustedDeviceInfo> {
    const d = findDevice(this.parts.trust.list(), device);
    const renamed = await this.parts.trust.rename(parsePublicKey(d.publicKey), name);
    return trustedInfo(renamed, this.parts.sessions.sessionsFor(d.publicKey).length > 0);
  }

  async consentList(): Promise<ConsentRequestInfo[]> {
    return this.parts.consent.list().map(consentInfo);
  }

  async consentAnswer(id: string, answer: ConsentAnswer): Promise<void> {
    if (answer !== 'once' && answer !== 'always' && answer !== 'deny') {
      throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'answer must be once, always or deny');
    }
    this.parts.consent.answer(id, answer);
  }

  // ---- node --------------------------------------------------------------------------------

  async setOffer(bytes: number): Promise<void> {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'offered bytes must be a non-negative integer');
    this.parts.setOffer(bytes);
    this.publish({ type: 'peers-changed' });
  }

  async logs(opts: { readonly lines?: number } = {}): Promise<LogEntry[]> {
    return this.parts.log.recent(opts.lines ?? 100);
  }

  async shutdown(): Promise<void> {
    setImmediate(() => void this.parts.stop('requested'));
  }
}
