// Folders and files through a real engine to a lender over TCP and back: links stay links, modes
// are kept (the folder's own too), FIFOs and sockets are named as not stored, a pulled file gets a normal mode; a folder changed under a push
// fails it, naming the path, and nothing it stored stays on the lender.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packTestHooks } from '../../../engine/data/folder-pack';
import { connect, startEngine, trustEachOther, type TestEngine, internals } from '../../support/engines';
import { eventually } from '../../support/eventually';

const work = mkdtempSync(join(tmpdir(), 'memcloud-folders-'));
const open: TestEngine[] = [];
after(async () => {
  await Promise.all(open.map((e) => e.close()));
  rmSync(work, { recursive: true, force: true });
});

async function pair(): Promise<{ owner: TestEngine; lender: TestEngine }> {
  const owner = await startEngine('owner');
  const lender = await startEngine('lender');
  open.push(owner, lender);
  await trustEachOther(owner, lender);
  await connect(owner, lender);
  return { owner, lender };
}

function tree(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => {
      const p = join(dir, d.name);
      const st = lstatSync(p);
      const mode = (st.mode & 0o777).toString(8);
      if (st.isSymbolicLink()) return [`${d.name} -> ${readlinkSync(p)}`];
      if (st.isDirectory()) return [`${d.name}/ ${mode}`, ...tree(p).map((x) => `${d.name}/${x}`)];
      return [`${d.name} ${mode} ${readFileSync(p).toString('hex').slice(0, 32)}`];
    })
    .sort();
}

describe('folders and files through the pool', () => {
  test('links are kept as links and modes are kept, the folder root included; what cannot be stored is named', async () => {
    const { owner, lender } = await pair();
    const src = join(work, 'project');
    mkdirSync(join(src, 'bin'), { recursive: true });
    writeFileSync(join(src, 'bin/run'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    writeFileSync(join(src, 'data.bin'), randomBytes(2 * 1024 * 1024 + 5));
    symlinkSync('bin/run', join(src, 'run-link'));
    symlinkSync('/etc/hostname', join(src, 'outside'));
    chmodSync(src, 0o751);
    assert.equal(spawnSync('mkfifo', [join(src, 'bin/a-fifo')]).status, 0);
    const socketServer = createServer();
    await new Promise<void>((resolve) => socketServer.listen(join(src, 'a-socket'), resolve));
    const info = await owner.engine.api.pushFile(src);
    socketServer.close();
    assert.equal(info.format, 'folder');
    assert.deepEqual(info.skipped, ['a-socket', 'bin/a-fifo'], 'the push names what it could not store');
    rmSync(join(src, 'bin/a-fifo'));
    rmSync(join(src, 'a-socket'), { force: true });
    assert.ok(internals(lender.engine).holder.stat(owner.engine.identity.publicKeyText).usedBytes >= info.size, 'stored on the lender');
    const back = join(work, 'project-back');
    await owner.engine.api.pullFile(info.id, back);
    assert.deepEqual(tree(back), tree(src));
    assert.equal(lstatSync(back).mode & 0o777, 0o751);
    assert.equal(readlinkSync(join(back, 'outside')), '/etc/hostname');
  });

  test('a file swapped for a link mid-push fails the push, naming it, and frees what was stored', async () => {
    const { owner, lender } = await pair();
    const src = join(work, 'racy');
    mkdirSync(src);
    writeFileSync(join(src, 'a-big.bin'), randomBytes(3 * 1024 * 1024));
    writeFileSync(join(src, 'b-target.txt'), 'the listed file');
    const secret = join(work, 'secret.txt');
    writeFileSync(secret, 'SECRET');
    const victim = join(src, 'b-target.txt');
    packTestHooks.beforeEntry = (e) => {
      if (e.path === 'b-target.txt') {
        unlinkSync(victim);
        symlinkSync(secret, victim);
      }
    };
    try {
      await assert.rejects(owner.engine.api.pushFile(src), (err: Error) => err.message.startsWith(`${victim} was replaced by a link or removed`));
    } finally {
      delete packTestHooks.beforeEntry;
    }
    assert.deepEqual(await owner.engine.api.listData(), [], 'nothing kept by the owner');
    // A chunk still being written when the push failed is freed once its write settles (streams.ts abort()).
    await eventually('nothing is left on the lender', () => internals(lender.engine).holder.stat(owner.engine.identity.publicKeyText).usedBytes === 0);
  });

  test('a pulled file gets the mode a new file gets there, or the mode of the file it replaces', async () => {
    const { owner } = await pair();
    const src = join(work, 'single.bin');
    writeFileSync(src, randomBytes(1000), { mode: 0o640 });
    const info = await owner.engine.api.pushFile(src);
    const umask = process.umask();
    process.umask(umask);
    const fresh = join(work, 'single-new.bin');
    await owner.engine.api.pullFile(info.id, fresh);
    assert.equal(lstatSync(fresh).mode & 0o777, 0o666 & ~umask);
    const existing = join(work, 'single-existing.bin');
    writeFileSync(existing, 'old');
    chmodSync(existing, 0o700);
    await owner.engine.api.pullFile(info.id, existing);
    assert.equal(lstatSync(existing).mode & 0o777, 0o700);
    assert.deepEqual(readFileSync(existing), readFileSync(src));
  });
});
