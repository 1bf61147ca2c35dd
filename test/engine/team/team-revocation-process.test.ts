// Team trust and revocation between five real node processes on 127.0.0.1 (docs/protocol.md
// section 12): an administrator connected to one member only, three members and a device to be
// revoked, all admitted by their team certificates without a prompt. A revocation reaches every
// member and ends every session with the revoked device; an older list sent again changes nothing;
// a forged list is refused and its sender's session closed. The replays come from a real session
// (an in-process member with its own certificate) to a real node process.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { CLI, cli, startNode, type RunningNode } from '../../support/node-process';
import { spawnSync } from 'node:child_process';
import { encodeStat, encodeTeamRevocations } from '../../../engine/cluster/peer-protocol';
import { decodeBase64urlExact } from '../../../engine/identity/base64url';
import { parsePublicKey } from '../../../engine/identity/public-key';
import { signRevocationList, decodeRevocationList } from '../../../engine/team/revocation-list';
import type { Session } from '../../../engine/session/session-manager';
import { closeSharedPool, createEndpoint, type Endpoint } from '../../support/endpoints';
import { eventually } from '../../support/eventually';

const root = mkdtempSync(join(tmpdir(), 'memcloud-team-'));
const nodes = new Map<string, RunningNode>();
const keys = new Map<string, string>();
let teamKey = '';
let intruder: Endpoint | undefined;

const home = (name: string) => join(root, name);
const keyOf = (h: string) => (JSON.parse(cli(h, ['id', '--json'])) as { publicKey: string }).publicKey;

interface Peer {
  readonly publicKey: string;
  readonly name: string;
  readonly state: string;
}
function connected(name: string): string[] {
  const r = spawnSync(process.execPath, [CLI, 'peers', 'list', '--json', '--home', home(name)], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as Peer[]).filter((p) => p.state === 'connected').map((p) => p.name).sort();
}

/** The serial of the team's list in a home's team.json (0: none). */
function listSerial(name: string): number {
  const f = JSON.parse(readFileSync(join(home(name), 'team.json'), 'utf8')) as { revocations: string[] };
  const lists = f.revocations.map((t) => decodeRevocationList(decodeBase64urlExact(t, Math.floor((t.length * 3) / 4))!));
  return lists.find((l) => Buffer.from(l.teamKey).equals(Buffer.from(parsePublicKey(teamKey))))?.serial ?? 0;
}


const MEMBERS = ['m1', 'm2', 'm3'];

function statRoundTrip(s: Session): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Buffer) => {
      if (m[0] !== 0x84 || m.readUInt32BE(1) !== 7) return;
      s.channel.off('message', onMessage);
      resolve();
    };
    s.channel.on('message', onMessage);
    s.channel.once('close', () => reject(new Error('the session closed before the STAT reply')));
    s.channel.send(encodeStat(7));
  });
}

before(async () => {
  cli(home('admin'), ['team', 'create', 'Lab', '--device-name', 'admin']);
  teamKey = (JSON.parse(cli(home('admin'), ['team', 'list', '--json'])) as { publicKey: string }[])[0]!.publicKey;
  for (const name of [...MEMBERS, 'rogue']) {
    keys.set(name, keyOf(home(name)));
    const cert = cli(home('admin'), ['team', 'add', keys.get(name)!, '--name', name]).trim();
    cli(home(name), ['team', 'join', cert]);
    cli(home(name), ['trust', 'add', '--team', teamKey]);
  }
  // m1, m2, m3 and rogue meet in a full mesh; the administrator knows only m1's address.
  const started: RunningNode[] = [];
  for (const name of [...MEMBERS, 'rogue']) {
    const n = await startNode(name, home(name), started.flatMap((s) => ['--connect', `127.0.0.1:${s.port}`]));
    started.push(n);
    nodes.set(name, n);
  }
  nodes.set('admin', await startNode('admin', home('admin'), ['--connect', `127.0.0.1:${nodes.get('m1')!.port}`]));
});

after(async () => {
  await intruder?.close();
  await closeSharedPool();
  await Promise.all([...nodes.values()].map((n) => n.stop()));
  rmSync(root, { recursive: true, force: true });
});

describe('team admission', () => {
  test('members of a trusted team are admitted without a consent prompt, and only where they connect', async () => {
    await eventually('the mesh and the administrator are connected', () =>
      MEMBERS.every((m) => connected(m).length === (m === 'm1' ? 4 : 3)) && connected('rogue').length === 3 && connected('admin').length === 1,
    );
    assert.deepEqual(connected('admin'), ['m1']);
    assert.deepEqual(connected('m2'), ['m1', 'm3', 'rogue']);
    const line = await nodes.get('m2')!.waitFor(/session established with rogue /);
    assert.match(line, /, team$/, 'admitted by the team certificate');
  });

  test('peers, node status and trust list say "team Lab"', () => {
    const peers = JSON.parse(cli(home('m2'), ['peers', 'list', '--json'])) as (Peer & { team?: string })[];
    assert.deepEqual(peers.filter((p) => p.state === 'connected').map((p) => [p.name, p.team]), [['m1', 'Lab'], ['m3', 'Lab'], ['rogue', 'Lab']]);
    assert.match(cli(home('m2'), ['peers', 'list']), /^rogue\s+\S+\s+connected, team Lab\s/m);
    assert.match(cli(home('m1'), ['node', 'status']), /^  teams\s+member of team Lab; trusts team Lab$/m);
    assert.match(cli(home('m3'), ['trust', 'list']), /^Teams \(every member with a valid certificate is admitted without a prompt\):\n  team Lab  [0-9A-Z-]{19}$/m);
  });
});

describe('revocation', () => {
  test('a revocation made on the administrator reaches every member and closes every session with the revoked device', async () => {
    cli(home('admin'), ['team', 'revoke', 'rogue']);
    await eventually('no member keeps a session with rogue', () => MEMBERS.every((m) => !connected(m).includes('rogue')));
    await eventually('rogue has no session left', () => connected('rogue').length === 0);
    for (const m of MEMBERS) assert.equal(listSerial(m), 1, `${m} keeps the list it heard`);
    assert.deepEqual(connected('m2'), ['m1', 'm3'], 'the members stay connected to each other');
    assert.deepEqual(connected('admin'), ['m1']);
  });

  test('the revoked device is not admitted again by its certificate (it would need consent)', async () => {
    const rogue = nodes.get('rogue')!;
    await rogue.stop();
    const again = await startNode('rogue', home('rogue'), ['--connect', `127.0.0.1:${nodes.get('m3')!.port}`]);
    nodes.set('rogue', again);
    await nodes.get('m3')!.waitFor(/team certificate of rogue .* not used: the device is revoked from team Lab/);
    assert.ok(!connected('m3').includes('rogue'));
  });

  describe('lists sent again or forged, over a real session with a member', () => {
    let session: Session;
    let secondList: Uint8Array;

    before(async () => {
      // An in-process member with its own certificate, connected to m2 only.
      intruder = await createEndpoint({ name: 'probe', pool: false, team: true });
      const probeKey = Buffer.from(intruder.identity.publicKey).toString('base64url');
      const cert = cli(home('admin'), ['team', 'add', probeKey, '--name', 'probe']).trim();
      cli(intruder.home, ['team', 'join', cert]);
      cli(intruder.home, ['trust', 'add', '--team', teamKey]);
      await intruder.team!.reloadFromDisk();
      session = await intruder.sessions.dial('127.0.0.1', nodes.get('m2')!.port);
      assert.equal(session.admission, 'team');
      // A second revocation (a device that never joined) moves every member to list 2.
      cli(home('admin'), ['team', 'revoke', Buffer.from(ed25519.getPublicKey(ed25519.utils.randomSecretKey())).toString('base64url')]);
      await eventually('every member has list 2', () => MEMBERS.every((m) => listSerial(m) === 2));
      const t = JSON.parse(readFileSync(join(home('m2'), 'team.json'), 'utf8')) as { revocations: string[] };
      secondList = decodeBase64urlExact(t.revocations[0]!, Math.floor((t.revocations[0]!.length * 3) / 4))!;
    });

    test('an older list sent again changes nothing and is not forwarded', async () => {
      const first = signRevocationList(parsePublicKey(teamKey), 1, [], ed25519.utils.randomSecretKey());
      // Replays: the real list 2 itself, and list 1's serial (signature irrelevant: older lists are never taken).
      session.channel.send(encodeTeamRevocations(secondList));
      session.channel.send(encodeTeamRevocations(first.bytes));
      // m2 handles a session's messages in order: its answer to a STAT sent behind them means it has seen them.
      await statRoundTrip(session);
      // The session survives (older lists are not an offence) and nothing moved anywhere.
      assert.ok(!session.channel.isClosed, 'an honest peer may send an old list: no reason to close');
      for (const m of MEMBERS) assert.equal(listSerial(m), 2);
      assert.deepEqual(connected('m2'), ['m1', 'm3', 'probe']);
    });

    test('a forged newer list (not signed by the team key) is refused: not kept, not forwarded, its sender cut off', async () => {
      const forged = signRevocationList(parsePublicKey(teamKey), 99, [parsePublicKey(keys.get('m3')!)], ed25519.utils.randomSecretKey());
      const closed = new Promise((resolve) => session.channel.once('close', resolve));
      session.channel.send(encodeTeamRevocations(forged.bytes));
      await closed;
      await nodes.get('m2')!.waitFor(/refused a revocation list from probe .* not signed by the team key/);
      for (const m of MEMBERS) assert.equal(listSerial(m), 2);
      assert.deepEqual(connected('m2'), ['m1', 'm3'], 'm3, which the forged list named, is still connected');
      assert.deepEqual(connected('m3'), ['m1', 'm2']);
    });
  });
});
