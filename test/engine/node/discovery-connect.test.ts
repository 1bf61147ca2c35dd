// Whole nodes on a LAN of network namespaces (real multicast, real routing): trusted devices find
// each other by mDNS and connect on their own; an untrusted device is only listed as discovered.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerInfo } from '../../../engine/api/types';
import { chargeOf } from '../../../engine/store/block-cost';
import { CLI, cli } from '../../support/node-process';
import { hasRaw, lanForThisFile } from '../../support/lan-suite';
import { type NetnsProcess } from '../../support/netns';
import { sealedSize } from '../../../engine/data/stored-size';

const root = mkdtempSync(join(tmpdir(), 'memcloud-lan-'));
const lanNow = lanForThisFile(3, () => rmSync(root, { recursive: true, force: true }));


test('trusted nodes discover each other over mDNS and connect; an untrusted one is only listed', async () => {
  const names = ['alpha', 'beta', 'gamma'];
  const homes = Object.fromEntries(names.map((n) => [n, join(root, n)]));
  const keys = Object.fromEntries(names.map((n) => [n, (JSON.parse(cli(homes[n]!, ['id', '--json'])) as { publicKey: string }).publicKey]));
  cli(homes.alpha!, ['trust', 'add', keys.beta!, '--name', 'beta']);
  cli(homes.beta!, ['trust', 'add', keys.alpha!, '--name', 'alpha']);

  const nodes: NetnsProcess[] = names.map((name, i) =>
    lanNow().spawnNode(lanNow().hosts[i]!, [CLI, 'node', 'run', '--home', homes[name]!, '--name', name, '--host', '0.0.0.0', '--port', '7797']),
  );
  await nodes[0]!.waitFor(hasRaw('session established with beta'), 'alpha connects to beta by itself', 30_000);
  await nodes[1]!.waitFor(hasRaw('session established with alpha'), 'beta sees alpha', 30_000);

  // gamma is on the LAN too: listed, with its real address, but nobody connects to it.
  let peers: PeerInfo[] = [];
  for (let i = 0; i < 100; i++) {
    peers = JSON.parse(cli(homes.alpha!, ['peers', 'list', '--json'])) as PeerInfo[];
    if (peers.some((p) => p.name === 'gamma')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const beta = peers.find((p) => p.name === 'beta');
  const gamma = peers.find((p) => p.name === 'gamma');
  assert.equal(beta?.state, 'connected');
  assert.equal(gamma?.state, 'discovered');
  assert.equal(gamma?.trusted, false);
  assert.deepEqual(gamma?.addresses, [`${lanNow().hosts[2]!.address}:7797`]);
  assert.ok(!nodes[2]!.lines.some(hasRaw('session established')), 'nobody opened a session with the untrusted node');

  // And the pool works across the namespaces.
  cli(homes.alpha!, ['set', 'across', 'the LAN']);
  assert.equal(cli(homes.alpha!, ['get', 'across']), 'the LAN');
  const lent = JSON.parse(cli(homes.beta!, ['stats', '--json'])) as { lent: { usedBytes: number } };
  assert.equal(lent.lent.usedBytes, chargeOf(sealedSize('the LAN'.length)), 'the value, sealed, plus the fixed overhead');
});
