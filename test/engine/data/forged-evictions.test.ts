// EVICTED notices from a hostile holder, over real TCP between engines in this process (security
// finding 13): the owner accepts EVICTED only for a cache block of its own that the sender really
// holds. Naming a pinned block, a block the sender does not hold, an unknown id or another owner's
// block is refused, logged and counted, and changes nothing. An accepted eviction drops that one
// replica and is never re-replicated; the last one gone, the item reads as evicted.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { encodeEvicted } from '../../../engine/cluster/peer-protocol';
import { isMemCloudError } from '../../../engine/errors';
import { connect, rpcTo, trustedEngines, type TestEngine, internals } from '../../support/engines';
import { eventually } from '../../support/eventually';

const open: TestEngine[] = [];
after(async () => {
  await Promise.all(open.map((e) => e.close()));
});

const keyOf = (e: TestEngine) => e.engine.identity.publicKeyText;

/** `from` tells `to` (over their session) that it evicted these blocks of `to`'s. */
function sendEvicted(from: TestEngine, to: TestEngine, ids: readonly string[]): void {
  const link = rpcTo(from.engine, keyOf(to));
  assert.ok(link, `${from.name} has a session with ${to.name}`);
  link.send(encodeEvicted(ids));
}

function holdersOf(owner: TestEngine, id: string): string[] {
  return [...(internals(owner.engine).catalog.blocks.get(id)?.holders ?? [])].sort();
}

describe('forged EVICTED notices', () => {
  test('refused unless they name a cache block of ours the sender holds; nothing changes', async () => {
    const [owner, liar, honest, other] = await trustedEngines(['owner-ev', 'liar-ev', 'honest-ev', 'other-ev'], open);
    for (const h of [liar!, honest!]) await connect(owner!, h);
    await connect(other!, liar!);
    const api = owner!.engine.api;

    const pinned = await api.store(randomBytes(4000), { replicas: 2 });
    const cacheBoth = await api.store(randomBytes(4000), { replicas: 2, durability: 'cache' });
    await api.set('pinned-key', randomBytes(3000), { replicas: 2 });
    // Cache blocks on one holder each: one of them is on the honest holder only.
    const singles = await Promise.all(Array.from({ length: 8 }, () => api.store(randomBytes(2000), { replicas: 1, durability: 'cache' })));
    const honestOnly = singles.find((r) => r.replicas.length === 1 && r.replicas[0]!.holder === keyOf(honest!));
    assert.ok(honestOnly, 'placement put a single-replica cache block on the honest holder');
    const othersBlock = await other!.engine.api.store(randomBytes(1000), { replicas: 1 });
    assert.deepEqual(othersBlock.replicas.map((r) => r.holder), [keyOf(liar!)], "another owner's block is on the liar");

    const before = new Map([...internals(owner!.engine).catalog.blocks.values()].map((r) => [r.id, { holders: [...r.holders].sort(), wanted: r.wanted }]));
    const pinnedKeyId = internals(owner!.engine).catalog.keys.get('pinned-key')!;
    const forged = [pinned.id, pinnedKeyId, honestOnly.id, randomBytes(16).toString('hex'), othersBlock.id, internals(owner!.engine).catalog.newBlockId()];
    internals(owner!.engine).catalog.discard(forged[5]!);
    sendEvicted(liar!, owner!, forged);
    // A genuine one after them on the same session: once it is applied, the forged ones were handled.
    sendEvicted(liar!, owner!, [cacheBoth.id]);
    await eventually('the genuine eviction is applied', () => !holdersOf(owner!, cacheBoth.id).includes(keyOf(liar!)));

    assert.equal(internals(owner!.engine).owner.holders.refusedEvictions, forged.length, 'every forged id is counted');
    assert.ok(owner!.logs.some((l) => /^warn liar-ev sent EVICTED for 6 block\(s\) that are not cache blocks of ours it holds; refused/.test(l)), 'and logged');
    for (const [id, was] of before) {
      if (id === cacheBoth.id) continue;
      assert.deepEqual({ holders: holdersOf(owner!, id), wanted: internals(owner!.engine).catalog.blocks.get(id)!.wanted }, was, `block ${id} is unchanged`);
    }
    assert.equal((await api.listData()).filter((d) => d.state === 'evicted').length, 0);
    assert.ok(internals(honest!.engine).store.get(keyOf(owner!), honestOnly.id), 'the honest holder still keeps its block');
    assert.ok(internals(liar!.engine).store.get(keyOf(other!), othersBlock.id), "another owner's block is untouched");
    assert.equal(Buffer.from(await api.load(pinned.id)).length, 4000);

    // The genuine eviction: one replica fewer, and none copied back (cache data is not repaired).
    assert.deepEqual(holdersOf(owner!, cacheBoth.id), [keyOf(honest!)]);
    assert.equal(internals(owner!.engine).catalog.blocks.get(cacheBoth.id)!.wanted, 1);
    const third = (await trustedEngines(['third-ev'], open))[0]!;
    for (const e of [owner!, liar!, honest!]) {
      await internals(e.engine).trust.trust(third.engine.identity.publicKey, { name: third.name, approval: 'cli' });
      await internals(third.engine).trust.trust(e.engine.identity.publicKey, { name: e.name, approval: 'cli' });
    }
    await connect(owner!, third);
    await eventually('the owner sees the new holder', () => internals(owner!.engine).replicas.isLive(keyOf(third)));
    (internals(owner!.engine).owner as unknown as { repairer: { wake(): void; pending: number } }).repairer.wake();
    await eventually('repairs settle', () => (internals(owner!.engine).owner as unknown as { repairer: { pending: number } }).repairer.pending === 0);
    assert.deepEqual(holdersOf(owner!, cacheBoth.id), [keyOf(honest!)], 'no new replica was made');
    assert.equal((await api.listData()).find((d) => d.id === cacheBoth.id)!.state, 'ok');

    // The honest holder evicts the last replica: the block is evicted, and reading it says so.
    sendEvicted(honest!, owner!, [cacheBoth.id]);
    await eventually('the block reads as evicted', async () => (await api.listData()).find((d) => d.id === cacheBoth.id)?.state === 'evicted');
    await assert.rejects(api.load(cacheBoth.id), (err) => isMemCloudError(err, 'EVICTED') && /evicted from the pool/.test(err.message));
    // The same holder naming it again (it holds it no more) is refused.
    const refused = internals(owner!.engine).owner.holders.refusedEvictions;
    sendEvicted(honest!, owner!, [cacheBoth.id]);
    sendEvicted(honest!, owner!, [honestOnly.id]);
    await eventually('honestOnly is evicted', () => internals(owner!.engine).catalog.blocks.get(honestOnly.id)?.holders.length === 0);
    assert.equal(internals(owner!.engine).owner.holders.refusedEvictions, refused + 1);
  });
});
