// The channel's half of backpressure against a real node process over real TCP (docs/protocol.md
// section 6.5): a trusted peer stores one 16 MiB block, then asks for it again and again and never
// reads a reply. The node stops reading it, its memory stays bounded, and with its send buffer not
// moving it closes the session after the no-progress deadline (30 s).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceIdentity } from '../../../../engine/identity/device-identity';
import { cli, startNode, type RunningNode } from '../../../support/node-process';
import { hostileSession, type HostileSession } from '../../../support/attacks/hostile-initiator';
import { channelMessage } from '../../../support/attacks/hostile-noise';
import { HostileRamPeer, ramMessage } from '../../../support/attacks/hostile-ram-peer';

const root = mkdtempSync(join(tmpdir(), 'memcloud-unread-'));
const home = join(root, 'victim');
let node: RunningNode;

before(async () => {
  node = await startNode('victim', home, ['--offer', '64mb']);
});
after(async () => {
  await node?.stop();
  rmSync(root, { recursive: true, force: true });
});

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) / 1024;
}

/** Writes one plaintext stream as consecutive records of at most 65519 bytes. */
function sendStream(s: HostileSession, bytes: Buffer): void {
  for (let at = 0; at < bytes.length; at += 65519) s.sendRecord(bytes.subarray(at, at + 65519));
}

const BLOCK = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');

test('unread LOAD replies: the node stops reading the peer, stays bounded, and closes the session after 30 s without progress', async () => {
  const identity = DeviceIdentity.generate();
  cli(home, ['trust', 'add', identity.publicKeyText, '--name', 'mallory']);
  const peer = new HostileRamPeer(await hostileSession(node.port, { identity }));
  try {
    await peer.nextApp((b) => b[0] === 0x04); // the node asked for our STAT: it is open
    const pid = node.process.pid!;
    const rssIdle = rssMiB(pid);
    const block = Buffer.alloc(16 * 1024 * 1024, 0x5a);
    sendStream(peer.session, channelMessage(0, Buffer.concat([ramMessage(0x01, 1, Buffer.concat([BLOCK, Buffer.of(0)])), block])));
    const stored = await peer.nextApp((b) => b[0] === 0x81 && b.readUInt32BE(1) === 1, 60_000);
    assert.equal(stored[5], 0, 'the 16 MiB block is stored');

    const rssBefore = rssMiB(pid);
    let rssMost = rssBefore;
    const sampler = setInterval(() => (rssMost = Math.max(rssMost, rssMiB(pid))), 100);
    const closing = node.waitFor(/has not taken any of our \d+ queued bytes for 30 s/, 120_000);
    peer.session.peer.socket.pause(); // never read again
    // LOADs, 2500 to a record, until our own socket stops draining (the node has stopped reading).
    let id = 2;
    let records = 0;
    const socket = peer.session.peer.socket;
    while (socket.writableLength < 4 * 1024 * 1024 && records < 2000) {
      const loads: Buffer[] = [];
      for (let i = 0; i < 2500; i++) loads.push(channelMessage(0, ramMessage(0x02, id++, BLOCK)));
      peer.session.sendRecord(Buffer.concat(loads));
      records++;
      if (records % 10 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    const stalledAt = socket.writableLength;
    await closing;
    clearInterval(sampler);
    const grew = rssMost - rssIdle;
    console.log(
      `unread-replies: ${id - 2} LOADs in ${records} records; our unsent bytes ${stalledAt}; node RSS idle ${rssIdle.toFixed(1)} MiB, ` +
        `with the block ${rssBefore.toFixed(1)} MiB, at most ${rssMost.toFixed(1)} MiB during the flood`,
    );
    assert.ok(socket.writableLength >= 4 * 1024 * 1024, 'the node stopped reading us: our writes piled up on our side');
    // The block (16 MiB), at most the 32 MiB read-pause mark plus one 16 MiB reply queued, and heap slack.
    assert.ok(grew < 96, `node RSS grew ${grew.toFixed(1)} MiB over idle`);
    await peer.session.peer.waitClosed(30_000);
  } finally {
    peer.close();
  }
});
