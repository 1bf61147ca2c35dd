// The CLI of an owner with three lenders, all real node processes on 127.0.0.1: what it says when
// fewer copies could be made than asked for, and how quota refusals name devices.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CLI, cli, startNode, type RunningNode } from '../../support/node-process';

const root = mkdtempSync(join(tmpdir(), 'memcloud-cli-cluster-'));
const nodes: RunningNode[] = [];
let owner: RunningNode;
let ownerKey = '';
const lenders: RunningNode[] = [];

function mc(args: string[], input = ''): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--home', owner.home], { encoding: 'utf8', timeout: 60_000, input });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const keyOf = (home: string) => (JSON.parse(cli(home, ['id', '--json'])) as { publicKey: string }).publicKey;

before(async () => {
  const ownerHome = join(root, 'owner');
  ownerKey = keyOf(ownerHome);
  for (const name of ['l1', 'l2', 'l3']) {
    const home = join(root, name);
    cli(home, ['trust', 'add', ownerKey, '--name', 'owner']);
    cli(ownerHome, ['trust', 'add', keyOf(home), '--name', name]);
    const l = await startNode(name, home, ['--offer', '16mb']);
    nodes.push(l);
    lenders.push(l);
  }
  owner = await startNode('owner', ownerHome, lenders.flatMap((l) => ['--connect', `127.0.0.1:${l.port}`]));
  nodes.push(owner);
  for (const l of lenders) await owner.waitFor(new RegExp(`session established with ${l.name} `));
});
after(async () => {
  await Promise.all(nodes.map((x) => x.stop()));
  rmSync(root, { recursive: true, force: true });
});

describe('copies', () => {
  test('--replicas 4 with three peers stores three copies and says so on stderr', () => {
    const file = join(root, 'four.bin');
    writeFileSync(file, randomBytes(300_000));
    const runs = [mc(['store', 'block', '--replicas', '4']), mc(['set', 'k4', 'value', '--replicas', '4']), mc(['push', file, '--replicas', '4'])];
    for (const r of runs) {
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, /^memcloud: warning: asked for 4 copies, stored 3 \((l[123]), (?!\1)(l[123]), (?!\1|\2)l[123]\); the node makes the missing copies when more peers can take them\n$/);
    }
    const three = mc(['set', 'k3', 'value', '--replicas', '3']);
    assert.equal(three.code, 0);
    assert.equal(three.err, '', 'no warning when every copy was made');
  });
});

describe('quota refusals', () => {
  test('name the refusing devices by name and fingerprint, never this device by a shortened key', () => {
    for (const l of lenders) cli(l.home, ['peers', 'update', 'owner', '--allowed', '1mb']);
    const file = join(root, 'big.bin');
    writeFileSync(file, randomBytes(3 * 1024 * 1024));
    for (const args of [['store', '--file', file, '--replicas', '1'], ['push', file, '--replicas', '1']]) {
      const r = mc(args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, /\[QUOTA_EXCEEDED\]\n$/);
      assert.ok(lenders.some((l) => r.err.includes(`${l.name} (${l.fingerprint})`)), r.err);
      assert.ok(!r.err.includes(ownerKey.slice(0, 6)), `no part of our own key: ${r.err}`);
      assert.doesNotMatch(r.err, /for peer /);
    }
  });
});
