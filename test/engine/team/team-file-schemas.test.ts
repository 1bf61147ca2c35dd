// team.json and team_keys.json are checked by their schemas (api/schema.ts): real files in a temp
// home, read through the same functions the node and the CLI use. A damaged file fails closed with
// TRUST_STORE_CORRUPT, names the file, the place and the field, and is left exactly as it was.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { ed25519 } from '@noble/curves/ed25519.js';
import { isMemCloudError } from '../../../engine/errors';
import { homePaths } from '../../../engine/home/paths';
import { readTeamFile, updateTeamFile } from '../../../engine/team/team-file';
import { newAdminTeam, readTeamKeys, writeTeamKeys } from '../../../engine/team/team-keys-file';
import { withTempHome } from '../../support/temp';

const keyText = (): string => Buffer.from(ed25519.getPublicKey(ed25519.utils.randomSecretKey())).toString('base64url');
const team = (name = 'lab') => ({ publicKey: keyText(), name, addedAt: '2025-01-01T00:00:00.000Z' });

async function refusedWith(read: () => Promise<unknown>, path: string, message: RegExp): Promise<void> {
  const before = await readFile(path);
  await assert.rejects(read(), (err) => {
    assert.ok(isMemCloudError(err, 'TRUST_STORE_CORRUPT'), String(err));
    assert.ok(err.message.includes(`"${path}" is corrupt: `), err.message);
    assert.match(err.message, message);
    assert.match(err.message, /MemCloud has not changed it/);
    return true;
  });
  assert.deepEqual(await readFile(path), before, 'the damaged file is left as it was');
}

describe('team.json through its schema', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['not JSON', '{"version":', /: it is not valid JSON\./],
    ['an array', [], /: it is not a JSON object\./],
    ['a newer version', { version: 2, certificate: null, trusted: [], revocations: [] }, /its version 2 is not supported \(expected 1\)/],
    ['a missing list', { version: 1, certificate: null, trusted: [] }, /"revocations" must be an array of at most 64 items \(it is missing\)/],
    ['an unknown field', { version: 1, certificate: null, trusted: [], revocations: [], extra: 1 }, /it has an unexpected field "extra"/],
    ['a certificate that is not text', { version: 1, certificate: 5, trusted: [], revocations: [] }, /"certificate" must be a string/],
    ['a certificate that does not decode', { version: 1, certificate: 'memcloud-cert:x', trusted: [], revocations: [] }, /"certificate": Not a MemCloud team certificate/],
    ['a bad team key', { version: 1, certificate: null, trusted: [{ ...team(), publicKey: 'abc' }], revocations: [] }, /trusted\[0\]: "publicKey" is not a team key/],
    ['a bad team name', { version: 1, certificate: null, trusted: [team('bad\u0007name')], revocations: [] }, /trusted\[0\]: name: /],
    ['a bad time', { version: 1, certificate: null, trusted: [{ ...team(), addedAt: 'today' }], revocations: [] }, /trusted\[0\]: "addedAt" must be an ISO time/],
    ['a field of a team', { version: 1, certificate: null, trusted: [{ ...team(), colour: 'red' }], revocations: [] }, /trusted\[0\]: unexpected field "colour"/],
    ['too many teams', { version: 1, certificate: null, trusted: Array.from({ length: 65 }, () => team()), revocations: [] }, /"trusted" must be an array of at most 64 items/],
    ['a list that is not base64url', { version: 1, certificate: null, trusted: [], revocations: ['***'] }, /revocations\[0\] is not base64url/],
  ];
  for (const [label, content, message] of cases) {
    test(`refuses ${label}`, () =>
      withTempHome(async (home) => {
        await mkdir(home, { recursive: true, mode: 0o700 });
        const path = homePaths(home).teamFile;
        await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content), { mode: 0o600 });
        await refusedWith(() => readTeamFile(home), path, message);
      }));
  }

  test('a team trusted twice is refused at the repeat', () =>
    withTempHome(async (home) => {
      await mkdir(home, { recursive: true, mode: 0o700 });
      const path = homePaths(home).teamFile;
      const t = team();
      await writeFile(path, JSON.stringify({ version: 1, certificate: null, trusted: [t, team('b'), { ...t, name: 'again' }], revocations: [] }), { mode: 0o600 });
      await refusedWith(() => readTeamFile(home), path, new RegExp(`trusted\\[2\\]: team ${t.publicKey} is trusted twice`));
    }));

  test('a file written by MemCloud reads back', () =>
    withTempHome(async (home) => {
      await mkdir(home, { recursive: true, mode: 0o700 });
      const t = team();
      await updateTeamFile(home, (f) => ({ ...f, trusted: [t] }));
      const read = await readTeamFile(home);
      assert.deepEqual(read.trusted, [t]);
      assert.equal(read.certificate, null);
    }));
});

describe('team_keys.json through its schema', () => {
  async function withKeys(edit: (file: { version: number; teams: Array<Record<string, unknown>> }) => unknown, message: RegExp): Promise<void> {
    await withTempHome(async (home) => {
      await mkdir(home, { recursive: true, mode: 0o700 });
      await writeTeamKeys(home, [newAdminTeam('lab', new Date()), newAdminTeam('ops', new Date())]);
      const path = homePaths(home).teamKeys;
      const file = JSON.parse(await readFile(path, 'utf8')) as { version: number; teams: Array<Record<string, unknown>> };
      await writeFile(path, JSON.stringify(edit(file)), { mode: 0o600 });
      await refusedWith(() => readTeamKeys(home), path, message);
    });
  }

  test('a file written by MemCloud reads back', () =>
    withTempHome(async (home) => {
      await mkdir(home, { recursive: true, mode: 0o700 });
      const teams = [newAdminTeam('lab', new Date())];
      await writeTeamKeys(home, teams);
      assert.deepEqual(await readTeamKeys(home), teams);
    }));

  test('refuses a secret key that is not the team\'s', () =>
    withKeys((f) => ({ ...f, teams: [{ ...f.teams[0], secretKey: f.teams[1]!.secretKey }, f.teams[1]] }), /teams\[0\]: team "lab": its secret key does not match its public key/));
  test('refuses a team listed twice', () => withKeys((f) => ({ ...f, teams: [f.teams[0], f.teams[0]] }), /team "lab" appears twice/));
  test('refuses a bad serial', () => withKeys((f) => ({ ...f, teams: [{ ...f.teams[0], nextSerial: 0 }] }), /teams\[0\]: "nextSerial" must be an integer from 1 to/));
  test('refuses a bad member key', () =>
    withKeys((f) => ({ ...f, teams: [{ ...f.teams[0], members: [{ publicKey: 'x', name: 'm', serial: 1, expiresAt: 2 }] }] }), /teams\[0\]\.members\[0\]: a member key is invalid/));
  test('refuses an unknown field', () => withKeys((f) => ({ ...f, teams: [{ ...f.teams[0], secret: 'x' }] }), /teams\[0\]: unexpected field "secret"/));
  test('refuses a newer version', () => withKeys((f) => ({ ...f, version: 2 }), /its version 2 is not supported/));
});
