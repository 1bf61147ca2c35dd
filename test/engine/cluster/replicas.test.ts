// Replicas over real TCP between engines in this process: a corrupt replica is detected by its
// content hash and another used; a holder that leaves gracefully tells its peers first, and the
// owner moves its blocks before it is gone.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, startEngine, trustEachOther, type TestEngine, internals } from '../../support/engines';
import { eventually } from '../../support/eventually';

const open: TestEngine[] = [];
after(async () => {
  await Promise.all(open.map((e) => e.close()));
});

async function engines(...names: string[]): Promise<TestEngine[]> {
  const list = await Promise.all(names.map((n) => startEngine(n)));
  open.push(...list);
  await trustEachOther(...list);
  return list;
}


test('a corrupt replica fails its content check; the other replica is used and the copy is replaced', async () => {
  const [owner, h1, h2, h3] = await engines('owner-c', 'h1-c', 'h2-c', 'h3-c');
  for (const h of [h1!, h2!, h3!]) await connect(owner!, h);
  const value = randomBytes(40_000);
  await owner!.engine.api.set('precious', value, { replicas: 2 });
  const id = internals(owner!.engine).catalog.keys.get('precious')!;
  const record = internals(owner!.engine).catalog.blocks.get(id)!;
  assert.equal(record.holders.length, 2);
  // Reads go to the nearest replica first: once latencies are measured, corrupt that one, directly in
  // the holder's RAM (a faulty or malicious lender).
  const links = internals(owner!.engine).replicas;
  await eventually('latencies', () => record.holders.every((h) => links.rank(h) < 1000));
  const first = [...record.holders].sort((x, y) => links.rank(x) - links.rank(y))[0]!;
  const holders = [h1!, h2!, h3!].filter((h) => h.engine.identity.publicKeyText === first);
  const ns = owner!.engine.identity.publicKeyText;
  const bad = internals(holders[0]!.engine).store.get(ns, id)!;
  const good = Buffer.from(bad); // the sealed block, as every holder keeps it
  bad[123]! ^= 0xff;
  for (let i = 0; i < 5; i++) assert.deepEqual(Buffer.from(await owner!.engine.api.get('precious')), value);
  // The bad copy is dropped and a good one written (possibly to the same holder, after freeing it).
  const intact = () => {
    const now = internals(owner!.engine).catalog.blocks.get(id)!.holders;
    const copies = [h1!, h2!, h3!].filter((h) => now.includes(h.engine.identity.publicKeyText)).map((h) => internals(h.engine).store.get(ns, id));
    return copies.length === 2 && copies.every((c) => c !== undefined && Buffer.from(c).equals(good));
  };
  await eventually('two intact replicas again', intact);
  assert.ok(owner!.logs.some((l) => l.includes('corrupt replica')), 'the corruption is logged');
});

test('every replica corrupt: the read fails with CORRUPT_BLOCK, never returns wrong bytes', async () => {
  const [owner, h1] = await engines('owner-x', 'h1-x');
  await connect(owner!, h1!);
  await owner!.engine.api.set('k', randomBytes(1000));
  const id = internals(owner!.engine).catalog.keys.get('k')!;
  internals(h1!.engine).store.get(owner!.engine.identity.publicKeyText, id)![0]! ^= 1;
  await assert.rejects(owner!.engine.api.get('k'), (e: { code?: string }) => e.code === 'CORRUPT_BLOCK');
});

test('graceful leave: a stopping holder tells its peers first and the owner moves its blocks', async () => {
  const [owner, a, b, c] = await engines('owner-l', 'a-l', 'b-l', 'c-l');
  for (const h of [a!, b!, c!]) await connect(owner!, h);
  const values = new Map<string, Buffer>();
  for (let i = 0; i < 30; i++) {
    const v = randomBytes(20_000 + i);
    values.set(`k${i}`, v);
    await owner!.engine.api.set(`k${i}`, v, { replicas: 2 });
  }
  const leaving = a!;
  const leavingKey = leaving.engine.identity.publicKeyText;
  const held = internals(owner!.engine).catalog.blocksOn(leavingKey).length;
  assert.ok(held > 0, 'the leaving holder holds some of the blocks');
  await leaving.engine.stop(); // waits (bounded) while owners move their blocks away
  assert.equal(internals(leaving.engine).store.usage(owner!.engine.identity.publicKeyText).bytes, 0, 'the owner moved everything before it left');
  assert.ok(owner!.logs.some((l) => l.includes('is leaving; moving')));
  for (const r of internals(owner!.engine).catalog.blocks.values()) {
    assert.equal(r.holders.length, 2);
    assert.ok(!r.holders.includes(leavingKey));
  }
  for (const [k, v] of values) assert.deepEqual(Buffer.from(await owner!.engine.api.get(k)), v);
});
