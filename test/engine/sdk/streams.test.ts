import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FrameKind, OpCodes, DEFAULT_STREAM_WINDOW } from '../../../engine/control/protocol';
import { ErrorCodes, MemCloudError } from '../../../engine/errors';
import { FakeEngine, GENERATED_CHUNK, generatedChunk } from '../../support/fake-engine';
import { RawClient, bytes, frame, text, withServer } from '../control/harness';
import { eventuallyPasses } from '../../support/eventually';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Peak of live ArrayBuffer memory above the baseline, sampled after a full GC. */
class MemoryProbe {
  private readonly base: number;
  peak = 0;
  constructor() {
    gc();
    gc();
    this.base = process.memoryUsage().arrayBuffers;
  }
  sample(): void {
    // Twice: the first collection's ArrayBuffer sweeping finishes when the next one starts.
    gc();
    gc();
    this.peak = Math.max(this.peak, process.memoryUsage().arrayBuffers - this.base);
  }
}

const MiB = 1024 * 1024;
const BIG = 64 * MiB;

async function* generated(total: number, onChunk?: (i: number) => void): AsyncGenerator<Uint8Array> {
  for (let i = 0; i * GENERATED_CHUNK < total; i++) {
    onChunk?.(i);
    yield generatedChunk(i, Math.min(GENERATED_CHUNK, total - i * GENERATED_CHUNK));
  }
}

async function hashOf(total: number): Promise<string> {
  const h = createHash('sha256');
  for await (const c of generated(total)) h.update(c);
  return h.digest('hex');
}

const concat = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of chunks) out.push(c);
  return out;
}

describe('streams through the control socket', () => {
  test('write then read back, with chunks split into frames and a small window', async () => {
    const fake = new FakeEngine();
    await withServer(fake, async ({ client }) => {
      const mc = await client({ streamWindow: 64 * 1024 });
      const parts = [generatedChunk(1, 2.5 * MiB), generatedChunk(2, 100_000), ...Array.from({ length: 10 }, (_, i) => generatedChunk(i + 3, 1000 + i))];
      const w = await mc.openWriteStream({ name: 'mix', replicas: 1 });
      assert.deepEqual(fake.calls.at(-1), { method: 'openWriteStream', args: [{ name: 'mix', replicas: 1 }] });
      await Promise.all(parts.map((p) => w.write(p))); // not awaited one by one: order must still hold
      const info = await w.end();
      const all = concat(parts);
      assert.deepEqual(info, { id: w.id, name: 'mix', size: all.length, chunks: 3 + 1 + 10, digest: createHash('sha256').update(all).digest('hex'), format: 'file', replicas: [] });

      const r = await mc.openReadStream(info.id);
      assert.deepEqual(r.info, info);
      const got: Uint8Array[] = [];
      for (let c = await r.read(); c !== null; c = await r.read()) got.push(c);
      assert.deepEqual(concat(got), all);
      assert.equal(await r.read(), null);
      await assert.rejects(w.write(bytes(1)), { code: 'BAD_ARGUMENT' }, 'no write after end');
    });
  });

  test('a read stream never has more than its window unacknowledged, though its chunks are larger (protocol.md 10.4)', async () => {
    const fake = new FakeEngine();
    await withServer(fake, async ({ path }) => {
      const raw = await RawClient.open(path);
      try {
        const total = 3 * MiB + 12_345;
        const window = 100_000; // not a divisor of the 1 MiB chunks
        raw.send(frame(FrameKind.REQUEST, OpCodes.openReadStream, 1, text(JSON.stringify([`gen:${total}`, window]))));
        const [opened] = await raw.waitFrames(1);
        assert.equal(opened!.kind, FrameKind.RESULT);
        const { stream } = JSON.parse(opened!.body.toString()) as { stream: number };
        const got: Buffer[] = [];
        let received = 0;
        let acked = 0;
        let seen = 1;
        let ended = false;
        for (let round = 0; !ended; round++) {
          await raw.waitFrames(seen + 1);
          for (; seen < raw.frames.length; seen++) {
            const f = raw.frames[seen]!;
            assert.equal(f.id, stream);
            if (f.kind === FrameKind.END) {
              ended = true;
              break;
            }
            assert.equal(f.kind, FrameKind.CHUNK);
            got.push(f.body);
            received += f.body.length;
            assert.ok(received - acked <= window, `${received - acked} bytes unacknowledged, over the window of ${window}`);
          }
          // Acknowledge what arrived, in two uneven parts (every third round only the first).
          const first = Math.ceil((received - acked) / 3);
          const ack = (n: number): void => {
            if (n <= 0) return;
            const b = Buffer.alloc(4);
            b.writeUInt32BE(n);
            raw.send(frame(FrameKind.ACK, 0, stream, b));
            acked += n;
          };
          ack(first);
          if (round % 3 !== 2) ack(received - acked);
        }
        assert.deepEqual(Buffer.concat(got), Buffer.from(concat([...(await collect(generated(total)))])));
      } finally {
        raw.socket.destroy();
      }
    });
  });

  test('a large chunk is sent without a copy, yet may be reused as soon as write() resolves', async () => {
    const fake = new FakeEngine();
    await withServer(fake, async ({ client }) => {
      const mc = await client();
      const w = await mc.openWriteStream();
      const buffer = Buffer.from(generatedChunk(7, 3 * MiB));
      const first = Buffer.from(buffer);
      await w.write(buffer);
      buffer.fill(0xee); // reused at once, as a read loop reusing one buffer would
      await w.write(buffer);
      const info = await w.end();
      const stored = Buffer.concat(fake.streams.get(info.id)!.chunks);
      assert.equal(stored.length, 6 * MiB);
      assert.ok(stored.subarray(0, 3 * MiB).equals(first), 'the first write carried the bytes it had when it was made');
      assert.ok(stored.subarray(3 * MiB).every((b) => b === 0xee));
    });
  });

  test('64 MiB each way through Node streams with memory bounded by the window', async (t) => {
    const fake = new FakeEngine({ retainStreams: false });
    const expected = await hashOf(BIG);
    await withServer(fake, async ({ client }) => {
      const mc = await client();
      const window = DEFAULT_STREAM_WINDOW;

      const up = new MemoryProbe();
      // Byte mode: an object-mode source would itself read 16 chunks ahead.
      const source = Readable.from(generated(BIG, (i) => i % 4 === 0 && up.sample()), { objectMode: false, highWaterMark: MiB });
      const info = await mc.storeStream(source, { name: 'big' });
      assert.equal(info.size, BIG);
      assert.equal(info.digest, expected);
      assert.ok(up.peak < 3 * window, `upload peak ${(up.peak / MiB).toFixed(1)} MiB stays under 3 windows`);

      const down = new MemoryProbe();
      const hash = createHash('sha256');
      let size = 0;
      let sinceSample = 0;
      const source2 = mc.loadStream(`gen:${BIG}`);
      const infoEvent = new Promise((resolve) => source2.once('info', resolve));
      await pipeline(
        source2,
        new Writable({
          write(chunk: Buffer, _enc, cb) {
            hash.update(chunk);
            size += chunk.length;
            sinceSample += chunk.length;
            if (sinceSample >= 4 * MiB) {
              sinceSample = 0;
              down.sample();
            }
            cb();
          },
        }),
      );
      assert.equal(size, BIG);
      assert.equal(hash.digest('hex'), expected);
      assert.equal(((await infoEvent) as { size: number }).size, BIG);
      t.diagnostic(`live ArrayBuffer peak: upload ${(up.peak / MiB).toFixed(1)} MiB, download ${(down.peak / MiB).toFixed(1)} MiB`);
      assert.ok(down.peak < 3 * window, `download peak ${(down.peak / MiB).toFixed(1)} MiB stays under 3 windows`);
    });
  });

  test('createWriteStream: pipeline stores and `done` gives the StreamInfo', async () => {
    const fake = new FakeEngine();
    await withServer(fake, async ({ client }) => {
      const mc = await client();
      const ws = mc.createWriteStream({ name: 'piped' });
      await pipeline(Readable.from(generated(3 * MiB + 5)), ws);
      const info = await ws.done;
      assert.equal(info.size, 3 * MiB + 5);
      assert.equal(info.digest, await hashOf(3 * MiB + 5));
      assert.equal(fake.streams.get(info.id)?.info.name, 'piped');
    });
  });

  test('destroying a createWriteStream midway aborts the stream', async () => {
    const fake = new FakeEngine();
    await withServer(fake, async ({ client }) => {
      const mc = await client();
      const ws = mc.createWriteStream();
      const errored = new Promise((resolve) => ws.once('error', resolve));
      const aborted = fake.nextAbort();
      await new Promise<void>((resolve, reject) => ws.write(generatedChunk(0, 1000), (err) => (err ? reject(err) : resolve())));
      ws.destroy(new Error('changed my mind'));
      await aborted;
      await assert.rejects(ws.done, /changed my mind/);
      assert.match(String(await errored), /changed my mind/);
      assert.equal(fake.streams.size, 0, 'nothing stored');
    });
  });

  test('a client disconnecting mid-write makes the server abort the stream', async () => {
    const fake = new FakeEngine();
    await withServer(fake, async ({ client }) => {
      const mc = await client();
      const w = await mc.openWriteStream();
      for (let i = 0; i < 3; i++) await w.write(generatedChunk(i, 300_000));
      await mc.status(); // the writes have reached the engine
      const aborted = fake.nextAbort();
      await mc.close();
      await aborted;
      assert.deepEqual(fake.abortedStreams, [w.id]);
      assert.equal(fake.streams.size, 0, 'nothing half-stored');
    });
  });

  test('a failing chunk fails the stream with its code and aborts it', async () => {
    const fake = new FakeEngine({ failWriteAt: { call: 3, error: new MemCloudError(ErrorCodes.QUOTA_EXCEEDED, 'peer quota reached') } });
    await withServer(fake, async ({ client }) => {
      const mc = await client();
      const w = await mc.openWriteStream();
      const writes = Array.from({ length: 6 }, (_, i) => w.write(generatedChunk(i, 10_000)).catch((e: unknown) => e));
      await assert.rejects(w.end(), { code: 'QUOTA_EXCEEDED', message: 'peer quota reached' });
      await Promise.all(writes);
      await assert.rejects(w.write(bytes(1)), { code: 'QUOTA_EXCEEDED' });
      await eventuallyPasses(() => assert.deepEqual(fake.abortedStreams, [w.id]));
      assert.equal(fake.streams.size, 0);
      await w.abort(); // still fine afterwards
    });
  });

  test('read errors reach the reader with their code; closing early closes the engine stream', async () => {
    const fake = new FakeEngine({ failReadAfter: 2 });
    await withServer(fake, async ({ client }) => {
      const mc = await client();
      const r = await mc.openReadStream(`gen:${10 * MiB}`);
      assert.ok((await r.read()) instanceof Uint8Array);
      assert.ok((await r.read()) instanceof Uint8Array);
      await assert.rejects(r.read(), { code: 'CORRUPT_BLOCK' });
      await assert.rejects(mc.openReadStream('nope'), { code: 'NOT_FOUND' });
    });
    const fake2 = new FakeEngine();
    await withServer(fake2, async ({ client }) => {
      const mc = await client();
      const r = await mc.openReadStream(`gen:${100 * MiB}`);
      assert.equal((await r.read())?.length, GENERATED_CHUNK);
      r.close();
      assert.equal(await r.read(), null);
      await eventuallyPasses(() => assert.deepEqual(fake2.closedReadStreams, [`gen:${100 * MiB}`]));
      const s = mc.loadStream(`gen:${100 * MiB}`);
      await new Promise((resolve) => s.once('data', resolve));
      s.destroy();
      await eventuallyPasses(() => assert.equal(fake2.closedReadStreams.length, 2));
    });
  });

  test('the server never sends more than the window ahead of the ACKs', async () => {
    await withServer(new FakeEngine(), async ({ path }) => {
      const raw = await RawClient.open(path);
      raw.send(frame(FrameKind.REQUEST, OpCodes.openReadStream, 1, text(`["gen:${10 * MiB}",${2 * MiB}]`)));
      const [opened] = await raw.waitFrames(1);
      const { stream } = JSON.parse(opened!.body.toString()) as { stream: number };
      const chunkBytes = (): number => raw.frames.filter((f) => f.kind === FrameKind.CHUNK && f.id === stream).reduce((n, f) => n + f.body.length, 0);
      await raw.waitFrames(3);
      await new Promise((r) => setTimeout(r, 100)); // room for any excess to (wrongly) arrive
      assert.equal(chunkBytes(), 2 * MiB);
      const ack = Buffer.alloc(4);
      ack.writeUInt32BE(MiB);
      raw.send(frame(FrameKind.ACK, 0, stream, ack));
      await raw.waitFrames(4);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(chunkBytes(), 3 * MiB);
      raw.socket.destroy();
    });
  });

  test('the server refuses a client that writes past the window, and aborts that stream', async () => {
    let release!: () => void;
    const fake = new FakeEngine({ writeGate: new Promise<void>((r) => (release = r)) });
    await withServer(fake, async ({ path }) => {
      const raw = await RawClient.open(path);
      raw.send(frame(FrameKind.REQUEST, OpCodes.openWriteStream, 1));
      const [opened] = await raw.waitFrames(1);
      const { stream } = JSON.parse(opened!.body.toString()) as { stream: number };
      const head = Buffer.alloc(4);
      head.writeUInt32BE(stream);
      const chunk = Buffer.concat([head, Buffer.alloc(MiB)]);
      const aborted = fake.nextAbort();
      for (let id = 2; id <= 10; id++) raw.send(frame(FrameKind.REQUEST, OpCodes.streamWrite, id, chunk));
      const frames = await raw.waitFrames(2);
      assert.equal(frames[1]!.kind, FrameKind.ERROR);
      assert.equal(frames[1]!.id, 10, 'the ninth MiB is one too many');
      assert.equal(JSON.parse(frames[1]!.body.toString()).code, 'BAD_REQUEST');
      await aborted;
      release();
      const all = await raw.waitFrames(10);
      assert.ok(all.slice(1).every((f) => f.kind === FrameKind.ERROR), 'no chunk of the failed stream is acknowledged');
      raw.socket.destroy();
    });
  });
});
