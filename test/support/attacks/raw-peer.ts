// A hostile peer on a raw TCP socket: it writes whatever bytes it likes and records everything the
// victim sends back, parsed into frames by the attacker's own parser. Every wait is bounded.

import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { splitFrames, type RawFrame } from './wire-bytes';

const WAIT_MS = 10_000;

export class RawPeer {
  readonly socket: Socket;
  /** Every byte received, in order (after the preamble, for a listening peer). */
  readonly frames: RawFrame[] = [];
  /** The preamble a listening peer read from its initiator. */
  readonly preamble: Promise<Buffer>;
  readonly closed: Promise<void>;
  private buffered = Buffer.alloc(0);
  private received = Buffer.alloc(0);
  private cursor = 0;
  private preambleLeft: number;
  private resolvePreamble: (b: Buffer) => void = () => undefined;
  private wake: (() => void) | null = null;
  private isClosed = false;

  constructor(socket: Socket, expectPreamble = false) {
    this.socket = socket;
    this.preambleLeft = expectPreamble ? 8 : 0;
    this.preamble = new Promise((resolve) => (this.resolvePreamble = resolve));
    socket.setNoDelay(true);
    socket.on('error', () => undefined); // resets are part of being refused
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        this.wake?.();
        resolve();
      }),
    );
  }

  /** Connects to 127.0.0.1:port, from `localAddress` (another loopback address is another "machine"). */
  static connect(port: number, localAddress?: string): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, ...(localAddress ? { localAddress } : {}) });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawPeer(socket));
      });
    });
  }

  /** All bytes received so far (frames and any trailing partial frame). */
  get bytes(): Buffer {
    return this.received;
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  write(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** The next frame the victim sent; rejects if the connection closes first. */
  async nextFrame(ms = WAIT_MS): Promise<RawFrame> {
    const deadline = Date.now() + ms;
    while (this.cursor >= this.frames.length) {
      if (this.isClosed) throw new Error(`connection closed after ${this.frames.length} frames`);
      if (Date.now() > deadline) throw new Error(`no frame within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.wake = () => (clearTimeout(t), resolve());
      });
      this.wake = null;
    }
    return this.frames[this.cursor++]!;
  }

  /** Frames after those already taken with nextFrame(). */
  remainingFrames(): RawFrame[] {
    return this.frames.slice(this.cursor);
  }

  /** Resolves when the victim has closed the connection. */
  async waitClosed(ms = WAIT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`connection still open after ${ms} ms`)), ms);
    });
    try {
      await Promise.race([this.closed, limit]);
    } finally {
      clearTimeout(timer);
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  close(): void {
    this.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.preambleLeft > 0) {
      const take = Math.min(this.preambleLeft, chunk.length);
      this.buffered = Buffer.concat([this.buffered, chunk.subarray(0, take)]);
      this.preambleLeft -= take;
      chunk = chunk.subarray(take);
      if (this.preambleLeft > 0) return;
      this.resolvePreamble(this.buffered);
      this.buffered = Buffer.alloc(0);
    }
    this.received = Buffer.concat([this.received, chunk]);
    const { frames, rest } = splitFrames(Buffer.concat([this.buffered, chunk]));
    this.frames.push(...frames);
    this.buffered = Buffer.from(rest);
    if (frames.length > 0) this.wake?.();
  }
}

/** A listening attacker: each accepted connection becomes a RawPeer that expects a preamble. */
export class HostileListener {
  readonly peers: RawPeer[] = [];
  private unclaimed: RawPeer[] = [];
  private waiters: Array<(p: RawPeer) => void> = [];

  private constructor(
    readonly server: Server,
    readonly port: number,
  ) {
    server.on('connection', (socket: Socket) => {
      const peer = new RawPeer(socket, true);
      this.peers.push(peer);
      const waiter = this.waiters.shift();
      if (waiter) waiter(peer);
      else this.unclaimed.push(peer);
    });
  }

  static async start(): Promise<HostileListener> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new HostileListener(server, (server.address() as AddressInfo).port);
  }

  /** The next connection not yet handed out. */
  nextPeer(): Promise<RawPeer> {
    const ready = this.unclaimed.shift();
    return ready ? Promise.resolve(ready) : new Promise((resolve) => this.waiters.push(resolve));
  }

  async close(): Promise<void> {
    for (const p of this.peers) p.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
