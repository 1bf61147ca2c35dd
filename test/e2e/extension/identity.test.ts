// Launches the identity-key suite inside a real VS Code (code-server 4.100.3 + headless Chromium):
// the key moved into VS Code's Secret Storage by the setting, a node opening it from there and
// pairing with a real peer, the CLI refusing it clearly, and the key moved back (docs/identity.md).
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { prepare } from '../../../scripts/e2e/prepare.mjs';
import { buildSuites, createWorld, ensureBuilt, expectSuitePasses, type TestWorld } from './setup';

const EXPECTED = [
  'starts with the plain identity key the CLI made',
  '"secretStorage" moves the key into VS Code\'s Secret Storage; the identity is unchanged',
  'a node started by the window opens the key from Secret Storage and pairs with a real peer',
  'the CLI cannot open a key in VS Code\'s Secret Storage: it says what to do and changes nothing',
  '"file" moves the key back to a plain file: the very same seed',
];

describe('MemCloud identity key in VS Code Secret Storage (code-server + real nodes)', () => {
  let world: TestWorld | undefined;
  let testsPath = '';

  before(async () => {
    await prepare();
    await ensureBuilt();
    world = await createWorld();
    testsPath = await buildSuites(join(world.work, 'suite'), ['identity-index.ts', 'identity.suite.ts']);
  }, { timeout: 20 * 60_000 });

  after(async () => {
    await world?.close();
  });

  test('the identity suite passes in the extension host', { timeout: 300_000 }, async () => {
    await expectSuitePasses(world!, testsPath, EXPECTED);
  });
});
