// The engine's composition root: builds every part from validated options, wires them together
// once, and tears them down in reverse order. Runs inside the engine worker thread (headless node
// and VS Code alike).

import { createServer, type AddressInfo, type Server } from 'node:net';
import { BuildCache } from '../buildcache/build-cache';
import { buildCacheApi, withBuildCacheItem } from '../buildcache/cache-api';
import { engineCacheData } from '../buildcache/engine-cache-data';
import { ConsentQueue } from '../consent/consent-queue';
import type { NodeStatus, StopReason } from '../api/types';
import type { CryptoBackendName } from '../crypto/backend-name';
import { chooseBackend } from '../crypto/backends';
import { usesPool } from '../crypto/place';
import { CryptoPool } from '../crypto/pool';
import { createCryptoSetup, type CryptoSetup } from '../crypto/setup';
import { Cluster } from '../cluster/cluster';
import { HolderTable } from '../cluster/holder-table';
import { HolderService } from '../cluster/holder-service';
import { SELF } from '../store/self';
import { Replicas } from '../cluster/replicas';
import { OwnerData } from '../data/owner-data';
import { homePaths } from '../home/paths';
import { ControlServer } from '../control/control-server';
import { publishControlEndpoint } from '../control/socket-path';
import { ErrorCodes, MemCloudError } from '../errors';
import { ensureHome } from '../home/home';
import { acquireNodeLock, type NodeLock } from '../home/node-lock';
import type { DeviceIdentity } from '../identity/device-identity';
import { loadOrCreateIdentity } from '../identity/identity-file';
import type { IdentityUnlock } from '../identity/identity-unlock';
import { SessionManager, type Session } from '../session/session-manager';
import { BlockStore } from '../store/block-store';
import { formatSize } from '../store/sizes';
import { TrustStore } from '../trust/trust-store';
import { startTeamGossip } from '../team/team-gossip';
import { TeamState } from '../team/team-state';
import { watchTrustFile } from '../trust/trust-file-watcher';
import type { EngineApi } from '../api/engine-api';
import type { EvictedBlock } from '../store/block-store';
import { DiscoveryDialer } from '../discovery/dialer';
import { composeApi, withArgumentChecks } from '../service/compose-api';
import type { EngineOptions } from './engine-options';
import { NodeEvents } from '../service/node-events';
import { NodeService } from '../service/node-service';
import { PeerService } from '../service/peer-service';
import { TrustService } from '../service/trust-service';
import type { Logger } from '../log/log';
import { listPeers, type PeerSources } from '../service/peer-view';
import { StaticPeers } from '../session/static-peers';
import { StatsSampler } from '../service/stats';
import { wireEvents } from './engine-events';

export const ENGINE_VERSION = '0.1.0';
/** How long a leaving node keeps serving so owners can copy their blocks away. */
const LEAVE_TIMEOUT_MS = 20_000;

/** What the composition root builds (the engine keeps them to itself; see test/support/engines.ts). */
export interface EngineParts {
  readonly lock: NodeLock;
  readonly identity: DeviceIdentity;
  readonly trust: TrustStore;
  readonly team: TeamState;
  readonly consent: ConsentQueue;
  readonly pool: CryptoPool | null;
  readonly crypto: CryptoSetup;
  readonly sessions: SessionManager;
  readonly store: BlockStore;
  readonly holder: HolderService;
  readonly replicas: Replicas;
  /** The sessions' RPCs, by device (the owner's table of holders). */
  readonly table: HolderTable;
  readonly cluster: Cluster;
  readonly owner: OwnerData;
  readonly settings: { offeredBytes: number };
}

export class Engine {
  private readonly startedAt = Date.now();
  readonly identity: DeviceIdentity;
  readonly backend: CryptoBackendName;
  /** What the API's subscribers hear. */
  private readonly events = new NodeEvents();
  /** The whole API (node half + data half + build cache) for callers in this process. */
  readonly api: EngineApi;
  /** The same API as the control socket serves it (its codecs check every argument at the boundary). */
  private readonly served: EngineApi;
  /** The build-cache endpoint and its entries (docs/build-cache.md). */
  private readonly buildCache: BuildCache;
  private server: Server | null = null;
  private control: ControlServer | null = null;
  private discovery: DiscoveryDialer | null = null;
  private staticPeers: StaticPeers | null = null;
  private readonly cleanups: Array<() => void> = [];
  private stopping: Promise<void> | null = null;
  private readonly stoppedListeners: Array<() => void> = [];

  private constructor(
    private readonly options: EngineOptions,
    private readonly log: Logger,
    private readonly parts: EngineParts,
  ) {
    this.identity = parts.identity;
    this.backend = parts.crypto.backend;
    const peerSources: PeerSources = {
      sessions: parts.sessions,
      catalog: parts.owner.catalog,
      holder: parts.holder,
      consent: parts.consent,
      trust: parts.trust,
      discovered: () => this.discovery?.peers() ?? [],
      defaultAllowance: () => parts.settings.offeredBytes,
    };
    const sampler = new StatsSampler({
      store: parts.store,
      holder: parts.holder,
      catalog: parts.owner.catalog,
      io: parts.replicas,
      rpcs: parts.table,
      sessions: parts.sessions,
      offered: () => parts.settings.offeredBytes,
    });
    this.cleanups.push(() => sampler.close());
    parts.owner.onOp(() => sampler.op());
    parts.owner.onProgress((progress) => this.events.publish({ type: 'progress', progress }));
    const node = new NodeService({
      status: () => this.status(),
      sampler,
      setOffer: (bytes) => this.setOffer(bytes),
      log,
      stop: (reason) => this.stop(reason),
      events: this.events,
    });
    const peers = new PeerService({ peerSources, sessions: parts.sessions, trust: parts.trust, holder: parts.holder, events: this.events });
    const trust = new TrustService({
      ownKey: parts.identity.publicKeyText,
      trust: parts.trust,
      consent: parts.consent,
      sessions: parts.sessions,
      listedName: (publicKey) => listPeers(peerSources).find((p) => p.publicKey === publicKey)?.name,
    });
    this.buildCache = new BuildCache({
      home: options.home,
      data: engineCacheData(parts.owner.service, parts.owner.catalog, parts.replicas),
      config: options.buildCache,
      log,
      changed: () => this.events.publish({ type: 'cache-changed' }),
    });
    const api = composeApi({ node, peers, trust, events: this.events, data: parts.owner.service, cache: buildCacheApi(this.buildCache) });
    this.served = withBuildCacheItem(api, this.buildCache);
    this.api = withArgumentChecks(this.served);
  }

  /** `unlock` opens a protected identity key (passphrase, PIN, secret stores); default: none given. */
  static async start(options: EngineOptions, log: Logger, unlock?: IdentityUnlock): Promise<Engine> {
    await ensureHome(options.home);
    const lock = await acquireNodeLock(options.home);
    let engine: Engine;
    try {
      engine = new Engine(options, log, await Engine.build(options, log, lock, unlock));
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

  private static async build(options: EngineOptions, log: Logger, lock: NodeLock, unlock?: IdentityUnlock): Promise<EngineParts> {
    const identity = await loadOrCreateIdentity(options.home, unlock);
    // A corrupt trust file does not stop the node: it starts, admits nobody and says why (see
    // trust-file-problem.ts), and takes the file's devices as soon as it is fixed.
    const trust = await TrustStore.open(options.home, { tolerateProblem: true });
    // team.json follows the same rule: the node starts, admits nobody by a team certificate, says why.
    const team = await TeamState.open(options.home, { tolerateProblem: true });
    const backend = await chooseBackend(options.crypto);
    // A backend that runs everything inline (crypto/place.ts) gets no pool thread to start, or to pay RAM for.
    const pool = usesPool(backend.name) ? CryptoPool.create({ threads: options.cryptoThreads }) : null;
    const { secretKey, publicKey } = backend.asym.generateX25519();
    const staticKeyPair = { secretKey, publicKey };
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
      team,
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      admissionTimeoutMs: options.consentTimeoutMs + 30_000,
      log: (level, message) => log.log(level, message),
    });
    // Local evictions: our own blocks are the owner side's business, peers' blocks the holder's.
    let onEvict: (evicted: readonly EvictedBlock[]) => void = () => undefined;
    const store = new BlockStore({
      capacityBytes: options.memoryBytes, peerCapacityBytes: settings.offeredBytes, onEvict: (evicted) => onEvict(evicted),
    });
    const table = new HolderTable((l, err) => {
      log.warn(`protocol error from ${l.name} (${l.fingerprint}): ${err.message}; closing the session`);
      l.session.channel.abort(err);
    });
    const holder = new HolderService(
      store,
      { allowance: (pk) => trust.getByText(pk)?.allowedBytes ?? settings.offeredBytes },
      (pk) => table.rpcFor(pk),
      (m) => log.warn(m),
    );
    const replicas = new Replicas(table, store, () => options.replicas);
    const home = homePaths(options.home);
    const owner = await OwnerData.open({
      paths: { snapshot: home.ownerCatalog, journal: home.ownerJournal, legacyIndex: home.ownerIndex },
      dataKeyPath: home.dataKey,
      aead: backend.aead,
      blockOffload: crypto.blockOffload,
      smallBlocks: crypto.smallBlocks,
      io: replicas,
      log,
    });
    const cluster = new Cluster(table, holder, owner.holders, store);
    onEvict = (evicted) => {
      const ours = evicted.filter((e) => e.ns === SELF).map((e) => e.id);
      if (ours.length > 0) owner.holders.evicted(SELF, ours);
      holder.onEvicted(evicted);
    };
    return { lock, identity, trust, team, consent, pool, crypto, sessions, store, holder, replicas, table, cluster, owner, settings };
  }

  private async open(): Promise<void> {
    const { options, log, parts } = this;
    // Attached before the events are wired: whoever sees 'session established' can use the session.
    const attach = (s: Session) => parts.cluster.attach(s);
    parts.sessions.on('session', attach);
    this.cleanups.push(() => parts.sessions.off('session', attach));
    this.cleanups.push(
      wireEvents({
        sessions: parts.sessions,
        consent: parts.consent,
        trust: parts.trust,
        cluster: parts.cluster,
        holder: parts.holder,
        catalog: parts.owner.catalog,
        events: this.events,
        log,
      }),
    );
    this.cleanups.push(watchTrustFile(parts.trust, (m) => log.error(m)));
    this.cleanups.push(
      startTeamGossip({
        team: parts.team,
        sessions: parts.sessions,
        rpcs: parts.table,
        notices: parts.cluster,
        dropDevice: (pk) => parts.holder.dropOwner(pk),
        trustedOnItsOwn: (pk) => parts.trust.getByText(pk)?.status === 'trusted',
        log: (level, m) => log.log(level, m),
      }),
    );
    // What `peers`, trust lists and node status show about teams follows team.json.
    const onTeamChanged = () => {
      this.events.publish({ type: 'trust-changed' });
      this.events.publish({ type: 'peers-changed' });
    };
    parts.team.on('changed', onTeamChanged);
    this.cleanups.push(() => parts.team.off('changed', onTeamChanged));
    this.cleanups.push(watchTrustFile(parts.team, (m) => log.error(m.replace('trust list', 'team state; no device is admitted by a team certificate until the file is fixed'))));
    if (parts.team.problem) log.error(`${parts.team.problem.message} (no device is admitted by a team certificate until the file is fixed)`);
    const server = createServer((socket) => parts.sessions.accept(socket));
    await listen(server, options.host, options.port);
    this.server = server;
    this.control = await ControlServer.listen({ path: await publishControlEndpoint(options.home), api: this.served, log: (level, m) => log.log(level, m) });
    const { port } = this.address();
    if (options.discovery) {
      this.discovery = await DiscoveryDialer.start(
        { trust: parts.trust, sessions: parts.sessions, log, listingChanged: () => this.events.publish({ type: 'peers-changed' }) },
        { publicKey: parts.identity.publicKeyText, name: options.name, fingerprint: parts.identity.fingerprint, port, offeredBytes: parts.settings.offeredBytes },
      );
    }
    this.staticPeers = new StaticPeers(parts.sessions, options.connect, log);
    this.staticPeers.start();
    await this.buildCache.restore();
    log.info(
      `node ${options.name} (${parts.identity.fingerprint}) listening on ${options.host}:${port}, crypto ${parts.crypto.backend}, ` +
        `offering ${formatSize(parts.settings.offeredBytes)}, memory cap ${formatSize(options.memoryBytes)}`,
    );
    if (options.memoryBytes < parts.settings.offeredBytes) log.warn('the memory cap is below the offer: peers are refused, or cache blocks evicted, before the offer is used up');
  }

  private status(): NodeStatus {
    return {
      name: this.options.name,
      publicKey: this.identity.publicKeyText,
      fingerprint: this.identity.fingerprint,
      version: ENGINE_VERSION,
      pid: process.pid,
      home: this.options.home,
      listen: this.address(),
      startedAt: this.startedAt,
      offeredBytes: this.offeredBytes,
      memoryBytes: this.options.memoryBytes,
      crypto: this.backend,
      discovery: this.discoveryEnabled,
      ...(this.parts.trust.problem ? { trustFileProblem: this.parts.trust.problem } : {}),
      ...(this.parts.team.problem ? { teamFileProblem: this.parts.team.problem } : {}),
      teams: { member: this.parts.team.file.certificate?.teamName ?? null, trusted: this.parts.team.file.trusted.map((t) => t.name) },
    };
  }

  private get offeredBytes(): number {
    return this.parts.settings.offeredBytes;
  }

  private get discoveryEnabled(): boolean {
    return this.discovery !== null;
  }

  get controlSocket(): string | null {
    return this.control?.path ?? null;
  }

  /** Changes the RAM offered to peers from now on (new handshakes and discovery carry it). */
  private setOffer(bytes: number): void {
    this.parts.settings.offeredBytes = bytes;
    this.parts.store.setPeerCapacity(bytes); // a smaller offer evicts peers' cache blocks down to it
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
      this.events.publish({ type: 'stopping', reason });
      this.staticPeers?.stop();
      this.server?.close();
      await this.buildCache.close();
      const held = await parts.cluster.leave(LEAVE_TIMEOUT_MS);
      if (held.blocks > 0) {
        log.warn(`leave: ${held.blocks} ${held.blocks === 1 ? 'block' : 'blocks'} (${formatSize(held.bytes)}) held for ${held.owners.join(', ')} could not be moved (no other holder has room for them); they are dropped with this node`);
      }
      await this.discovery?.stop();
      await this.control?.close();
      for (const c of this.cleanups) c();
      parts.consent.close();
      await parts.sessions.close();
      parts.cluster.close();
      await parts.owner.close();
      await parts.crypto.handshakeCrypto.close();
      await parts.identity.externalSigner?.close();
      await parts.trust.close();
      await parts.team.close();
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
