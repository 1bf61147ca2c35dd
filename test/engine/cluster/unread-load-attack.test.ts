// The unread-LOAD attack (issue 8 item 3, security finding 2) against a real node process over real
// TCP: a trusted peer stores one 16 MiB block, then sends LOADs of it and never reads a reply. The
// holder must not seal a 16 MiB reply per request: its memory stays under its offer + 64 MiB
// (measured from /proc), and its control socket keeps answering `memcloud stats`.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeLoad, encodeStore } from '../../../engine/cluster/peer-protocol';
import { DeviceIdentity } from '../../../engine/identity/device-identity';
import { MemCloud } from '../../../engine/sdk';
import { CLI, cli, startNode, type RunningNode } from '../../support/node-process';
import { RamPeer } from '../../support/ram-peer';

const MiB = 1024 * 1024;
const OFFER = 128 * MiB;
const root = mkdtempSync(join(tmpdir(), 'memcloud-unread-'));
const nodes: RunningNode[] = [];
const peers: RamPeer[] = [];
after(async () => {
  for (const p of peers) p.close();
  await Promise.all(nodes.map((n) => n.stop()));
  rmSync(root, { recursive: true, force: true });
});

/** VmRSS and VmHWM (peak) of a process, in bytes. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

test('unread LOADs of a 16 MiB block: the lender stays under its offer + 64 MiB and keeps answering stats', async (t) => {
  const home = join(root, 'victim');
  const attacker = DeviceIdentity.generate();
  cli(home, ['trust', 'add', attacker.publicKeyText, '--name', 'mallory']);
  const victim = await startNode('victim', home, ['--offer', `${OFFER}`]);
  nodes.push(victim);
  const pid = victim.process.pid!;
  const baseline = memoryOf(pid).rss;

  const peer = await RamPeer.connect(victim.port, attacker, 'mallory');
  peers.push(peer);
  const block = '00112233445566778899aabbccddeeff';
  const stored = await peer.call(1, encodeStore(1, block, 0, randomBytes(16 * MiB)));
  assert.ok(stored.ok, 'the 16 MiB block is stored within the quota');

  peer.stopReading();
  const loads = 20_000;
  for (let i = 0; i < loads; i++) peer.send(encodeLoad(2 + i, block));
  // The holder says when it starts refusing: by then it has taken in more LOADs than it may hold.
  await victim.waitFor(/mallory .* is not reading its replies: 1024 of its requests wait; refusing more with BUSY/, 60_000);

  const client = await MemCloud.connect({ home });
  const sdk: number[] = [];
  try {
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const stats = await client.stats();
      sdk.push(performance.now() - started);
      assert.ok(stats.lent.usedBytes > 16 * MiB);
    }
  } finally {
    await client.close();
  }
  const latencies: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const r = spawnSync(process.execPath, [CLI, 'stats', '--json', '--home', home], { encoding: 'utf8', timeout: 30_000 });
    latencies.push(performance.now() - started);
    assert.equal(r.status, 0, `stats answers during the attack: ${r.stderr}`);
    assert.ok(JSON.parse(r.stdout).lent.usedBytes > 16 * MiB);
  }
  const { rss, peak } = memoryOf(pid);
  t.diagnostic(`victim RSS: ${(baseline / MiB).toFixed(0)} MiB before, ${(rss / MiB).toFixed(0)} MiB now, peak ${(peak / MiB).toFixed(0)} MiB; ` +
    `stats over the control socket answered in at most ${Math.max(...sdk).toFixed(0)} ms (median ${sdk.sort((a, b) => a - b)[10]!.toFixed(0)} ms); ` +
    `\`memcloud stats\` in ${latencies.map((ms) => ms.toFixed(0)).join(', ')} ms (CLI process start included)`);
  assert.ok(peak < OFFER + 64 * MiB, `peak RSS ${(peak / MiB).toFixed(0)} MiB stays under the offer + 64 MiB`);
  assert.equal(peer.replies.length, 1, 'the attacker has read nothing since the STORE');
});
