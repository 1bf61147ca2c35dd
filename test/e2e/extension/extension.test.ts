// Launches the extension's mocha suite inside a real VS Code (code-server 4.100.3 + headless
// Chromium) against real nodes: trust, connect, a 64 MiB offload and restore, the three views,
// consent, revocation, live settings and the handover between "windows".
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { prepare } from '../../../scripts/e2e/prepare.mjs';
import { buildSuites, createWorld, ensureBuilt, expectSuitePasses, type TestWorld } from './setup';

/** Every test of the suite, by title: each must pass (none may be skipped or missing). */
const EXPECTED = [
  'activates at once and starts its own engine for its home in worker threads',
  '"MemCloud: Trust Device" with a key argument trusts the peer',
  '"Connect to Peer..." with an address connects; the badge counts it',
  'offloads a 64 MiB file with progress, and restores it byte-identical',
  'cancelling an offload leaves nothing stored, here or on the peer',
  'offloads a folder and restores it as a folder',
  'the three views show peers, trusted devices and data; unchanged data does not redraw',
  'an unknown device asking to connect is approved through the consent path',
  '"Revoke Trust" closes the session with the peer; the badge drops',
  '"Set Offered Memory..." applies live and is saved in the settings',
  '"Free..." frees the offloaded items',
  '"Use LAN RAM for Build Caches" opens the endpoint; every new terminal gets the variables (never persisted)',
  'the status bar shows the hit rate; Offloaded Data shows the cache as one item, and freeing it clears the cache',
  'the endpoint stopped elsewhere (memcloud cache stop): the Nx variable leaves new terminals at once; "Stop Using..." stops it here',
  'handover: attached to a node started elsewhere, it takes over when that node leaves',
];

describe('MemCloud extension inside VS Code (code-server + real nodes)', () => {
  let world: TestWorld | undefined;
  let testsPath = '';

  before(async () => {
    await prepare();
    await ensureBuilt();
    world = await createWorld();
    testsPath = await buildSuites(join(world.work, 'suite'));
  }, { timeout: 20 * 60_000 });

  after(async () => {
    await world?.close();
  });

  test('the mocha suite passes in the extension host', { timeout: 300_000 }, async () => {
    await expectSuitePasses(world!, testsPath, EXPECTED);
  });
});
