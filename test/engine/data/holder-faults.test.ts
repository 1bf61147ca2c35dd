// Holders that lie or disagree (issue 9, "bad input and faults"), over real TCP between engines in
// this process: a holder that hides a block it holds, claims blocks it does not hold, or answers a
// read with another block of ours loses nothing acknowledged; a deleted or overwritten value that
// a disconnected holder still keeps never comes back, and its stale copy is freed.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isMemCloudError, type MemCloudError } from '../../../engine/errors';
import { connect, startEngine, trustEachOther, trustedEngines, type TestEngine, internals, rpcTo } from '../../support/engines';
import { eventually } from '../../support/eventually';

const open: TestEngine[] = [];
after(async () => {
  await Promise.all(open.map((e) => e.close()));
});

const engines = (...names: string[]) => trustedEngines(names, open);

const keyOf = (e: TestEngine) => e.engine.identity.publicKeyText;

/** The owner's reconcile with one holder, as after a reconnect. */
function reconcile(owner: TestEngine, holder: TestEngine): Promise<void> {
  return (internals(owner.engine).owner.holders as unknown as { reconcile(h: string): Promise<void> }).reconcile(keyOf(holder));
}

describe('holders that lie', () => {
  test('a holder that hides a block it holds loses that replica; the block is repaired elsewhere and reads back', async () => {
    const [owner, h1, h2, h3] = await engines('owner-hide', 'h1-hide', 'h2-hide', 'h3-hide');
    for (const h of [h1!, h2!]) await connect(owner!, h);
    const value = randomBytes(20_000);
    await owner!.engine.api.set('k', value, { replicas: 2 });
    const id = internals(owner!.engine).catalog.keys.get('k')!;
    assert.deepEqual([...internals(owner!.engine).catalog.blocks.get(id)!.holders].sort(), [keyOf(h1!), keyOf(h2!)].sort());
    await connect(owner!, h3!);
    const ns = keyOf(owner!);
    // h1's LIST (the store's pages) leaves the block out.
    const listPage = internals(h1!.engine).store.listPage.bind(internals(h1!.engine).store);
    internals(h1!.engine).store.listPage = (space, cursor, limit) => {
      const page = listPage(space, cursor, limit);
      return space === ns ? { ...page, ids: page.ids.filter((x) => x !== id) } : page;
    };
    await reconcile(owner!, h1!);
    await eventually('a new replica on h3', () => internals(owner!.engine).catalog.blocks.get(id)!.holders.includes(keyOf(h3!)));
    assert.ok(!internals(owner!.engine).catalog.blocks.get(id)!.holders.includes(keyOf(h1!)), 'the hidden replica is no longer counted');
    assert.deepEqual(Buffer.from(await owner!.engine.api.get('k')), value);
  });

  test('a holder that claims blocks it does not hold frees nothing anywhere else', async () => {
    const [owner, h1, h2] = await engines('owner-claim', 'h1-claim', 'h2-claim');
    for (const h of [h1!, h2!]) await connect(owner!, h);
    const values = new Map<string, Buffer>();
    for (let i = 0; i < 10; i++) {
      const v = randomBytes(1000 + i);
      values.set(`k${i}`, v);
      await owner!.engine.api.set(`k${i}`, v, { replicas: 1 });
    }
    const ns = keyOf(owner!);
    const onH2 = internals(owner!.engine).catalog.blocksOn(keyOf(h2!));
    assert.ok(onH2.length > 0, 'some blocks are on h2 only');
    // h1 says it holds every block of h2's, and a few made-up ones of ours.
    const madeUp = [internals(owner!.engine).catalog.newBlockId(), randomBytes(16).toString('hex')];
    internals(owner!.engine).catalog.discard(madeUp[0]!);
    const listPage = internals(h1!.engine).store.listPage.bind(internals(h1!.engine).store);
    internals(h1!.engine).store.listPage = (space, cursor, limit) => {
      const page = listPage(space, cursor, limit);
      return space === ns && page.next === 0 ? { ...page, ids: [...page.ids, ...onH2, ...madeUp] } : page;
    };
    await reconcile(owner!, h1!);
    for (const id of onH2) assert.ok(internals(h2!.engine).store.get(ns, id), `h2 still holds ${id}`);
    for (const [k, v] of values) assert.deepEqual(Buffer.from(await owner!.engine.api.get(k)), v);
  });

  test('a holder whose LIST cursor does not advance breaks the protocol: the session is closed with ABORT, nothing is concluded from its listing (7.1)', async () => {
    const [owner, h1, h2] = await engines('owner-cursor', 'h1-cursor', 'h2-cursor');
    for (const h of [h1!, h2!]) await connect(owner!, h);
    const value = randomBytes(4000);
    await owner!.engine.api.set('k', value, { replicas: 2 });
    const ns = keyOf(owner!);
    const id = internals(owner!.engine).catalog.keys.get('k')!;
    // h1 answers every page of ours with next = 1: the first reply moves forward (0 -> 1), the
    // second (1 -> 1) does not, and an owner that kept asking would page forever.
    const listPage = internals(h1!.engine).store.listPage.bind(internals(h1!.engine).store);
    let pages = 0;
    internals(h1!.engine).store.listPage = (space, cursor, limit) => {
      const page = listPage(space, cursor, limit);
      if (space !== ns) return page;
      pages++;
      return { ...page, ids: cursor === 0 ? page.ids : [], next: 1 };
    };
    const ownerSide = rpcTo(owner!.engine, keyOf(h1!))!.session.channel;
    const holderSide = rpcTo(h1!.engine, keyOf(owner!))!.session.channel;
    const ownerClosed = new Promise<MemCloudError | null>((resolve) => ownerSide.once('close', resolve));
    const holderClosed = new Promise<MemCloudError | null>((resolve) => holderSide.once('close', resolve));
    await reconcile(owner!, h1!);
    assert.equal(ownerSide.isClosed, true, 'the owner closed the session on the bad reply');
    const mine = await ownerClosed;
    assert.equal(mine?.code, 'FRAME_MALFORMED');
    assert.match(mine!.message, /LIST cursor did not advance \(1 answered with next 1\)/);
    await eventually('h1 to see the session end', () => holderSide.isClosed);
    const theirs = await holderClosed;
    assert.match(theirs?.message ?? '', /the peer refused the session/, 'h1 received ABORT, not a plain close');
    assert.equal(pages, 2, 'the owner stopped at the first page that did not advance');
    assert.ok(owner!.logs.some((l) => l.includes('protocol error from h1-cursor') && l.includes('LIST cursor did not advance')), 'the owner says why it closed');
    assert.ok(internals(h1!.engine).store.get(ns, id), 'nothing was freed on h1 from the untrusted listing');
    assert.ok(internals(owner!.engine).catalog.blocks.get(id)!.holders.includes(keyOf(h2!)));
    assert.deepEqual(Buffer.from(await owner!.engine.api.get('k')), value);
  });

  test('a holder that answers a read with another block of ours is caught; the other replica is used', async () => {
    const [owner, h1, h2] = await engines('owner-swap', 'h1-swap', 'h2-swap');
    for (const h of [h1!, h2!]) await connect(owner!, h);
    const a = randomBytes(5000);
    const b = randomBytes(5000);
    await owner!.engine.api.set('a', a, { replicas: 2 });
    await owner!.engine.api.set('b', b, { replicas: 2 });
    const ns = keyOf(owner!);
    const idA = internals(owner!.engine).catalog.keys.get('a')!;
    const idB = internals(owner!.engine).catalog.keys.get('b')!;
    // Both holders have both blocks; h1 swaps them, byte for byte valid copies of ours. Reads go to
    // the nearest replica first: h1 is made the nearest, so every read meets the swap.
    const replicas = internals(owner!.engine).replicas;
    replicas.rank = (h: string) => (h === keyOf(h1!) ? 0 : 1);
    const get = internals(h1!.engine).store.get.bind(internals(h1!.engine).store);
    internals(h1!.engine).store.get = (space: string, id: string) => (space === ns && id === idA ? get(space, idB) : space === ns && id === idB ? get(space, idA) : get(space, id));
    for (let i = 0; i < 4; i++) {
      assert.deepEqual(Buffer.from(await owner!.engine.api.get('a')), a);
      assert.deepEqual(Buffer.from(await owner!.engine.api.get('b')), b);
    }
    assert.ok(owner!.logs.some((l) => l.includes('corrupt replica')), 'the swap is reported');
  });
});

describe('holders that disagree', () => {
  test('a deleted key never comes back from a holder that missed the delete; its copy is freed', async () => {
    const [h1, h2] = await engines('h1-del', 'h2-del');
    const owner1 = await startEngine('owner-del');
    await trustEachOther(owner1, h1!, h2!);
    for (const h of [h1!, h2!]) await connect(owner1, h);
    await owner1.engine.api.set('gone', randomBytes(3000), { replicas: 2 });
    const old = internals(owner1.engine).catalog.keys.get('gone')!;
    const ns = keyOf(owner1);
    await h2!.engine.api.disconnect('owner-del');
    assert.equal(await owner1.engine.api.del('gone'), true);
    assert.ok(internals(h2!.engine).store.get(ns, old), 'h2 missed the delete and still keeps the old copy');
    const home = internals(owner1.engine).options.home;
    await owner1.engine.stop();
    const owner2 = await startEngine('owner-del', { home });
    open.push(owner2);
    for (const h of [h1!, h2!]) await connect(owner2, h);
    await eventually('the stale copy freed on h2', () => internals(h2!.engine).store.get(ns, old) === undefined);
    await assert.rejects(owner2.engine.api.get('gone'), (e) => isMemCloudError(e, 'NOT_FOUND'));
    assert.deepEqual(await owner2.engine.api.keys(), []);
  });

  test('an overwritten key reads the newest value; the older copy a holder kept is freed', async () => {
    const [h1, h2] = await engines('h1-new', 'h2-new');
    const owner1 = await startEngine('owner-new');
    await trustEachOther(owner1, h1!, h2!);
    for (const h of [h1!, h2!]) await connect(owner1, h);
    await owner1.engine.api.set('k', Buffer.from('version 1'), { replicas: 2 });
    const v1 = internals(owner1.engine).catalog.keys.get('k')!;
    await h2!.engine.api.disconnect('owner-new');
    await owner1.engine.api.set('k', Buffer.from('version 2'));
    const ns = keyOf(owner1);
    assert.ok(internals(h2!.engine).store.get(ns, v1), 'h2 keeps version 1');
    const home = internals(owner1.engine).options.home;
    await owner1.engine.stop();
    const owner2 = await startEngine('owner-new', { home });
    open.push(owner2);
    for (const h of [h1!, h2!]) await connect(owner2, h);
    assert.equal(Buffer.from(await owner2.engine.api.get('k')).toString(), 'version 2');
    await eventually('version 1 freed on h2', () => internals(h2!.engine).store.get(ns, v1) === undefined);
    assert.equal(Buffer.from(await owner2.engine.api.get('k')).toString(), 'version 2');
  });
});
