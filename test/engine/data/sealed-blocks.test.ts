// Lenders hold only ciphertext (issue 9 item 3), between whole engines over real TCP: what a lender
// keeps of an owner's keys, blocks and streams contains none of their content; another owner cannot
// open it even when the lender hands it over; and the owner's data key is part of its home: without
// it (or with another) the owner refuses to start instead of treating its replicas as corrupt.
// A tampered or swapped replica is rejected and repaired: test/engine/cluster/replicas.test.ts,
// test/engine/data/holder-faults.test.ts. A restarted owner reads back everything it acknowledged:
// test/engine/data/owner-crash.test.ts.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlockSealer } from '../../../engine/data/block-seal';
import { openDataKey } from '../../../engine/data/data-key';
import { loadBackend } from '../../../engine/crypto/backends';
import { homePaths } from '../../../engine/home/paths';
import { isMemCloudError } from '../../../engine/errors';
import { connect, startEngine, trustedEngines, type TestEngine, internals } from '../../support/engines';

const open: TestEngine[] = [];
const dirs: string[] = [];
after(async () => {
  await Promise.all(open.map((e) => e.close()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/**
 * Finds plaintext in stored bytes: true when `stored` contains any 31-byte run of any of `plains`
 * (every such run holds one of the 16-byte pieces at offsets that are multiples of 16, looked up
 * by their first 4 bytes, then compared whole).
 */
function leaks(stored: Uint8Array, plains: readonly Buffer[]): boolean {
  const pieces = new Map<number, Buffer[]>();
  for (const p of plains) {
    for (let at = 0; at + 16 <= p.length; at += 16) {
      const piece = p.subarray(at, at + 16);
      const word = piece.readUInt32LE(0);
      pieces.set(word, [...(pieces.get(word) ?? []), piece]);
    }
  }
  const h = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  for (let at = 0; at + 16 <= h.length; at++) {
    const candidates = pieces.get(h.readUInt32LE(at));
    if (candidates?.some((piece) => h.compare(piece, 0, 16, at, at + 16) === 0)) return true;
  }
  return false;
}

test("a lender's stored bytes hold none of the owner's content; another owner cannot open them", async () => {
  const [owner, lender, other] = await trustedEngines(['owner-seal', 'lender-seal', 'other-seal'], open);
  await connect(owner!, lender!);
  const api = owner!.engine.api;
  const value = randomBytes(5000);
  const block = randomBytes(200_000);
  const streamed = randomBytes(2_500_000);
  await api.set('secret', value);
  const ref = await api.store(block);
  const ws = await api.openWriteStream();
  for (let at = 0; at < streamed.length; at += 700_000) await ws.write(streamed.subarray(at, at + 700_000));
  const info = await ws.end();

  const ns = owner!.engine.identity.publicKeyText;
  const held = internals(lender!.engine).store.ids(ns).map((id) => ({ id, bytes: internals(lender!.engine).store.get(ns, id)! }));
  const catalog = internals(owner!.engine).catalog;
  assert.equal(held.length, catalog.blocks.size, 'the lender holds every block of ours');
  assert.ok(held.length >= 5, 'a key, a block and a stream of several chunks');
  for (const { id, bytes } of held) assert.ok(!leaks(bytes, [value, block, streamed]), `block ${id} holds plaintext`);
  // The check can fail: the plaintext itself is found.
  assert.ok(leaks(Buffer.concat([randomBytes(7), value.subarray(100, 131)]), [value, block, streamed]));
  // The owner reads it all back.
  assert.deepEqual(Buffer.from(await api.get('secret')), value);
  assert.deepEqual(Buffer.from(await api.load(ref.id)), block);
  assert.equal(info.size, streamed.length);

  // The lender hands the sealed key to another owner, who knows exactly what it is: no use.
  const aead = (await loadBackend(owner!.engine.backend)).aead;
  const theirKey = await openDataKey(homePaths(internals(other!.engine).options.home).dataKey, 0);
  const ownKey = await openDataKey(homePaths(internals(owner!.engine).options.home).dataKey, catalog.keyId);
  const record = catalog.blocks.get(catalog.keys.get('secret')!)!;
  const sealed = internals(lender!.engine).store.get(ns, record.id)!;
  assert.throws(() => new BlockSealer(aead, theirKey).open(record, sealed), (e) => isMemCloudError(e, 'CORRUPT_BLOCK'));
  assert.deepEqual(Buffer.from(new BlockSealer(aead, ownKey).open(record, sealed)), value, 'with the right key it opens');
});

test('the data key is part of the home: missing or replaced, the owner does not start, naming the file', async () => {
  const parent = await mkdtemp(join(tmpdir(), 'memcloud-seal-home-'));
  dirs.push(parent);
  const home = join(parent, 'home');
  const path = homePaths(home).dataKey;
  const first = await startEngine('keyed', { home });
  await first.engine.api.set('local', randomBytes(100), { target: 'local' });
  await first.close();
  const key = await readFile(path);

  await unlink(path);
  const refused = (e: unknown) => isMemCloudError(e, 'HOME_UNUSABLE') && (e as Error).message.includes(path);
  await assert.rejects(startEngine('keyed', { home }), (e) => refused(e) && /missing/.test((e as Error).message));
  // A new key in its place (say, from another machine's home) is not taken for ours either.
  const otherDir = await mkdtemp(join(tmpdir(), 'memcloud-seal-other-'));
  dirs.push(otherDir);
  await openDataKey(join(otherDir, 'data_key'), 0);
  await writeFile(path, await readFile(join(otherDir, 'data_key')), { mode: 0o600 });
  await assert.rejects(startEngine('keyed', { home }), (e) => refused(e) && /sealed with key/.test((e as Error).message));

  await writeFile(path, key, { mode: 0o600 });
  const again = await startEngine('keyed', { home });
  open.push(again);
});
