// The `memcloud team` group and `trust add --team` on real files in temp homes: help and usage
// errors like the other groups, 0600 atomic files, certificates checked on join, and corrupt or
// exposed team files refused with a clear error (a node keeps running on them: team-trust-files.test.ts).

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ErrorCodes, type MemCloudError } from '../../../engine/errors';
import { certificateText, issueCertificate } from '../../../engine/team/certificate';
import { joinTeam } from '../../../engine/team/team-member';
import { runCliInProcess } from '../../support/cli-in-process';

const root = mkdtempSync(join(tmpdir(), 'memcloud-team-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const newHome = () => join(root, `h${n++}`);
const mc = (home: string, ...args: string[]) => runCliInProcess([...args, '--home', home]);
const keyOf = async (home: string) => (JSON.parse((await mc(home, 'id', '--json')).out) as { publicKey: string }).publicKey;

describe('memcloud team', () => {
  test('--help for the group and each command; usage errors exit 2', async () => {
    const group = await runCliInProcess(['team', '--help']);
    assert.equal(group.code, 0);
    for (const c of ['create', 'add', 'join', 'revoke', 'list', 'show']) assert.match(group.out, new RegExp(`team ${c} `));
    const help = await runCliInProcess(['team', 'add', '--help']);
    assert.match(help.out, /Usage: memcloud team add \[options\] <device-key>/);
    assert.match(help.out, /--expires DURATION/);
    const home = newHome();
    for (const args of [['team', 'create'], ['team', 'add'], ['team', 'join', 'a', 'b'], ['team', 'create', 'x', '--bogus'], ['trust', 'add', 'k', '--team', 'k2']]) {
      const r = await mc(home, ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, /Usage: memcloud /);
    }
    const expiry = await mc(home, 'team', 'create', 'Lab', '--expires', '0d');
    assert.notEqual(expiry.code, 0);
    assert.match(expiry.err, /--expires must be/);
  });

  test('create writes 0600 files; add prints a certificate that join checks and installs', async () => {
    const admin = newHome();
    const desk = newHome();
    const created = await mc(admin, 'team', 'create', 'Lab', '--device-name', 'admin');
    assert.equal(created.code, 0, created.err);
    for (const f of ['team.json', 'team_keys.json']) assert.equal(statSync(join(admin, f)).mode & 0o777, 0o600, f);
    assert.doesNotMatch(created.out, /secret/i);
    const deskKey = await keyOf(desk);
    const add = await mc(admin, 'team', 'add', deskKey, '--name', 'desk', '--expires', '30d');
    assert.equal(add.code, 0, add.err);
    const cert = add.out.trim();
    assert.match(cert, /^mcteam1\.[A-Za-z0-9_-]+$/);
    assert.match(add.err, /for desk .* valid until/);

    const wrong = await mc(newHome(), 'team', 'join', cert);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.err, /for another device/);
    const tampered = await mc(desk, 'team', 'join', cert.slice(0, -3) + (cert.endsWith('AAA') ? 'BBB' : 'AAA'));
    assert.notEqual(tampered.code, 0);
    assert.match(tampered.err, /not signed by the team key|Not a MemCloud team certificate/);

    const join1 = await mc(desk, 'team', 'join', cert);
    assert.equal(join1.code, 0, join1.err);
    assert.match(join1.out, /Joined team Lab as desk/);
    const list = JSON.parse((await mc(desk, 'team', 'list', '--json')).out) as { name: string; roles: string[] }[];
    assert.deepEqual(list.map((t) => [t.name, t.roles]), [['Lab', ['member']]]);
    const teamKey = (JSON.parse((await mc(admin, 'team', 'list', '--json')).out) as { publicKey: string }[])[0]!.publicKey;
    const trusted = await mc(desk, 'trust', 'add', '--team', teamKey);
    assert.equal(trusted.code, 0, trusted.err);
    assert.match(trusted.out, /Trusted team Lab/);

    const revoke = await mc(admin, 'team', 'revoke', 'desk');
    assert.equal(revoke.code, 0, revoke.err);
    assert.match(revoke.out, /Revoked desk .* from team Lab \(revocation list 1,/);
    const again = await mc(admin, 'team', 'revoke', 'desk');
    assert.notEqual(again.code, 0);
    assert.match(again.err, /already revoked/);
    const readd = await mc(admin, 'team', 'add', deskKey);
    assert.notEqual(readd.code, 0);
    assert.match(readd.err, /revoked from team Lab/);
    const show = JSON.parse((await mc(admin, 'team', 'show', 'Lab', '--json')).out) as { revocationSerial: number; members: { name: string; status: string }[] };
    assert.equal(show.revocationSerial, 1);
    assert.deepEqual(show.members.map((m) => [m.name, m.status]), [['admin', 'valid'], ['desk', 'revoked']]);
  });

  test('join replaces a membership of another team only with --replace; renewing the same team needs none', async () => {
    const [lab, ops, desk] = [newHome(), newHome(), newHome()];
    for (const [home, name] of [[lab, 'Lab'], [ops, 'Ops']] as const) assert.equal((await mc(home, 'team', 'create', name)).code, 0);
    const deskKey = await keyOf(desk);
    const certOf = async (admin: string) => (await mc(admin, 'team', 'add', deskKey, '--name', 'desk')).out.trim();
    const teamJson = () => readFileSync(join(desk, 'team.json'), 'utf8');
    const labCert = await certOf(lab);
    assert.equal((await mc(desk, 'team', 'join', labCert)).code, 0);
    const before = teamJson();

    const unconfirmed = await mc(desk, 'team', 'join', await certOf(ops));
    assert.equal(unconfirmed.code, 1);
    assert.match(unconfirmed.err, /member of team Lab \(certificate 2, valid until \d{4}-\d\d-\d\d\)\..*joining team Ops ends that membership.*Nothing was changed\. To leave it and join, run the command again with --replace \[CONFIRMATION_REQUIRED\]/s);
    assert.equal(teamJson(), before, 'team.json untouched');

    const renewed = await mc(desk, 'team', 'join', await certOf(lab));
    assert.equal(renewed.code, 0, renewed.err);
    assert.match(renewed.out, /Joined team Lab as desk \(certificate 3,/);

    const confirmed = await mc(desk, 'team', 'join', await certOf(ops), '--replace');
    assert.equal(confirmed.code, 0, confirmed.err);
    assert.match(confirmed.out, /^Joined team Ops as desk /);
    assert.match(confirmed.out, /^It replaces this device's certificate of team Lab\.$/m);
    const list = JSON.parse((await mc(desk, 'team', 'list', '--json')).out) as { name: string; roles: string[] }[];
    assert.deepEqual(list.map((t) => [t.name, t.roles]), [['Ops', ['member']]]);
    assert.match((await runCliInProcess(['team', 'join', '--help'])).out, /--replace/);
  });

  test('a membership whose certificate expired is replaced without asking (engine, real files)', async () => {
    const desk = newHome();
    const deviceKey = Buffer.from(await keyOf(desk), 'base64url');
    const nowS = Math.floor(Date.now() / 1000);
    const certFor = (teamName: string, expiresAt: number) => {
      const secret = ed25519.utils.randomSecretKey();
      return certificateText(issueCertificate({ teamKey: ed25519.getPublicKey(secret), deviceKey, serial: 1, expiresAt, teamName, deviceName: 'desk' }, secret));
    };
    await joinTeam(desk, certFor('Short', nowS + 60), deviceKey);
    await assert.rejects(joinTeam(desk, certFor('Ops', nowS + 3600), deviceKey), (e: MemCloudError) => e.code === ErrorCodes.CONFIRMATION_REQUIRED);
    // Two minutes on, the Short certificate has expired: it is no membership left to confirm leaving.
    const later = new Date((nowS + 120) * 1000);
    const { cert, replaced } = await joinTeam(desk, certFor('Ops', nowS + 3600), deviceKey, { now: later });
    assert.equal(cert.teamName, 'Ops');
    assert.equal(replaced?.teamName, 'Short');
  });

  test('an expired certificate is refused on join', async () => {
    const desk = newHome();
    const secret = ed25519.utils.randomSecretKey();
    const deviceKey = Buffer.from(await keyOf(desk), 'base64url');
    const cert = issueCertificate({ teamKey: ed25519.getPublicKey(secret), deviceKey, serial: 1, expiresAt: Math.floor(Date.now() / 1000) - 10, teamName: 'Old', deviceName: 'desk' }, secret);
    const r = await mc(desk, 'team', 'join', certificateText(cert));
    assert.notEqual(r.code, 0);
    assert.match(r.err, /expired/);
  });

  test('a corrupt or exposed team file is an error of the team commands naming it (a node on it: team-trust-files.test.ts)', async () => {
    const home = newHome();
    assert.equal((await mc(home, 'team', 'create', 'Lab')).code, 0);
    const path = join(home, 'team.json');
    const good = readFileSync(path, 'utf8');
    const json = JSON.parse(good) as { certificate: string };
    writeFileSync(path, JSON.stringify({ ...json, certificate: json.certificate.slice(0, -2) + 'xx' }), { mode: 0o600 });
    const list = await mc(home, 'team', 'list');
    assert.notEqual(list.code, 0);
    assert.match(list.err, /Team file ".*team\.json" is corrupt: .*MemCloud has not changed it/);
    assert.equal(readFileSync(path, 'utf8').includes('xx'), true, 'the bad file is left as it was');
    writeFileSync(path, good);
    chmodSync(path, 0o666);
    const exposed = await mc(home, 'team', 'list');
    assert.notEqual(exposed.code, 0);
    assert.match(exposed.err, /open to other users .* chmod 600/);
    chmodSync(join(home, 'team_keys.json'), 0o640);
    chmodSync(path, 0o600);
    const keys = await mc(home, 'team', 'add', await keyOf(newHome()));
    assert.notEqual(keys.code, 0);
    assert.match(keys.err, /Team key file .* open to other users/);
  });
});
