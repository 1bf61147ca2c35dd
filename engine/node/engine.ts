// The engine's composition root: builds every part from validated options, wires them together
// once, and tears them down in reverse order. Runs inside the engine worker thread (headless node
// and VS Code alike).

import { createServer, type AddressInfo, type Server } from 'node:net';
import { ConsentQueue } from '../consent/consent-queue';
import type { AeadBackendName } from '../crypto/aead';
import { x25519 } from '../crypto/noise/dh';
import { CryptoPool } from '../crypto/pool';
import { ErrorCodes, MemCloudError } from '../errors';
import { ensureHome } from '../home/home';
import type { DeviceIdentity } from '../identity/device-identity';
import { loadOrCreateIdentity } from '../identity/identity-file';
import type { CryptoSetup } from './crypto-setup';
import { SessionManager } from '../session/session-manager';
import { TrustStore } from '../trust/trust-store';
import { watchTrustFile } from '../trust/trust-file-watcher';
import { chooseBackend, createCryptoSetup } from './crypto-setup';
import type { EngineOptions } from './engine-options';
import type { Logger } from './log';
import { StaticPeers } from './static-peers';

export class Engine {
  readonly startedAt = Date.now();
  private stopping: Promise<void> | null = null;

  private constructor(
    readonly options: EngineOptions,
    readonly log: Logger,
    readonly identity: DeviceIdentity,
    readonly trust: TrustStore,
    readonly consent: ConsentQueue,
    readonly pool: CryptoPool,
    readonly backend: AeadBackendName,
    readonly sessions: SessionManager,
    /** Live settings the session manager reads on every handshake. */
    private readonly settings: { offeredBytes: number },
    private readonly handshakeCrypto: CryptoSetup['handshakeCrypto'],
    private readonly server: Server,
    private readonly staticPeers: StaticPeers,
    private readonly unwatchTrust: () => void,
  ) {}

  static async start(options: EngineOptions, log: Logger): Promise<Engine> {
    await ensureHome(options.home);
    const identity = await loadOrCreateIdentity(options.home);
    const trust = await TrustStore.open(options.home);
    const backend = chooseBackend(options.crypto);
    const pool = CryptoPool.create({ threads: options.cryptoThreads });
    const staticKeyPair = x25519.generateKeyPair();
    const { handshakeCrypto, recordCrypto } = createCryptoSetup(backend, identity, staticKeyPair, pool);
    const consent = new ConsentQueue({ timeoutMs: options.consentTimeoutMs });
    const settings = { offeredBytes: options.offeredBytes };
    const sessions = new SessionManager({
      identity,
      staticKeyPair,
      trust,
      consent,
      handshakeCrypto,
      recordCrypto,
      name: () => options.name,
      offeredBytes: () => settings.offeredBytes,
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      admissionTimeoutMs: options.consentTimeoutMs + 30_000,
      log: (level, message) => log.log(level, message),
    });
    sessions.on('session', (s) =>
      log.info(`session established with ${s.remote.name} (${s.fingerprint}) at ${s.address}, ${s.direction}, ${s.admission}`),
    );
    sessions.on('session-closed', (s, err) =>
      log.info(`session with ${s.remote.name} (${s.fingerprint}) closed${err ? `: ${err.message}` : ''}`),
    );
    consent.on('request', (r) =>
      log.info(`consent needed: ${r.name} (${r.fingerprint}) at ${r.address} offers ${r.offeredBytes} bytes; request ${r.id}`),
    );
    const server = createServer((socket) => sessions.accept(socket));
    await listen(server, options.host, options.port);
    const staticPeers = new StaticPeers(sessions, options.connect, log);
    const unwatchTrust = watchTrustFile(trust, (m) => log.error(m));
    const engine = new Engine(options, log, identity, trust, consent, pool, backend, sessions, settings, handshakeCrypto, server, staticPeers, unwatchTrust);
    const { port } = engine.address();
    log.info(`node ${options.name} (${identity.fingerprint}) listening on ${options.host}:${port}, crypto ${backend}`);
    staticPeers.start();
    return engine;
  }

  get offeredBytes(): number {
    return this.settings.offeredBytes;
  }

  /** Changes the RAM offered to peers from now on (new handshakes carry it). */
  setOffer(bytes: number): void {
    this.settings.offeredBytes = bytes;
  }

  address(): { host: string; port: number } {
    const a = this.server.address() as AddressInfo;
    return { host: this.options.host, port: a.port };
  }

  /** Graceful stop: peers are told (CLOSE going-away), then everything is released. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.log.info('node stopping');
      this.staticPeers.stop();
      this.unwatchTrust();
      this.server.close();
      this.consent.close();
      await this.sessions.close();
      await this.handshakeCrypto.close();
      await this.trust.close();
      await this.pool.close();
      this.log.info('node stopped');
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
