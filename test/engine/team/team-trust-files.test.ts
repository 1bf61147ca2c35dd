// Stopping trusting a team, and a team.json that cannot be used, with real node processes on
// 127.0.0.1 and real files in temp homes:
// - `memcloud trust remove --team`: the sessions the team alone admitted close; a device trusted on
//   its own stays; the team's members then need consent.
// - A corrupt team.json follows the trust file's rule (docs/protocol.md section 4): the node starts
//   and keeps running, admits nobody by a team certificate (devices trusted one by one still are),
//   never rewrites the file, and says so in `node status` (path and fix) until the file is fixed; a
//   revocation list heard meanwhile applies at once and is written once the file is fixed.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, cli, startNode, type RunningNode } from '../../support/node-process';
import { eventually } from '../../support/eventually';

const root = mkdtempSync(join(tmpdir(), 'memcloud-team-files-'));
const nodes = new Map<string, RunningNode>();
let teamKey = '';
const home = (name: string) => join(root, name);
const keyOf = (name: string) => (JSON.parse(cli(home(name), ['id', '--json'])) as { publicKey: string }).publicKey;

function mc(name: string, args: readonly string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--home', home(name)], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface Peer {
  readonly name: string;
  readonly state: string;
  readonly team?: string;
}
function peers(name: string): Peer[] {
  const r = mc(name, ['peers', 'list', '--json']);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as Peer[];
}
const stateOf = (host: string, peer: string) => peers(host).find((p) => p.name === peer)?.state ?? 'absent';

async function start(name: string, connectTo?: string): Promise<RunningNode> {
  await nodes.get(name)?.stop();
  const n = await startNode(name, home(name), connectTo ? ['--connect', `127.0.0.1:${nodes.get(connectTo)!.port}`] : []);
  nodes.set(name, n);
  return n;
}

/** A member of team Lab (certificate installed) that trusts the team. */
function member(name: string): void {
  const cert = cli(home('admin'), ['team', 'add', keyOf(name), '--name', name]).trim();
  cli(home(name), ['team', 'join', cert]);
  cli(home(name), ['trust', 'add', '--team', teamKey]);
}

before(() => {
  cli(home('admin'), ['team', 'create', 'Lab', '--device-name', 'admin']);
  teamKey = (JSON.parse(cli(home('admin'), ['team', 'list', '--json'])) as { publicKey: string }[])[0]!.publicKey;
  for (const name of ['host', 'm1', 'm2', 'host2', 'm3']) member(name);
  // solo is no member: host2 trusts it on its own.
  cli(home('host2'), ['trust', 'add', keyOf('solo'), '--name', 'solo']);
  cli(home('solo'), ['trust', 'add', keyOf('host2'), '--name', 'host2']);
});

after(async () => {
  await Promise.all([...nodes.values()].map((n) => n.stop()));
  rmSync(root, { recursive: true, force: true });
});

describe('memcloud trust remove --team', () => {
  test('usage: --team or a device, not both; an unknown team is a clear error', () => {
    for (const args of [['trust', 'remove'], ['trust', 'remove', 'x', '--team', teamKey], ['trust', 'remove', '--team', teamKey, '--forget']]) {
      const r = mc('admin', args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, /Usage: memcloud trust remove/);
    }
    assert.match(mc('admin', ['trust', 'remove', '--help']).out, /--team TEAM_KEY/);
    const unknown = mc('m1', ['trust', 'remove', '--team', 'Nope']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.err, /No trusted team matches "Nope"/);
  });

  test('the sessions the team alone admitted close; a device trusted on its own since stays', async () => {
    const host = await start('host');
    await start('m1', 'host');
    await start('m2', 'host');
    await eventually('m1 and m2 are connected to host by the team', () => {
      const p = peers('host').filter((x) => x.state === 'connected');
      return p.length === 2 && p.every((x) => x.team === 'Lab');
    }, 60_000);
    // m2 becomes trusted on its own while its session (admitted by the team) is open.
    cli(home('host'), ['trust', 'add', keyOf('m2'), '--name', 'm2']);

    const removed = mc('host', ['trust', 'remove', '--team', teamKey]);
    assert.equal(removed.code, 0, removed.err);
    assert.match(removed.out, /^No longer trusting team Lab \([0-9A-Z-]{19}\)$/m);
    await host.waitFor(/team Lab is no longer trusted: closing the session with m1 /, 30_000);
    await eventually('m1 is no longer connected to host', () => stateOf('host', 'm1') !== 'connected', 30_000);
    assert.equal(stateOf('host', 'm2'), 'connected', 'm2, trusted on its own, keeps its session');
    assert.doesNotMatch(cli(home('host'), ['trust', 'list']), /team Lab/);
    assert.deepEqual((JSON.parse(readFileSync(join(home('host'), 'team.json'), 'utf8')) as { trusted: unknown[] }).trusted, []);

    // m1 dials again: its certificate no longer admits it here; it waits for consent.
    await start('m1', 'host');
    await host.waitFor(/team certificate of m1 .* not used: team .* is not trusted here/, 30_000);
    await eventually('m1 waits for consent on host', () => stateOf('host', 'm1') === 'pending-consent', 30_000);
    await nodes.get('m1')!.stop();
  });
});

describe('a team.json that cannot be used', () => {
  const file = () => join(home('host2'), 'team.json');
  let good = '';
  let bad = '';

  before(() => {
    good = readFileSync(file(), 'utf8');
    const json = JSON.parse(good) as { certificate: string };
    bad = JSON.stringify({ ...json, certificate: json.certificate.slice(0, -2) + 'xx' });
  });

  function problemOf(name: string): { path: string; code: string; message: string } | undefined {
    const r = mc(name, ['node', 'status', '--json']);
    assert.equal(r.code, 0, r.err);
    return (JSON.parse(r.out) as { status: { teamFileProblem?: { path: string; code: string; message: string } } }).status.teamFileProblem;
  }

  test('the node starts on it, says so, admits nobody by a team certificate, and never rewrites it', async () => {
    writeFileSync(file(), bad, { mode: 0o600 });
    const host2 = await start('host2');
    await host2.waitFor(/Team file ".*team\.json" is corrupt: .*no device is admitted by a team certificate until the file is fixed/);
    const status = mc('host2', ['node', 'status']);
    assert.equal(status.code, 0, status.err);
    assert.match(status.err, /^WARNING: no device is admitted by a team certificate until the team file is fixed/m);
    assert.ok(status.err.includes(`Team file "${file()}" is corrupt`), status.err);
    assert.match(status.err, /MemCloud has not changed it\. Fix it by hand or restore it from a backup/);
    assert.match(status.out, /^  team file    UNUSABLE \(TRUST_STORE_CORRUPT\): see the warning above$/m);
    assert.match(status.out, /^  trust file   ok$/m);
    assert.equal(problemOf('host2')?.path, file());
    const list = mc('host2', ['trust', 'list']);
    assert.equal(list.code, 0, list.err);
    assert.match(list.out, /^solo\s/m, 'the devices trusted one by one are still listed');
    assert.match(list.err, /WARNING: no device is admitted by a team certificate/);

    await start('solo', 'host2');
    await start('m3', 'host2');
    await eventually('solo, trusted on its own, is connected', () => stateOf('host2', 'solo') === 'connected', 60_000);
    await host2.waitFor(/team certificate of m3 .* not used: no device is admitted by a team certificate until the team file is fixed/, 30_000);
    await eventually('m3 waits for consent instead', () => stateOf('host2', 'm3') === 'pending-consent', 30_000);
    assert.equal(readFileSync(file(), 'utf8'), bad, 'the bad file is left as it was');
    await nodes.get('m3')!.stop();
  });

  test('fixed: team admissions resume; broken again while running: live sessions go on, new ones are not admitted by the team', async () => {
    writeFileSync(file(), good);
    await eventually('node status no longer reports the team file', () => problemOf('host2') === undefined, 30_000);
    assert.doesNotMatch(mc('host2', ['node', 'status']).err, /WARNING/);
    await start('m3', 'host2');
    await eventually('m3 is admitted by the team', () => peers('host2').some((p) => p.name === 'm3' && p.state === 'connected' && p.team === 'Lab'), 60_000);

    writeFileSync(file(), bad);
    await eventually('node status reports the team file again', () => problemOf('host2')?.code === 'TRUST_STORE_CORRUPT', 30_000);
    assert.equal(stateOf('host2', 'm3'), 'connected', 'the live team session goes on');
    assert.equal(stateOf('host2', 'solo'), 'connected');
    const host2 = nodes.get('host2')!;
    await start('m3', 'host2');
    await eventually('m3 dialled again waits for consent', () => stateOf('host2', 'm3') === 'pending-consent', 60_000);
    assert.equal(readFileSync(file(), 'utf8'), bad, 'never rewritten');
    assert.equal(host2.process.exitCode, null, 'the node keeps running');

    writeFileSync(file(), good);
    await eventually('the problem is gone once fixed', () => problemOf('host2') === undefined, 30_000);
  });

  test('a revocation list arriving while it is unusable applies at once; the file is left alone until fixed, then gets the list', async () => {
    const host2 = nodes.get('host2')!;
    await start('m3', 'host2');
    await start('admin', 'host2');
    await eventually('m3 and the administrator are admitted by the team', () => {
      const p = peers('host2');
      return ['m3', 'admin'].every((n) => p.some((x) => x.name === n && x.state === 'connected' && x.team === 'Lab'));
    }, 60_000);

    writeFileSync(file(), bad);
    await eventually('node status reports the team file', () => problemOf('host2')?.code === 'TRUST_STORE_CORRUPT', 30_000);
    const revoked = mc('admin', ['team', 'revoke', 'm3']);
    assert.equal(revoked.code, 0, revoked.err);
    // The administrator's node spreads the signed list over its session with host2: fail closed,
    // host2 ends what the team gave m3 although it cannot write (or even read) its team file.
    await host2.waitFor(/team Lab revoked m3 \([0-9A-Z-]{19}\): closing its sessions and dropping its data/, 30_000);
    await eventually('m3 is no longer connected to host2', () => stateOf('host2', 'm3') !== 'connected', 30_000);
    assert.equal(stateOf('host2', 'admin'), 'connected', 'the administrator stays');
    assert.equal(readFileSync(file(), 'utf8'), bad, 'the unusable file is not written');

    // Fixed by hand (the content from before the revocation): the node writes the list it heard.
    writeFileSync(file(), good);
    await eventually('the list heard meanwhile is written once the file is valid', () => {
      const f = JSON.parse(readFileSync(file(), 'utf8')) as { revocations: string[] };
      return problemOf('host2') === undefined && f.revocations.length === 1;
    }, 30_000);
    await start('m3', 'host2');
    await host2.waitFor(/team certificate of m3 .* not used: the device is revoked from team Lab/, 30_000);
    await eventually('m3 dialled again waits for consent', () => stateOf('host2', 'm3') === 'pending-consent', 60_000);
    await nodes.get('m3')!.stop();
    await nodes.get('admin')!.stop();
  });
});
