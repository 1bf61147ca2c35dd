import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { approvalText, count, day, latencyBucket, minute, nameList, shortFingerprint } from '../../../extension/views/format';

describe('label formatting (coarse on purpose)', () => {
  test('short fingerprint is the first two groups', () => {
    assert.equal(shortFingerprint('7K3Q-MX2A-P9RT-4WZC'), '7K3Q-MX2A');
  });

  test('latency falls into buckets, so small jitter does not change the label', () => {
    assert.equal(latencyBucket(null), undefined);
    assert.equal(latencyBucket(undefined), undefined);
    assert.equal(latencyBucket(-1), undefined);
    assert.equal(latencyBucket(Number.NaN), undefined);
    assert.equal(latencyBucket(0.3), '<1 ms');
    assert.equal(latencyBucket(1), '<5 ms');
    assert.equal(latencyBucket(4.9), '<5 ms');
    assert.equal(latencyBucket(12), '<20 ms');
    assert.equal(latencyBucket(19), '<20 ms', 'same bucket as 12 ms');
    assert.equal(latencyBucket(99), '<100 ms');
    assert.equal(latencyBucket(499), '<500 ms');
    assert.equal(latencyBucket(5000), '≥500 ms');
  });

  test('dates: a day for labels, a minute (UTC) for tooltips; garbage is shown as is', () => {
    assert.equal(day('2025-06-01T14:03:59.123Z'), '2025-06-01');
    assert.equal(minute('2025-06-01T14:03:59.123Z'), '2025-06-01 14:03 UTC');
    assert.equal(minute(Date.UTC(2025, 0, 2, 3, 4)), '2025-01-02 03:04 UTC');
    assert.equal(day('someday'), 'someday');
  });

  test('approval in words', () => {
    assert.equal(approvalText('extension'), 'added in VS Code');
    assert.equal(approvalText('cli'), 'added with the memcloud CLI');
    assert.equal(approvalText('consent-always'), 'approved when it asked to connect');
    assert.equal(approvalText('other'), 'other');
  });

  test('lists and counts', () => {
    assert.equal(nameList([]), 'nowhere');
    assert.equal(nameList(['desk']), 'desk');
    assert.equal(nameList(['desk', 'nas']), 'desk and nas');
    assert.equal(nameList(['desk', 'nas', 'pi', 'tv']), 'desk, nas and 2 more');
    assert.equal(count(1, 'peer'), '1 peer');
    assert.equal(count(0, 'peer'), '0 peers');
    assert.equal(count(2, 'copy', 'copies'), '2 copies');
  });
});
