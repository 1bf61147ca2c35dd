// Every cacophony vector (Noise_XX and Noise_NN, 25519/ChaChaPoly, four hashes), on every backend: handshake
// ciphertexts, the handshake hash, then transport messages after split. The vector file is a copy
// of /work/shared/vectors/noise-cacophony.json (mcginty/cacophony, vectors/cacophony.txt).
//
// Cacophony's "handshake_hash" is h as it stands when the LAST handshake message begins, not the
// final h of spec §5.2 GetHandshakeHash(). We check it there, then check the final h by replaying
// the spec's MixHash steps over the last message with node:crypto, independently of our code.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { HandshakeState, type SplitResult } from '../../../../engine/crypto/noise/handshake-state';
import { x25519KeyPair } from '../../../support/noise-kit';
import { CRYPTO_BACKENDS, type CryptoBackendName } from '../../../../engine/crypto/backend-name';
import { loadBackend, type NoiseSuite } from '../../../../engine/crypto/backends';
import { noiseHashes, type NoiseHash, type NoiseHashName } from '../../../../engine/crypto/noise/hash';
import { COMPACT_SHA256 } from '../../../../engine/crypto/noise/compact-sha256';
import { HANDSHAKE_PATTERNS, isPatternName, type Token } from '../../../../engine/crypto/noise/patterns';

interface Vector {
  protocol_name: string;
  init_prologue: string;
  init_static?: string;
  init_ephemeral: string;
  resp_prologue: string;
  resp_static?: string;
  resp_ephemeral: string;
  handshake_hash: string;
  messages: { payload: string; ciphertext: string }[];
}

const file = JSON.parse(readFileSync(new URL('noise-cacophony.json', import.meta.url), 'utf8')) as { vectors: Vector[] };
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const nodeHashName: Record<NoiseHashName, string> = {
  SHA256: 'sha256',
  SHA512: 'sha512',
  BLAKE2s: 'blake2s256',
  BLAKE2b: 'blake2b512',
};

/** Spec §5.3: the MixHash calls one message makes, given h before it (a key is set by then here). */
function replayMixHash(hash: NoiseHashName, h: Uint8Array, tokens: readonly Token[], message: Uint8Array): string {
  const mix = (data: Uint8Array) => {
    h = createHash(nodeHashName[hash]).update(h).update(data).digest();
  };
  let offset = 0;
  for (const token of tokens) {
    const length = token === 'e' ? 32 : token === 's' ? 48 : 0;
    if (length > 0) mix(message.subarray(offset, offset + length));
    offset += length;
  }
  mix(message.subarray(offset));
  return toHex(h);
}

function party(v: Vector, initiator: boolean, hashImpl: NoiseHash | undefined, suite: Pick<NoiseSuite, 'cipher' | 'dh'>): HandshakeState {
  const [, pattern, dh, cipher, hash] = v.protocol_name.split('_') as [string, string, string, string, NoiseHashName];
  assert.ok(isPatternName(pattern));
  assert.equal(dh, '25519');
  assert.equal(cipher, 'ChaChaPoly');
  const s = initiator ? v.init_static : v.resp_static;
  return new HandshakeState({
    pattern,
    initiator,
    prologue: hex(initiator ? v.init_prologue : v.resp_prologue),
    hash: hashImpl ?? noiseHashes[hash],
    cipher: suite.cipher,
    dh: suite.dh,
    s: s === undefined ? undefined : x25519KeyPair(hex(s)),
    e: x25519KeyPair(hex(initiator ? v.init_ephemeral : v.resp_ephemeral)),
  });
}

describe('cacophony vectors', () => {
  test('the file holds XX and NN for all four hashes', () => {
    const names = file.vectors.map((v) => v.protocol_name).sort();
    const expected = ['NN', 'XX'].flatMap((p) =>
      ['BLAKE2b', 'BLAKE2s', 'SHA256', 'SHA512'].map((h) => `Noise_${p}_25519_ChaChaPoly_${h}`),
    );
    assert.deepEqual(names, expected.sort());
  });

  // Every backend's ChaChaPoly and 25519 must give the vectors' bytes.
  const suites = new Map<CryptoBackendName, NoiseSuite>();
  before(async () => {
    for (const name of CRYPTO_BACKENDS) suites.set(name, (await loadBackend(name)).noise);
  });
  const runs = CRYPTO_BACKENDS.flatMap((backend) =>
    file.vectors.flatMap((v) => [
      { v, backend, name: `${v.protocol_name} on ${backend}`, hashImpl: undefined as NoiseHash | undefined },
      // The engine's handshake hashes with node:crypto: it must give the same bytes.
      ...(v.protocol_name.endsWith('_SHA256') ? [{ v, backend, name: `${v.protocol_name} on ${backend} (the engine's compact SHA-256)`, hashImpl: COMPACT_SHA256 }] : []),
    ]),
  );
  for (const { v, backend, name, hashImpl } of runs) {
    test(name, () => {
      const suite = suites.get(backend)!;
      const init = party(v, true, hashImpl, suite);
      const resp = party(v, false, hashImpl, suite);
      const hash = v.protocol_name.split('_')[4] as NoiseHashName;
      const patternMessages = HANDSHAKE_PATTERNS[v.protocol_name.split('_')[1] as 'XX' | 'NN'].messages;
      const handshakeLength = patternMessages.length;
      assert.ok(v.messages.length > handshakeLength, 'vector has transport messages');

      // Messages alternate initiator -> responder -> initiator ..., handshake and transport alike.
      let initSplit: SplitResult | null = null;
      let respSplit: SplitResult | null = null;
      v.messages.forEach((m, i) => {
        const fromInitiator = i % 2 === 0;
        const payload = hex(m.payload);
        if (i < handshakeLength) {
          const [sender, receiver] = fromInitiator ? [init, resp] : [resp, init];
          const last = i === handshakeLength - 1;
          if (last) {
            assert.equal(toHex(init.handshakeHash), v.handshake_hash, 'h before the last message');
            assert.equal(toHex(resp.handshakeHash), v.handshake_hash, 'h before the last message');
          }
          const ct = sender.writeMessage(payload);
          assert.equal(toHex(ct), m.ciphertext, `handshake message ${i}`);
          assert.equal(toHex(receiver.readMessage(ct)), m.payload, `handshake payload ${i}`);
          if (last) {
            assert.ok(init.complete && resp.complete);
            const finalHash = replayMixHash(hash, hex(v.handshake_hash), patternMessages[i]!, ct);
            assert.notEqual(finalHash, v.handshake_hash);
            initSplit = init.split();
            respSplit = resp.split();
            assert.equal(toHex(initSplit.handshakeHash), finalHash, 'final h, initiator');
            assert.equal(toHex(respSplit.handshakeHash), finalHash, 'final h, responder');
          }
        } else {
          const [sender, receiver] = fromInitiator ? [initSplit!, respSplit!] : [respSplit!, initSplit!];
          const ct = sender.send.encryptWithAd(new Uint8Array(0), payload);
          assert.equal(toHex(ct), m.ciphertext, `transport message ${i}`);
          assert.equal(toHex(receiver.receive.decryptWithAd(new Uint8Array(0), ct)), m.payload, `transport payload ${i}`);
        }
      });
    });
  }
});
