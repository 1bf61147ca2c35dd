import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseCryptoTask, MAX_BATCH_RECORDS, MAX_BATCH_BYTES, MAX_ASYM_OPS } from '../../../../engine/crypto/pool/crypto-messages';
import { ErrorCodes, isMemCloudError } from '../../../../engine/errors';

const key = new Uint8Array(32);
const rejects = (task: unknown, message: RegExp): void => {
  assert.throws(
    () => parseCryptoTask(task),
    (err: unknown) => isMemCloudError(err, ErrorCodes.BAD_ARGUMENT) && message.test(err.message),
  );
};

describe('parseCryptoTask', () => {
  test('accepts well-formed tasks of every kind and returns them', () => {
    const seal = { kind: 'seal', backend: 'noble', key, nonce: 0, records: [new Uint8Array(65519)] };
    assert.equal(parseCryptoTask(seal), seal);
    const open = { kind: 'open', backend: 'native', key, nonce: 2 ** 53 - 1, records: [new Uint8Array(65535)] };
    assert.equal(parseCryptoTask(open), open);
    const asym = {
      kind: 'asym',
      backend: 'native',
      ops: [
        { op: 'x25519-keypair' },
        { op: 'x25519-dh', secretKey: key, publicKey: key },
        { op: 'ed25519-sign', secretKey: key, message: new Uint8Array(0) },
        { op: 'ed25519-verify', publicKey: key, message: new Uint8Array(5), signature: new Uint8Array(64) },
      ],
    };
    assert.equal(parseCryptoTask(asym), asym);
    assert.ok(parseCryptoTask({ kind: 'seal', backend: 'noble', key, nonce: 0, records: [] }));
  });

  test('rejects unknown kinds, backends and non-objects', () => {
    rejects(null, /must be an object/);
    rejects('seal', /must be an object/);
    rejects({ kind: 'decrypt' }, /kind is unknown: "decrypt"/);
    rejects({ kind: 42 }, /kind is unknown: number/);
    rejects({ kind: 'seal', backend: 'openssl', key, nonce: 0, records: [] }, /backend must be one of native, portable, noble, got "openssl"/);
  });

  test('names the offending field of a batch', () => {
    const base = { kind: 'seal', backend: 'noble', key, nonce: 0, records: [] as unknown[] };
    rejects({ ...base, key: new Uint8Array(16) }, /^key must be 32 bytes, got 16$/);
    rejects({ ...base, key: [1, 2, 3] }, /^key must be a Uint8Array$/);
    rejects({ ...base, nonce: -1 }, /nonce must be a non-negative safe integer/);
    rejects({ ...base, nonce: 2 ** 53 }, /nonce must be a non-negative safe integer/);
    rejects({ ...base, nonce: '1' }, /nonce must be a non-negative safe integer/);
    rejects({ ...base, records: 'abc' }, /records must be an array/);
    rejects({ ...base, records: [new Uint8Array(1), 'x'] }, /^records\[1\] must be a Uint8Array$/);
    rejects({ ...base, records: [new Uint8Array(65520)] }, /^records\[0\] must be at most 65519 bytes, got 65520$/);
    rejects({ ...base, kind: 'open', records: [new Uint8Array(65536)] }, /^records\[0\] must be at most 65535 bytes/);
    rejects({ ...base, nonce: 2 ** 53 - 2, records: [new Uint8Array(1), new Uint8Array(1), new Uint8Array(1)] }, /must stay a safe integer/);
    rejects({ ...base, records: new Array(MAX_BATCH_RECORDS + 1).fill(new Uint8Array(0)) }, /at most 4096 records/);
    const big = new Uint8Array(65519);
    const tooMany = new Array(Math.ceil(MAX_BATCH_BYTES / big.length) + 1).fill(big);
    rejects({ ...base, records: tooMany }, /at most 16777216 bytes/);
  });

  test('names the offending field of an asym op', () => {
    const asym = (...ops: unknown[]): unknown => ({ kind: 'asym', backend: 'noble', ops });
    rejects({ kind: 'asym', backend: 'noble', ops: {} }, /ops must be an array/);
    rejects(asym(null), /^ops\[0\] must be an object$/);
    rejects(asym({ op: 'x25519-keypair' }, { op: 'rsa-sign' }), /^ops\[1\]\.op is unknown: "rsa-sign"$/);
    rejects(asym({ op: 'x25519-dh', secretKey: key }), /^ops\[0\]\.publicKey must be a Uint8Array$/);
    rejects(asym({ op: 'x25519-dh', secretKey: new Uint8Array(31), publicKey: key }), /^ops\[0\]\.secretKey must be 32 bytes, got 31$/);
    rejects(asym({ op: 'ed25519-sign', secretKey: key, message: new Uint8Array(65536) }), /^ops\[0\]\.message must be at most 65535 bytes/);
    rejects(
      asym({ op: 'ed25519-verify', publicKey: key, message: new Uint8Array(1), signature: new Uint8Array(63) }),
      /^ops\[0\]\.signature must be 64 bytes, got 63$/,
    );
    rejects({ kind: 'asym', backend: 'noble', ops: new Array(MAX_ASYM_OPS + 1).fill({ op: 'x25519-keypair' }) }, /at most 256 ops/);
  });
});
