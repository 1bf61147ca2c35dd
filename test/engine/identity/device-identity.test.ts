import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { format, inspect } from 'node:util';
import { ed25519 } from '@noble/curves/ed25519.js';
import { DeviceIdentity } from '../../../engine/identity/device-identity';
import { fingerprint } from '../../../engine/identity/fingerprint';

/** Every spelling of the secret we would not want to see in output. */
function secretSpellings(secret: Uint8Array): string[] {
  const buf = Buffer.from(secret);
  return [buf.toString('base64url'), buf.toString('base64'), buf.toString('hex'), [...buf].join(','), [...buf].join(', ')];
}

function consoleOutput(value: unknown): string {
  let out = '';
  const sink = new Writable({ write(chunk, _enc, done) { out += String(chunk); done(); } });
  const c = new Console({ stdout: sink, stderr: sink });
  c.log(value);
  c.log('%o', value);
  c.dir(value, { showHidden: true, depth: null });
  c.error({ nested: { value } });
  return out;
}

describe('DeviceIdentity', () => {
  test('derives public key, text form and fingerprint from the seed', () => {
    const seed = ed25519.utils.randomSecretKey();
    const id = new DeviceIdentity(seed, '2025-01-01T00:00:00.000Z');
    assert.deepEqual(id.publicKey, ed25519.getPublicKey(seed));
    assert.equal(id.publicKeyText, Buffer.from(ed25519.getPublicKey(seed)).toString('base64url'));
    assert.equal(id.fingerprint, fingerprint(id.publicKey));
    assert.equal(id.shortFingerprint, id.fingerprint.slice(0, 9));
  });

  test('refuses a public key that does not derive from the seed', () => {
    const seed = ed25519.utils.randomSecretKey();
    const other = ed25519.getPublicKey(ed25519.utils.randomSecretKey());
    assert.throws(() => new DeviceIdentity(seed, '2025-01-01T00:00:00.000Z', other), /does not match/);
    assert.throws(() => new DeviceIdentity(seed.subarray(0, 31), '2025-01-01T00:00:00.000Z'), RangeError);
  });

  test('signs verifiably', () => {
    const id = DeviceIdentity.generate();
    const msg = new TextEncoder().encode('hello');
    assert.ok(ed25519.verify(id.sign(msg), msg, id.publicKey));
  });

  test('hands out copies, never its own buffers', () => {
    const id = DeviceIdentity.generate();
    const secret = id.exportSecretKeyForSigning();
    secret.fill(0);
    assert.notDeepEqual(id.exportSecretKeyForSigning(), secret);
    const pk = id.publicKey;
    pk.fill(0);
    assert.notDeepEqual(id.publicKey, pk);
  });

  test('the secret does not appear in JSON, inspect, String or console output', () => {
    const id = DeviceIdentity.generate();
    const secret = id.exportSecretKeyForSigning();
    const outputs = [
      JSON.stringify(id), JSON.stringify({ id }), JSON.stringify({ ...id }), String(id), `${id}`,
      inspect(id), inspect(id, { showHidden: true, depth: Infinity, getters: true }), format('%o %O %j %s', id, id, id, id),
      consoleOutput(id), Object.keys(id).join(','), JSON.stringify(Object.getOwnPropertyNames(id)),
    ];
    for (const out of outputs) {
      for (const spelling of secretSpellings(secret)) assert.ok(!out.includes(spelling), `secret leaked in: ${out.slice(0, 200)}`);
    }
    // The public values are what they show instead.
    assert.ok(JSON.stringify(id).includes(id.publicKeyText));
    assert.ok(inspect(id).includes(id.fingerprint));
  });

  test('structuredClone (worker messages) does not carry the secret', () => {
    const id = DeviceIdentity.generate();
    const clone = structuredClone(id) as unknown as Record<string, unknown>;
    const text = JSON.stringify(clone);
    for (const spelling of secretSpellings(id.exportSecretKeyForSigning())) assert.ok(!text.includes(spelling));
  });
});
