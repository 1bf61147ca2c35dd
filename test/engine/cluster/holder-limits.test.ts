// What a holder admits, evicts and lists, over real TCP with peers that speak the RAM protocol by
// hand (docs/protocol.md section 7.1-7.2): eviction of any owner's cache blocks when the offer is
// full, EVICTED notices (id 0, one per owner), MEMORY_FULL when only pinned data fills the offer,
// the per-block charge, quota 0, the block bound relative to the quota, the block size maximum,
// and LIST pages.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  MAX_BLOCK_BYTES, MAX_LIST_PAGE, Op, encodeList, encodeLoad, encodeStat, encodeStore, type PeerReply,
} from '../../../engine/cluster/peer-protocol';
import { BLOCK_OVERHEAD_BYTES, chargeOf } from '../../../engine/store/block-cost';
import { connect, holderTableOf, rpcTo, trustEachOther, internals } from '../../support/engines';
import { HolderFixture, blockId } from '../../support/holder-fixture';
import type { RamPeer } from '../../support/ram-peer';

const MiB = 1024 * 1024;
const fx = new HolderFixture();
after(() => fx.close());
const lender = (name: string, offeredBytes: number) => fx.lender(name, offeredBytes);
const peerOf = (holder: Parameters<HolderFixture['peer']>[0], name: string, allowedBytes?: number) => fx.peer(holder, name, allowedBytes);
let nextId = 1;
async function store(peer: RamPeer, block: number, data: Uint8Array, durability: 0 | 1): Promise<PeerReply> {
  const id = nextId++;
  return peer.call(id, encodeStore(id, blockId(block), durability, data));
}
const statusOf = (r: PeerReply): string => (r.ok ? 'OK' : r.code);

describe('holder limits', () => {
  test('a full offer evicts the least recently used cache blocks of any owner; each owner gets one EVICTED notice, id 0', async () => {
    const holder = await lender('lender-evict', 3 * chargeOf(MiB));
    const a = await peerOf(holder, 'owner-a');
    const b = await peerOf(holder, 'owner-b');
    assert.equal(statusOf(await store(a, 1, randomBytes(MiB), 1)), 'OK');
    assert.equal(statusOf(await store(a, 2, randomBytes(MiB), 1)), 'OK');
    const kept = randomBytes(MiB);
    assert.equal(statusOf(await store(b, 3, kept, 1)), 'OK');
    // The offer is full of cache blocks; b's pinned 2 MiB block needs the room of two of them.
    assert.equal(statusOf(await store(b, 4, randomBytes(2 * MiB), 0)), 'OK');
    await a.until(() => a.notices.length > 0, 'the EVICTED notice');
    assert.equal(a.notices.length, 1, 'one notice for both blocks');
    assert.deepEqual(a.notices[0], { op: Op.EVICTED, blocks: [blockId(1), blockId(2)] });
    assert.equal(a.rawNotices[0]![0], Op.EVICTED);
    assert.equal(a.rawNotices[0]!.readUInt32BE(1), 0, 'notices carry id 0');
    assert.equal(b.notices.length, 0, 'b lost nothing');
    const id = nextId++;
    const load = await b.call(id, encodeLoad(id, blockId(3)));
    assert.ok(load.ok && load.op === Op.LOAD);
    assert.deepEqual(Buffer.from(load.data), kept);
    assert.equal(internals(holder.engine).store.totals().evictions, 2);
    assert.equal(internals(holder.engine).holder.heldBytes, chargeOf(MiB) + chargeOf(2 * MiB));
  });

  test('when only pinned blocks fill the offer a STORE is refused with MEMORY_FULL and nothing is evicted', async () => {
    const holder = await lender('lender-pinned', 3 * chargeOf(MiB));
    const a = await peerOf(holder, 'pinner');
    const b = await peerOf(holder, 'cacher');
    for (let i = 1; i <= 2; i++) assert.equal(statusOf(await store(a, i, randomBytes(MiB), 0)), 'OK');
    assert.equal(statusOf(await store(b, 3, randomBytes(MiB), 1)), 'OK');
    const refused = await store(b, 4, randomBytes(MiB + 1), 0);
    assert.ok(!refused.ok);
    assert.equal(refused.code, 'MEMORY_FULL');
    assert.match(refused.message, /no room: pinned blocks of peers take 2 MiB of the 3 MiB this node lends; this block needs 1 MiB/);
    assert.equal(internals(holder.engine).store.totals().evictions, 0);
    assert.equal(b.notices.length, 0);
    assert.equal(internals(holder.engine).store.has(b.identity.publicKeyText, blockId(3)), true);
  });

  test('an owner whose STORE is refused for room places the block on another holder', async () => {
    const owner = await fx.engine('owner-place');
    const full = await lender('lender-full', 8 * MiB);
    const roomy = await lender('lender-roomy', 4 * MiB);
    await trustEachOther(owner, full, roomy);
    await connect(owner, full);
    await connect(owner, roomy);
    // The owner now believes `full` has the most room (its holder table is the cluster's own business).
    await holderTableOf(owner.engine).refreshStats();
    const filler = await peerOf(full, 'filler');
    assert.equal(statusOf(await store(filler, 1, randomBytes(8 * MiB - 2 * BLOCK_OVERHEAD_BYTES), 0)), 'OK');
    const data = randomBytes(MiB);
    const ref = await owner.engine.api.store(data, { target: 'remote', replicas: 1 });
    assert.deepEqual(ref.replicas.map((r) => r.holderName), ['lender-roomy']);
    assert.deepEqual(Buffer.from(await owner.engine.api.load(ref.id)), data);
    assert.equal(internals(full.engine).store.usage(owner.engine.identity.publicKeyText).blocks, 0);
  });

  test('every block is charged 512 B: stats, peers list and STAT report it; the quota bounds the block count', async () => {
    const holder = await lender('lender-cost', 64 * MiB);
    const quota = 100 * BLOCK_OVERHEAD_BYTES;
    const p = await peerOf(holder, 'tiny', quota);
    for (let i = 0; i < 100; i++) assert.equal(statusOf(await store(p, i + 1, new Uint8Array(0), 0)), 'OK', `empty block ${i}`);
    const over = await store(p, 1000, new Uint8Array(0), 0);
    assert.equal(statusOf(over), 'QUOTA_EXCEEDED', 'quota / 512 empty blocks, and not one more');
    const id = nextId++;
    const stat = await p.call(id, encodeStat(id));
    assert.ok(stat.ok && stat.op === Op.STAT);
    assert.deepEqual(stat.stat, { allowedBytes: quota, usedBytes: quota, availableBytes: 0 });
    const stats = await holder.engine.api.stats();
    assert.equal(stats.lent.usedBytes, quota);
    assert.equal(stats.local.usedBytes, quota);
    const listed = (await holder.engine.api.peers()).find((x) => x.publicKey === p.identity.publicKeyText)!;
    assert.equal(listed.storedHereBytes, quota);
  });

  test('a peer with quota 0 stores nothing, not even an empty block', async () => {
    const holder = await lender('lender-zero', 64 * MiB);
    const p = await peerOf(holder, 'zero', 0);
    for (const [data, durability] of [[new Uint8Array(0), 0], [new Uint8Array(0), 1], [randomBytes(1), 1]] as const) {
      const r = await store(p, 7, data, durability);
      assert.ok(!r.ok);
      assert.equal(r.code, 'QUOTA_EXCEEDED');
    }
    assert.equal(internals(holder.engine).store.usage(p.identity.publicKeyText).blocks, 0);
    const id = nextId++;
    const stat = await p.call(id, encodeStat(id));
    assert.ok(stat.ok && stat.op === Op.STAT);
    assert.deepEqual(stat.stat, { allowedBytes: 0, usedBytes: 0, availableBytes: 0 });
  });

  test('a changed allowance reaches the peer as a QUOTA notice with id 0; STAT follows it', async () => {
    const holder = await lender('lender-quota', 64 * MiB);
    const p = await peerOf(holder, 'allowed');
    await holder.engine.api.updatePeer('allowed', { allowedBytes: 5 * MiB });
    await p.until(() => p.notices.some((n) => n.op === Op.QUOTA), 'the QUOTA notice');
    const raw = p.rawNotices.find((m) => m[0] === Op.QUOTA)!;
    assert.equal(raw.length, 13);
    assert.equal(raw.readUInt32BE(1), 0, 'notices carry id 0');
    assert.equal(Number(raw.readBigUInt64BE(5)), 5 * MiB);
    const id = nextId++;
    const stat = await p.call(id, encodeStat(id));
    assert.ok(stat.ok && stat.op === Op.STAT);
    assert.deepEqual(stat.stat, { allowedBytes: 5 * MiB, usedBytes: 0, availableBytes: 5 * MiB - BLOCK_OVERHEAD_BYTES });
  });

  test('a block over 16 MiB is refused with BAD_REQUEST; exactly 16 MiB is stored', async () => {
    const holder = await lender('lender-size', 64 * MiB);
    const p = await peerOf(holder, 'sizer');
    const over = await store(p, 1, new Uint8Array(MAX_BLOCK_BYTES + 1), 0);
    assert.equal(statusOf(over), 'BAD_REQUEST');
    assert.equal(internals(holder.engine).store.totals().blocks, 0);
    assert.equal(statusOf(await store(p, 1, new Uint8Array(MAX_BLOCK_BYTES), 0)), 'OK');
  });

  test('LIST is paged: pages of at most 4096 ids, a cursor that moves forward, every block once', async () => {
    const holder = await lender('lender-list', 64 * MiB);
    const p = await peerOf(holder, 'lister');
    const n = 2 * MAX_LIST_PAGE + 300;
    for (let i = 0; i < n; i++) p.send(encodeStore(100_000 + i, blockId(i + 1), 0, new Uint8Array(0)));
    await p.until(() => p.replies.filter((r) => r.id >= 100_000).length === n, 'every STORE answered', 120_000);
    const seen = new Set<string>();
    let cursor = 0;
    let pages = 0;
    do {
      const id = nextId++;
      const r = await p.call(id, encodeList(id, cursor, 65535));
      assert.ok(r.ok && r.op === Op.LIST);
      assert.ok(r.blocks.length <= MAX_LIST_PAGE, `page of ${r.blocks.length}`);
      assert.ok(r.next === 0 || r.next > cursor);
      for (const b of r.blocks) {
        assert.ok(!seen.has(b), `${b} listed twice`);
        seen.add(b);
      }
      cursor = r.next;
      pages++;
    } while (cursor !== 0);
    assert.equal(seen.size, n);
    assert.ok(pages >= 3, `${pages} pages`);
    const id = nextId++;
    const zero = await p.call(id, encodeList(id, 0, 0));
    assert.equal(statusOf(zero), 'BAD_REQUEST', 'limit 0');
    const small = nextId++;
    const page = await p.call(small, encodeList(small, 0, 10));
    assert.ok(page.ok && page.op === Op.LIST && page.blocks.length === 10 && page.next !== 0);
  });

  test('the owner lists a holder page by page (its caller of LIST)', async () => {
    const owner = await fx.engine('owner-list');
    const holder = await lender('lender-pages', 64 * MiB);
    await trustEachOther(owner, holder);
    await connect(owner, holder);
    const link = rpcTo(owner.engine, holder.engine.identity.publicKeyText)!;
    const ids = Array.from({ length: MAX_LIST_PAGE + 50 }, (_, i) => blockId(0xabc0000 + i));
    await Promise.all(ids.map((id) => link.store(id, 1, new Uint8Array(0))));
    const served = internals(holder.engine).holder.requestsServed;
    const listed = await link.list();
    assert.deepEqual(new Set(listed), new Set(ids));
    assert.equal(listed.length, ids.length);
    assert.ok(internals(holder.engine).holder.requestsServed - served >= 2, 'more than one LIST request');
  });
});
