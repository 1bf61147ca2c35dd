// Pull-style reading of a socket: a line, exactly n bytes, or n bytes as a stream of pieces. The
// socket is paused while more than HIGH_WATER bytes wait unread, so a slow consumer never makes us
// buffer a whole large value.

import type { Socket } from 'node:net';

const HIGH_WATER = 256 * 1024;

export class SocketReader {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private wake: (() => void) | null = null;
  private ended = false;
  private failure: Error | null = null;

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      if (this.buffered > HIGH_WATER) socket.pause();
      this.notify();
    });
    socket.on('end', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('error', (err) => {
      this.failure ??= err;
      this.notify();
    });
    socket.on('close', () => {
      this.ended = true;
      this.notify();
    });
  }

  /** The next line without its CRLF; at most `max` bytes. */
  async line(max = 1024): Promise<string> {
    for (;;) {
      const joined = this.peekAll();
      const end = joined.indexOf('\r\n');
      if (end >= 0) {
        this.consume(end + 2);
        return joined.subarray(0, end).toString('latin1');
      }
      if (joined.length > max) throw new Error(`a reply line is longer than ${max} bytes`);
      await this.more();
    }
  }

  /** Exactly `n` bytes (n small). */
  async exact(n: number): Promise<Buffer> {
    while (this.buffered < n) await this.more();
    const all = this.peekAll();
    const out = Buffer.from(all.subarray(0, n));
    this.consume(n);
    return out;
  }

  /** `n` bytes, yielded as they arrive. */
  async *stream(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buffered === 0) await this.more();
      const head = this.chunks[0]!;
      const take = Math.min(head.length, left);
      const piece = head.subarray(0, take);
      this.consume(take);
      left -= take;
      yield piece;
    }
  }

  private peekAll(): Buffer {
    if (this.chunks.length > 1) this.chunks.splice(0, this.chunks.length, Buffer.concat(this.chunks));
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private consume(n: number): void {
    let left = n;
    while (left > 0) {
      const head = this.chunks[0]!;
      if (head.length <= left) {
        this.chunks.shift();
        left -= head.length;
      } else {
        this.chunks[0] = head.subarray(left);
        left = 0;
      }
    }
    this.buffered -= n;
    if (this.buffered <= HIGH_WATER && this.socket.isPaused()) this.socket.resume();
  }

  private async more(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.ended) throw new Error('the connection closed');
    await new Promise<void>((r) => (this.wake = r));
    if (this.failure) throw this.failure;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}
