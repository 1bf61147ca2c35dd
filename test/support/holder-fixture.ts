// Holders (whole engines in this process) and the hand-written RAM peers that attack them, made and
// closed together: what the holder tests under test/engine/cluster share.

import type { EngineOptionsInput } from '../../engine/node/engine-options';
import { DeviceIdentity } from '../../engine/identity/device-identity';
import { internals, startEngine, type TestEngine } from './engines';
import { RamPeer } from './ram-peer';

const MiB = 1024 * 1024;

/** A block id (32 hex characters) for a small number. */
export const blockId = (n: number): string => n.toString(16).padStart(32, '0');

export class HolderFixture {
  private readonly engines: TestEngine[] = [];
  private readonly peers: RamPeer[] = [];

  async engine(name: string, opts: Partial<EngineOptionsInput> = {}): Promise<TestEngine> {
    const e = await startEngine(name, opts);
    this.engines.push(e);
    return e;
  }

  /** A node lending `offeredBytes` to peers, with room in memory to spare. */
  lender(name: string, offeredBytes: number): Promise<TestEngine> {
    return this.engine(name, { offeredBytes, memoryBytes: 512 * MiB });
  }

  /** A RAM peer with a fresh identity that `holder` trusts, optionally with its own allowance. */
  async peer(holder: TestEngine, name: string, allowedBytes?: number): Promise<RamPeer> {
    const identity = DeviceIdentity.generate();
    await internals(holder.engine).trust.trust(identity.publicKey, { name, approval: 'cli' });
    if (allowedBytes !== undefined) await internals(holder.engine).trust.setAllowedBytes(identity.publicKey, allowedBytes);
    const peer = await RamPeer.connect(holder.port, identity, name);
    this.peers.push(peer);
    return peer;
  }

  async close(): Promise<void> {
    for (const p of this.peers) p.close();
    await Promise.all(this.engines.map((e) => e.close()));
  }
}
