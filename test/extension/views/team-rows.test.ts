// The Trusted Devices view's team rows and what the team commands offer, built from real team files
// in a temp home (engine/team: create, add, revoke, join) read by describeTeams, as the extension does.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { PeerInfo } from '../../../engine/api/types';
import { encodePublicKey } from '../../../engine/identity/public-key';
import { fingerprint } from '../../../engine/identity/fingerprint';
import { addMember, createTeam, revokeMember } from '../../../engine/team/team-admin';
import { certificateText } from '../../../engine/team/certificate';
import { joinTeam, trustTeam } from '../../../engine/team/team-member';
import { describeTeams, type TeamInfo } from '../../../engine/team/team-view';
import { certificateFromFile, certificateInputProblem, memberFor, revocableMembers, trustedTeams } from '../../../extension/commands/team-candidates';
import { memberKeyOfRowId, MemberContext, teamRows } from '../../../extension/views/team-rows';
import { aPeer } from '../../support/data-model';

const root = mkdtempSync(join(tmpdir(), 'memcloud-team-rows-'));
after(() => rmSync(root, { recursive: true, force: true }));
const key = () => ed25519.getPublicKey(ed25519.utils.randomSecretKey());
const DAY = 86_400;
const HOSTILE = '*x* command:memcloud.offload?"/etc" https://e.example';

const admin = key();
const desk = key();
const lab = key();
const gone = key();
let teams: TeamInfo[] = [];
let memberView: TeamInfo[] = [];

before(async () => {
  const adminHome = join(root, 'admin');
  const deskHome = join(root, 'desk');
  for (const h of [adminHome, deskHome]) mkdirSync(h, { mode: 0o700 });
  await createTeam(adminHome, 'Lab', { key: admin, name: 'admin' }, 90 * DAY);
  await addMember(adminHome, undefined, encodePublicKey(desk), 'desk', 90 * DAY);
  await addMember(adminHome, undefined, encodePublicKey(lab), HOSTILE, 90 * DAY);
  await addMember(adminHome, undefined, encodePublicKey(gone), 'gone', 90 * DAY);
  await revokeMember(adminHome, undefined, 'gone');
  teams = await describeTeams(adminHome);
  // desk's own view: its certificate, the team trusted, the list it heard (copied as gossip would).
  const cert = await addMember(adminHome, undefined, encodePublicKey(desk), 'desk', 90 * DAY);
  await joinTeam(deskHome, certificateText(cert), desk);
  await trustTeam(deskHome, teams[0]!.publicKey, undefined);
  memberView = await describeTeams(deskHome);
});

const peer = (name: string, k: Uint8Array, team?: string): PeerInfo =>
  aPeer({ publicKey: encodePublicKey(k), fingerprint: fingerprint(k), name, addresses: ['127.0.0.1:1'], trusted: false, ...(team ? { team } : {}) });

describe('team rows', () => {
  test('an administrator sees the team, its roles and every member: name as text, fingerprint, expiry, revoked ones marked', () => {
    const [row] = teamRows(teams, [peer('desk', desk, 'Lab')]);
    assert.equal(row!.label, 'team Lab');
    assert.match(row!.description!, /^admin, member, members admitted · [0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    assert.equal(row!.contextValue, 'team:admin:member:trusted');
    const kids = row!.children!;
    assert.equal(kids[0]!.label, 'admin');
    assert.match(kids[0]!.description!, /^this device · certificate expires \d{4}-\d\d-\d\d$/);
    const byLabel = new Map(kids.map((k) => [k.label, k]));
    assert.match(byLabel.get('desk')!.description!, new RegExp(`^${fingerprint(desk)} · expires \\d{4}-\\d\\d-\\d\\d · connected$`));
    assert.equal(byLabel.get('desk')!.contextValue, MemberContext.valid);
    assert.equal(byLabel.get(HOSTILE)!.label, HOSTILE, 'the name is the exact text (rendered as plain text)');
    assert.match(byLabel.get('gone')!.description!, / · REVOKED$/);
    assert.equal(byLabel.get('gone')!.contextValue, MemberContext.revoked);
    assert.deepEqual(kids.slice(-1).map((k) => k.label), ['gone'], 'revoked members last');
    assert.equal(memberKeyOfRowId(byLabel.get('desk')!.id), encodePublicKey(desk));
  });

  test('a member sees its own certificate, the team\'s revoked devices it knows and who is connected by the team', () => {
    const [row] = teamRows(memberView, [peer('lab', lab, 'Lab'), peer('other', key())]);
    assert.equal(row!.contextValue, 'team:member:trusted');
    assert.deepEqual(row!.children!.map((k) => k.label), ['desk', 'lab']);
    assert.match(row!.children![1]!.description!, / · connected by team certificate$/);
    assert.ok(!row!.children!.some((k) => k.label === 'other'), 'a peer not admitted by the team is not listed');
  });
});

describe('team command choices', () => {
  test('Revoke Team Member offers the administrator\'s members not yet revoked; a tree row names one', () => {
    const entries = revocableMembers(teams);
    assert.deepEqual(entries.map((e) => e.label).sort(), [HOSTILE, 'admin', 'desk'].sort());
    assert.match(entries.find((e) => e.label === 'desk')!.detail!, new RegExp(fingerprint(desk)));
    assert.equal(memberFor(teams, teams[0]!.publicKey, encodePublicKey(desk))?.name, 'desk');
    assert.equal(memberFor(teams, undefined, encodePublicKey(gone)), undefined, 'a revoked member is not offered again');
    assert.deepEqual(revocableMembers(memberView), [], 'a member that is no administrator revokes nobody');
  });

  test('Stop Trusting Team offers trusted teams only', () => {
    assert.deepEqual(trustedTeams(teams).map((e) => e.label), ['team Lab']);
  });

  test('a certificate file is short UTF-8 text; the paste box says what a certificate looks like', () => {
    assert.equal(certificateFromFile(Buffer.from('  mcteam1.abc\n'), '/c'), 'mcteam1.abc');
    assert.throws(() => certificateFromFile(Buffer.alloc(100_000, 0x61), '/big'), /"\/big" is 100000 bytes: not a team certificate/);
    assert.throws(() => certificateFromFile(Buffer.from([0xff, 0xfe]), '/bin'), /not text/);
    assert.match(certificateInputProblem('')!, /starts with mcteam1\./);
    assert.match(certificateInputProblem('hello')!, /starts with mcteam1\./);
    assert.equal(certificateInputProblem(' mcteam1.x '), undefined);
  });
});
