// A hand edit with a typo in trusted_devices.json, on real `memcloud node run` processes: the node
// says so in its log, `memcloud node status`, `peers list` and `trust list` (path and fix), refuses
// every new session (inbound and outbound) while live ones go on, refuses trust changes without
// touching the file, and admits again as soon as the file is valid. A node started with a corrupt
// file starts, reports it and admits nobody until it is fixed.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, cli, startNode, type RunningNode } from '../../support/node-process';

const root = mkdtempSync(join(tmpdir(), 'memcloud-trust-edit-'));
const homes = { main: join(root, 'main'), desk: join(root, 'desk'), nas: join(root, 'nas') };
const trustFile = join(homes.main, 'trusted_devices.json');
const nodes: RunningNode[] = [];

function mc(home: string, args: readonly string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--home', home], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const keyOf = (home: string): string => (JSON.parse(cli(home, ['id', '--json'])) as { publicKey: string }).publicKey;

function connected(home: string): string[] {
  const peers = JSON.parse(mc(home, ['peers', 'list', '--json']).out) as Array<{ name: string; state: string }>;
  return peers.filter((p) => p.state === 'connected').map((p) => p.name).sort();
}

before(() => {
  const keys = { main: keyOf(homes.main), desk: keyOf(homes.desk), nas: keyOf(homes.nas) };
  cli(homes.main, ['trust', 'add', keys.desk, '--name', 'desk']);
  cli(homes.main, ['trust', 'add', keys.nas, '--name', 'nas']);
  cli(homes.desk, ['trust', 'add', keys.main, '--name', 'main']);
  cli(homes.nas, ['trust', 'add', keys.main, '--name', 'main']);
});

after(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  rmSync(root, { recursive: true, force: true });
});

describe('a corrupt trust file on a running node', () => {
  let main: RunningNode;
  let desk: RunningNode;
  let nas: RunningNode;
  let good = '';
  // A trailing comma: the kind of typo a hand edit makes.
  const typo = () => good.replace('"status": "trusted"', '"status": "trusted",');

  before(async () => {
    main = await startNode('main', homes.main);
    desk = await startNode('desk', homes.desk, ['--connect', `127.0.0.1:${main.port}`]);
    nas = await startNode('nas', homes.nas);
    nodes.push(main, desk, nas);
    await main.waitFor(/session established with desk/);
    good = readFileSync(trustFile, 'utf8');
  });

  test('the edit is reported in the log, node status, peers list and trust list, with the path and the fix', async () => {
    writeFileSync(trustFile, typo());
    await main.waitFor(/is corrupt: it is not valid JSON.*no new session is admitted/);
    const status = mc(homes.main, ['node', 'status']);
    assert.equal(status.code, 0, status.err);
    assert.match(status.err, /WARNING: no new device or session is admitted until the trust file is fixed/);
    assert.ok(status.err.includes(`Trust store "${trustFile}" is corrupt: it is not valid JSON`), status.err);
    assert.match(status.err, /Fix it by hand, restore it from a backup, or move it aside/);
    assert.match(status.out, /trust file {3}UNUSABLE \(TRUST_STORE_CORRUPT\)/);
    const json = JSON.parse(mc(homes.main, ['node', 'status', '--json']).out) as { status: { trustFileProblem?: { code: string; path: string } } };
    assert.deepEqual([json.status.trustFileProblem?.code, json.status.trustFileProblem?.path], ['TRUST_STORE_CORRUPT', trustFile]);
    for (const args of [['peers', 'list'], ['trust', 'list']]) assert.match(mc(homes.main, args).err, /WARNING: no new device or session/, args.join(' '));
  });

  test('new sessions are refused both ways; the live session goes on', async () => {
    const inbound = mc(homes.nas, ['connect', `127.0.0.1:${main.port}`]);
    assert.equal(inbound.code, 1, 'nas cannot connect to main');
    await main.waitFor(/inbound session from .* refused: TRUST_STORE_CORRUPT: no new session is admitted until the trust file is fixed/);
    const outbound = mc(homes.main, ['connect', `127.0.0.1:${nas.port}`]);
    assert.equal(outbound.code, 1);
    assert.match(outbound.err, /no new session is admitted until the trust file is fixed: Trust store ".*" is corrupt/);
    assert.match(outbound.err, /\[TRUST_STORE_CORRUPT\]/);
    assert.deepEqual(connected(homes.main), ['desk'], 'desk, trusted in the last good list, stays connected');
  });

  test('trust changes are refused and the file is left exactly as the person left it', () => {
    const add = mc(homes.main, ['trust', 'add', keyOf(join(root, 'other')), '--name', 'other']);
    assert.equal(add.code, 1);
    assert.match(add.err, /Cannot trust the device: Trust store ".*" is corrupt/);
    assert.equal(readFileSync(trustFile, 'utf8'), typo());
  });

  test('once the file is valid again, new sessions are admitted and the warning is gone', async () => {
    writeFileSync(trustFile, good);
    await main.waitFor(/trust file .* is valid again: new sessions are admitted/);
    const r = mc(homes.nas, ['connect', `127.0.0.1:${main.port}`]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(connected(homes.main), ['desk', 'nas']);
    const status = mc(homes.main, ['node', 'status']);
    assert.equal(status.err, '');
    assert.match(status.out, /trust file {3}ok/);
  });
});

describe('a node started with a corrupt trust file', () => {
  test('starts, reports the file, admits nobody, and takes the devices once it is fixed', async () => {
    const home = join(root, 'restart');
    const deskKey = keyOf(homes.desk);
    cli(home, ['trust', 'add', deskKey, '--name', 'desk']);
    cli(homes.desk, ['trust', 'add', keyOf(home), '--name', 'restart']);
    const file = join(home, 'trusted_devices.json');
    const good = readFileSync(file, 'utf8');
    const bad = good.replace('"name": "desk"', '"name": "desk (work)"');
    writeFileSync(file, bad);

    const node = await startNode('restart', home);
    nodes.push(node);
    await node.waitFor(/devices\[0\]: "name" must not contain a bracket or parenthesis \(U\+0028\).*no new session is admitted/);
    assert.match(mc(home, ['trust', 'list']).err, /WARNING: no new device or session is admitted/);
    const refused = mc(homes.desk, ['connect', `127.0.0.1:${node.port}`]);
    assert.equal(refused.code, 1);
    assert.equal(readFileSync(file, 'utf8'), bad, 'never rewritten');

    writeFileSync(file, good);
    await node.waitFor(/is valid again/);
    const ok = mc(homes.desk, ['connect', `127.0.0.1:${node.port}`]);
    assert.equal(ok.code, 0, ok.err);
    assert.deepEqual(connected(home), ['desk']);
  });
});
