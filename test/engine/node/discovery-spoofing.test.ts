// Forged mDNS against real nodes on a LAN of network namespaces (docs/protocol.md section 8.1):
// a stranger says goodbye for a trusted node and advertises that node's key at its own address.
// The goodbye is ignored (it did not come from the node's address), the redial after a dropped
// session goes to where the key last authenticated (the stranger is never dialed), and a goodbye
// that does come from the node's own address removes the listing but never the live session.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerInfo } from '../../../engine/api/types';
import { announcement, hostName, instanceLabel } from '../../../engine/discovery/advertisement';
import { CLI, cli } from '../../support/node-process';
import { hasRaw, lanForThisFile } from '../../support/lan-suite';
import type { NetnsHost, NetnsProcess } from '../../support/netns';

const root = mkdtempSync(join(tmpdir(), 'memcloud-spoof-'));
const SPOOF = join(import.meta.dirname, '..', 'discovery', 'fixtures', 'spoof.ts');
const lanNow = lanForThisFile(3, () => rmSync(root, { recursive: true, force: true }));

const betaClosed = (line: unknown): boolean => typeof line === 'object' && line !== null && /session with beta \(.*\) closed/.test(String((line as { raw?: unknown }).raw));
const isEvent = (event: string) => (line: unknown): line is { event: string } =>
  typeof line === 'object' && line !== null && (line as { event?: unknown }).event === event;

function peersOf(home: string): PeerInfo[] {
  return JSON.parse(cli(home, ['peers', 'list', '--json'])) as PeerInfo[];
}

/** Runs the spoof fixture in `host`'s namespace, multicasting `answers` every 500 ms for `forMs`. */
function spoof(host: NetnsHost, answers: unknown[], forMs: number, listenPort?: number): NetnsProcess {
  const args = { address: host.address, answers, repeatMs: 500, forMs, ...(listenPort ? { listenPort } : {}) };
  return lanNow().spawnNode(host, ['--import', 'tsx', SPOOF, JSON.stringify(args)], forMs + 60_000);
}

test('forged goodbyes and forged addresses for a trusted key change nothing that matters', async () => {
  const [alphaHost, betaHost, mallory] = lanNow().hosts as [NetnsHost, NetnsHost, NetnsHost];
  const homes = { alpha: join(root, 'alpha'), beta: join(root, 'beta') };
  const keys = {
    alpha: (JSON.parse(cli(homes.alpha, ['id', '--json'])) as { publicKey: string }).publicKey,
    beta: JSON.parse(cli(homes.beta, ['id', '--json'])) as { publicKey: string; fingerprint: string },
  };
  cli(homes.alpha, ['trust', 'add', keys.beta.publicKey, '--name', 'beta']);
  cli(homes.beta, ['trust', 'add', keys.alpha, '--name', 'alpha']);
  const run = (host: NetnsHost, name: string, home: string) =>
    lanNow().spawnNode(host, [CLI, 'node', 'run', '--home', home, '--name', name, '--host', '0.0.0.0', '--port', '7797']);
  const alpha = run(alphaHost, 'alpha', homes.alpha);
  const beta = run(betaHost, 'beta', homes.beta);
  await alpha.waitFor(hasRaw('session established with beta'), 'alpha and beta to connect', 30_000);

  const betaAd = {
    instance: instanceLabel('beta', keys.beta.publicKey),
    host: hostName(keys.beta.publicKey),
    port: 7797,
    txt: { publicKey: keys.beta.publicKey, name: 'beta', fingerprint: keys.beta.fingerprint, protocolVersion: 1, offeredBytes: 0 },
    addresses: { multicastInterfaces: [betaHost.address], ipv4: [betaHost.address], ipv6: [] },
    ttl: 120,
  };
  // Mallory: beta's goodbye, and beta's key advertised under another name at Mallory's address,
  // where Mallory listens and counts who knocks.
  const forged = announcement({ ...betaAd, instance: 'beta-backup [000000000000]', host: 'evil.local', addresses: { multicastInterfaces: [], ipv4: [mallory.address], ipv6: [] } });
  const malloryProc = spoof(mallory, [...announcement(betaAd, 0).answers, ...forged.answers], 30_000, 7797);
  await malloryProc.waitFor(isEvent('sent'), 'the forged records to go out');
  await new Promise((r) => setTimeout(r, 3000)); // several rounds of them

  const realGone = (line: unknown): boolean => hasRaw(`as ${JSON.stringify(betaAd.instance)}`)(line) && hasRaw('no longer listed')(line);
  assert.equal(alpha.lines.filter(realGone).length, 0, 'alpha ignored the goodbye Mallory sent for beta');
  assert.ok(alpha.lines.some(hasRaw('as "beta-backup [000000000000]"')), 'alpha did see the forged listing');
  assert.equal(peersOf(homes.alpha).find((p) => p.publicKey === keys.beta.publicKey)?.state, 'connected');

  // The session drops; alpha dials beta again where beta last authenticated, not at Mallory's.
  const mark = alpha.lines.length;
  cli(homes.alpha, ['peers', 'disconnect', 'beta']);
  await alpha.waitFor(hasRaw('session established with beta'), 'alpha and beta to connect again', 60_000, mark);
  await malloryProc.waitFor(isEvent('done'), 'the forgery to end', 60_000);
  assert.deepEqual(malloryProc.lines.filter(isEvent('connection')), [], 'nobody dialed the forged address');

  // A goodbye from beta's own address removes beta's listing, but not the session.
  const closedBefore = alpha.lines.filter(betaClosed).length;
  const bye = spoof(betaHost, announcement(betaAd, 0).answers, 2000);
  await alpha.waitFor((l): l is unknown => realGone(l), 'alpha to take the goodbye from beta\'s own address', 30_000);
  await bye.waitFor(isEvent('done'), 'beta\'s goodbye to end', 30_000);
  assert.equal(peersOf(homes.alpha).find((p) => p.publicKey === keys.beta.publicKey)?.state, 'connected', 'the live session is untouched');
  assert.equal(alpha.lines.filter(betaClosed).length, closedBefore);
  cli(homes.alpha, ['set', 'still', 'there']);
  assert.equal(cli(homes.alpha, ['get', 'still']), 'there');
  await Promise.all([alpha.kill('SIGINT'), beta.kill('SIGINT')]);
});
