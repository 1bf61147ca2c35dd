// Team certificates, revocation lists and the format 2 identity payload, byte for byte
// (docs/protocol.md sections 3.3 and 11): what is signed, what is refused, and what older peers send.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import { MAX_TEAM_CERTIFICATE } from '../../../engine/net/constants';
import { decodePayload, encodePayload } from '../../../engine/net/handshake-payload';
import {
  certificateSignatureValid,
  certificateText,
  decodeCertificate,
  isExpired,
  issueCertificate,
  MAX_CERTIFICATE_BYTES,
  parseCertificateText,
} from '../../../engine/team/certificate';
import { decodeRevocationList, MAX_REVOKED_DEVICES, revocationListValid, revokes, signRevocationList } from '../../../engine/team/revocation-list';

const teamSecret = ed25519.utils.randomSecretKey();
const teamKey = ed25519.getPublicKey(teamSecret);
const deviceKey = ed25519.getPublicKey(ed25519.utils.randomSecretKey());
const fields = { teamKey, deviceKey, serial: 7, expiresAt: 2_000_000_000, teamName: 'Lab', deviceName: 'desk' };

describe('team certificate', () => {
  test('layout: version, team key, device key, serial, expiry, names, signature over the context', () => {
    const cert = issueCertificate(fields, teamSecret);
    const b = Buffer.from(cert.bytes);
    assert.equal(b.length, 147 + 3 + 4);
    assert.equal(b[0], 1);
    assert.deepEqual(b.subarray(1, 33), Buffer.from(teamKey));
    assert.deepEqual(b.subarray(33, 65), Buffer.from(deviceKey));
    assert.equal(b.readBigUInt64BE(65), 7n);
    assert.equal(b.readBigUInt64BE(73), 2_000_000_000n);
    assert.equal(b[81], 3);
    assert.equal(b.subarray(82, 85).toString(), 'Lab');
    assert.equal(b[85], 4);
    assert.equal(b.subarray(86, 90).toString(), 'desk');
    const signed = Buffer.concat([Buffer.from('memcloud/v1/team-certificate'), Buffer.of(0), b.subarray(0, 90)]);
    assert.ok(ed25519.verify(b.subarray(90), signed, teamKey), 'an independent check of the signature');
    assert.ok(certificateSignatureValid(decodeCertificate(cert.bytes)));
    assert.equal(MAX_CERTIFICATE_BYTES, MAX_TEAM_CERTIFICATE);
  });

  test('every flipped byte is malformed or fails the signature', () => {
    const cert = issueCertificate(fields, teamSecret);
    for (let i = 0; i < cert.bytes.length; i++) {
      const bad = Uint8Array.from(cert.bytes);
      bad[i]! ^= 0x01;
      let ok = false;
      try {
        ok = certificateSignatureValid(decodeCertificate(bad));
      } catch {
        ok = false;
      }
      assert.equal(ok, false, `byte ${i}`);
    }
  });

  test('a certificate signed by another key naming this team fails', () => {
    const forged = issueCertificate(fields, ed25519.utils.randomSecretKey());
    assert.deepEqual(forged.teamKey, teamKey);
    assert.equal(certificateSignatureValid(decodeCertificate(forged.bytes)), false);
  });

  test('truncated, extended, wrong version and bad names are malformed', () => {
    const b = issueCertificate(fields, teamSecret).bytes;
    assert.throws(() => decodeCertificate(b.subarray(0, b.length - 1)), /team certificate/);
    assert.throws(() => decodeCertificate(Buffer.concat([b, Buffer.of(0)])), /team certificate/);
    const v2 = Uint8Array.from(b);
    v2[0] = 2;
    assert.throws(() => decodeCertificate(v2), /unknown version/);
    // Each name is refused with the name rule's own reason, said of the field it came in.
    assert.throws(() => issueCertificate({ ...fields, deviceName: 'a\u001bb' }, teamSecret), (err: Error) => err.message.startsWith('device name: a name '));
    assert.throws(() => issueCertificate({ ...fields, teamName: 'x'.repeat(65) }, teamSecret), (err: Error) => /^team name: a name .*64 bytes/.test(err.message));
  });

  test('expiry and the text form', () => {
    const cert = issueCertificate(fields, teamSecret);
    assert.equal(isExpired(cert, 1_999_999_999_999), false);
    assert.equal(isExpired(cert, 2_000_000_000_000), true);
    const text = certificateText(cert);
    assert.match(text, /^mcteam1\.[A-Za-z0-9_-]+$/);
    assert.deepEqual(parseCertificateText(`  ${text}\n`).bytes, cert.bytes);
    assert.throws(() => parseCertificateText(text.slice(1)), /starts with mcteam1\./);
    assert.throws(() => parseCertificateText(text + '!'), /not base64url/);
  });
});

describe('revocation list', () => {
  const a = ed25519.getPublicKey(ed25519.utils.randomSecretKey());
  const b = ed25519.getPublicKey(ed25519.utils.randomSecretKey());

  test('layout: sorted unique keys under a serial, signed over the context', () => {
    const list = signRevocationList(teamKey, 3, [b, a, b], teamSecret);
    const bytes = Buffer.from(list.bytes);
    assert.equal(bytes.length, 43 + 2 * 32 + 64);
    assert.equal(bytes[0], 1);
    assert.equal(bytes.readBigUInt64BE(33), 3n);
    assert.equal(bytes.readUInt16BE(41), 2);
    assert.ok(Buffer.compare(bytes.subarray(43, 75), bytes.subarray(75, 107)) < 0, 'ascending');
    const signed = Buffer.concat([Buffer.from('memcloud/v1/team-revocations'), Buffer.of(0), bytes.subarray(0, 107)]);
    assert.ok(ed25519.verify(bytes.subarray(107), signed, teamKey));
    const back = decodeRevocationList(list.bytes);
    assert.ok(revocationListValid(back));
    assert.ok(revokes(back, a) && revokes(back, b) && !revokes(back, deviceKey));
  });

  test('refused: serial 0, unsorted or repeated keys, count mismatch, too many, another signer', () => {
    const good = Buffer.from(signRevocationList(teamKey, 1, [a, b], teamSecret).bytes);
    const zero = Buffer.from(good);
    zero.writeBigUInt64BE(0n, 33);
    assert.throws(() => decodeRevocationList(zero), /serial/);
    const swapped = Buffer.concat([good.subarray(0, 43), good.subarray(75, 107), good.subarray(43, 75), good.subarray(107)]);
    assert.throws(() => decodeRevocationList(swapped), /ascending/);
    const count = Buffer.from(good);
    count.writeUInt16BE(3, 41);
    assert.throws(() => decodeRevocationList(count), /count/);
    assert.throws(() => decodeRevocationList(Buffer.alloc(43 + (MAX_REVOKED_DEVICES + 1) * 32 + 64, 1)), /exceeds/);
    const other = signRevocationList(teamKey, 9, [a], ed25519.utils.randomSecretKey());
    assert.equal(revocationListValid(decodeRevocationList(other.bytes)), false);
  });
});

describe('identity payload format 2', () => {
  const base = { protocolVersion: 1, identityKey: deviceKey, signature: new Uint8Array(64).fill(5), offeredBytes: 1024, name: 'desk' };

  test('format 1 (no team part) is unchanged: what older peers send and read', () => {
    const p = Buffer.from(encodePayload(base));
    assert.equal(p[0], 1);
    assert.equal(p.length, 108 + 4);
    assert.equal(decodePayload(p).team, undefined);
  });

  test('format 2 carries a certificate behind its u16 length, or length 0', () => {
    const cert = issueCertificate(fields, teamSecret).bytes;
    const p = Buffer.from(encodePayload({ ...base, team: { certificate: cert } }));
    assert.equal(p[0], 2);
    assert.equal(p.readUInt16BE(112), cert.length);
    assert.deepEqual(Buffer.from(decodePayload(p).team!.certificate!), Buffer.from(cert));
    const none = Buffer.from(encodePayload({ ...base, team: { certificate: null } }));
    assert.equal(none.length, 114);
    assert.deepEqual(decodePayload(none).team, { certificate: null });
  });

  test('a length that disagrees, a certificate over the limit, or format 3 is malformed', () => {
    const cert = issueCertificate(fields, teamSecret).bytes;
    const p = Buffer.from(encodePayload({ ...base, team: { certificate: cert } }));
    assert.throws(() => decodePayload(p.subarray(0, p.length - 1)), /certificate length/);
    assert.throws(() => decodePayload(Buffer.concat([p, Buffer.of(0)])), /certificate length/);
    const big = Buffer.concat([p.subarray(0, 112), Buffer.from([0x01, 0x14]), Buffer.alloc(276)]);
    assert.throws(() => decodePayload(big), /too long/);
    const f3 = Buffer.from(p);
    f3[0] = 3;
    assert.throws(() => decodePayload(f3), /unknown format/);
    assert.throws(() => decodePayload(p.subarray(0, 113)), /name length/);
  });
});
