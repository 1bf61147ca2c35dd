// The lender side with real node processes (`memcloud node run`, default settings but the offer),
// driven with the CLI and the SDK over real TCP and real files: cache blocks evict to admit new
// ones, and trust ended by editing trusted_devices.json drops the device's blocks.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { sealedSize } from '../../../engine/data/stored-size';
import type { PeerInfo, Stats } from '../../../engine/api/types';
import { MemCloud } from '../../../engine/sdk';
import { chargeOf } from '../../../engine/store/block-cost';
import { CLI, cli, startNode, type RunningNode } from '../../support/node-process';
import { settled } from '../../support/eventually';
import { cliJson as json, homesTrustingEachOther as trusting } from '../../support/node-homes';

const MiB = 1024 * 1024;
const root = mkdtempSync(join(tmpdir(), 'memcloud-lender-'));
const nodes: RunningNode[] = [];
after(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  rmSync(root, { recursive: true, force: true });
});

async function start(name: string, home: string, extra: string[] = []): Promise<RunningNode> {
  const node = await startNode(name, home, extra);
  nodes.push(node);
  return node;
}


describe('lender processes', () => {
  test('a lender offering 4 MB takes ten 1 MB cache blocks and keeps the newest', async () => {
    const homes = trusting(root, ['keeper', 'cacher']);
    const keeper = await start('keeper', homes.keeper!, ['--offer', '4mb']);
    const owner = await start('cacher', homes.cacher!, ['--connect', `127.0.0.1:${keeper.port}`]);
    await owner.waitFor(/session established with keeper /);
    const blocks: Array<{ id: string; data: Buffer }> = [];
    for (let i = 0; i < 10; i++) {
      const file = join(root, `block${i}`);
      const data = randomBytes(MiB);
      writeFileSync(file, data);
      const id = cli(homes.cacher!, ['store', '--cache', '--file', file]).trim();
      blocks.push({ id, data });
    }
    const kept = Math.floor((4 * MiB) / chargeOf(sealedSize(MiB))); // each block is charged its sealed data plus 512 B
    assert.equal(kept, 3);
    const stats = json<Stats>(homes.keeper!, ['stats']);
    assert.equal(stats.lent.usedBytes, kept * chargeOf(sealedSize(MiB)), 'the offer holds the newest blocks, charged');
    assert.ok(stats.lent.usedBytes <= stats.lent.offeredBytes);
    assert.equal(stats.evictions, 10 - kept);
    const seen = json<PeerInfo[]>(homes.keeper!, ['peers', 'list']).find((p) => p.name === 'cacher')!;
    assert.equal(seen.storedHereBytes, kept * chargeOf(sealedSize(MiB)));

    for (const b of blocks.slice(10 - kept)) {
      const r = spawnSync(process.execPath, [CLI, 'load', b.id, '--home', homes.cacher!], { maxBuffer: 4 * MiB });
      assert.equal(r.status, 0, r.stderr.toString());
      assert.deepEqual(r.stdout, b.data, 'a newest block loads back identical');
    }
    for (const b of blocks.slice(0, 10 - kept)) {
      const r = spawnSync(process.execPath, [CLI, 'load', b.id, '--home', homes.cacher!]);
      assert.notEqual(r.status, 0, `the evicted block ${b.id} does not load`);
    }
    // The owner's listing agrees with what the lender holds: exactly the newest blocks.
    const client = await MemCloud.connect({ home: homes.cacher! });
    try {
      const items = (await client.listData()).filter((d) => d.kind === 'block' && d.replicas.length > 0);
      assert.deepEqual(new Set(items.map((d) => d.id)), new Set(blocks.slice(10 - kept).map((b) => b.id)));
    } finally {
      await client.close();
    }
  });

  test('revoking or forgetting a device by editing trusted_devices.json drops its blocks, as the API does', async () => {
    const homes = trusting(root, ['holder', 'revoked', 'forgotten', 'removed']);
    const holder = await start('holder', homes.holder!);
    const owners = await Promise.all(['revoked', 'forgotten', 'removed'].map((n) => start(n, homes[n]!, ['--connect', `127.0.0.1:${holder.port}`])));
    await Promise.all(owners.map((o) => o.waitFor(/session established with holder /)));
    for (const o of owners) cli(homes[o.name]!, ['set', 'k', randomBytes(60_000).toString('base64'), '--remote']);
    const peers = json<PeerInfo[]>(homes.holder!, ['peers', 'list']);
    const storedBy = (name: string): number => peers.find((p) => p.name === name)!.storedHereBytes;
    for (const o of owners) assert.equal(storedBy(o.name), chargeOf(sealedSize(80_000)), `${o.name} stores one value on the holder`);
    const lentBytes = (): number => json<Stats>(homes.holder!, ['stats']).lent.usedBytes;
    assert.equal(lentBytes(), 3 * chargeOf(sealedSize(80_000)));

    // A person edits the file: one device marked revoked, another deleted from the list.
    const path = join(homes.holder!, 'trusted_devices.json');
    const file = JSON.parse(readFileSync(path, 'utf8')) as { devices: Array<{ name: string; status: string; revokedAt?: string }> };
    const now = new Date().toISOString();
    file.devices = file.devices
      .filter((d) => d.name !== 'forgotten')
      .map((d) => (d.name === 'revoked' ? { ...d, status: 'revoked', revokedAt: now } : d));
    writeFileSync(path, JSON.stringify(file, null, 2), { mode: 0o600 });
    assert.equal(await settled(lentBytes, (v) => v === storedBy('removed')), storedBy('removed'), 'only the still trusted device\'s block is left');
    await holder.waitFor(/dropped the 1 block \(.*\) device .* stored here: it is revoked/);
    await holder.waitFor(/dropped the 1 block \(.*\) device .* stored here: it is forgotten/);

    // The API path (the CLI asks the node) drops the same way, through the same trust change.
    cli(homes.holder!, ['trust', 'remove', 'removed']);
    assert.equal(lentBytes(), 0);
    assert.equal(json<Stats>(homes.holder!, ['stats']).local.blocks, 0);
  });
});
