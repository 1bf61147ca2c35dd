// Finding 8 on real processes: a device named `dеsk` (Cyrillic е) asks a node that trusts "desk" for
// consent. The CLI's peers list and consent list flag it as NOT the trusted device, fingerprint
// first, and the JSON says whose name it imitates; the trusted device itself carries no flag.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsentRequestInfo, PeerInfo } from '../../../engine/api/types';
import { cli, startNode, type RunningNode } from '../../support/node-process';
import { startHostilePeer, type HostilePeerProcess } from '../../support/hostile-peer-process';

const LOOKALIKE = 'd\u0435sk';

interface Id {
  readonly publicKey: string;
  readonly fingerprint: string;
}

describe('a device named like a trusted one, in the CLI', () => {
  const root = mkdtempSync(join(tmpdir(), 'memcloud-lookalike-'));
  const home = join(root, 'main');
  let node: RunningNode;
  let impostor: HostilePeerProcess;
  let desk: Id;
  let fake: Id;
  let request: ConsentRequestInfo;

  before(async () => {
    desk = JSON.parse(cli(join(root, 'desk'), ['id', '--json'])) as Id;
    fake = JSON.parse(cli(join(root, 'impostor'), ['id', '--json'])) as Id;
    cli(home, ['trust', 'add', desk.publicKey, '--name', 'desk']);
    node = await startNode('main', home);
    impostor = startHostilePeer({ port: node.port, home: join(root, 'impostor'), name: LOOKALIKE });
    // Waiting for the request to be listed (no verdict depends on how long it takes).
    for (let i = 0; i < 600; i++) {
      const list = JSON.parse(cli(home, ['consent', 'list', '--json'])) as ConsentRequestInfo[];
      if (list[0]) {
        request = list[0];
        break;
      }
      await sleep(100);
    }
    assert.ok(request, 'the impostor asked for consent');
  });

  after(async () => {
    await impostor?.stop();
    await node?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('peers list --json: the impostor carries the trusted fingerprint, the trusted device nothing', () => {
    const peers = JSON.parse(cli(home, ['peers', 'list', '--json'])) as PeerInfo[];
    const shown = peers.find((p) => p.fingerprint === fake.fingerprint);
    assert.equal(shown?.name, LOOKALIKE, 'shown as it is, so the difference can be seen');
    assert.equal(shown?.state, 'pending-consent');
    assert.equal(shown?.nameMatchesTrustedFingerprint, desk.fingerprint);
    const trusted = peers.find((p) => p.fingerprint === desk.fingerprint);
    assert.equal(trusted?.trusted, true);
    assert.equal(trusted?.nameMatchesTrustedFingerprint, undefined);
  });

  test('peers list and consent list print the warning, fingerprint first', () => {
    const warning = `WARNING: ${fake.fingerprint} [${LOOKALIKE}] is NOT your trusted device: the one you trust under a name like this has fingerprint ${desk.fingerprint}; this is a different key.`;
    const peers = cli(home, ['peers', 'list']);
    assert.ok(peers.includes(`\n${warning}\n`), peers);
    assert.equal(peers.split('WARNING').length, 2, 'one warning: the trusted desk is not flagged');
    const consent = cli(home, ['consent', 'list']);
    assert.ok(consent.includes(`\n${warning}\n`), consent);
    assert.equal(request.nameMatchesTrustedFingerprint, desk.fingerprint);
  });

  test('denied, it is refused and nothing is trusted', async () => {
    cli(home, ['consent', 'deny', request.id]);
    assert.equal(await impostor.outcome(['refused', 'admitted'], 60_000), 'refused');
    const trusted = JSON.parse(cli(home, ['trust', 'list', '--json'])) as Array<{ fingerprint: string }>;
    assert.deepEqual(trusted.map((d) => d.fingerprint), [desk.fingerprint]);
  });
});
