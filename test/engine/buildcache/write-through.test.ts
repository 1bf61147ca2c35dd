// The write-through queue and the request slots: bounded, never blocking the caller.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CacheStats } from '../../../engine/buildcache/cache-stats';
import { Deadline } from '../../../engine/buildcache/deadline';
import type { EntryReader } from '../../../engine/buildcache/entry-store';
import { RequestSlots } from '../../../engine/buildcache/request-slots';
import type { UpstreamRef, UpstreamStore, UpstreamWrite } from '../../../engine/buildcache/upstream/upstream';
import { WriteThrough } from '../../../engine/buildcache/upstream/write-through';
import { Logger } from '../../../engine/log/log';

function reader(text: string): EntryReader {
  const bytes = Buffer.from(text);
  return {
    headers: {},
    size: bytes.length,
    async *chunks() {
      yield bytes;
    },
    close() {},
  };
}

/** An upstream whose writes wait until released, recording what arrived. */
function gatedUpstream() {
  const stored: string[] = [];
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const store: UpstreamStore = {
    description: 'test',
    fetch: async () => null,
    async store(ref: UpstreamRef, entry: UpstreamWrite) {
      let text = '';
      for await (const c of entry.body) text += Buffer.from(c).toString();
      await gate;
      stored.push(`${ref.key}=${text}`);
    },
    close() {},
  };
  return { store, stored, release: () => release() };
}

describe('write-through queue', () => {
  test('beyond its capacity it drops and counts, never waits; what it took arrives; the newest content is sent', async () => {
    const up = gatedUpstream();
    const stats = new CacheStats();
    const contents = new Map<string, string>();
    const wt = new WriteThrough(up.store, async (key) => (contents.has(key) ? reader(contents.get(key)!) : null), stats.upstream, { capacity: 3, concurrency: 1, log: new Logger('error') });
    for (let i = 0; i < 10; i++) {
      contents.set(`k${i}`, `v${i}`);
      wt.enqueue({ protocol: 'ccache', key: `k${i}`, target: `/ccache/k${i}` });
    }
    // One is uploading (waiting at the gate), three wait in the queue, six were dropped.
    assert.equal(wt.queued, 3);
    assert.equal(stats.upstream.dropped, 6);
    contents.set('k1', 'v1-newer');
    wt.enqueue({ protocol: 'ccache', key: 'k1', target: '/ccache/k1' }); // already queued: not twice
    up.release();
    await wt.idle();
    assert.deepEqual(up.stored.sort(), ['k0=v0', 'k1=v1-newer', 'k2=v2', 'k3=v3']);
    assert.equal(stats.upstream.written, 4);
    wt.close();
  });

  test('an entry gone from the LAN before its turn is skipped; upload errors are counted', async () => {
    const stats = new CacheStats();
    const failing: UpstreamStore = { description: 'x', fetch: async () => null, store: async () => Promise.reject(new Error('down')), close() {} };
    const wt = new WriteThrough(failing, async (key) => (key === 'gone' ? null : reader('x')), stats.upstream, { capacity: 10, concurrency: 2, log: new Logger('error') });
    wt.enqueue({ protocol: 'nx', key: 'gone', target: '/v1/cache/1' });
    wt.enqueue({ protocol: 'nx', key: 'here', target: '/v1/cache/2' });
    await wt.idle();
    assert.deepEqual({ written: stats.upstream.written, errors: stats.upstream.errors }, { written: 0, errors: 1 });
  });
});

describe('request slots', () => {
  test('at most `max` at once; a waiter with a deadline gives up; a full queue refuses at once', async () => {
    const slots = new RequestSlots(2, 1);
    const a = (await slots.acquire())!;
    const b = (await slots.acquire())!;
    assert.equal(slots.inUse, 2);
    const expired = await slots.acquire(new Deadline(20));
    assert.equal(expired, null, 'no slot before the deadline');
    const waiting = slots.acquire();
    assert.equal(await slots.acquire(), null, 'the queue (1) is full');
    a();
    a(); // releasing twice frees one slot only
    const c = await waiting;
    assert.ok(c);
    assert.equal(slots.inUse, 2);
    b();
    c!();
    assert.equal(slots.inUse, 0);
  });
});
