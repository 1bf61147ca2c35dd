// The dashboard's peers table for a peer admitted by a team's certificate: "team NAME" instead of
// "untrusted" (the name is peer text: kept exactly, the renderer shows it as text).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDashboardView } from '../../../webview/dashboard/view-model';
import * as F from './fixtures';

describe('dashboard peers admitted by a team', () => {
  test('a connected peer admitted by team Lab carries the team; others carry none', () => {
    const lab = { ...F.desk, publicKey: 'PK-lab', name: 'lab', trusted: false, team: 'Lab' };
    const v = buildDashboardView(F.state({ peers: [lab, F.desk, { ...F.pending, team: 'Lab' }] }));
    const byName = new Map(v.peers.rows.map((r) => [r.name, r]));
    assert.equal(byName.get('lab')!.team, 'Lab');
    assert.equal(byName.get('lab')!.trusted, false);
    assert.equal(byName.get('desk')!.team, null);
    assert.equal(byName.get('stranger')!.team, null, 'only a connected session is admitted by a team');
  });

  test('the team name stays exactly as given', () => {
    const team = '<img src=x> **Lab** https://e.example';
    const v = buildDashboardView(F.state({ peers: [{ ...F.desk, trusted: false, team }] }));
    assert.equal(v.peers.rows[0]!.team, team);
  });
});
