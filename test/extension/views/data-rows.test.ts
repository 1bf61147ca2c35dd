import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dataContextValue, dataRow } from '../../../extension/views/data-rows';
import { aDataItem } from '../../support/data-model';

const item = aDataItem;

describe('Offloaded Data rows', () => {
  test('name, size, copies and where', () => {
    const r = dataRow(item());
    assert.equal(r.label, 'big.iso');
    assert.equal(r.description, '64 MiB · 2 copies on desk and nas');
    assert.equal(r.contextValue, 'data:stream');
    assert.equal(r.icon?.id, 'file-binary');
    assert.match(r.tooltip!, /Held by: desk, nas/);
    assert.match(r.tooltip!, /Id: abc123/);
  });

  test('local copies and a single copy', () => {
    assert.equal(dataRow(item({ replicas: [{ holder: 'local', holderName: 'me' }] })).description, '64 MiB · 1 copy on this machine');
  });

  test('degraded items warn; keys and blocks have their own context values', () => {
    const r = dataRow(item({ degraded: true, state: 'degraded' }));
    assert.equal(r.contextValue, 'data:stream:degraded');
    assert.equal(r.icon?.id, 'warning');
    assert.match(r.description!, /degraded$/);
    assert.equal(dataContextValue(item({ kind: 'key' })), 'data:key');
    assert.equal(dataContextValue(item({ kind: 'block' })), 'data:block');
  });
});
