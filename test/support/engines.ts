// Whole engines in this process for integration tests: each in a temp home, TCP on 127.0.0.1,
// discovery off. For the separate-process tests see test/support/node-process.ts.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, type EngineParts } from '../../engine/node/engine';
import type { BuildCache } from '../../engine/buildcache/build-cache';
import type { Catalog } from '../../engine/data/catalog';
import type { EngineOptions } from '../../engine/node/engine-options';
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
      if (a !== b) await internals(a.engine).trust.trust(b.engine.identity.publicKey, { name: b.name, approval: 'cli' });
    }
  }
}

/** a dials b and both sides' clusters see the session. */
export async function connect(a: TestEngine, b: TestEngine): Promise<Session> {
  const seen = new Promise<void>((resolve) => {
    const check = (s: Session) => {
      if (s.publicKey !== a.engine.identity.publicKeyText) return;
      internals(b.engine).sessions.off('session', check);
      resolve();
    };
    internals(b.engine).sessions.on('session', check);
  });
  const s = await internals(a.engine).sessions.dial('127.0.0.1', b.port);
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

/** An engine's parts, with the catalog, build cache and options it was started with. */
export type EngineInternals = EngineParts & { readonly catalog: Catalog; readonly buildCache: BuildCache; readonly options: EngineOptions };

/**
 * The parts of an engine, which are no part of its API (that is `engine.api`). Tests of internal
 * behaviour (what a holder keeps, the catalog's records, raw RAM protocol requests over a live
 * session, steering placement) reach them here, in this one place.
 */
export function internals(engine: Engine): EngineInternals {
  const e = engine as unknown as { parts: EngineParts; buildCache: BuildCache; options: EngineOptions };
  return { ...e.parts, catalog: e.parts.owner.catalog, buildCache: e.buildCache, options: e.options };
}

/** An engine's table of peer RPCs (see internals). */
export function holderTableOf(engine: Engine): HolderTable {
  return internals(engine).table;
}

/** The RPC an engine holds for a connected device (see internals). */
export function rpcTo(engine: Engine, publicKey: string): PeerRpc | undefined {
  return holderTableOf(engine).rpcFor(publicKey);
}
