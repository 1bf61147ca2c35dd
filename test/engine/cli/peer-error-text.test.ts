// Finding 9 on real processes: a trusted peer answers our writes with an error text built to drive a
// terminal (escape sequences, an OSC 8 hyperlink, a carriage return and a forged line, a C1 CSI, a
// bidi override) and to become a VS Code command link. The CLI prints it as one inert line.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, cli, startNode, type RunningNode } from '../../support/node-process';
import { startHostilePeer, type HostilePeerProcess } from '../../support/hostile-peer-process';

const HOSTILE_TEXT =
  '\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007 \u001b[2J\u001b[31m[Allow Once](command:memcloud.offload?"/etc")\r\n' +
  '2025-01-01T00:00:00.000Z INFO  forged line \u009b2J desk\u202Epotpal';

/** Bytes a terminal would act on: C0 controls other than a line feed, DEL and C1 controls. */
const TERMINAL_CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('a peer\'s error text in the CLI', () => {
  const root = mkdtempSync(join(tmpdir(), 'memcloud-peer-text-'));
  const home = join(root, 'main');
  const hostileHome = join(root, 'hostile');
  let node: RunningNode;
  let hostile: HostilePeerProcess;

  before(async () => {
    const key = (JSON.parse(cli(hostileHome, ['id', '--json'])) as { publicKey: string }).publicKey;
    cli(home, ['trust', 'add', key, '--name', 'holder']);
    node = await startNode('main', home);
    hostile = startHostilePeer({ port: node.port, home: hostileHome, name: 'holder', errorText: HOSTILE_TEXT });
    await hostile.next('admitted');
    await node.waitFor(/session established with holder/);
  });

  after(async () => {
    await hostile?.stop();
    await node?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('the CLI prints the refusal as one line of inert text', async () => {
    const file = join(root, 'notes.txt');
    writeFileSync(file, 'some notes');
    const r = spawnSync(process.execPath, [CLI, 'push', file, '--home', home], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1);
    await hostile.next('request');
    assert.doesNotMatch(r.stderr, TERMINAL_CONTROLS, JSON.stringify(r.stderr));
    assert.equal(r.stderr.split('\n').length, 2, 'one line (and its line feed)');
    assert.match(r.stderr, /holder \([0-9A-Z]{4}(-[0-9A-Z]{4}){3}\): /, 'says which peer answered');
    assert.ok(r.stderr.includes('[Allow Once](command:memcloud.offload?"/etc")'), 'the text itself is shown, as text');
    assert.ok(r.stderr.includes('forged line'), 'nothing is silently dropped but the controls');
    assert.match(r.stderr, /\[INTERNAL\]\n$/);
  });
});
