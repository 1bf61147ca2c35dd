// Whole engines in this process for integration tests: each in a temp home, TCP on 127.0.0.1,
// discovery off. For the separate-process tests see test/support/node-process.ts.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../engine/node/engine';
import { resolveEngineOptions, type EngineOptionsInput } from '../../engine/node/engine-options';
import { Logger } from '../../engine/log/log';
import type { Session } from '../../engine/session/session-manager';
import type { HolderTable } from '../../engine/cluster/holder-table';
import type { PeerRpc } from '../../engine/cluster/peer-rpc';

export interface TestEngine {
  readonly engine: Engine;
  readonly name: string;
  readonly port: number;
  readonly logs: string[];
  close(): Promise<void>;
}

export async function startEngine(name: string, opts: Partial<EngineOptionsInput> = {}): Promise<TestEngine> {
  const parent = await mkdtemp(join(tmpdir(), `memcloud-eng-${name}-`));
  const log = new Logger('debug');
  const logs: string[] = [];
  log.addSink((e) => logs.push(`${e.level} ${e.message}`));
  const options = resolveEngineOptions({
    home: join(parent, 'home'),
    name,
    host: '127.0.0.1',
    port: 0,
    discovery: false,
    offeredBytes: 256 * 1024 * 1024,
    memoryBytes: 512 * 1024 * 1024,
    consentTimeoutMs: 5000,
    cryptoThreads: 1,
    ...opts,
  });
  const engine = await Engine.start(options, log);
  return {
    engine,
    name,
    port: engine.address().port,
    logs,
    async close() {
      await engine.stop();
      await rm(parent, { recursive: true, force: true });
    },
  };
}

export async function trustEachOther(...engines: TestEngine[]): Promise<void> {
  for (const a of engines) {
    for (const b of engines) {
      if (a !== b) await a.engine.trust.trust(b.engine.identity.publicKey, { name: b.name, approval: 'cli' });
    }
  }
}

/** a dials b and both sides' clusters see the session. */
export async function connect(a: TestEngine, b: TestEngine): Promise<Session> {
  const seen = new Promise<void>((resolve) => {
    const check = (s: Session) => {
      if (s.publicKey !== a.engine.identity.publicKeyText) return;
      b.engine.sessions.off('session', check);
      resolve();
    };
    b.engine.sessions.on('session', check);
  });
  const s = await a.engine.sessions.dial('127.0.0.1', b.port);
  await seen;
  return s;
}

/** Engines in temp homes that trust each other (not yet connected); closed by `close` (or the caller). */
export async function trustedEngines(names: readonly string[], opened: TestEngine[]): Promise<TestEngine[]> {
  const list = await Promise.all(names.map((n) => startEngine(n)));
  opened.push(...list);
  await trustEachOther(...list);
  return list;
}

/**
 * An engine's table of peer RPCs. Internal (no part of the engine's API): tests that send raw RAM
 * protocol requests over a live session, or steer placement, reach it here, in this one place.
 */
export function holderTableOf(engine: Engine): HolderTable {
  return (engine as unknown as { parts: { table: HolderTable } }).parts.table;
}

/** The RPC an engine holds for a connected device (see holderTableOf). */
export function rpcTo(engine: Engine, publicKey: string): PeerRpc | undefined {
  return holderTableOf(engine).rpcFor(publicKey);
}
