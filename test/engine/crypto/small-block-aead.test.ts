// Small owner-sealed blocks with another backend's AEAD (engine/crypto/small-block-aead.ts; native
// nodes use libsodium for blocks up to crypto/place.ts's maxBytes): the sealed bytes are exactly
// those of the node's own AEAD (which block-seal.test.ts checks against docs/protocol.md 7.4), the
// other backend serves only small blocks and only once loaded, and a load that fails changes nothing.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aead } from '../../../engine/crypto/aead/aead';
import { portableChaChaPoly } from '../../../engine/crypto/aead/portable-chachapoly';
import { loadBackend } from '../../../engine/crypto/backends';
import { PLACEMENT } from '../../../engine/crypto/place';
import { SmallBlockAead } from '../../../engine/crypto/small-block-aead';
import { BlockSealer, type BlockIdentity } from '../../../engine/data/block-seal';
import { openDataKey } from '../../../engine/data/data-key';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** libsodium's AEAD, counting the blocks it seals and opens. */
class CountingAead extends Aead {
  calls = 0;
  override sealInto(...args: Parameters<Aead['sealInto']>): void {
    this.calls++;
    super.sealInto(...args);
  }
  override open(...args: Parameters<Aead['open']>): Uint8Array {
    this.calls++;
    return super.open(...args);
  }
  override openInto(...args: Parameters<Aead['openInto']>): void {
    this.calls++;
    super.openInto(...args);
  }
}

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'memcloud-small-'));
  dirs.push(dir);
  const dataKey = await openDataKey(join(dir, 'data_key'), 0);
  await loadBackend('portable');
  const native = (await loadBackend('native')).aead;
  return { dataKey, native, counting: new CountingAead(portableChaChaPoly), reference: new BlockSealer(native, dataKey) };
}

const id = () => randomBytes(16).toString('hex');
const blocks = (sizes: readonly number[]): BlockIdentity[] => sizes.map((size, i) => ({ id: id(), parent: { kind: 'key', key: `k${i}` }, size }));

describe('small blocks sealed with another backend', () => {
  test('native nodes seal blocks up to 1.5 KiB with libsodium (crypto/place.ts)', () => {
    assert.deepEqual(PLACEMENT.native.smallBlocks, { backend: 'portable', maxBytes: 1536 });
    assert.equal(PLACEMENT.portable.smallBlocks ?? null, null);
    assert.equal(PLACEMENT.noble.smallBlocks ?? null, null);
  });

  test('the same bytes as the node own AEAD; only small blocks, and only once loaded', async () => {
    const { dataKey, native, counting, reference } = await setup();
    let loaded!: () => void;
    const loading = new Promise<{ aead: Aead }>((resolve) => (loaded = () => resolve({ aead: counting })));
    const small = new SmallBlockAead('portable', 1536, () => loading);
    const sealer = new BlockSealer(native, dataKey, null, small);
    const all = blocks([0, 1, 1024, 1536, 1537, 4096, 40_000]);
    const plain = all.map((b) => randomBytes(b.size));
    // Still loading: everything is sealed with the node's own AEAD.
    all.forEach((b, i) => assert.deepEqual(Buffer.from(sealer.seal(b, plain[i]!)), Buffer.from(reference.seal(b, plain[i]!))));
    assert.equal(counting.calls, 0);
    loaded();
    await loading;
    for (const [i, b] of all.entries()) {
      const before: number = counting.calls;
      const sealed = sealer.seal(b, plain[i]!);
      assert.deepEqual(Buffer.from(sealed), Buffer.from(reference.seal(b, plain[i]!)), `${b.size} bytes`);
      assert.deepEqual(Buffer.from(sealer.open(b, sealed)), plain[i], `${b.size} bytes open`);
      assert.deepEqual(Buffer.from(reference.open(b, sealed)), plain[i], 'and the native AEAD opens it too');
      assert.equal(counting.calls - before, b.size <= 1536 ? 2 : 0, `${b.size} bytes: ${b.size <= 1536 ? 'libsodium' : 'native'}`);
    }
    // A small block that was tampered with fails through libsodium as it does natively.
    const b = all[2]!;
    const bad = Buffer.from(sealer.seal(b, plain[2]!));
    bad[bad.length - 1]! ^= 1;
    assert.throws(() => sealer.open(b, bad), /CORRUPT_BLOCK|rejected/);
  });

  test('a backend that fails to load: every block stays on the node own AEAD, the same bytes', async () => {
    const { dataKey, native, reference } = await setup();
    let attempts = 0;
    const failing = Promise.reject(new Error('WebAssembly refused'));
    failing.catch(() => undefined);
    const small = new SmallBlockAead('portable', 1536, () => (attempts++, failing));
    const sealer = new BlockSealer(native, dataKey, null, small);
    const [b] = blocks([100]);
    const plain = randomBytes(100);
    sealer.seal(b!, plain);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(Buffer.from(sealer.seal(b!, plain)), Buffer.from(reference.seal(b!, plain)));
    assert.deepEqual(Buffer.from(sealer.open(b!, reference.seal(b!, plain))), plain);
    assert.equal(attempts, 1, 'tried once, not on every block');
    assert.equal(small.for(100), null);
  });
});
