// The one set of item actions behind the palette, the Offloaded Data tree and the dashboard's
// buttons, over the fake engine: each kind goes to its own call, confirmations and cancels change
// nothing, and what cannot be done says so before asking anything.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCodes, isMemCloudError } from '../../../engine/errors';
import { ItemActions, restorable, type ItemUi } from '../../../extension/data/item-actions';
import type { ModelPart } from '../../../extension/model/node-model';
import { aDataItem } from '../../support/data-model';
import { FakeEngine } from '../../support/fake-engine';

const ITEM_CALLS = ['free', 'del', 'pullFile', 'get', 'load'];

function setup(ui: Partial<ItemUi> = {}) {
  const engine = new FakeEngine();
  engine.state.data = [
    aDataItem({ id: 's1', kind: 'stream', name: 'big.iso' }),
    aDataItem({ id: 'user:1', kind: 'key', name: 'user:1' }),
    aDataItem({ id: 'b1', kind: 'block', name: 'block b1' }),
    aDataItem({ id: 'buildcache', kind: 'cache', name: 'Build cache' }),
  ];
  engine.kv.set('user:1', new Uint8Array([1, 2]));
  engine.blocks.set('b1', new Uint8Array([3]));
  const asked: string[] = [];
  const refreshed: Array<readonly ModelPart[]> = [];
  const written: Array<[string, number[]]> = [];
  const actions = new ItemActions({
    client: () => engine,
    refresh: async (parts) => void refreshed.push(parts),
    ui: {
      confirmFree: async (item) => (asked.push(`free ${item.id}`), true),
      chooseRestorePath: async (item) => (asked.push(`where ${item.id}`), `/out/${item.id}`),
      writeFile: async (path, data) => void written.push([path, [...data]]),
      ...ui,
    },
    pull: (item, path) => engine.pullFile(item.id, path),
  });
  return { engine, actions, asked, refreshed, written };
}

const code = (err: unknown) => (isMemCloudError(err) ? err.code : String(err));

describe('item actions', () => {
  test('free: a key is deleted, a stream or a block freed; each asks first and the model re-reads', async () => {
    const t = setup();
    for (const id of ['user:1', 's1', 'b1']) {
      const result = await t.actions.free(await t.actions.find(id));
      assert.equal(result.done, true);
    }
    assert.deepEqual(t.engine.callsTo(...ITEM_CALLS), ['del user:1', 'free s1', 'free b1']);
    assert.deepEqual(t.asked, ['free user:1', 'free s1', 'free b1']);
    assert.deepEqual(t.refreshed, [['data', 'stats', 'peers'], ['data', 'stats', 'peers'], ['data', 'stats', 'peers']]);
    assert.deepEqual(t.engine.state.data.map((d) => d.id), ['buildcache']);
  });

  test('free declined keeps the item; confirm: false (an id from code) does not ask', async () => {
    const t = setup({ confirmFree: async () => false });
    const item = await t.actions.find('s1');
    assert.deepEqual(await t.actions.free(item), { done: false, message: 'Kept big.iso.' });
    assert.deepEqual(t.engine.callsTo(...ITEM_CALLS), []);
    assert.deepEqual(await t.actions.free(item, { confirm: false }), { done: true, message: 'Freed big.iso.' });
    assert.deepEqual(t.engine.callsTo(...ITEM_CALLS), ['free s1']);
  });

  test('a key that is gone by the time it is freed: NOT_FOUND, not a silent success', async () => {
    const t = setup();
    const item = await t.actions.find('user:1');
    t.engine.kv.delete('user:1');
    t.engine.state.data = t.engine.state.data.filter((d) => d.id !== 'user:1');
    await assert.rejects(t.actions.free(item), (err) => code(err) === ErrorCodes.NOT_FOUND);
  });

  test('restore: a stream is pulled by the node, a key or a block written here; the path is asked when not given', async () => {
    const t = setup();
    const stream = await t.actions.restore(await t.actions.find('s1'), '/given/big.iso');
    assert.equal(stream.done, true);
    assert.equal(stream.path, '/given/big.iso');
    assert.equal(stream.info?.id, 's1');
    const key = await t.actions.restore(await t.actions.find('user:1'));
    assert.deepEqual([key.message, key.size], ['Restored user:1 to /out/user:1.', 2]);
    await t.actions.restore(await t.actions.find('b1'));
    assert.deepEqual(t.engine.callsTo(...ITEM_CALLS), ['pullFile s1 /given/big.iso', 'get user:1', 'load b1']);
    assert.deepEqual(t.asked, ['where user:1', 'where b1']);
    assert.deepEqual(t.written, [
      ['/out/user:1', [1, 2]],
      ['/out/b1', [3]],
    ]);
  });

  test('restore cancelled does nothing; the build cache is refused before anything is asked', async () => {
    const t = setup({ chooseRestorePath: async () => undefined });
    assert.deepEqual(await t.actions.restore(await t.actions.find('s1')), { done: false, message: 'Restore cancelled.' });
    const cache = await t.actions.find('buildcache');
    assert.equal(restorable(cache), false);
    await assert.rejects(t.actions.restore(cache, '/out/x'), (err) => code(err) === ErrorCodes.BAD_ARGUMENT);
    assert.deepEqual(t.engine.callsTo(...ITEM_CALLS), []);
  });

  test('find: by id, or by kind and id as the dashboard names rows; what is gone is NOT_FOUND', async () => {
    const t = setup();
    assert.equal((await t.actions.find({ kind: 'key', id: 'user:1' })).name, 'user:1');
    await assert.rejects(t.actions.find({ kind: 'block', id: 'user:1' }), /no block "user:1" is stored any more/);
    await assert.rejects(t.actions.find('nope'), (err) => code(err) === ErrorCodes.NOT_FOUND && /nothing with id nope/.test((err as Error).message));
    assert.deepEqual((await t.actions.list(restorable)).map((i) => i.id), ['s1', 'user:1', 'b1']);
  });
});
