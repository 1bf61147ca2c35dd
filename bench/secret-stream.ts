// The secret-stream anchor for `npm run bench:transport` and `npm run bench`: hyperswarm's
// secret-stream (sodium-native from npm) between two processes on 127.0.0.1, measured the way
// MemCloud's transport is, in the same run on the same machine:
//   ss_handshake_ms  TCP connect until the responder's first message arrives (its stream is open,
//                    as MemCloud's dial resolves on the responder's HELLO), median of many
//   ss_mbps          1 MiB messages over one stream with backpressure, MB/s (10^6 bytes)

import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import SecretStream from '@hyperswarm/secret-stream';
import { cpuPerMiB, type ChannelFigures } from './channel-cpu';
import { SS_FIN, SS_READY, SS_SINK } from './secret-stream-modes';

export interface SecretStreamPeer {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startSecretStreamPeer(): Promise<SecretStreamPeer> {
  // Node flags (e.g. --cpu-prof) carry over, so both ends can be profiled.
  const child: ChildProcess = spawn(process.execPath, [...process.execArgv, join(__dirname, 'bench-ss-peer.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`secret-stream peer exited with ${code}`)));
  });
  const { port } = JSON.parse(line) as { port: number };
  return {
    port,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

const keyPair = SecretStream.keyPair();

/** A stream to the peer, resolved once the responder's READY message arrived. */
function open(port: number): Promise<SecretStream> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    const stream = new SecretStream(true, socket, { keyPair });
    stream.once('error', reject);
    const onData = (m: Buffer) => {
      if (m[0] !== SS_READY) return;
      stream.off('data', onData);
      resolve(stream);
    };
    stream.on('data', onData);
  });
}

function close(stream: SecretStream): Promise<void> {
  return new Promise((resolve) => {
    stream.once('close', () => resolve());
    stream.destroy();
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function ssHandshakeMs(port: number, rounds: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < rounds + 5; i++) {
    const t = process.hrtime.bigint();
    const stream = await open(port);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (i >= 5) times.push(ms); // the first few warm up the JIT
    await close(stream);
  }
  return median(times);
}

export async function ssBulkMBps(port: number, totalBytes: number): Promise<number> {
  return (await ssBulk(port, totalBytes, NaN)).mbps;
}

/** MB/s, and the CPU each end spent per MiB (the sender is this process, the receiver process `peerPid`). */
export async function ssBulk(port: number, totalBytes: number, peerPid: number): Promise<ChannelFigures> {
  const stream = await open(port);
  try {
    const cpu = cpuPerMiB(peerPid, totalBytes);
    const chunk = Buffer.alloc(1024 * 1024, 0x5a);
    chunk[0] = SS_SINK;
    const t = process.hrtime.bigint();
    for (let sent = 0; sent < totalBytes; sent += chunk.length) {
      if (!stream.write(chunk)) await new Promise<void>((r) => stream.once('drain', () => r()));
    }
    const done = new Promise<number>((resolve) => {
      const onData = (m: Buffer) => {
        if (m[0] !== SS_FIN) return;
        stream.off('data', onData);
        resolve(m.readDoubleBE(1));
      };
      stream.on('data', onData);
    });
    stream.write(Buffer.of(SS_FIN));
    const received = await done;
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    if (received !== totalBytes) throw new Error(`secret-stream peer received ${received} of ${totalBytes} bytes`);
    return { mbps: totalBytes / 1e6 / seconds, ...cpu() };
  } finally {
    await close(stream);
  }
}
