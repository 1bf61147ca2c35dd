// The engine's composition root: builds every part from validated options, wires them together
// once, and tears them down in reverse order. Runs inside the engine worker thread (headless node
// and VS Code alike).

import { createServer, type AddressInfo, type Server } from 'node:net';
import { ConsentQueue } from '../consent/consent-queue';
import type { StopReason } from '../api/types';
import type { AeadBackendName } from '../crypto/aead';
import { x25519 } from '../crypto/noise/dh';
import { CryptoPool } from '../crypto/pool';
import { Cluster } from '../cluster/cluster';
import { IndexPersister, loadIndexFile } from '../cluster/index-file';
import { homePaths } from '../home/paths';
import { ControlServer } from '../control/control-server';
import { publishControlEndpoint } from '../control/socket-path';
import { ErrorCodes, MemCloudError } from '../errors';
import { ensureHome } from '../home/home';
import { acquireNodeLock, type NodeLock } from '../home/node-lock';
import type { DeviceIdentity } from '../identity/device-identity';
import { loadOrCreateIdentity } from '../identity/identity-file';
import { SessionManager } from '../session/session-manager';
import { BlockStore } from '../store/block-store';
import { formatSize } from '../store/sizes';
import { TrustStore } from '../trust/trust-store';
import { watchTrustFile } from '../trust/trust-file-watcher';
import { chooseBackend, createCryptoSetup, type CryptoSetup } from './crypto-setup';
import { DataService } from '../data/data-service';
import { DiscoveryLink } from './discovery-link';
import type { EngineOptions } from './engine-options';
import { EngineService } from './engine-service';
import type { Logger } from '../log/log';
import type { PeerSources } from './peer-view';
import { StaticPeers } from './static-peers';
import { StatsSampler } from './stats';
import { wireEvents } from './engine-events';

export const ENGINE_VERSION = '0.1.0';
/** How long a leaving node keeps serving so owners can copy their blocks away. */
const LEAVE_TIMEOUT_MS = 20_000;

interface Parts {
  readonly lock: NodeLock;
  readonly identity: DeviceIdentity;
  readonly trust: TrustStore;
  readonly consent: ConsentQueue;
  readonly pool: CryptoPool | null;
  readonly crypto: CryptoSetup;
  readonly sessions: SessionManager;
  readonly store: BlockStore;
  readonly cluster: Cluster;
  readonly settings: { offeredBytes: number };
  readonly persister: IndexPersister;
}

export class Engine {
  readonly startedAt = Date.now();
  readonly version = ENGINE_VERSION;
  readonly identity: DeviceIdentity;
  readonly trust: TrustStore;
  readonly consent: ConsentQueue;
  readonly sessions: SessionManager;
  readonly store: BlockStore;
  readonly cluster: Cluster;
  readonly backend: AeadBackendName;
  readonly service: EngineService;
  private server: Server | null = null;
  private control: ControlServer | null = null;
  private discovery: DiscoveryLink | null = null;
  private staticPeers: StaticPeers | null = null;
  private readonly cleanups: Array<() => void> = [];
  private stopping: Promise<void> | null = null;
  private readonly stoppedListeners: Array<() => void> = [];

  private constructor(
    readonly options: EngineOptions,
    readonly log: Logger,
    private readonly parts: Parts,
  ) {
    this.identity = parts.identity;
    this.trust = parts.trust;
    this.consent = parts.consent;
    this.sessions = parts.sessions;
    this.store = parts.store;
    this.cluster = parts.cluster;
    this.backend = parts.crypto.backend;
    const sources: PeerSources = {
      sessions: parts.sessions,
      cluster: parts.cluster,
      consent: parts.consent,
      trust: parts.trust,
      discovered: () => this.discovery?.peers() ?? [],
      defaultAllowance: () => parts.settings.offeredBytes,
    };
    const sampler = new StatsSampler(parts.store, parts.cluster, parts.sessions, () => parts.settings.offeredBytes);
    this.cleanups.push(() => sampler.close());
    const data = new DataService(parts.cluster, (progress) => this.service.publish({ type: 'progress', progress }));
    this.service = new EngineService(this, data, sources, sampler);
  }

  static async start(options: EngineOptions, log: Logger): Promise<Engine> {
    await ensureHome(options.home);
    const lock = await acquireNodeLock(options.home);
    let engine: Engine;
    try {
      engine = new Engine(options, log, await Engine.build(options, log, lock));
    } catch (err) {
      await lock.release();
      throw err;
    }
    try {
      await engine.open();
    } catch (err) {
      await engine.stop().catch(() => undefined);
      throw err;
    }
    return engine;
  }

  private static async build(options: EngineOptions, log: Logger, lock: NodeLock): Promise<Parts> {
    const identity = await loadOrCreateIdentity(options.home);
    const trust = await TrustStore.open(options.home);
    const backend = chooseBackend(options.crypto);
    // Native crypto runs inline (see createCryptoSetup): no pool thread to start, or to pay RAM for.
    const pool = backend === 'noble' ? CryptoPool.create({ threads: options.cryptoThreads }) : null;
    const staticKeyPair = x25519.generateKeyPair();
    const crypto = createCryptoSetup(backend, identity, staticKeyPair, pool);
    const consent = new ConsentQueue({ timeoutMs: options.consentTimeoutMs });
    const settings = { offeredBytes: options.offeredBytes };
    const sessions = new SessionManager({
      identity,
      staticKeyPair,
      trust,
      consent,
      handshakeCrypto: crypto.handshakeCrypto,
      recordCrypto: crypto.recordCrypto,
      name: () => options.name,
      offeredBytes: () => settings.offeredBytes,
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      admissionTimeoutMs: options.consentTimeoutMs + 30_000,
      log: (level, message) => log.log(level, message),
    });
    const index = await loadIndexFile(homePaths(options.home).ownerIndex, log);
    let cluster: Cluster | null = null;
    const store = new BlockStore({ capacityBytes: options.memoryBytes, onEvict: (evicted) => cluster?.onLocalEvicted(evicted) });
    cluster = new Cluster({
      store,
      policy: { allowance: (pk) => trust.getByText(pk)?.allowedBytes ?? settings.offeredBytes, offeredBytes: () => settings.offeredBytes },
      log,
      replicas: () => options.replicas,
      index,
    });
    const persister = new IndexPersister(index, homePaths(options.home).ownerIndex, log);
    return { lock, identity, trust, consent, pool, crypto, sessions, store, cluster, settings, persister };
  }

  private async open(): Promise<void> {
    const { options, log, parts } = this;
    this.cleanups.push(wireEvents(this));
    this.cleanups.push(watchTrustFile(parts.trust, (m) => log.error(m)));
    const server = createServer((socket) => parts.sessions.accept(socket));
    await listen(server, options.host, options.port);
    this.server = server;
    this.control = await ControlServer.listen({ path: await publishControlEndpoint(options.home), api: this.service, log: (level, m) => log.log(level, m) });
    const { port } = this.address();
    if (options.discovery) this.discovery = await DiscoveryLink.start(this, port);
    this.staticPeers = new StaticPeers(parts.sessions, options.connect, log);
    this.staticPeers.start();
    log.info(
      `node ${options.name} (${parts.identity.fingerprint}) listening on ${options.host}:${port}, crypto ${parts.crypto.backend}, ` +
        `offering ${formatSize(parts.settings.offeredBytes)}, memory cap ${formatSize(options.memoryBytes)}`,
    );
    if (options.memoryBytes < parts.settings.offeredBytes) log.warn('the memory cap is below the offer: peers are refused, or cache blocks evicted, before the offer is used up');
  }

  get offeredBytes(): number {
    return this.parts.settings.offeredBytes;
  }

  get discoveryEnabled(): boolean {
    return this.discovery !== null;
  }

  get controlSocket(): string | null {
    return this.control?.path ?? null;
  }

  /** Changes the RAM offered to peers from now on (new handshakes and discovery carry it). */
  setOffer(bytes: number): void {
    this.parts.settings.offeredBytes = bytes;
    this.discovery?.updateOffer(bytes);
  }

  address(): { host: string; port: number } {
    const a = this.server?.address() as AddressInfo | null;
    return { host: this.options.host, port: a?.port ?? 0 };
  }

  /** Called once the engine has fully stopped, whoever asked for it (a signal, the API, a window). */
  onStopped(listener: () => void): void {
    this.stoppedListeners.push(listener);
  }

  /** Graceful stop: peers are told first so owners re-replicate, then everything is released. Idempotent. */
  stop(reason: StopReason = 'host-exit'): Promise<void> {
    this.stopping ??= (async () => {
      const { parts, log } = this;
      log.info(`node stopping (${reason === 'requested' ? 'asked to stop' : 'its host is exiting'}): telling peers so they move their data`);
      this.service.publish({ type: 'stopping', reason });
      this.staticPeers?.stop();
      this.server?.close();
      await parts.cluster.leave(LEAVE_TIMEOUT_MS);
      await this.discovery?.stop();
      await this.control?.close();
      for (const c of this.cleanups) c();
      parts.consent.close();
      await parts.sessions.close();
      parts.cluster.close();
      await parts.persister.close();
      await parts.crypto.handshakeCrypto.close();
      await parts.trust.close();
      await parts.pool?.close();
      await parts.lock.release();
      log.info('node stopped');
      for (const l of this.stoppedListeners) l();
    })();
    return this.stopping;
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? `port ${port} is already in use (choose another with --port)` : err.message;
      reject(new MemCloudError(ErrorCodes.BAD_ARGUMENT, `cannot listen on ${host}:${port}: ${why}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
