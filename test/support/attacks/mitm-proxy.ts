// A man in the middle between a real initiator and a real responder: it parses the stream into the
// preamble and whole frames, records them, and forwards each one as given, rewritten or dropped.
// "up" is initiator -> responder, "down" the other way.

import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { splitFrames, type RawFrame } from './wire-bytes';

export type Direction = 'up' | 'down';

export interface ProxiedFrame extends RawFrame {
  readonly dir: Direction;
  /** Position among this direction's frames on this connection. */
  readonly index: number;
  /** Position among this direction's TRANSPORT frames, or -1. */
  readonly transportIndex: number;
}

export interface ProxyHooks {
  /** Rewrites the initiator's 8-byte preamble. */
  preamble?(conn: ProxyConnection, bytes: Buffer): Buffer;
  /** The bytes to forward in place of this frame; null drops it. */
  frame?(conn: ProxyConnection, f: ProxiedFrame): Buffer | null;
}

export class ProxyConnection {
  preamble: Buffer | null = null;
  /** Frames as the endpoints sent them, before any rewriting. */
  readonly frames: Record<Direction, ProxiedFrame[]> = { up: [], down: [] };
  readonly closed: Promise<void>;
  private readonly pending: Record<Direction, Buffer> = { up: Buffer.alloc(0), down: Buffer.alloc(0) };
  private readonly transports: Record<Direction, number> = { up: 0, down: 0 };

  constructor(
    readonly id: number,
    private readonly client: Socket,
    private readonly server: Socket,
    private readonly hooks: ProxyHooks,
  ) {
    const closedOnce = (s: Socket) => new Promise<void>((resolve) => s.once('close', () => resolve()));
    this.closed = Promise.all([closedOnce(client), closedOnce(server)]).then(() => undefined);
    for (const [from, to, dir] of [[client, server, 'up'], [server, client, 'down']] as const) {
      from.on('error', () => undefined);
      from.on('data', (chunk: Buffer) => this.onData(dir, chunk, to));
      from.on('end', () => to.end());
      from.on('close', () => to.end());
    }
  }

  destroy(): void {
    this.client.destroy();
    this.server.destroy();
  }

  /** Frames of one direction and type, in order. */
  framesOf(dir: Direction, type?: number): ProxiedFrame[] {
    return this.frames[dir].filter((f) => type === undefined || f.type === type);
  }

  private onData(dir: Direction, chunk: Buffer, to: Socket): void {
    let bytes = Buffer.concat([this.pending[dir], chunk]);
    if (dir === 'up' && this.preamble === null) {
      if (bytes.length < 8) {
        this.pending[dir] = bytes;
        return;
      }
      this.preamble = Buffer.from(bytes.subarray(0, 8));
      write(to, this.hooks.preamble ? this.hooks.preamble(this, this.preamble) : this.preamble);
      bytes = bytes.subarray(8);
    }
    const { frames, rest } = splitFrames(bytes);
    this.pending[dir] = Buffer.from(rest);
    for (const f of frames) {
      const proxied: ProxiedFrame = {
        type: f.type,
        body: Buffer.from(f.body),
        raw: Buffer.from(f.raw),
        dir,
        index: this.frames[dir].length,
        transportIndex: f.type === 2 ? this.transports[dir]++ : -1,
      };
      this.frames[dir].push(proxied);
      const out = this.hooks.frame ? this.hooks.frame(this, proxied) : proxied.raw;
      if (out !== null) write(to, out);
    }
  }
}

function write(to: Socket, bytes: Buffer): void {
  if (!to.destroyed && to.writable) to.write(bytes);
}

export class MitmProxy {
  readonly connections: ProxyConnection[] = [];
  private waiters: Array<(c: ProxyConnection) => void> = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on 127.0.0.1 and relays every connection to targetPort. */
  static async start(targetPort: number, hooks: ProxyHooks = {}): Promise<MitmProxy> {
    let proxy: MitmProxy | null = null;
    const server = createServer({ pauseOnConnect: true }, (client) => {
      const upstream = connect({ host: '127.0.0.1', port: targetPort });
      client.setNoDelay(true);
      upstream.setNoDelay(true);
      const conn = new ProxyConnection(proxy!.connections.length, client, upstream, hooks);
      proxy!.connections.push(conn);
      proxy!.waiters.shift()?.(conn);
      upstream.once('connect', () => client.resume());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new MitmProxy(server, (server.address() as AddressInfo).port);
    return proxy;
  }

  /** The most recent connection (or the next one, if none arrived yet). */
  latest(): Promise<ProxyConnection> {
    const last = this.connections.at(-1);
    return last ? Promise.resolve(last) : new Promise((resolve) => this.waiters.push(resolve));
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
