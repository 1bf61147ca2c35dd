// The dashboard's view model, without a DOM: labels, ordering, bars, empty states and the chart.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildChart, CHART_HEIGHT, CHART_WIDTH } from '../../../webview/dashboard/chart';
import { formatLatency, formatOps, formatRate, shortFingerprint } from '../../../webview/dashboard/format';
import { appendSample, HISTORY_LENGTH } from '../../../webview/dashboard/history';
import { bar, buildDashboardView, EMPTY_TEXT } from '../../../webview/dashboard/view-model';
import * as F from './fixtures';

describe('dashboard view model', () => {
  test('before any state: a loading banner and empty sections, never blank areas', () => {
    const v = buildDashboardView(null);
    assert.deepEqual(v.banner, { tone: 'info', text: EMPTY_TEXT.loading });
    assert.equal(v.node, null);
    assert.deepEqual(v.summary, []);
    assert.equal(v.peers.empty, EMPTY_TEXT.noNode);
    assert.equal(v.data.empty, EMPTY_TEXT.noNode);
    assert.equal(v.throughput.chart, null);
    assert.equal(v.throughput.empty, EMPTY_TEXT.throughput);
  });

  test('detached: says so, and shows nothing stale even if the state carries data', () => {
    const v = buildDashboardView(F.state({ attached: false }));
    assert.deepEqual(v.banner, { tone: 'info', text: EMPTY_TEXT.detached });
    assert.equal(v.node, null);
    assert.deepEqual(v.peers.rows, []);
    assert.deepEqual(v.data.rows, []);
    assert.deepEqual(v.summary, []);
  });

  test('attached with no peers and no data: the empty states point at what to do', () => {
    const v = buildDashboardView(F.state({ peers: [], data: [] }));
    assert.equal(v.banner, null);
    assert.match(v.peers.empty!, /^No peers yet: run “MemCloud: Trust Device” on both machines/);
    assert.equal(v.capacity.empty, EMPTY_TEXT.capacity);
    assert.equal(v.data.empty, EMPTY_TEXT.data);
  });

  test('an error keeps the data and adds an error banner', () => {
    const v = buildDashboardView(F.state({ error: 'CHANNEL_CLOSED: the node stopped' }));
    assert.deepEqual(v.banner, { tone: 'error', text: 'Cannot read the node: CHANNEL_CLOSED: the node stopped' });
    assert.equal(v.peers.rows.length, 3);
  });

  test('our node: name, full fingerprint, address, offer and memory', () => {
    const v = buildDashboardView(F.state());
    assert.deepEqual(v.node, {
      name: 'laptop',
      fingerprint: '7K3Q-MX2A-P9RT-4WZC',
      address: '0.0.0.0:7797',
      offer: '512 MiB',
      memory: '1 GiB',
      details: 'v0.1.0 · native crypto · discovery on',
    });
  });

  test('peers: connected first, then pending, then offline; short fingerprints; untrusted flagged', () => {
    const rows = buildDashboardView(F.state()).peers.rows;
    assert.deepEqual(
      rows.map((r) => [r.name, r.state, r.tone, r.shortFingerprint, r.fingerprint, r.address, r.latency, r.trusted]),
      [
        ['desk', 'connected', 'ok', 'BC6J-C8VS', 'BC6J-C8VS-B3ZE-1MPZ', '192.168.1.20:7797 (+1)', '< 1 ms', true],
        ['stranger', 'waiting for consent', 'warn', 'ZZZZ-YYYY', 'ZZZZ-YYYY-XXXX-WWWW', '—', '—', false],
        ['nas', 'offline', 'muted', 'ZZZZ-YYYY', 'ZZZZ-YYYY-XXXX-WWWW', '—', '—', true],
      ],
    );
  });

  test('peer names stay exactly as given (the renderer shows them as text)', () => {
    const name = '<img src=x onerror=alert(1)>';
    const v = buildDashboardView(F.state({ peers: [{ ...F.desk, name }] }));
    assert.equal(v.peers.rows[0]!.name, name);
    assert.equal(v.capacity.rows[0]!.name, name);
  });

  test('capacity: what each connected peer offers, what we use there, what it stores here', () => {
    const rows = buildDashboardView(F.state()).capacity.rows;
    assert.equal(rows.length, 1, 'only peers that are connected or hold data');
    const [desk] = rows;
    assert.equal(desk!.name, 'desk');
    assert.equal(desk!.caption, 'offers 2 GiB');
    assert.deepEqual(desk!.bars[0], { label: 'We use there', text: '10 MiB of 2 GiB', percent: (10 / 2048) * 100, fill: 2 });
    assert.deepEqual(desk!.bars[1], { label: 'It stores here', text: '2 MiB of 512 MiB', percent: (2 / 512) * 100, fill: 2 });
  });

  test('an offline peer that still holds our data keeps its capacity row', () => {
    const rows = buildDashboardView(F.state({ peers: [{ ...F.nas, usedByUsBytes: 1024 }] })).capacity.rows;
    assert.deepEqual(rows.map((r) => [r.name, r.caption]), [['nas', 'offers 2 GiB · offline']]);
  });

  test('bars: exact percent, zero stays empty, small use stays visible, overuse is capped', () => {
    assert.deepEqual(bar('x', 0, 100), { label: 'x', text: '0 B of 100 B', percent: 0, fill: 0 });
    assert.equal(bar('x', 1, 1000).fill, 2);
    assert.equal(bar('x', 50, 100).fill, 50);
    assert.equal(bar('x', 300, 100).percent, 100);
    assert.equal(bar('x', 5, 0).percent, 0);
    assert.equal(bar('x', 5, 0).fill, 2);
  });

  test('data rows: kind, size, replicas with holder names, degraded flagged with a note', () => {
    const d = buildDashboardView(F.state()).data;
    assert.deepEqual(
      d.rows.map((r) => [r.key, r.name, r.kind, r.size, r.durability, r.replicas, r.holders, r.degraded]),
      [
        ['stream:s1', '/data/model.bin', 'stream', '8 MiB', 'pinned', '2', 'desk, this node', false],
        ['key:user:1', 'user:1', 'key', '300 B', 'cache', '1', 'nas', true],
      ],
    );
    assert.deepEqual(d.rows[1]!.item, { kind: 'key', id: 'user:1' });
    assert.match(d.note!, /^1 item degraded/);
    assert.equal(buildDashboardView(F.state({ data: [F.items[0]!] })).data.note, null);
  });

  test('summary tiles: pool, borrowed, lent, local store', () => {
    const s = buildDashboardView(F.state()).summary;
    assert.deepEqual(
      s.map((m) => [m.label, m.value, m.detail]),
      [
        ['Pool', '2 GiB', 'offered by 1 connected peer'],
        ['Borrowed', '10 MiB', '4 items on peers'],
        ['Lent', '2 MiB', 'of 512 MiB offered, 1 peer'],
        ['Local store', '3 MiB', 'of 1 GiB, 3 blocks'],
      ],
    );
  });

  test('the build cache: a tile with its hit rate while it runs, "off" when stopped; its item is freed, never restored', () => {
    const tile = (cache: typeof F.buildCache) => buildDashboardView(F.state({ cache })).summary.find((m) => m.label === 'Build cache');
    assert.deepEqual(tile(F.buildCache), { label: 'Build cache', value: '75% hits', detail: '9 hits, 3 misses · 40 entries (5 MiB)' });
    assert.equal(tile({ ...F.buildCache, running: false })!.value, 'off');
    const idle = { ...F.buildCache, protocols: { ...F.buildCache.protocols, turbo: { ...F.buildCache.protocols.nx }, ccache: { ...F.buildCache.protocols.nx } } };
    assert.equal(tile(idle)!.value, '–');
    const item = { ...F.items[0]!, id: 'buildcache', kind: 'cache' as const, name: 'Build cache (40 entries)', entries: 40 };
    const rows = buildDashboardView(F.state({ data: [item, F.items[0]!] })).data.rows;
    assert.deepEqual(rows.map((r) => r.restorable), [false, true]);
  });

  test('throughput: current rates and ops from the latest stats', () => {
    const t = buildDashboardView(F.state()).throughput;
    assert.equal(t.sent, '2 KiB/s');
    assert.equal(t.received, '1 KiB/s');
    assert.equal(t.ops, '5 ops/s');
    assert.equal(t.peak, '2 KiB/s');
    assert.equal(t.empty, null);
    assert.equal(t.chart?.samples, 1);
  });
});

describe('dashboard chart and history', () => {
  test('history: appends in order, skips repeated snapshots, keeps the newest HISTORY_LENGTH', () => {
    let h = appendSample([], F.stats(1, 10, 20, 3));
    h = appendSample(h, F.stats(1, 99, 99, 99));
    assert.deepEqual(h, [{ at: 1, sentPerSec: 10, receivedPerSec: 20, opsPerSec: 3 }]);
    for (let i = 2; i <= 100; i++) h = appendSample(h, F.stats(i, i));
    assert.equal(h.length, HISTORY_LENGTH);
    assert.equal(h[0]!.at, 100 - HISTORY_LENGTH + 1);
    assert.equal(h.at(-1)!.sentPerSec, 100);
    assert.equal(appendSample([], F.stats(1, -5)).at(0)!.sentPerSec, 0, 'negative rates clamp to 0');
  });

  test('chart: newest sample at the right edge, shared scale, values inside the box', () => {
    const samples = [
      { at: 1, sentPerSec: 0, receivedPerSec: 50, opsPerSec: 0 },
      { at: 2, sentPerSec: 100, receivedPerSec: 0, opsPerSec: 0 },
    ];
    const c = buildChart(samples, 3)!;
    assert.equal(c.peak, 100);
    assert.equal(c.sent, `${CHART_WIDTH / 2},${CHART_HEIGHT - 2} ${CHART_WIDTH},2`);
    assert.equal(c.received, `${CHART_WIDTH / 2},${CHART_HEIGHT / 2} ${CHART_WIDTH},${CHART_HEIGHT - 2}`);
  });

  test('chart: none without samples, a flat segment for one, idle lines at the bottom', () => {
    assert.equal(buildChart([]), null);
    const one = buildChart([{ at: 1, sentPerSec: 0, receivedPerSec: 0, opsPerSec: 0 }], 3)!;
    assert.equal(one.peak, 0);
    assert.equal(one.sent, `${CHART_WIDTH / 2},${CHART_HEIGHT - 2} ${CHART_WIDTH},${CHART_HEIGHT - 2}`);
  });

  test('labels', () => {
    assert.equal(formatRate(1536), '1.5 KiB/s');
    assert.equal(formatRate(-3), '0 B/s');
    assert.equal(formatOps(0.25), '0.3 ops/s');
    assert.equal(formatOps(1234.4), '1234 ops/s');
    assert.equal(formatLatency(null), '—');
    assert.equal(formatLatency(0.3), '< 1 ms');
    assert.equal(formatLatency(3.14159), '3.1 ms');
    assert.equal(formatLatency(42.6), '43 ms');
    assert.equal(shortFingerprint('7K3Q-MX2A-P9RT-4WZC'), '7K3Q-MX2A');
  });
});
