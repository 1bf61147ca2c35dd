// Test plumbing: a control server over a real Unix socket in a private temp directory, and a raw
// client that sends arbitrary bytes and collects decoded frames.

import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { ControlServer } from '../../../engine/control/control-server';
import { FrameDecoder } from '../../../engine/control/frame-decoder';
import type { EngineApi } from '../../../engine/api/engine-api';
import { MemCloud, type ConnectOptions } from '../../../engine/sdk/client';
import { withTempDir } from '../../support/temp';


export interface Served {
  readonly path: string;
  readonly server: ControlServer;
  client(opts?: Omit<ConnectOptions, 'path'>): Promise<MemCloud>;
}

/** Runs `fn` against a listening server; closes every client and the server afterwards. */
export async function withServer<T>(api: EngineApi, fn: (s: Served) => Promise<T>): Promise<T> {
  return withTempDir(async (dir) => {
    const path = join(dir, 'control.sock');
    const server = await ControlServer.listen({ path, api });
    const clients: MemCloud[] = [];
    try {
      return await fn({
        path,
        server,
        client: async (opts) => {
          const c = await MemCloud.connect({ ...opts, path });
          clients.push(c);
          return c;
        },
      });
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await server.close();
    }
  });
}

export interface RawFrame {
  readonly kind: number;
  readonly op: number;
  readonly id: number;
  readonly body: Buffer;
}

/** A socket speaking bytes, not the SDK: for malformed input. */
export class RawClient {
  readonly frames: RawFrame[] = [];
  readonly ended: Promise<void>;
  private readonly decoder = new FrameDecoder();
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk, (kind, op, id, body) => this.frames.push({ kind, op, id, body: Buffer.from(body) }));
      for (const w of this.waiters.splice(0)) w();
    });
    this.ended = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => {});
  }

  static open(path: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect(path, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  send(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Resolves once at least `n` frames arrived. */
  async waitFrames(n: number): Promise<RawFrame[]> {
    while (this.frames.length < n) await new Promise<void>((r) => this.waiters.push(r));
    return this.frames;
  }
}

/** One frame: length || kind || op || id || body. */
export function frame(kind: number, op: number, id: number, body: Uint8Array = new Uint8Array(0)): Buffer {
  const h = Buffer.alloc(10);
  h.writeUInt32BE(6 + body.length, 0);
  h[4] = kind;
  h[5] = op;
  h.writeUInt32BE(id, 6);
  return Buffer.concat([h, body]);
}

export const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
export const text = (s: string): Uint8Array => new TextEncoder().encode(s);

