// The node under fuzz: a real `memcloud node run` process in a temporary home, watched for crashes
// (the process exits), hangs (its control socket stops answering) and memory (VmRSS from /proc).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceIdentity } from '../../engine/identity/device-identity';
import { MemCloud } from '../../engine/sdk/client';
import { cli, startNode, type RunningNode } from '../../test/support/node-process';

export class Victim {
  /** Exit codes and signals of node processes that died under fuzz. */
  readonly crashes: string[] = [];
  private readonly rss: number[] = [];
  private sampler: NodeJS.Timeout | null = null;

  private constructor(
    private readonly root: string,
    readonly home: string,
    private readonly node: RunningNode,
  ) {
    this.watch();
  }

  static async start(): Promise<Victim> {
    const root = mkdtempSync(join(tmpdir(), 'memcloud-fuzz-'));
    const home = join(root, 'victim');
    cli(home, ['id']); // creates the identity, so trust can be added before the node runs
    const node = await startNode('victim', home, ['--offer', '64mb', '--memory', '256mb']);
    return new Victim(root, home, node);
  }

  get port(): number {
    return this.node.port;
  }

  /** Makes the node trust these identities (it must be running), over its control socket. */
  async trust(identities: readonly DeviceIdentity[]): Promise<void> {
    const client = await MemCloud.connect({ home: this.home, connectTimeoutMs: 10_000 });
    try {
      for (const [i, identity] of identities.entries()) await client.trustAdd(identity.publicKeyText, { name: `fuzz-${i}` });
    } finally {
      await client.close();
    }
  }

  get running(): boolean {
    return this.node.process.exitCode === null && this.node.process.signalCode === null;
  }

  /** Resident memory now, in MiB. */
  rssMiB(): number {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.node.process.pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  }

  /** Every RSS sample so far (one a second), in MiB. */
  get rssSamples(): readonly number[] {
    return this.rss;
  }

  /** True when the node's control socket answers `status` within 10 s. */
  async answers(): Promise<boolean> {
    let client: MemCloud | null = null;
    try {
      client = await MemCloud.connect({ home: this.home, connectTimeoutMs: 10_000 });
      const status = await Promise.race([client.status(), new Promise<null>((r) => setTimeout(() => r(null), 10_000).unref())]);
      return status !== null;
    } catch {
      return false;
    } finally {
      await client?.close().catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    await this.node.stop();
    rmSync(this.root, { recursive: true, force: true });
  }

  private watch(): void {
    const proc = this.node.process;
    proc.once('exit', (code, signal) => {
      if (this.sampler) clearInterval(this.sampler);
      if (code !== 0 || signal !== null) this.crashes.push(signal ?? `exit ${code}`);
    });
    if (this.sampler) clearInterval(this.sampler);
    this.sampler = setInterval(() => {
      if (this.running) this.rss.push(this.rssMiB());
    }, 1000);
    this.sampler.unref();
  }
}
