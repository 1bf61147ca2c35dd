import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deviceContextValue, deviceRow, deviceRows } from '../../../extension/views/device-rows';
import { diffRows } from '../../../extension/views/rows';
import { aTrustedDevice } from '../../support/data-model';

const device = aTrustedDevice;

describe('Trusted Devices rows', () => {
  test('name, full fingerprint and state; first and last seen and approval as children', () => {
    const r = deviceRow(device());
    assert.equal(r.label, 'desk');
    assert.equal(r.description, '7K3Q-MX2A-P9RT-4WZC · connected');
    assert.equal(r.contextValue, 'device:trusted:connected');
    assert.deepEqual(
      r.children!.map((c) => [c.label, c.description]),
      [
        ['First seen', '2025-06-01'],
        ['Last seen', '2025-06-03'],
        ['Approved', 'added in VS Code'],
        ['May store here', 'the default offer'],
      ],
    );
    assert.match(r.tooltip!, /Last seen: 2025-06-03 11:22 UTC/);
  });

  test('offline and revoked devices', () => {
    assert.equal(deviceContextValue(device({ connected: false })), 'device:trusted');
    assert.equal(deviceContextValue(device({ status: 'revoked', connected: false })), 'device:revoked');
    assert.equal(deviceRow(device({ status: 'revoked', connected: false })).description, '7K3Q-MX2A-P9RT-4WZC · revoked');
    assert.equal(deviceRow(device({ allowedBytes: 1024 ** 3 })).children![3]!.description, '1 GiB');
  });

  test('last seen moving within the same day does not redraw', () => {
    const a = deviceRows([device({ lastSeen: '2025-06-03T11:22:33.000Z' })]);
    const b = deviceRows([device({ lastSeen: '2025-06-03T11:22:59.000Z' })]);
    assert.deepEqual(diffRows(a, b), { kind: 'none' });
  });

  test('trusted first, then revoked; by name', () => {
    const rows = deviceRows([
      device({ publicKey: 'a', name: 'old', status: 'revoked' }),
      device({ publicKey: 'b', name: 'zed' }),
      device({ publicKey: 'c', name: 'amy' }),
    ]);
    assert.deepEqual(rows.map((r) => r.label), ['amy', 'zed', 'old']);
  });
});
