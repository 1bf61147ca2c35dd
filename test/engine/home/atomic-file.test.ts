import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileExclusive, FileShapeError, readFileStrict, writeFileAtomic } from '../../../engine/home/atomic-file';
import { ensureHome } from '../../../engine/home/home';
import { tempFilesIn, withTempHome } from '../../support/temp';

const modeOf = async (p: string): Promise<number> => (await stat(p)).mode & 0o777;

describe('writeFileAtomic', () => {
  test('writes the content with mode 0600 and leaves no temp file', async () => {
    await withTempHome(async (home) => {
      await ensureHome(home);
      const target = join(home, 'f.json');
      await writeFileAtomic(target, '{"a":1}');
      assert.equal(await readFile(target, 'utf8'), '{"a":1}');
      assert.equal(await modeOf(target), 0o600);
      assert.deepEqual(await tempFilesIn(home), []);
    });
  });

  test('replaces existing content whole, with the requested mode', async () => {
    await withTempHome(async (home) => {
      await ensureHome(home);
      const target = join(home, 'f.bin');
      await writeFile(target, 'old content that is longer', { mode: 0o644 });
      await writeFileAtomic(target, new Uint8Array([1, 2, 3]), 0o640);
      assert.deepEqual([...(await readFile(target))], [1, 2, 3]);
      assert.equal(await modeOf(target), 0o640);
    });
  });

  test('removes its temp file when the rename fails', async () => {
    await withTempHome(async (home) => {
      await ensureHome(home);
      const target = join(home, 'occupied');
      await mkdir(target);
      await writeFile(join(target, 'inside'), 'x');
      await assert.rejects(writeFileAtomic(target, 'data'));
      assert.deepEqual(await tempFilesIn(home), []);
      assert.ok((await stat(target)).isDirectory());
    });
  });

  test('fails cleanly when the directory does not exist', async () => {
    await withTempHome(async (home) => {
      await assert.rejects(writeFileAtomic(join(home, 'missing', 'f'), 'data'), { code: 'ENOENT' });
    });
  });

  test('many concurrent writes leave one complete version and no temp files', async () => {
    await withTempHome(async (home) => {
      await ensureHome(home);
      const target = join(home, 'race');
      const versions = Array.from({ length: 20 }, (_, i) => `version-${i}-`.repeat(1000));
      await Promise.all(versions.map((v) => writeFileAtomic(target, v)));
      assert.ok(versions.includes(await readFile(target, 'utf8')));
      assert.deepEqual(await tempFilesIn(home), []);
    });
  });
});

describe('createFileExclusive', () => {
  test('creates once, then refuses without touching the file', async () => {
    await withTempHome(async (home) => {
      await ensureHome(home);
      const target = join(home, 'once');
      assert.equal(await createFileExclusive(target, 'first'), true);
      assert.equal(await modeOf(target), 0o600);
      assert.equal(await createFileExclusive(target, 'second'), false);
      assert.equal(await readFile(target, 'utf8'), 'first');
      assert.deepEqual(await tempFilesIn(home), []);
    });
  });

  test('exactly one of many concurrent creators wins', async () => {
    await withTempHome(async (home) => {
      await ensureHome(home);
      const target = join(home, 'contended');
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => createFileExclusive(target, `writer-${i}`)));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await readFile(target, 'utf8'), `writer-${results.indexOf(true)}`);
      assert.deepEqual(await tempFilesIn(home), []);
    });
  });
});

describe('readFileStrict', () => {
  test('returns undefined for a missing file, and content and mode otherwise', async () => {
    await withTempHome(async (home) => {
      await ensureHome(home);
      assert.equal(await readFileStrict(join(home, 'nope'), { maxBytes: 10 }), undefined);
      await writeFile(join(home, 'f'), 'hello', { mode: 0o640 });
      const read = await readFileStrict(join(home, 'f'), { maxBytes: 10 });
      assert.equal(read?.data.toString(), 'hello');
      assert.equal(read?.mode, 0o640);
      assert.equal(read?.uid, process.getuid?.());
    });
  });

  test('refuses directories and oversized files', async () => {
    await withTempHome(async (home) => {
      await ensureHome(home);
      await assert.rejects(readFileStrict(home, { maxBytes: 10 }), FileShapeError);
      await writeFile(join(home, 'big'), 'x'.repeat(11));
      await assert.rejects(readFileStrict(join(home, 'big'), { maxBytes: 10 }), /larger than 10 bytes/);
    });
  });
});
