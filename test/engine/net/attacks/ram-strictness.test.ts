// The RAM protocol is exact (docs/protocol.md section 7), against a real node process over real
// TCP: a trusted device turned hostile sends requests with id 0, notices with an id, error replies
// that are too long or not UTF-8, and the node closes the session with the generic ABORT. Error
// text with terminal escapes reaches the CLI's user with every control character gone. What the
// node sends a new peer, and the smallest and largest blocks the wire carries.

import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceIdentity } from '../../../../engine/identity/device-identity';
import { CLI, cli, startNode, type RunningNode } from '../../../support/node-process';
import { hostileSession } from '../../../support/attacks/hostile-initiator';
import { channelMessage } from '../../../support/attacks/hostile-noise';
import { HostileRamPeer, errorReply, ramMessage, roomyHolder, type Responder } from '../../../support/attacks/hostile-ram-peer';

const root = mkdtempSync(join(tmpdir(), 'memcloud-ram-strict-'));
const home = join(root, 'victim');
let node: RunningNode;
const open: HostileRamPeer[] = [];

before(async () => {
  node = await startNode('victim', home);
});
afterEach(async () => {
  // Each test's peers go away, so the next test's session is the victim's only peer.
  for (const p of open.splice(0)) {
    p.close();
    await p.session.peer.waitClosed();
  }
});
after(async () => {
  await node?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** A fresh identity the victim trusts, in an open session that answers the victim's requests. */
async function trustedHostile(respond: Responder = roomyHolder): Promise<HostileRamPeer> {
  const identity = DeviceIdentity.generate();
  cli(home, ['trust', 'add', identity.publicKeyText, '--name', 'mallory']);
  const peer = new HostileRamPeer(await hostileSession(node.port, { identity }), respond);
  open.push(peer);
  // The victim asks a new peer for its STAT right after HELLO: the session is open on its side.
  await peer.nextApp((b) => b[0] === 0x04);
  return peer;
}

async function assertAborted(peer: HostileRamPeer, what: string): Promise<void> {
  await peer.session.peer.waitClosed(15_000);
  assert.ok(peer.abortedByVictim, `${what}: the victim closes with the generic ABORT`);
}

const BLOCK = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

describe('RAM protocol strictness against a real node', () => {
  test('a request with id 0 is refused with ABORT', async () => {
    const peer = await trustedHostile();
    peer.sendApp(ramMessage(0x02, 0, BLOCK)); // LOAD, id 0
    await assertAborted(peer, 'LOAD with id 0');
  });

  test('notices with a non-zero id are refused with ABORT (LEAVING, QUOTA)', async () => {
    const leaving = await trustedHostile();
    leaving.sendApp(ramMessage(0x10, 1));
    const quota = await trustedHostile();
    const allowed = Buffer.alloc(8);
    allowed.writeBigUInt64BE(1024n);
    quota.sendApp(ramMessage(0x12, 0x01020304, allowed));
    await assertAborted(leaving, 'LEAVING with id 1');
    await assertAborted(quota, 'QUOTA with an id');
  });

  test('the same notices with id 0 keep the session open', async () => {
    const peer = await trustedHostile();
    const allowed = Buffer.alloc(8);
    allowed.writeBigUInt64BE(1024n);
    peer.sendApp(ramMessage(0x12, 0, allowed));
    // A request after the notice is still answered: the notice was accepted.
    peer.sendApp(ramMessage(0x04, 77)); // STAT
    const reply = await peer.nextApp((b) => b[0] === 0x84 && b.readUInt32BE(1) === 77);
    assert.equal(reply[5], 0, 'STAT answered with status 0');
    assert.ok(peer.session.peer.isOpen);
  });

  test('right after HELLO the node asks a new peer for STAT, then, once STAT is answered, for LIST (section 6.2)', async () => {
    const peer = await trustedHostile();
    const list = await peer.nextApp((b) => b[0] === 0x05);
    const apps = peer.received.filter((m) => m.kind === 0).map((m) => m.body[0]);
    assert.deepEqual(apps.slice(0, 2), [0x04, 0x05], 'STAT first, then LIST');
    assert.notEqual(list.readUInt32BE(1), 0, 'requests carry a non-zero id');
  });

  test('blocks of 0 bytes and of the largest size (16,781,290 bytes) cross the wire; one byte more is refused with ABORT (section 9)', async () => {
    const peer = await trustedHostile();
    const sealed = (plaintext: Buffer) => {
      for (let at = 0; at < plaintext.length; at += 65519) peer.session.sendRecord(plaintext.subarray(at, at + 65519));
    };
    const store = (id: number, data: Buffer) => sealed(channelMessage(0, ramMessage(0x01, id, Buffer.concat([BLOCK, Buffer.of(1), data]))));
    store(11, Buffer.alloc(0));
    assert.equal((await peer.nextApp((b) => b[0] === 0x81 && b.readUInt32BE(1) === 11))[5], 0, 'a 0-byte block is stored');
    peer.sendApp(ramMessage(0x02, 12, BLOCK));
    const loaded = await peer.nextApp((b) => b[0] === 0x82 && b.readUInt32BE(1) === 12);
    assert.equal(loaded[5], 0);
    assert.equal(loaded.length, 6, 'and loads back as 0 bytes');
    // The largest: the channel body limit (16,781,312) less op, id, block and durability (22).
    store(13, Buffer.alloc(16_781_312 - 22, 0x5a));
    await peer.nextApp((b) => b[0] === 0x81 && b.readUInt32BE(1) === 13, 60_000); // answered (a quota may refuse it: that is a reply)
    assert.ok(peer.session.peer.isOpen);
    // One byte more is refused on the message's length bytes: its first record is enough.
    const over = channelMessage(0, ramMessage(0x01, 14, Buffer.concat([BLOCK, Buffer.of(1), Buffer.alloc(16_781_312 - 22 + 1 - 65_536, 0x5a)])));
    over.writeUInt32BE(1 + 16_781_312 + 1, 0);
    peer.session.sendRecord(over.subarray(0, 65519));
    await assertAborted(peer, 'a STORE one byte over the channel limit');
  });

  test('an error reply of 513 bytes, or not UTF-8, is refused with ABORT; 512 bytes is accepted', async () => {
    const long = await trustedHostile((req) => (req[0] === 0x04 ? errorReply(req, 5, Buffer.alloc(513, 0x61)) : null));
    const notUtf8 = await trustedHostile((req) => (req[0] === 0x04 ? errorReply(req, 5, Buffer.of(0x6f, 0x6b, 0xc3)) : null));
    const fine = await trustedHostile((req) => (req[0] === 0x04 ? errorReply(req, 5, Buffer.alloc(512, 0x61)) : null));
    await assertAborted(long, '513-byte error text');
    await assertAborted(notUtf8, 'error text ending in a truncated UTF-8 sequence');
    fine.sendApp(ramMessage(0x04, 5));
    await fine.nextApp((b) => b[0] === 0x84 && b.readUInt32BE(1) === 5);
    assert.ok(fine.session.peer.isOpen, 'a 512-byte error text is within the rule');
  });

  test('terminal escapes in a holder error reach the CLI user without any control character', async () => {
    const evil = Buffer.from('\u001b[2J\u001b]0;pwned\u0007 disk \u009b31m on fire\nPASSWORD: ', 'utf8');
    await trustedHostile((req) => (req[0] === 0x04 ? roomyHolder(req) : req[0] === 0x01 ? errorReply(req, 3, evil) : null));
    // Asynchronously: this process is the hostile peer and must keep answering meanwhile.
    const r = await new Promise<{ status: number | null; stderr: string }>((resolve) =>
      execFile(process.execPath, [CLI, 'store', '--remote', 'some data', '--home', home], { encoding: 'utf8', timeout: 60_000 }, (err, _out, stderr) =>
        resolve({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr }),
      ),
    );
    assert.notEqual(r.status, 0, 'the store fails: the only peer refused it');
    assert.match(r.stderr, /disk/, `the holder's text is shown: ${JSON.stringify(r.stderr)}`);
    const shown = r.stderr.trimEnd();
    assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(shown), `no control characters: ${JSON.stringify(shown)}`);
    assert.ok(!shown.includes('\nPASSWORD'), 'no line break from the peer');
  });
});
