// Sealed blocks (issue 9 item 3) and the data key file, on every crypto backend this machine has:
// a block opens only as exactly the block it was sealed as, with the key it was sealed with; the
// data key is created once (0600), read back the same, and any problem with its file stops the
// owner with an error naming the file.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlockSealer, PIECE_BYTES, sealedSize, type BlockIdentity } from '../../../engine/data/block-seal';
import { openDataKey, type DataKey } from '../../../engine/data/data-key';
import { FixedKeyHmac } from '../../../engine/data/fixed-key-hmac';
import { loadBackend } from '../../../engine/crypto/backends';
import { CRYPTO_BACKENDS } from '../../../engine/crypto/backend-name';
import { isMemCloudError } from '../../../engine/errors';

const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'memcloud-seal-'));
  dirs.push(d);
  return d;
}

const id = () => randomBytes(16).toString('hex');
const isCorrupt = (e: unknown) => isMemCloudError(e, 'CORRUPT_BLOCK');

for (const name of CRYPTO_BACKENDS) {
  describe(`sealed blocks (${name})`, () => {
    const sealers = async () => {
      const aead = (await loadBackend(name)).aead;
      const dir = await tempDir();
      return [new BlockSealer(aead, await openDataKey(join(dir, 'a'), 0)), new BlockSealer(aead, await openDataKey(join(dir, 'b'), 0))] as const;
    };

    test('round trip at every size around piece boundaries; the sealed bytes hold none of the content', async () => {
      const [s] = await sealers();
      for (const size of [0, 1, 1000, PIECE_BYTES - 1, PIECE_BYTES, PIECE_BYTES + 1, 3 * PIECE_BYTES, 1024 * 1024 + 7]) {
        const plain = randomBytes(size);
        const block: BlockIdentity = { id: id(), parent: { kind: 'stream', id: id(), index: 3 }, size };
        const sealed = s.seal(block, plain);
        assert.equal(sealed.length, sealedSize(size));
        assert.deepEqual(Buffer.from(s.open(block, sealed)), plain);
        if (size >= 16) assert.equal(Buffer.from(sealed).indexOf(plain.subarray(0, 16)), -1, 'no plaintext in the sealed block');
      }
    });

    test('every changed byte, a cut, a swapped piece, another identity or another key is rejected', async () => {
      const [s, other] = await sealers();
      const size = 2 * PIECE_BYTES + 100;
      const plain = randomBytes(size);
      const block: BlockIdentity = { id: id(), parent: { kind: 'key', key: 'user:1' }, size };
      const sealed = Buffer.from(s.seal(block, plain));
      // A changed byte anywhere: header, every piece's ciphertext and tag.
      for (const at of [0, 4, 8, 9, 8 + PIECE_BYTES + 15, 8 + PIECE_BYTES + 16, sealed.length - 1]) {
        const bad = Buffer.from(sealed);
        bad[at]! ^= 0x01;
        assert.throws(() => s.open(block, bad), isCorrupt, `byte ${at}`);
      }
      assert.throws(() => s.open(block, sealed.subarray(0, sealed.length - 1)), isCorrupt, 'cut short');
      assert.throws(() => s.open({ ...block, size: size - 1 }, sealed.subarray(0, sealed.length - 1)), isCorrupt, 'cut short, told the shorter size');
      const piece = PIECE_BYTES + 16;
      const swapped = Buffer.concat([sealed.subarray(0, 8), sealed.subarray(8 + piece, 8 + 2 * piece), sealed.subarray(8, 8 + piece), sealed.subarray(8 + 2 * piece)]);
      assert.throws(() => s.open(block, swapped), isCorrupt, 'pieces swapped');
      // The same bytes presented as another block of ours: another id, key, or place in a stream.
      assert.throws(() => s.open({ ...block, id: id() }, sealed), isCorrupt, 'another id');
      assert.throws(() => s.open({ ...block, parent: { kind: 'key', key: 'user:2' } }, sealed), isCorrupt, 'another key');
      assert.throws(() => s.open({ ...block, parent: null }, sealed), isCorrupt, 'a stored block');
      const chunk: BlockIdentity = { id: id(), parent: { kind: 'stream', id: id(), index: 0 }, size: 10 };
      const sealedChunk = s.seal(chunk, randomBytes(10));
      assert.throws(() => s.open({ ...chunk, parent: { kind: 'stream', id: (chunk.parent as { id: string }).id, index: 1 } }, sealedChunk), isCorrupt, 'another chunk index');
      // Another owner (another data key) cannot open it, whatever the lender hands over.
      assert.throws(() => other.open(block, sealed), (e) => isCorrupt(e) && /another data key/.test((e as Error).message));
      assert.deepEqual(Buffer.from(s.open(block, sealed)), plain, 'the intact block still opens');
    });
  });
}

/**
 * docs/protocol.md 7.4 computed from the spec's text alone, with node:crypto's HMAC and
 * ChaCha20-Poly1305 objects: what an independent client would write. Every backend must produce
 * exactly these bytes (the wire and every holder's stored blocks depend on them).
 */
function specSeal(dataKey: DataKey, block: BlockIdentity, plain: Uint8Array): Buffer {
  const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(v); return b; };
  const id = Buffer.from(block.id, 'hex');
  const subkey = createHmac('sha256', dataKey.key).update(Buffer.from('MemCloud sealed block v1', 'latin1')).update(id).digest();
  const p = block.parent;
  const item = Buffer.alloc(32);
  if (p?.kind === 'key') createHash('sha256').update(p.key, 'utf8').digest().copy(item);
  if (p?.kind === 'stream') Buffer.from(p.id, 'hex').copy(item);
  const size = Buffer.alloc(8);
  size.writeBigUInt64BE(BigInt(block.size));
  const identity = Buffer.concat([Buffer.from('MCSB'), u32(dataKey.id), id, Buffer.from([p === null ? 0 : p.kind === 'key' ? 1 : 2]), item, u32(p?.kind === 'stream' ? p.index : 0), size]);
  const pieces: Buffer[] = [Buffer.from('MCSB'), u32(dataKey.id)];
  const n = Math.max(1, Math.ceil(block.size / PIECE_BYTES));
  for (let i = 0; i < n; i++) {
    const nonce = Buffer.alloc(12);
    nonce.writeBigUInt64LE(BigInt(i), 4);
    const c = createCipheriv('chacha20-poly1305', subkey, nonce, { authTagLength: 16 });
    const piece = plain.subarray(i * PIECE_BYTES, Math.min(block.size, (i + 1) * PIECE_BYTES));
    c.setAAD(Buffer.concat([identity, u32(i)]), { plaintextLength: piece.length });
    pieces.push(c.update(piece), c.final(), c.getAuthTag());
  }
  return Buffer.concat(pieces);
}

describe('the sealed block format (docs/protocol.md 7.4)', () => {
  test('every backend seals exactly the bytes the spec describes, for each kind of block and size', async () => {
    const dataKey = await openDataKey(join(await tempDir(), 'data_key'), 0);
    const blocks: BlockIdentity[] = [];
    for (const size of [0, 1, 1024, PIECE_BYTES, PIECE_BYTES + 1, 3 * PIECE_BYTES + 5]) {
      blocks.push({ id: id(), parent: null, size });
      blocks.push({ id: id(), parent: { kind: 'key', key: `user:${size}:\u00e9\u{1f600}` }, size });
      blocks.push({ id: id(), parent: { kind: 'stream', id: id(), index: size % 7 }, size });
    }
    // Key names of every length around where the name's digest changes hands (64 UTF-16 units:
    // JavaScript below, node:crypto above) and around SHA-256's block boundaries, ASCII and not.
    for (const len of [0, 1, 55, 56, 63, 64, 65, 119, 120, 300]) {
      blocks.push({ id: id(), parent: { kind: 'key', key: 'k'.repeat(len) }, size: 10 });
      blocks.push({ id: id(), parent: { kind: 'key', key: '\u{1f600}'.repeat(Math.ceil(len / 2)) }, size: 10 });
      blocks.push({ id: id(), parent: { kind: 'key', key: '\u00e9'.repeat(len) }, size: 10 });
    }
    for (const name of CRYPTO_BACKENDS) {
      // With the prepared blocks kept (the default), with a cache that keeps replacing them, and without.
      for (const cached of [undefined, 3, 0]) {
        const sealer = new BlockSealer((await loadBackend(name)).aead, dataKey, null, null, cached);
        const plains = new Map<BlockIdentity, Buffer>();
        for (const block of blocks) {
          const plain = randomBytes(block.size);
          plains.set(block, plain);
          const expected = specSeal(dataKey, block, plain);
          const what = `${name}, cache ${cached ?? 'default'}: ${block.parent?.kind ?? 'stored'} block of ${block.size} bytes`;
          assert.deepEqual(Buffer.from(sealer.seal(block, plain)), expected, what);
          assert.deepEqual(Buffer.from(sealer.open(block, expected)), plain, `${what}: opens the spec's bytes`);
          assert.deepEqual(Buffer.from(sealer.seal(block, plain)), expected, `${what}: sealed again`);
        }
        // Opened again later, oldest first (whatever the cache kept or replaced meanwhile).
        for (const [block, plain] of plains) assert.deepEqual(Buffer.from(sealer.open(block, specSeal(dataKey, block, plain))), plain);
      }
    }
  });

  test('blocks are kept for their reads, not when sealed: a new block is sealed once, under a new id', async () => {
    const dataKey = await openDataKey(join(await tempDir(), 'data_key'), 0);
    const sealer = new BlockSealer((await loadBackend('native')).aead, dataKey);
    const blocks: BlockIdentity[] = Array.from({ length: 10 }, (_, i) => ({ id: id(), parent: { kind: 'key', key: `k${i}` }, size: 1024 }));
    const sealed = blocks.map((b) => sealer.seal(b, randomBytes(b.size)));
    assert.equal(sealer.keptBlocks, 0, 'sealing keeps nothing');
    blocks.forEach((b, i) => sealer.open(b, sealed[i]!));
    assert.equal(sealer.keptBlocks, 10, 'each opened block is kept');
    blocks.forEach((b, i) => sealer.open(b, sealed[i]!));
    assert.equal(sealer.keptBlocks, 10, 'opened again: the same entries');
  });

  test('a kept block is only ever itself: the same id with another parent or size does not open, before or after it was kept', async () => {
    const dataKey = await openDataKey(join(await tempDir(), 'data_key'), 0);
    const sealer = new BlockSealer((await loadBackend('native')).aead, dataKey);
    const block: BlockIdentity = { id: id(), parent: { kind: 'key', key: 'a' }, size: 100 };
    const sealed = sealer.seal(block, randomBytes(100));
    for (const imposter of [{ ...block, parent: { kind: 'key', key: 'b' } }, { ...block, parent: null }, { ...block, parent: { kind: 'stream', id: id(), index: 0 } }] as BlockIdentity[]) {
      assert.throws(() => sealer.open(imposter, sealed), isCorrupt);
      sealer.open(block, sealed); // the real one keeps opening, kept or not
    }
    sealer.forget();
    assert.equal(sealer.open(block, sealed).length, 100, 'opens after forget, prepared afresh');
  });

  test('the subkeys are HMAC-SHA256 under the data key, call after call', () => {
    const macOf = (m: FixedKeyHmac, msg: Uint8Array, at: number): Buffer => {
      const out = Buffer.alloc(32);
      m.macInto(msg, at, out);
      return out;
    };
    const key = randomBytes(32);
    const label = Buffer.from('MemCloud sealed block v1', 'latin1');
    const mac = new FixedKeyHmac(key, label, 16);
    for (let i = 0; i < 50; i++) {
      const msg = randomBytes(40);
      const at = i % 24;
      const expected = createHmac('sha256', key).update(label).update(msg.subarray(at, at + 16)).digest();
      assert.deepEqual(macOf(mac, msg, at), expected);
    }
    const short = randomBytes(5);
    assert.deepEqual(macOf(new FixedKeyHmac(short, Buffer.alloc(0), 3), Buffer.from('abc'), 0), createHmac('sha256', short).update('abc').digest());
  });
});

describe('the data key file', () => {
  test('created once with mode 0600 and read back the same', async () => {
    const path = join(await tempDir(), 'data_key');
    const k = await openDataKey(path, 0);
    assert.notEqual(k.id, 0);
    if (process.platform !== 'win32') assert.equal((await stat(path)).mode & 0o777, 0o600);
    const again = await openDataKey(path, k.id);
    assert.equal(again.id, k.id);
    assert.deepEqual(Buffer.from(again.key), Buffer.from(k.key));
  });

  test('missing while blocks were sealed, damaged, of another key, or open to others: refused, naming the file', async () => {
    const dir = await tempDir();
    const path = join(dir, 'data_key');
    const names = (e: unknown) => isMemCloudError(e, 'HOME_UNUSABLE') && (e as Error).message.includes(path);
    await assert.rejects(openDataKey(path, 0x1234), (e) => names(e) && /missing/.test((e as Error).message));
    const k = await openDataKey(path, 0);
    await assert.rejects(openDataKey(path, k.id ^ 1), (e) => names(e) && /sealed with key/.test((e as Error).message));
    const good = await readFile(path);
    for (const [what, bytes] of [
      ['a flipped key byte', Buffer.concat([good.subarray(0, 20), Buffer.from([good[20]! ^ 1]), good.subarray(21)])],
      ['cut short', good.subarray(0, good.length - 1)],
      ['empty', Buffer.alloc(0)],
      ['another file', Buffer.from('{"hello": 1}')],
    ] as const) {
      await writeFile(path, bytes, { mode: 0o600 });
      await assert.rejects(openDataKey(path, k.id), names, what);
      await assert.rejects(openDataKey(path, 0), names, `${what}, even with nothing sealed yet: never replaced`);
    }
    await writeFile(path, good);
    if (process.platform !== 'win32') {
      await chmod(path, 0o644);
      await assert.rejects(openDataKey(path, k.id), (e) => names(e) && /readable by others/.test((e as Error).message));
      await chmod(path, 0o600);
    }
    assert.equal((await openDataKey(path, k.id)).id, k.id);
  });
});
