import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEvent } from '../../../engine/api/types';
import { ErrorCodes, MemCloudError, isMemCloudError } from '../../../engine/errors';
import { MemCloud } from '../../../engine/sdk';
import { FakeEngine } from '../../support/fake-engine';
import * as F from '../../support/engine-fixtures';
import { FrameKind, OpCodes } from '../../../engine/control/protocol';
import { RawClient, bytes, frame, text, withServer } from '../control/harness';
import { withTempDir } from '../../support/temp';
import { join } from 'node:path';
import { MAX_VALUE_BYTES } from '../../../engine/data/data-input';

/** The last call the fake received, as it received it. */
const lastCall = (fake: FakeEngine): { method: string; args: unknown[] } => fake.calls[fake.calls.length - 1]!;

describe('MemCloud client: every op round trips with exact types', () => {
  test('keys and blocks (binary ops)', async () => {
    const fake = new FakeEngine();
    await withServer(fake, async ({ client }) => {
      const mc = await client();
      const value = bytes(0, 1, 2, 255);
      assert.equal(await mc.set('user:1', value), undefined);
      assert.deepEqual(lastCall(fake), { method: 'set', args: ['user:1', value] });
      assert.ok(!Buffer.isBuffer(fake.kv.get('user:1')), 'the engine receives a plain Uint8Array');

      const opts = { durability: 'cache', replicas: 3, target: 'remote', name: 'naïve ☃' } as const;
      await mc.set('ключ', new Uint8Array(0), opts);
      assert.deepEqual(lastCall(fake), { method: 'set', args: ['ключ', new Uint8Array(0), opts] });
      // The socket checks options by the API's rules: a value the engine would refuse never reaches it.
      const calls = fake.calls.length;
      await assert.rejects(mc.set('partial', value, { replicas: 1.5 }), (e) => isMemCloudError(e, ErrorCodes.BAD_ARGUMENT) && e.message === 'replicas must be an integer from 1 to 16');
      assert.equal(fake.calls.length, calls);
      await mc.set('partial', value, { replicas: 16 });
      assert.deepEqual(lastCall(fake).args[2], { replicas: 16 });

      assert.deepEqual(await mc.get('user:1'), value); // deepStrictEqual: a Uint8Array, not a Buffer
      assert.deepEqual(await mc.get('ключ'), new Uint8Array(0));
      assert.deepEqual(await mc.keys('user:*'), ['user:1']);
      assert.deepEqual(lastCall(fake), { method: 'keys', args: ['user:*'] });
      assert.deepEqual(await mc.keys(), ['partial', 'user:1', 'ключ']);
      assert.deepEqual(lastCall(fake), { method: 'keys', args: [] });
      assert.equal(await mc.del('user:1'), true);
      assert.equal(await mc.del('user:1'), false);

      const big = new Uint8Array(200_000).map((_, i) => i * 7);
      const ref = await mc.store(big, { durability: 'pinned' });
      assert.deepEqual(lastCall(fake), { method: 'store', args: [big, { durability: 'pinned' }] });
      assert.deepEqual(ref, {
        id: 'b1',
        size: big.length,
        replicas: [
          { holder: 'local', holderName: 'this' },
          { holder: F.peer.publicKey, holderName: 'büro-ñ' },
        ],
      });
      assert.deepEqual(await mc.load(ref.id), big);
      assert.equal(await mc.free(ref.id), undefined);
      await assert.rejects(mc.load(ref.id), { code: 'NOT_FOUND' });
    });
  });

  test('JSON ops', async () => {
    const fake = new FakeEngine();
    await withServer(fake, async ({ client }) => {
      const mc = await client();
      assert.deepEqual(await mc.status(), F.nodeStatus);
      assert.deepEqual(await mc.stats(), F.stats);
      assert.deepEqual(await mc.peers(), [F.peer, F.pendingPeer]);
      assert.deepEqual(await mc.connect('10.0.0.2:7071'), F.peer);
      assert.deepEqual(lastCall(fake), { method: 'connect', args: ['10.0.0.2:7071'] });
      await mc.connect('10.0.0.2:7071', { expectedKey: F.peer.publicKey });
      assert.deepEqual(lastCall(fake), { method: 'connect', args: ['10.0.0.2:7071', { expectedKey: F.peer.publicKey }] });
      assert.equal(await mc.disconnect('desktop'), undefined);
      assert.deepEqual(await mc.updatePeer('desktop', { allowedBytes: 5 }), { ...F.peer, allowedBytes: 5 });
      assert.deepEqual(await mc.trustList(), [F.trusted]);
      assert.deepEqual(await mc.trustAdd('mc1-pk-new', { name: 'new', approval: 'extension' }), { ...F.trusted, publicKey: 'mc1-pk-new', name: 'new' });
      assert.deepEqual(lastCall(fake).args, ['mc1-pk-new', { name: 'new', approval: 'extension' }]);
      assert.deepEqual(await mc.trustRemove('desktop'), { ...F.trusted, status: 'revoked' });
      assert.deepEqual(await mc.trustRename('desktop', 'tower'), { ...F.trusted, name: 'tower' });
      assert.deepEqual(await mc.consentList(), [F.consent]);
      assert.equal(await mc.consentAnswer('c-1', 'always'), undefined);
      assert.deepEqual(lastCall(fake).args, ['c-1', 'always']);
      assert.equal(await mc.setOffer(2 ** 40), undefined);
      assert.deepEqual(lastCall(fake).args, [2 ** 40]);
      assert.deepEqual(await mc.logs({ lines: 2 }), F.logEntries.slice(0, 2));
      assert.deepEqual(await mc.logs(), F.logEntries);
      assert.deepEqual(await mc.listData(), F.dataItems);
      assert.deepEqual(await mc.flush(), { freedItems: 3 });
      assert.deepEqual(await mc.pushFile('/tmp/a b.bin', { name: 'x', transferId: 't1', replicas: 2 }), { ...F.streamInfo, name: '/tmp/a b.bin' });
      assert.deepEqual(lastCall(fake).args, ['/tmp/a b.bin', { name: 'x', transferId: 't1', replicas: 2 }]);
      assert.deepEqual(await mc.pullFile('s9', '/tmp/out', { transferId: 't2' }), { ...F.streamInfo, id: 's9' });
      assert.deepEqual(lastCall(fake).args, ['s9', '/tmp/out', { transferId: 't2' }]);
      assert.equal(await mc.cancelTransfer('t2'), undefined);
      assert.equal(await mc.shutdown(), undefined);
      assert.equal(lastCall(fake).method, 'shutdown');
    });
  });
});

describe('MemCloud client: errors cross with their codes', () => {
  test('engine errors keep code and message; plain errors become INTERNAL', async () => {
    await withServer(new FakeEngine(), async ({ client }) => {
      const mc = await client();
      await assert.rejects(mc.get('missing'), (e: unknown) => {
        assert.ok(e instanceof MemCloudError);
        assert.equal(e.code, ErrorCodes.NOT_FOUND);
        assert.equal(e.message, 'key missing not found');
        return true;
      });
      await assert.rejects(mc.connect('h:1', { expectedKey: 'other' }), { code: 'PEER_KEY_CHANGED' });
      await assert.rejects(mc.consentAnswer('nope', 'deny'), { code: 'CONSENT_NOT_FOUND' });
      await assert.rejects(mc.setOffer(-1), { code: 'BAD_ARGUMENT' });
      await assert.rejects(mc.disconnect('explode'), { code: 'INTERNAL', message: 'disconnect exploded' });
      assert.equal((await mc.status()).name, 'laptop', 'the connection survives errors');
    });
  });

  test('invalid arguments are refused before or at the server, never crash it', async () => {
    const fake = new FakeEngine();
    await withServer(fake, async ({ client }) => {
      const mc = await client();
      await assert.rejects(mc.set(42 as unknown as string, bytes(1)), { code: 'BAD_ARGUMENT' });
      await assert.rejects(mc.set('k', 'text' as unknown as Uint8Array), { code: 'BAD_ARGUMENT' });
      await assert.rejects(mc.set('k'.repeat(5000), bytes(1)), { code: 'BAD_ARGUMENT' });
      // A value over the node's limit is refused before it is sent, with the node's own words.
      const calls = fake.calls.length;
      await assert.rejects(mc.set('k', new Uint8Array(MAX_VALUE_BYTES + 1)), { code: 'BAD_ARGUMENT', message: /at most 16769016 bytes .* this one has 16769017/ });
      await assert.rejects(mc.store(new Uint8Array(16 * 1024 * 1024 + 1)), { code: 'BAD_ARGUMENT', message: /at most 16769016 bytes/ });
      assert.equal(fake.calls.length, calls, 'nothing reached the engine');
      await assert.rejects(mc.store(bytes(1), { durability: 'forever' as 'pinned' }), { code: 'BAD_ARGUMENT' });
      // JSON ops are validated by the server: types, arity, unknown option fields.
      await assert.rejects(mc.setOffer('lots' as unknown as number), { code: 'BAD_REQUEST' });
      await assert.rejects(mc.trustAdd('pk', { name: 'x', color: 'red' } as { name: string }), { code: 'BAD_REQUEST' });
      await assert.rejects(mc.consentAnswer('c-1', 'maybe' as 'deny'), { code: 'BAD_REQUEST' });
      await assert.rejects(mc.updatePeer('p', {} as { allowedBytes: number }), { code: 'BAD_REQUEST' });
      assert.equal((await mc.status()).name, 'laptop');
    });
  });

  test('connecting where no node runs gives NODE_NOT_RUNNING', async () => {
    await withTempDir(async (dir) => {
      await assert.rejects(MemCloud.connect({ path: join(dir, 'control.sock') }), { code: 'NODE_NOT_RUNNING' });
      await assert.rejects(MemCloud.connect({ home: dir }), { code: 'NODE_NOT_RUNNING' });
      await assert.rejects(MemCloud.connect({ path: join(dir, 'x'), streamWindow: 0 }), { code: 'BAD_ARGUMENT' });
    });
  });

  test('calls pending when the node goes away fail with CHANNEL_CLOSED; close() is idempotent', async () => {
    const fake = new FakeEngine({ delay: () => 200 });
    await withServer(fake, async ({ client, server }) => {
      const mc = await client();
      const closedWith = new Promise<MemCloudError | null>((resolve) => mc.onClose(resolve));
      const pending = assert.rejects(mc.status(), { code: 'CHANNEL_CLOSED' });
      await new Promise((r) => setTimeout(r, 20));
      await server.close();
      await pending;
      assert.ok(isMemCloudError(await closedWith, ErrorCodes.CHANNEL_CLOSED));
      await assert.rejects(mc.get('k'), { code: 'CHANNEL_CLOSED' });
      await mc.close();
      await mc.close();
    });
  });
});

describe('MemCloud client: pipelining', () => {
  test('two clients with 1,000 interleaved requests each get the right replies', async () => {
    const fake = new FakeEngine({ delay: () => Math.floor(Math.random() * 8) });
    for (let i = 0; i < 600; i++) fake.kv.set(`a:${i}`, text(`A${i}`));
    for (let i = 0; i < 600; i++) fake.kv.set(`b:${i}`, text(`B${i}`));
    await withServer(fake, async ({ client }) => {
      const [a, b] = await Promise.all([client(), client()]);
      const run = (mc: MemCloud, tag: 'a' | 'b'): Promise<void>[] =>
        Array.from({ length: 1000 }, async (_, i) => {
          const key = `${tag}:${i}`;
          switch (i % 4) {
            case 0:
            case 1: {
              const got = mc.get(key);
              if (i < 600) assert.deepEqual(await got, text(`${tag.toUpperCase()}${i}`));
              else await assert.rejects(got, { code: 'NOT_FOUND', message: `key ${key} not found` });
              return;
            }
            case 2:
              assert.equal(await mc.del(`${tag}:${i}`), i < 600);
              return;
            default: {
              await mc.set(`${tag}:new:${i}`, text(`${tag}${i}!`));
              assert.deepEqual(fake.kv.get(`${tag}:new:${i}`), text(`${tag}${i}!`));
            }
          }
        });
      await Promise.all([...run(a, 'a'), ...run(b, 'b')]);
    });
    const order = fake.completionOrder;
    assert.equal(order.length, 2000);
    assert.ok(order.some((v, i) => i > 0 && v < order[i - 1]!), 'the fake answered out of order');
    assert.ok(fake.maxInFlight > 100, `requests were pipelined (max in flight ${fake.maxInFlight})`);
  });
});

describe('MemCloud client: events', () => {
  test('events reach subscribers only, until they unsubscribe', async () => {
    const fake = new FakeEngine();
    await withServer(fake, async ({ client }) => {
      const sub = await client();
      const got: EngineEvent[] = [];
      const off = sub.subscribe((e) => got.push(e));
      const off2 = sub.subscribe(() => {
        throw new Error('a throwing listener must not hurt the others');
      });
      await sub.subscribed();
      assert.equal(fake.subscriberCount, 1, 'one engine subscription per subscribed connection');

      const events: EngineEvent[] = [
        { type: 'consent-request', request: F.consent },
        { type: 'consent-resolved', id: 'c-1', outcome: 'expired' },
        { type: 'peers-changed' },
        { type: 'progress', progress: { transferId: 't', direction: 'push', doneBytes: 5, totalBytes: null } },
        { type: 'log', entry: F.logEntries[2]! },
        { type: 'stopping', reason: 'requested' },
      ];
      for (const e of events) fake.emit(e);
      await sub.status(); // events were sent before this reply
      assert.deepEqual(got, events);

      off();
      off2();
      await sub.status();
      assert.equal(fake.subscriberCount, 0, 'the last unsubscribe ends the engine subscription');
      fake.emit({ type: 'trust-changed' });
      await sub.status();
      assert.equal(got.length, events.length);
    });
  });

  test('a connection that never subscribed receives no EVENT frames', async () => {
    const fake = new FakeEngine();
    await withServer(fake, async ({ client, path }) => {
      const sub = await client();
      sub.subscribe(() => {});
      await sub.subscribed();
      const raw = await RawClient.open(path);
      raw.send(frame(FrameKind.REQUEST, OpCodes.status, 1));
      await raw.waitFrames(1);
      fake.emit({ type: 'data-changed' });
      raw.send(frame(FrameKind.REQUEST, OpCodes.status, 2));
      const frames = await raw.waitFrames(2);
      assert.deepEqual(
        frames.map((f) => [f.kind, f.id]),
        [
          [FrameKind.RESULT, 1],
          [FrameKind.RESULT, 2],
        ],
      );
      raw.socket.destroy();
    });
  });
});
