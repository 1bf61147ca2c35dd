// A Redis (or Redis-compatible) server as the upstream tier, spoken in RESP2 by this file alone:
// GET and SET of `memcloud:bc:<key>`, whose value is the entry as stored in the LAN (entry header
// with the stored response headers, then the payload; see entry-format.ts). Values stream in both
// directions. `redis://[[user]:password@]host[:port][/db]`; AUTH and SELECT when given.

import { connect, type Socket } from 'node:net';
import { Deadline, TIMED_OUT } from '../deadline';
import { decodeEntryHeader, encodeEntryHeader, ENTRY_PREFIX_BYTES, EntryFormatError } from '../entry-format';
import { drained } from '../http-io';
import { SocketReader } from './socket-reader';
import { UpstreamError, type UpstreamEntry, type UpstreamRef, type UpstreamStore, type UpstreamWrite } from './upstream';

export const REDIS_KEY_PREFIX = 'memcloud:bc:';
const MAX_IDLE = 4;
/** A write through, or the rest of a read after its header, may take this long between bytes. */
const IDLE_TIMEOUT_MS = 30_000;

export interface RedisAddress {
  readonly host: string;
  readonly port: number;
  readonly user?: string;
  readonly password?: string;
  readonly db?: number;
}

function bulk(arg: string | Buffer): Buffer[] {
  const b = typeof arg === 'string' ? Buffer.from(arg, 'utf8') : arg;
  return [Buffer.from(`$${b.length}\r\n`, 'latin1'), b, Buffer.from('\r\n', 'latin1')];
}

/** A RESP array of bulk strings: how every command is sent. */
export function encodeCommand(args: readonly (string | Buffer)[]): Buffer {
  return Buffer.concat([Buffer.from(`*${args.length}\r\n`, 'latin1'), ...args.flatMap(bulk)]);
}

class RedisConnection {
  readonly reader: SocketReader;

  private constructor(readonly socket: Socket) {
    this.reader = new SocketReader(socket);
    socket.setNoDelay(true);
  }

  static async open(addr: RedisAddress, deadline: Deadline): Promise<RedisConnection> {
    const socket = connect({ host: addr.host, port: addr.port });
    socket.on('error', () => undefined); // reported through the reader
    const ready = new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const r = await deadline.race(ready).catch((err: Error) => {
      socket.destroy();
      throw new UpstreamError(`cannot connect to redis at ${addr.host}:${addr.port}: ${err.message}`);
    });
    if (r === TIMED_OUT) {
      socket.destroy();
      throw new UpstreamError('redis did not accept the connection within the deadline');
    }
    const conn = new RedisConnection(socket);
    if (addr.password !== undefined) await conn.simple(addr.user ? ['AUTH', addr.user, addr.password] : ['AUTH', addr.password], deadline);
    if (addr.db !== undefined && addr.db !== 0) await conn.simple(['SELECT', String(addr.db)], deadline);
    return conn;
  }

  /** A command whose reply is a status line (+OK). */
  async simple(args: readonly string[], deadline: Deadline): Promise<void> {
    this.socket.write(encodeCommand(args));
    const line = await deadline.race(this.reader.line());
    if (line === TIMED_OUT) throw new UpstreamError(`redis did not answer ${args[0]} within the deadline`);
    if (!line.startsWith('+')) throw new UpstreamError(`redis refused ${args[0]}: ${line.slice(1, 200)}`);
  }
}

export class RedisUpstream implements UpstreamStore {
  readonly description: string;
  private readonly idle: RedisConnection[] = [];
  private closed = false;

  constructor(private readonly addr: RedisAddress) {
    const auth = addr.password !== undefined ? `${addr.user ?? ''}:***@` : '';
    this.description = `redis://${auth}${addr.host}:${addr.port}${addr.db ? `/${addr.db}` : ''}`;
  }

  async fetch(ref: UpstreamRef, deadline: Deadline): Promise<UpstreamEntry | null> {
    const conn = await this.acquire(deadline);
    try {
      conn.socket.write(encodeCommand(['GET', REDIS_KEY_PREFIX + ref.key]));
      const line = await deadline.race(conn.reader.line());
      if (line === TIMED_OUT) throw new UpstreamError('redis did not answer within the deadline');
      if (line === '$-1') {
        this.release(conn);
        return null;
      }
      if (!/^\$\d{1,15}$/.test(line)) throw new UpstreamError(`unexpected redis reply: ${line.slice(0, 200)}`);
      const total = Number(line.slice(1));
      const prefix = await deadline.race(conn.reader.exact(Math.min(total, ENTRY_PREFIX_BYTES)));
      if (prefix === TIMED_OUT) throw new UpstreamError('redis did not send the value within the deadline');
      const metaLength = total >= ENTRY_PREFIX_BYTES ? prefix.readUInt16BE(4) : 0;
      const meta = await deadline.race(conn.reader.exact(Math.min(metaLength, total - prefix.length)));
      if (meta === TIMED_OUT) throw new UpstreamError('redis did not send the value within the deadline');
      const header = decodeEntryHeader(Buffer.concat([prefix, meta]));
      return this.entryBody(conn, header.headers, total - header.length);
    } catch (err) {
      conn.socket.destroy();
      if (err instanceof EntryFormatError) throw new UpstreamError(`the redis value of ${ref.key} is not a MemCloud entry (${err.message})`);
      throw err;
    }
  }

  private entryBody(conn: RedisConnection, headers: UpstreamEntry['headers'], size: number): UpstreamEntry {
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      conn.socket.setTimeout(0);
      if (ok) this.release(conn);
      else conn.socket.destroy();
    };
    conn.socket.setTimeout(IDLE_TIMEOUT_MS, () => conn.socket.destroy(new Error('redis stalled')));
    const body = async function* (reader: SocketReader): AsyncGenerator<Uint8Array> {
      let ok = false;
      try {
        yield* reader.stream(size);
        const crlf = await reader.exact(2);
        if (crlf.toString('latin1') !== '\r\n') throw new UpstreamError('malformed redis bulk reply');
        ok = true;
      } finally {
        finish(ok);
      }
    };
    return { headers, size, body: body(conn.reader), abort: () => finish(false) };
  }

  async store(ref: UpstreamRef, entry: UpstreamWrite): Promise<void> {
    const conn = await this.acquire(new Deadline(IDLE_TIMEOUT_MS));
    conn.socket.setTimeout(IDLE_TIMEOUT_MS, () => conn.socket.destroy(new Error('redis stalled')));
    try {
      const header = encodeEntryHeader(entry.headers);
      const key = Buffer.from(REDIS_KEY_PREFIX + ref.key, 'utf8');
      const head = Buffer.concat([
        Buffer.from('*3\r\n', 'latin1'),
        ...bulk('SET'),
        ...bulk(key),
        Buffer.from(`$${header.length + entry.size}\r\n`, 'latin1'),
        header,
      ]);
      await write(conn.socket, head);
      let sent = 0;
      for await (const chunk of entry.body) {
        sent += chunk.length;
        if (sent > entry.size) throw new UpstreamError('the entry grew while it was written through');
        await write(conn.socket, chunk);
      }
      if (sent !== entry.size) throw new UpstreamError('the entry shrank while it was written through');
      await write(conn.socket, Buffer.from('\r\n', 'latin1'));
      const reply = await conn.reader.line();
      if (reply !== '+OK') throw new UpstreamError(`redis refused SET: ${reply.slice(1, 200)}`);
      conn.socket.setTimeout(0);
      this.release(conn);
    } catch (err) {
      conn.socket.destroy();
      throw err;
    }
  }

  close(): void {
    this.closed = true;
    for (const c of this.idle.splice(0)) c.socket.destroy();
  }

  private async acquire(deadline: Deadline): Promise<RedisConnection> {
    if (this.closed) throw new UpstreamError('the upstream is closed');
    for (let c = this.idle.pop(); c; c = this.idle.pop()) {
      if (!c.socket.destroyed) return c;
    }
    return RedisConnection.open(this.addr, deadline);
  }

  private release(conn: RedisConnection): void {
    if (this.closed || conn.socket.destroyed || this.idle.length >= MAX_IDLE) conn.socket.destroy();
    else this.idle.push(conn);
  }
}

async function write(socket: Socket, data: Uint8Array): Promise<void> {
  if (socket.destroyed) throw new UpstreamError('the redis connection closed');
  if (!socket.write(data)) await drained(socket, 'the redis connection closed');
}
