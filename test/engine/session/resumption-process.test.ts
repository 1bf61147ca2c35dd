// Session resumption between real node processes on 127.0.0.1 (docs/protocol.md section 13),
// driven by the real CLI: a reconnection resumes; tickets live in memory only, so after either
// node restarts the next connection is a full handshake, and works.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, startNode, type RunningNode } from '../../support/node-process';

const root = mkdtempSync(join(tmpdir(), 'memcloud-resume-'));
const home = (name: string) => join(root, name);
const keyOf = (name: string) => (JSON.parse(cli(home(name), ['id', '--json'])) as { publicKey: string }).publicKey;
const running: RunningNode[] = [];
const keys = { alpha: '', beta: '' };

async function start(name: 'alpha' | 'beta'): Promise<RunningNode> {
  const node = await startNode(name, home(name));
  running.push(node);
  return node;
}

async function stop(node: RunningNode): Promise<void> {
  await node.stop();
  running.splice(running.indexOf(node), 1);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

before(() => {
  keys.alpha = keyOf('alpha');
  keys.beta = keyOf('beta');
  cli(home('alpha'), ['trust', 'add', keys.beta, '--name', 'beta']);
  cli(home('beta'), ['trust', 'add', keys.alpha, '--name', 'alpha']);
});

after(async () => {
  await Promise.all(running.map((n) => n.stop()));
  rmSync(root, { recursive: true, force: true });
});

test('node processes resume a session; a restart of either side means a full handshake', async () => {
  const alpha = await start('alpha');
  let beta = await start('beta');
  const at = (b: RunningNode) => escape(`at 127.0.0.1:${b.port}`);

  cli(home('alpha'), ['connect', `127.0.0.1:${beta.port}`]);
  const firstLine = await alpha.waitFor(new RegExp(`session established with beta .* ${at(beta)}, outbound, trusted`));
  assert.doesNotMatch(firstLine, /resumed/);
  await alpha.waitFor(/resumption ticket from beta kept \(1 received so far\)/);
  cli(home('alpha'), ['peers', 'disconnect', 'beta']);

  cli(home('alpha'), ['connect', `127.0.0.1:${beta.port}`]);
  await alpha.waitFor(/session established with beta .*, outbound, trusted, resumed$/);
  await beta.waitFor(/session established with alpha .*, inbound, trusted, resumed$/);
  await alpha.waitFor(/resumption ticket from beta kept \(2 received so far\)/);

  // Beta restarts: it forgot the ticket alpha holds. Alpha offers it (by beta's key) and beta
  // answers with the full handshake on the same connection.
  await stop(beta);
  beta = await start('beta');
  cli(home('alpha'), ['connect', `127.0.0.1:${beta.port}`, '--key', keys.beta]);
  const afterBeta = await alpha.waitFor(new RegExp(`session established with beta .* ${at(beta)}, outbound, trusted`));
  assert.doesNotMatch(afterBeta, /resumed/);
  assert.doesNotMatch(await beta.waitFor(/session established with alpha/), /resumed/);
  await alpha.waitFor(/resumption ticket from beta kept \(3 received so far\)/);

  // Alpha restarts: it forgot the ticket it held.
  await stop(alpha);
  const alpha2 = await start('alpha');
  cli(home('alpha'), ['connect', `127.0.0.1:${beta.port}`, '--key', keys.beta]);
  assert.doesNotMatch(await alpha2.waitFor(/session established with beta/), /resumed/);
  assert.match(await alpha2.waitFor(/resumption ticket from beta kept \(1 received so far\)/), /kept/);
  cli(home('alpha'), ['peers', 'disconnect', 'beta']);
  cli(home('alpha'), ['connect', `127.0.0.1:${beta.port}`, '--key', keys.beta]);
  await alpha2.waitFor(/session established with beta .*, outbound, trusted, resumed$/);
});
