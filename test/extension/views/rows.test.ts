import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diffRows, type Row } from '../../../extension/views/rows';

const row = (id: string, label = id, extra: Partial<Row> = {}): Row => ({ id, label, ...extra });

describe('diffRows: redraw only what a person would see change', () => {
  test('identical rows: none', () => {
    assert.deepEqual(diffRows([row('a'), row('b', 'B', { description: 'x' })], [row('a'), row('b', 'B', { description: 'x' })]), { kind: 'none' });
    assert.deepEqual(diffRows([], []), { kind: 'none' });
  });

  test('a changed label, description, tooltip, context value, icon or child: only that item', () => {
    const before = [row('a'), row('b'), row('c', 'c', { children: [row('c1', 'x')] })];
    assert.deepEqual(diffRows(before, [row('a', 'A'), row('b'), before[2]!]), { kind: 'items', ids: ['a'] });
    assert.deepEqual(diffRows(before, [row('a'), row('b', 'b', { contextValue: 'peer:connected:trusted' }), before[2]!]), { kind: 'items', ids: ['b'] });
    assert.deepEqual(diffRows(before, [row('a'), row('b', 'b', { icon: { id: 'vm' } }), row('c', 'c', { children: [row('c1', 'y')] })]), { kind: 'items', ids: ['b', 'c'] });
  });

  test('added, removed or reordered items: all', () => {
    assert.deepEqual(diffRows([row('a')], [row('a'), row('b')]), { kind: 'all' });
    assert.deepEqual(diffRows([row('a'), row('b')], [row('a')]), { kind: 'all' });
    assert.deepEqual(diffRows([row('a'), row('b')], [row('b'), row('a')]), { kind: 'all' });
    assert.deepEqual(diffRows([row('a')], [row('z')]), { kind: 'all' });
  });
});
