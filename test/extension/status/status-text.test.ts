import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EMPTY_SNAPSHOT, type Snapshot } from '../../../extension/model/node-model';
import { statusText } from '../../../extension/status/status-text';
import { NO_TRAFFIC, aBuildCache, aNodeStatus, aStats } from '../../support/data-model';

const GiB = 1024 ** 3;
const empty: Snapshot = EMPTY_SNAPSHOT;
const snap: Snapshot = {
  ...empty,
  status: aNodeStatus({ name: 'laptop', fingerprint: '7K3Q-MX2A-P9RT-4WZC' }),
  stats: aStats({
    pool: { offeredBytes: 6 * GiB, connectedPeers: 2 },
    borrowed: { usedBytes: GiB, items: 3, degraded: 0 },
    lent: { usedBytes: 0, offeredBytes: 4 * GiB, peers: 0 },
  }),
};

describe('status bar text', () => {
  test('running: pooled RAM and connected peers; the tooltip says where the node runs', () => {
    const s = statusText('running', true, snap);
    assert.equal(s.text, '$(server-environment) 6 GiB · 2 peers');
    assert.match(s.tooltip, /Node "laptop" \(7K3Q-MX2A-P9RT-4WZC\), running in this window/);
    assert.match(s.tooltip, /Pool: 6 GiB offered by 2 connected peers/);
    assert.match(s.tooltip, /Stored on peers: 1 GiB/);
    assert.match(statusText('running', false, snap).tooltip, /running elsewhere \(attached\)/);
    assert.equal(statusText('running', true, empty).text, '$(server-environment) 0 B · 0 peers');
  });

  test('a trust file that cannot be used turns the entry into a warning that opens the file', () => {
    const problem = { code: 'TRUST_STORE_CORRUPT', path: '/h/trusted_devices.json', message: 'Trust store "/h/trusted_devices.json" is corrupt: it is not valid JSON.', since: 1 } as const;
    const s = statusText('running', true, { ...snap, status: { ...snap.status!, trustFileProblem: problem } });
    assert.equal(s.text, '$(warning) MemCloud: fix the trust file');
    assert.equal(s.trustFile, '/h/trusted_devices.json');
    assert.match(s.tooltip, /No new device or session is admitted until the trust file is fixed/);
    assert.ok(s.tooltip.includes(problem.message));
    assert.equal(statusText('running', true, snap).trustFile, undefined);
  });

  test('an unusable team.json does the same, naming the team file', () => {
    const problem = { code: 'TRUST_STORE_CORRUPT', path: '/h/team.json', message: 'Team file "/h/team.json" is corrupt: x.', since: 1 } as const;
    const s = statusText('running', true, { ...snap, status: { ...snap.status!, teamFileProblem: problem } });
    assert.equal(s.text, '$(warning) MemCloud: fix the team file');
    assert.equal(s.trustFile, '/h/team.json');
    assert.match(s.tooltip, /No device is admitted by a team certificate until the team file is fixed/);
    assert.ok(s.tooltip.includes(problem.message));
  });

  test('with the build cache listening: its hit rate in the text, details in the tooltip', () => {
    const zero = NO_TRAFFIC;
    const cache = aBuildCache({
      entries: 12,
      bytes: 3 * 1024 * 1024,
      protocols: { turbo: { ...zero, hits: 6, misses: 1 }, nx: { ...zero, hits: 1 }, ccache: zero, bazel: zero, gradle: zero },
    });
    const s = statusText('running', true, { ...snap, cache });
    assert.equal(s.text, '$(server-environment) 6 GiB · 2 peers · cache 88%');
    assert.match(s.tooltip, /Build cache at http:\/\/127\.0\.0\.1:7798: hit rate 88% \(7 hits, 1 miss\), 12 entries \(3 MiB\)/);
    const fresh = { ...cache, protocols: { turbo: zero, nx: zero, ccache: zero, bazel: zero, gradle: zero } };
    assert.match(statusText('running', true, { ...snap, cache: fresh }).text, /cache –$/);
    assert.doesNotMatch(statusText('running', true, { ...snap, cache: { ...cache, running: false } }).text, /cache/);
  });

  test('other states', () => {
    assert.equal(statusText('starting', false, empty).text, '$(sync~spin) MemCloud');
    assert.match(statusText('stopped', false, empty).tooltip, /Start Node/);
    assert.equal(statusText('failed', false, empty).text, '$(error) MemCloud');
  });
});
