// A folder changed between listing and reading: the packer reads exactly what was listed or refuses,
// naming the path; it never reads through a link swapped in. The swap happens at an exact point
// (the packer's test hook runs just before an entry is opened), never by timing. Every case runs
// both ways children are reached: through the open directory (/proc/self/fd, Linux) and by path
// with fstat checks (what macOS and Windows use).

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync, appendFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirHandle } from '../../../engine/data/dir-handle';
import { listFolder, type FolderEntry } from '../../../engine/data/folder-listing';
import { packFolder } from '../../../engine/data/folder-pack';

const root = mkdtempSync(join(tmpdir(), 'memcloud-race-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const SECRET = 'SECRET-KEY-MATERIAL-THAT-MUST-NOT-LEAVE';

/** A folder to push, and beside it (outside it) a secret and a folder shaped like part of it. */
function setup(): { src: string; secret: string; lookalike: string } {
  const base = join(root, `case-${n++}`);
  const src = join(base, 'src');
  mkdirSync(join(src, 'a/b'), { recursive: true });
  writeFileSync(join(src, '0-first.txt'), 'first');
  writeFileSync(join(src, 'a/b/data.txt'), 'listed data, same length as secret...');
  writeFileSync(join(src, 'z-last.txt'), 'last');
  const secret = join(base, 'secret.txt');
  writeFileSync(secret, SECRET);
  const lookalike = join(base, 'lookalike');
  mkdirSync(join(lookalike, 'b'), { recursive: true });
  writeFileSync(join(lookalike, 'b/data.txt'), SECRET);
  return { src, secret, lookalike };
}

async function pack(src: string, at: string, swap: () => void): Promise<Buffer> {
  const listing = await listFolder(src);
  let swapped = false;
  const hooks = {
    beforeEntry(e: FolderEntry) {
      if (e.path === at && !swapped) {
        swapped = true;
        swap();
      }
    },
  };
  const parts: Buffer[] = [];
  for await (const c of packFolder(listing, hooks)) parts.push(Buffer.from(c));
  assert.ok(swapped, `the hook ran at ${at}`);
  return Buffer.concat(parts);
}

for (const beneath of [true, false]) {
  describe(`swaps between listing and reading (${beneath ? 'through the open directory' : 'by path, fstat-checked'})`, () => {
    const use = () => {
      DirHandle.resolveBeneath = beneath;
    };
    after(() => {
      DirHandle.resolveBeneath = process.platform === 'linux';
    });

    test('a file swapped for a link to a secret is refused, naming the path; the secret is never read', async () => {
      use();
      const { src, secret } = setup();
      const file = join(src, 'a/b/data.txt');
      await assert.rejects(
        pack(src, 'a/b/data.txt', () => (unlinkSync(file), symlinkSync(secret, file))),
        (err: Error) => err.message.startsWith(`${file} was replaced by a link or removed while the folder was being offloaded`),
      );
    });

    test('a folder swapped for a link to a look-alike folder is refused', async () => {
      use();
      const { src, lookalike } = setup();
      const dir = join(src, 'a/b');
      await assert.rejects(
        pack(src, 'a/b', () => (rmSync(dir, { recursive: true }), symlinkSync(lookalike + '/b', dir))),
        (err: Error) => err.message.startsWith(`${dir} is no longer a folder`),
      );
    });

    test('a file swapped for a FIFO is refused at once (the open does not block)', async () => {
      use();
      const { src } = setup();
      const file = join(src, 'z-last.txt');
      await assert.rejects(
        pack(src, 'z-last.txt', () => (unlinkSync(file), spawnSync('mkfifo', [file]))),
        (err: Error) => err.message.startsWith(`${file} was replaced`),
      );
    });

    test('a file replaced by another file, or grown, is refused', async () => {
      use();
      const { src } = setup();
      const file = join(src, '0-first.txt');
      // Written beside it, then renamed over it: another inode, same size.
      await assert.rejects(pack(src, '0-first.txt', () => (writeFileSync(`${file}.new`, 'FIRST'), renameSync(`${file}.new`, file))), /0-first\.txt was replaced/);
      const other = setup();
      const grown = join(other.src, 'z-last.txt');
      await assert.rejects(pack(other.src, 'z-last.txt', () => appendFileSync(grown, 'more')), /z-last\.txt changed size/);
    });

    test('a folder higher up moved away and replaced by a link: what was listed is read, or the read is refused; never the outside', async () => {
      use();
      const { src, lookalike } = setup();
      const a = join(src, 'a');
      let result: Buffer | Error;
      try {
        result = await pack(src, 'a/b/data.txt', () => {
          renameSync(a, join(src, '..', 'a-moved'));
          cpSync(lookalike, join(src, '..', 'look-a'), { recursive: true });
          symlinkSync(join(src, '..', 'look-a'), a);
        });
      } catch (err) {
        result = err as Error;
      }
      if (result instanceof Buffer) {
        assert.ok(beneath, 'only reading through the open directories can still reach the listed file');
        assert.ok(result.includes('listed data, same length as secret...'), 'the listed file was read');
        assert.ok(!result.includes(SECRET), 'nothing from outside');
      } else {
        assert.match((result as Error).message, /data\.txt was replaced/);
      }
    });
  });
}
