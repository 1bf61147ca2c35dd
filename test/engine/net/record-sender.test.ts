// RecordSender: how queued pieces become records. Small pieces are copied at once and share
// records; the whole-record stretches of a large piece are sealed where they lie; a large queue
// leaves before the tick ends; every record fits the Noise limit, nonces run in order, and the
// plaintext stream is exactly what was queued.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createAead } from '../../../engine/crypto/aead';
import { FrameType, MAX_RECORD_PLAINTEXT } from '../../../engine/net/constants';
import { FrameDecoder, encodeFrameHeader } from '../../../engine/net/framing';
import { KeySchedule } from '../../../engine/net/key-schedule';
import { RecordSender, type RecordSink } from '../../../engine/net/record-sender';
import { allocationsDuring } from '../../support/attacks/alloc-spy';

const tick = () => new Promise<void>((r) => setImmediate(r));

for (const backend of ['native', 'noble'] as const) {
  describe(`RecordSender (${backend}, inline)`, () => {
    const aead = createAead(backend);

    /** A sender writing to memory, and what the peer would decrypt from it, record by record. */
    function setup() {
      const key = randomBytes(32);
      const written: Buffer[] = [];
      const sink: RecordSink = {
        writeRecords: (rs) => rs.forEach((r) => written.push(encodeFrameHeader(FrameType.TRANSPORT, r.length), ...r.pieces.map((p) => Buffer.from(p)))),
        writableLength: 0,
      };
      const failures: unknown[] = [];
      const progress = { calls: 0 };
      const sender = new RecordSender(sink, { aead, pool: null, offloadThreshold: Infinity }, new KeySchedule(aead, Uint8Array.from(key), 1 << 16), (e) => failures.push(e), () => progress.calls++);
      const receiveKeys = new KeySchedule(aead, Uint8Array.from(key), 1 << 16);
      let nonce = 0;
      const records = (): Buffer[] => {
        const out: Buffer[] = [];
        new FrameDecoder().push(Buffer.concat(written.splice(0)), (type, body) => {
          assert.equal(type, FrameType.TRANSPORT);
          out.push(Buffer.from(aead.open(receiveKeys.keyFor(nonce), nonce++, body)));
        });
        return out;
      };
      return { sender, records, failures, progress };
    }

    test('pieces queued in one tick share a record; small pieces are copied when queued', async () => {
      const { sender, records } = setup();
      const scratch = Buffer.from('header');
      sender.enqueue(scratch);
      scratch.fill(0); // the caller may reuse a small piece at once
      sender.enqueue(Buffer.from('body'));
      sender.enqueue(new Uint8Array(0));
      await tick();
      assert.deepEqual(records().map(String), ['headerbody']);
      sender.enqueue(Buffer.from('next tick'));
      await tick();
      assert.deepEqual(records().map(String), ['next tick'], 'a later tick starts a new record');
    });

    test('a large piece becomes full records, each within the Noise limit, bytes in order', async () => {
      const { sender, records, failures } = setup();
      const head = randomBytes(27);
      const big = randomBytes(5 * MAX_RECORD_PLAINTEXT + 1234);
      const tail = randomBytes(300);
      sender.enqueue(head);
      sender.enqueue(big);
      sender.enqueue(tail);
      await tick();
      const got = records();
      assert.ok(got.every((r) => r.length > 0 && r.length <= MAX_RECORD_PLAINTEXT), `record sizes ${got.map((r) => r.length)}`);
      assert.ok(got.length <= 8, `${got.length} records for ${big.length + 327} bytes`);
      assert.deepEqual(Buffer.concat(got), Buffer.concat([head, big, tail]));
      assert.deepEqual(failures, []);
    });

    test('256 KiB or more queued in one go is sealed and written at once; progress is told in a microtask, never inside enqueue()', async () => {
      const { sender, records, progress } = setup();
      const first = randomBytes(200 * 1024);
      const second = randomBytes(100 * 1024);
      sender.enqueue(first);
      assert.deepEqual(records(), [], 'under 256 KiB: waits for the end of the tick');
      sender.enqueue(second);
      const early = records();
      assert.deepEqual(Buffer.concat(early), Buffer.concat([first, second]), 'written before the tick ends, bytes in order');
      assert.equal(progress.calls, 0, 'listeners not called from inside enqueue()');
      const small = Buffer.from('then a small one');
      sender.enqueue(small);
      assert.deepEqual(records(), [], 'the small one waits for the end of the tick');
      await tick();
      assert.deepEqual(records().map(String), [String(small)]);
      assert.ok(progress.calls >= 1, 'progress told after the tick');
    });

    test('thousands of messages over many ticks: every byte arrives in order, no allocation over 64 KiB', async () => {
      const { sender, records } = setup();
      const sent = Array.from({ length: 40 }, (_, round) => Array.from({ length: 60 }, (_, i) => randomBytes(1 + ((round * 61 + i * 37) % 3000))));
      const sizes = await allocationsDuring(async () => {
        for (const messages of sent) {
          for (const m of messages) sender.enqueue(m);
          await tick();
        }
      });
      assert.deepEqual(Buffer.concat(records()), Buffer.concat(sent.flat()));
      assert.ok(Math.max(...sizes) <= 64 * 1024, `largest allocation ${Math.max(...sizes)}`);
    });
  });
}
