// Real MemCloud endpoints for transport tests: a temp home with its own identity and trust store,
// a consent queue, a session manager, and a TCP listener on 127.0.0.1.

import { createServer, type AddressInfo, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsentQueue } from '../../engine/consent/consent-queue';
import type { CryptoBackendName } from '../../engine/crypto/backend-name';
import { loadBackend } from '../../engine/crypto/backends';
import { CryptoPool } from '../../engine/crypto/pool/crypto-pool';
import type { Placement } from '../../engine/crypto/place';
import { createCryptoSetup } from '../../engine/crypto/setup';
import { loadOrCreateIdentity } from '../../engine/identity/identity-file';
import type { DeviceIdentity } from '../../engine/identity/device-identity';
import { SessionManager, type SessionManagerOptions } from '../../engine/session/session-manager';
import { TrustStore } from '../../engine/trust/trust-store';
import { TeamState } from '../../engine/team/team-state';

export interface Endpoint {
  readonly name: string;
  readonly home: string;
  readonly identity: DeviceIdentity;
  readonly trust: TrustStore;
  readonly consent: ConsentQueue;
  readonly sessions: SessionManager;
  /** Team state of the home (team.json), when asked for with `team: true`. */
  readonly team: TeamState | null;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

export interface EndpointOptions {
  readonly name: string;
  readonly backend?: CryptoBackendName;
  /** Use the real piscina pool (default) or inline crypto only. */
  readonly pool?: boolean;
  readonly consentTimeoutMs?: number;
  readonly maxConsent?: number;
  readonly handshakeTimeoutMs?: number;
  readonly firstMessageTimeoutMs?: number;
  readonly admissionTimeoutMs?: number;
  readonly channel?: SessionManagerOptions['channel'];
  /** Where crypto runs, if not the backend's own placement (benchmarks comparing placements). */
  readonly placement?: Placement;
  /** Speak the team protocol with the home's team.json (reload it after changing the file). */
  readonly team?: boolean;
  /** Session resumption (on by default); false behaves as a node written before it. */
  readonly resumption?: boolean;
  readonly ticketRefreshMs?: number;
  /** What the session manager logs. */
  readonly log?: SessionManagerOptions['log'];
}

let sharedPool: Promise<CryptoPool> | null = null;
const POOL_THREADS = 2;
/**
 * The shared pool, warm: both threads started and their code loaded before any handshake runs, so
 * a thread's cold start (seconds on a busy machine) is not spent inside a handshake's timeout.
 */
function pool(): Promise<CryptoPool> {
  sharedPool ??= (async () => {
    const p = CryptoPool.create({ threads: POOL_THREADS });
    const busy = Array.from({ length: 16 }, () => ({ op: 'x25519-keypair' as const }));
    await Promise.all(Array.from({ length: POOL_THREADS * 2 }, () => p.asym('noble', busy)));
    return p;
  })();
  return sharedPool;
}

export async function closeSharedPool(): Promise<void> {
  const p = sharedPool;
  sharedPool = null;
  await (await p)?.close();
}

export async function createEndpoint(opts: EndpointOptions): Promise<Endpoint> {
  const parent = await mkdtemp(join(tmpdir(), 'memcloud-ep-'));
  const home = join(parent, 'home');
  const identity = await loadOrCreateIdentity(home);
  const trust = await TrustStore.open(home);
  const consent = new ConsentQueue({ timeoutMs: opts.consentTimeoutMs ?? 5000, maxPending: opts.maxConsent ?? 16 });
  const backend = opts.backend ?? 'noble';
  const usePool = opts.pool ?? true;
  const team = opts.team ? await TeamState.open(home) : null;
  const crypto = await loadBackend(backend);
  const { secretKey, publicKey } = crypto.asym.generateX25519();
  const staticKeyPair = { secretKey, publicKey };
  const { handshakeCrypto, recordCrypto } = createCryptoSetup(crypto, identity, staticKeyPair, usePool ? await pool() : null, opts.placement);
  const sessions = new SessionManager({
    identity,
    staticKeyPair,
    trust,
    consent,
    handshakeCrypto,
    recordCrypto,
    name: () => opts.name,
    offeredBytes: () => 1 << 30,
    handshakeTimeoutMs: opts.handshakeTimeoutMs ?? 10_000, // the default: a cold crypto pool on a loaded machine needs seconds
    ...(opts.firstMessageTimeoutMs !== undefined ? { firstMessageTimeoutMs: opts.firstMessageTimeoutMs } : {}),
    admissionTimeoutMs: opts.admissionTimeoutMs ?? 10_000,
    ...(opts.channel ? { channel: opts.channel } : {}),
    ...(team ? { team } : {}),
    ...(opts.resumption === false ? { resumption: false } : {}),
    ...(opts.ticketRefreshMs !== undefined ? { ticketRefreshMs: opts.ticketRefreshMs } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
  const server = createServer((socket) => sessions.accept(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    name: opts.name,
    home,
    identity,
    trust,
    consent,
    sessions,
    team,
    port,
    server,
    async close() {
      server.close();
      consent.close();
      await sessions.close();
      await handshakeCrypto.close();
      await trust.close();
      await rm(parent, { recursive: true, force: true });
    },
  };
}

/** Makes a and b trust each other (as `memcloud trust add` would). */
export async function pair(a: Endpoint, b: Endpoint): Promise<void> {
  await a.trust.trust(b.identity.publicKey, { name: b.name, approval: 'cli' });
  await b.trust.trust(a.identity.publicKey, { name: a.name, approval: 'cli' });
}
