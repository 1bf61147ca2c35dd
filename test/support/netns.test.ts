// The network-namespace LAN helper itself: isolation from the host, reachability, cleanup.
// Needs root and iproute2; fails (never skips) without them.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { NetnsLan, assertNetnsCapable, removeStaleNamespaces } from './netns';

const hostView = () => ({
  links: execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).split('\n').map((l) => l.split(':')[1]?.trim()).join(','),
  routes: execFileSync('ip', ['route', 'show'], { encoding: 'utf8' }),
});
const namespaces = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]);

const SERVER = `
  const s = require('node:net').createServer((c) => c.end('pong')).listen(7400, () => console.log(JSON.stringify({ event: 'listening' })));`;
const CLIENT = (address: string) => `
  const c = require('node:net').connect(7400, '${address}');
  c.on('data', (d) => { process.stdout.write(String(d)); c.end(); });`;

describe('network namespace LAN helper', () => {
  test('hosts reach each other over the bridge; the host namespace is untouched; destroy removes everything', async () => {
    assertNetnsCapable();
    const before = hostView();
    const lan = await NetnsLan.create(2);
    try {
      assert.deepEqual(hostView(), before, 'no interface or route added to the host namespace');
      const [a, b] = lan.hosts as [NonNullable<(typeof lan.hosts)[0]>, NonNullable<(typeof lan.hosts)[1]>];
      assert.match(a.address, /^10\.213\.\d+\.10$/);
      const server = lan.spawnNode(b, ['-e', SERVER], 30_000);
      await server.waitFor((l): l is object => (l as { event?: string }).event === 'listening', 'the server');
      assert.equal(await lan.exec(a, [process.execPath, '-e', CLIENT(b.address)]), 'pong');
      const routes = await lan.exec(a, ['ip', 'route', 'show']);
      assert.match(routes, /^224\.0\.0\.0\/4 dev mc0/m);
      assert.deepEqual(lan.existingNamespaces().sort(), [...lan.hosts.map((h) => h.ns), lan.hub].sort());
    } finally {
      await lan.destroy();
    }
    assert.deepEqual(lan.existingNamespaces(), []);
    assert.deepEqual(hostView(), before);
  });

  test('a child that hangs is killed at its timeout', async () => {
    assertNetnsCapable();
    const lan = await NetnsLan.create(1);
    try {
      const hung = lan.spawnNode(lan.hosts[0]!, ['-e', 'setInterval(() => {}, 1000)'], 300);
      assert.equal(await hung.exited, null); // killed by signal, no exit code
    } finally {
      await lan.destroy();
    }
  });

  test('namespaces left by a crashed run are removed; those of live runs are kept', () => {
    assertNetnsCapable();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // a pid that has just exited
    const stale = `mc-${dead.toString(36)}x0dead0-0`;
    const live = `mc-${process.pid.toString(36)}x0a1b2c-0`;
    execFileSync('ip', ['netns', 'add', stale]);
    execFileSync('ip', ['netns', 'add', live]);
    try {
      removeStaleNamespaces(); // (a concurrent test file may get there first: same outcome)
      assert.ok(!namespaces().includes(stale));
      assert.ok(namespaces().includes(live));
    } finally {
      for (const ns of [stale, live]) spawnSync('ip', ['netns', 'del', ns]);
    }
  });
});
