// Session resumption against the full handshake (docs/protocol.md section 13), for
// bench/transport.ts: wall time from connect to the open session, and the CPU both processes
// spend per connection (the client's own process.cpuUsage, the peer's reported over the session).

import type { Session } from '../engine/session/session-manager';
import type { Endpoint } from '../test/support/endpoints';

/** The message the peer answers with its process CPU time (µs, user + system) as a double. */
export const MODE_CPU = 3;

export interface ConnectCost {
  /** Median wall time, connect to open session. */
  readonly ms: number;
  /** Mean CPU per connection, both processes together, microseconds. */
  readonly cpuUs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

function peerCpu(s: Session): Promise<number> {
  return new Promise((resolve) => {
    const on = (m: Buffer) => {
      if (m[0] !== MODE_CPU) return;
      s.channel.off('message', on);
      resolve(m.readDoubleBE(1));
    };
    s.channel.on('message', on);
    s.channel.send(Uint8Array.of(MODE_CPU));
  });
}

async function ticketFrom(client: Endpoint, peerKey: string): Promise<void> {
  while (!client.sessions.resumption!.holds(peerKey)) await new Promise((r) => setTimeout(r, 1));
}

/**
 * `rounds` connections after 5 to warm up, each closed before the next. resume: each one resumes
 * with the ticket of the one before (checked), else each is a full handshake.
 */
export async function connectCost(client: Endpoint, port: number, peerKey: string, rounds: number, resume: boolean): Promise<ConnectCost> {
  const times: number[] = [];
  let cpu = 0;
  let peerCpuStart = 0;
  let prev: Session | null = null;
  for (let i = 0; i < rounds + 5; i++) {
    if (prev) {
      if (resume) await ticketFrom(client, peerKey);
      if (i === 5) peerCpuStart = await peerCpu(prev);
      await prev.channel.close();
    }
    const c0 = cpuNow();
    const t = process.hrtime.bigint();
    const s = await client.sessions.dial('127.0.0.1', port, { resume });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (i >= 5) {
      times.push(ms);
      cpu += cpuNow() - c0;
      if (resume && !s.resumed) throw new Error('a connection that should have resumed did not');
    }
    prev = s;
  }
  const peerSpent = (await peerCpu(prev!)) - peerCpuStart;
  await prev!.channel.close();
  return { ms: median(times), cpuUs: (cpu + peerSpent) / rounds };
}
