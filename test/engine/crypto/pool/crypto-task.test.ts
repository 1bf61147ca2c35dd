// The worker entry, called directly (no thread): one validated entry, secrets wiped, results movable.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { transferableSymbol, valueSymbol } from 'piscina';
import cryptoTask from '../../../../engine/crypto/pool/crypto-task';
import { InlineCrypto } from '../../../../engine/crypto/pool/inline-crypto';
import type { CryptoReply } from '../../../../engine/crypto/pool/crypto-messages';
import { zeroSecretInputs } from '../../../../engine/crypto/pool/crypto-work';

const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

async function call(message: unknown): Promise<{ reply: CryptoReply; transfer: ArrayBuffer[] }> {
  const moved = (await cryptoTask(message)) as Record<symbol, unknown>;
  return { reply: moved[valueSymbol] as CryptoReply, transfer: moved[transferableSymbol] as ArrayBuffer[] };
}

describe('crypto-task worker entry', () => {
  test('seals like the inline path, transfers the one result buffer and wipes its key copy', async () => {
    const key = rand(32);
    const expected = await new InlineCrypto().seal('native', key, 7, [rand(5), rand(600)].map((r) => r.fill(3)));
    const message = { kind: 'seal', backend: 'native', key: key.slice(), nonce: 7, records: [new Uint8Array(5).fill(3), new Uint8Array(600).fill(3)] };
    const { reply, transfer } = await call(message);
    assert.ok(reply.ok && reply.kind === 'seal');
    assert.deepEqual(reply.records, expected);
    assert.deepEqual(transfer, [reply.records[0]!.buffer]);
    assert.deepEqual(message.key, new Uint8Array(32));
  });

  test('wipes secret keys of asym ops', async () => {
    const secretKey = rand(32);
    const { reply } = await call({ kind: 'asym', backend: 'noble', ops: [{ op: 'ed25519-sign', secretKey, message: rand(4) }] });
    assert.ok(reply.ok);
    assert.deepEqual(secretKey, new Uint8Array(32));
  });

  test('unknown kinds and malformed tasks come back as BAD_ARGUMENT payloads, secrets still wiped', async () => {
    const key = rand(32);
    for (const message of [{ kind: 'explode', key }, null, 5, { kind: 'seal', backend: 'noble', key, nonce: 0, records: 'x' }]) {
      const { reply, transfer } = await call(message);
      assert.equal(reply.ok, false);
      assert.ok(!reply.ok && reply.error.code === 'BAD_ARGUMENT', JSON.stringify(reply));
      assert.deepEqual(transfer, []);
    }
    assert.deepEqual(key, new Uint8Array(32));
  });

  test('a failed open reports failedAt and transfers nothing', async () => {
    const { reply, transfer } = await call({ kind: 'open', backend: 'noble', key: rand(32), nonce: 0, records: [rand(40)] });
    assert.deepEqual(reply, { ok: true, kind: 'open', result: { ok: false, failedAt: 0 } });
    assert.deepEqual(transfer, []);
  });

  test('zeroSecretInputs wipes keys in place and skips buffers already transferred away', async () => {
    const gone = new ArrayBuffer(32);
    const goneKey = new Uint8Array(gone);
    const goneSecret = new Uint8Array(gone);
    structuredClone(gone, { transfer: [gone] });
    assert.equal(goneKey.byteLength, 0);
    const kept = rand(32);
    const secretKey = rand(32);
    const publicKey = rand(32);
    const publicCopy = publicKey.slice();
    zeroSecretInputs({ key: goneKey, ops: [{ op: 'x25519-dh', secretKey: goneSecret, publicKey }] });
    zeroSecretInputs({ key: kept, ops: [{ op: 'x25519-dh', secretKey, publicKey }, null, 3] });
    assert.deepEqual(kept, new Uint8Array(32));
    assert.deepEqual(secretKey, new Uint8Array(32));
    assert.deepEqual(publicKey, publicCopy, 'public inputs are left alone');
  });
});
