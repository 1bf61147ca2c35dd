// The one rule for trust files as front-ends show it: both files' problems, trust file first,
// each with what is refused meanwhile; the CLI warning follows it.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileProblems } from '../../../engine/api/file-problems';
import { trustWarning } from '../../../engine/cli/trust-warning';

const trust = { code: 'TRUST_STORE_CORRUPT', path: '/h/trusted_devices.json', message: 'Trust store "/h/trusted_devices.json" is corrupt: x.', since: 1 } as const;
const team = { code: 'TRUST_STORE_UNREADABLE', path: '/h/team.json', message: 'Team file "/h/team.json" is open to other users (mode 666). Run: chmod 600 "/h/team.json"', since: 2 } as const;

describe('trust file problems', () => {
  test('none, one or both; the trust file first; what each refuses', () => {
    assert.deepEqual(fileProblems(undefined), []);
    assert.deepEqual(fileProblems({}), []);
    const both = fileProblems({ teamFileProblem: team, trustFileProblem: trust });
    assert.deepEqual(both.map((p) => [p.kind, p.path, p.title]), [
      ['trust', '/h/trusted_devices.json', 'The trust file is corrupt'],
      ['team', '/h/team.json', 'The team file cannot be used'],
    ]);
    assert.match(both[0]!.effect, /^No new device or session is admitted until the trust file is fixed/);
    assert.match(both[1]!.effect, /^No device is admitted by a team certificate until the team file is fixed .*devices trusted one by one are still admitted/);
  });

  test('the CLI warning names each file and its fix, one paragraph per file', () => {
    assert.equal(trustWarning({}), '');
    const text = trustWarning({ trustFileProblem: trust, teamFileProblem: team });
    assert.equal(text.match(/^WARNING: /gm)?.length, 2);
    assert.match(text, /^WARNING: no new device or session is admitted until the trust file is fixed/m);
    assert.match(text, /^WARNING: no device is admitted by a team certificate until the team file is fixed/m);
    assert.ok(text.includes('chmod 600 "/h/team.json"'));
  });
});
