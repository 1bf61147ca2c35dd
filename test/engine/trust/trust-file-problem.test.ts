// A trust file that becomes unusable (a hand edit with a typo, a wrong mode) is reported, not
// ignored: the store keeps its last good list, refuses new trust, and reports the fix.
import assert from 'node:assert/strict';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { isMemCloudError } from '../../../engine/errors';
import type { TrustFileProblem } from '../../../engine/trust/trust-file-problem';
import { TrustStore } from '../../../engine/trust/trust-store';
import { withTempHome } from '../../support/temp';

const newKey = (): Uint8Array => ed25519.getPublicKey(ed25519.utils.randomSecretKey());
const trustPath = (home: string): string => join(home, 'trusted_devices.json');
/** Read through a function, so an earlier assertion does not narrow the getter's type for good. */
const problemOf = (store: TrustStore): TrustFileProblem | undefined => store.problem;

describe('trust file problems', () => {
  test('a typo in a running store\'s file is reported with the path and the fix, and cleared once fixed', async () => {
    await withTempHome(async (home) => {
      const store = await TrustStore.open(home);
      const seen: Array<TrustFileProblem | undefined> = [];
      store.onProblemChange((p) => seen.push(p));
      try {
        const a = newKey();
        await store.trust(a, { name: 'desk', approval: 'cli' });
        const good = await readFile(trustPath(home), 'utf8');
        assert.equal(problemOf(store), undefined);

        const typo = good.replace('"status": "trusted"', '"status": "trusted",'); // trailing comma
        await writeFile(trustPath(home), typo);
        await assert.rejects(store.reloadFromDisk(), (e) => isMemCloudError(e, 'TRUST_STORE_CORRUPT'));
        const problem = problemOf(store);
        assert.ok(problem, 'the problem is reported');
        assert.equal(problem.code, 'TRUST_STORE_CORRUPT');
        assert.equal(problem.path, trustPath(home));
        assert.ok(problem.message.includes(trustPath(home)), 'the message names the file');
        assert.match(problem.message, /not valid JSON/);
        assert.match(problem.message, /Fix it by hand/);
        assert.equal(seen.length, 1);
        assert.equal(store.isTrusted(a), true, 'the last good list stays in force');
        await assert.rejects(store.trust(newKey(), { name: 'x', approval: 'cli' }), (e) => isMemCloudError(e, 'TRUST_STORE_CORRUPT'));

        // The same problem seen again is not a new event; a different one is, with its first time kept.
        await assert.rejects(store.reloadFromDisk());
        assert.equal(seen.length, 1);
        await writeFile(trustPath(home), '{"version": 2, "devices": []}');
        await assert.rejects(store.reloadFromDisk());
        assert.equal(seen.length, 2);
        assert.match(problemOf(store)!.message, /version 2 is not supported/);
        assert.equal(problemOf(store)!.since, problem.since);

        await writeFile(trustPath(home), good);
        await store.reloadFromDisk();
        assert.equal(problemOf(store), undefined);
        assert.equal(seen.at(-1), undefined, 'listeners hear that it is fixed');
        await store.trust(newKey(), { name: 'laptop', approval: 'cli' });
      } finally {
        await store.close();
      }
    });
  });

  test('a node opens a store whose file is corrupt: empty, reported, never written, filled once fixed', async () => {
    await withTempHome(async (home) => {
      const a = newKey();
      const first = await TrustStore.open(home);
      await first.trust(a, { name: 'desk', approval: 'cli' });
      await first.close();
      const good = await readFile(trustPath(home), 'utf8');
      const bad = good.replace('"name": "desk"', '"name": "desk (work)"');
      await writeFile(trustPath(home), bad);

      await assert.rejects(TrustStore.open(home), (e) => isMemCloudError(e, 'TRUST_STORE_CORRUPT') && /bracket or parenthesis/.test(e.message));
      const store = await TrustStore.open(home, { tolerateProblem: true });
      try {
        assert.deepEqual(store.list(), []);
        assert.equal(problemOf(store)?.code, 'TRUST_STORE_CORRUPT');
        assert.match(problemOf(store)!.message, /devices\[0\]: "name" must not contain a bracket or parenthesis/);
        await store.flush();
        assert.equal(await readFile(trustPath(home), 'utf8'), bad, 'never overwritten');
        await writeFile(trustPath(home), good);
        await store.reloadFromDisk();
        assert.equal(problemOf(store), undefined);
        assert.equal(store.isTrusted(a), true);
      } finally {
        await store.close();
      }
    });
  });

  test('a file others may write is a problem too (unreadable, with the chmod to run)', async () => {
    await withTempHome(async (home) => {
      const store = await TrustStore.open(home);
      try {
        await store.trust(newKey(), { name: 'desk', approval: 'cli' });
        await chmod(trustPath(home), 0o666);
        await assert.rejects(store.reloadFromDisk(), (e) => isMemCloudError(e, 'TRUST_STORE_UNREADABLE'));
        assert.equal(problemOf(store)?.code, 'TRUST_STORE_UNREADABLE');
        assert.match(problemOf(store)!.message, /chmod 600/);
        await chmod(trustPath(home), 0o600);
        await store.reloadFromDisk();
        assert.equal(problemOf(store), undefined);
      } finally {
        await store.close();
      }
    });
  });
});
