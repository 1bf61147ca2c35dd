// The holder's request dispatch over real TCP (docs/protocol.md section 7.5): a peer's requests wait
// while it does not read its replies, waiting is bounded in count and bytes (BUSY above), every
// request gets exactly one reply, and honest pipelining is never refused.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sealedSize } from '../../../engine/data/stored-size';
import { MAX_WAITING_REQUESTS } from '../../../engine/cluster/holder-dispatch';
import { Op, encodeLoad, encodeStore, type PeerReply } from '../../../engine/cluster/peer-protocol';
import { connect, rpcTo, trustEachOther, type TestEngine, internals } from '../../support/engines';
import { HolderFixture, blockId } from '../../support/holder-fixture';
import type { RamPeer } from '../../support/ram-peer';

const MiB = 1024 * 1024;
const fx = new HolderFixture();
after(() => fx.close());

async function lenderWithPeer(name: string): Promise<{ lender: TestEngine; peer: RamPeer }> {
  const lender = await fx.lender(name, 256 * MiB);
  return { lender, peer: await fx.peer(lender, 'mallory') };
}
const statusOf = (r: PeerReply): string => (r.ok ? 'OK' : r.code);

describe('holder dispatch', () => {
  test('a peer that sends LOADs without reading gets one reply beyond the backlog; the rest wait, then BUSY', async () => {
    const { lender, peer } = await lenderWithPeer('lender-unread');
    const holder = internals(lender.engine).holder;
    const big = randomBytes(16 * MiB);
    const small = randomBytes(100);
    peer.send(encodeStore(1, blockId(1), 0, big));
    peer.send(encodeStore(2, blockId(2), 0, small));
    await peer.until(() => peer.replies.length === 2, 'both STOREs answered');
    assert.deepEqual(peer.replies.map(statusOf), ['OK', 'OK']);

    peer.stopReading();
    // Four big replies outgrow whatever the kernel's socket buffers take in (at most 36 MiB here).
    const loads = 4 + 3000;
    for (let i = 0; i < 4; i++) peer.send(encodeLoad(3 + i, blockId(1)));
    for (let i = 0; i < 3000; i++) peer.send(encodeLoad(7 + i, blockId(2)));
    const link = rpcTo(lender.engine, peer.identity.publicKeyText)!;
    const servedBefore = holder.requestsServed;
    const done = (): number => holder.requestsServed - servedBefore + holder.waitingRequests(link) + holder.requestsRefused;
    for (let i = 0; i < 600 && done() < loads; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(done(), loads, 'every LOAD reached the holder');

    const served = holder.requestsServed - servedBefore;
    assert.equal(holder.waitingRequests(link), MAX_WAITING_REQUESTS, 'waiting is bounded in count');
    assert.ok(served >= 1 && served <= 4, `only big replies up to the backlog went out (${served} served)`);
    assert.equal(holder.requestsRefused, loads - served - MAX_WAITING_REQUESTS);
    const queued = link.session.channel.bufferedBytes;
    assert.ok(queued < 8 * MiB + 16 * MiB + MiB, `the holder holds at most one reply beyond its 8 MiB backlog (${queued} B queued)`);

    peer.startReading();
    await peer.until(() => peer.replies.length === 2 + loads, 'a reply to every LOAD');
    const ids = peer.replies.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'one reply per request');
    const busy = peer.replies.filter((r) => !r.ok);
    assert.equal(busy.length, holder.requestsRefused);
    for (const r of busy) {
      assert.equal(statusOf(r), 'BUSY');
      assert.ok(!r.ok && /^busy: 1024 requests or 32 MiB of yours already wait for you to read earlier replies; nothing was done$/.test(r.message), !r.ok ? r.message : '');
    }
    const answered = peer.replies.slice(2).filter((r) => r.ok);
    assert.equal(answered.length, served + MAX_WAITING_REQUESTS);
    assert.deepEqual(answered.map((r) => r.id), [...answered.map((r) => r.id)].sort((a, b) => a - b), 'served in the order sent');
    for (const r of answered) {
      assert.ok(r.ok && r.op === Op.LOAD);
      assert.deepEqual(Buffer.from(r.data), r.id < 7 ? big : small);
    }
  });

  test('waiting is bounded in bytes (32 MiB): a second 16 MiB STORE behind unread replies is refused, the first stored', async () => {
    const { lender, peer } = await lenderWithPeer('lender-bytes');
    const holder = internals(lender.engine).holder;
    const big = randomBytes(16 * MiB);
    peer.send(encodeStore(1, blockId(1), 0, big));
    await peer.until(() => peer.replies.length === 1, 'the STORE answered');
    peer.stopReading();
    for (let id = 2; id <= 5; id++) peer.send(encodeLoad(id, blockId(1))); // the later ones wait behind the first replies
    const waits = randomBytes(16 * MiB);
    peer.send(encodeStore(6, blockId(6), 1, waits));
    peer.send(encodeStore(7, blockId(7), 1, randomBytes(16 * MiB)));
    const link = rpcTo(lender.engine, peer.identity.publicKeyText)!;
    for (let i = 0; i < 600 && holder.requestsRefused < 1; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(holder.requestsRefused, 1);
    const publicKey = peer.identity.publicKeyText;
    assert.equal(internals(lender.engine).store.has(publicKey, blockId(7)), false, 'the refused STORE did nothing');

    peer.startReading();
    await peer.until(() => peer.replies.length === 7, 'a reply to every request');
    assert.deepEqual(Object.fromEntries(peer.replies.map((r) => [r.id, statusOf(r)])), { 1: 'OK', 2: 'OK', 3: 'OK', 4: 'OK', 5: 'OK', 6: 'OK', 7: 'BUSY' });
    assert.deepEqual(Buffer.from(internals(lender.engine).store.get(publicKey, blockId(6))!), waits);
    assert.equal(holder.waitingRequests(link), 0);
  });

  test('honest pipelining: 64 LOADs of 1 MiB in flight at once all come back, none refused', async () => {
    const owner = await fx.engine('owner-pipe');
    const lender = await fx.engine('lender-pipe');
    await trustEachOther(owner, lender);
    await connect(owner, lender);
    const refs = [];
    for (let i = 0; i < 64; i++) refs.push(await owner.engine.api.store(randomBytes(MiB), { target: 'remote' }));
    const link = rpcTo(owner.engine, lender.engine.identity.publicKeyText)!;
    const data = await Promise.all(refs.map((r) => link.load(r.id)));
    assert.ok(data.every((d) => d.length === sealedSize(MiB)), 'every sealed 1 MiB block comes back whole');
    assert.equal(internals(lender.engine).holder.requestsRefused, 0);
  });
});
