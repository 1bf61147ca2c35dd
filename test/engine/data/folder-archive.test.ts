// Folder archives: round trips through our packer and unpacker, interoperate with GNU tar, and
// hostile archives never write outside the target.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archiveSize, listFolder, packFolder, unpackFolder } from '../../../engine/data/folder-archive';

const root = mkdtempSync(join(tmpdir(), 'memcloud-tar-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (name: string) => join(root, `${name}-${n++}`);

function makeTree(dir: string): void {
  mkdirSync(join(dir, 'a/b/c'), { recursive: true });
  mkdirSync(join(dir, 'empty-dir'));
  writeFileSync(join(dir, 'top.txt'), 'hello');
  writeFileSync(join(dir, 'empty.bin'), '');
  writeFileSync(join(dir, 'a/b/c/data.bin'), randomBytes(3 * 1024 * 1024 + 17));
  writeFileSync(join(dir, `a/${'long-name-'.repeat(15)}.txt`), 'long');
  writeFileSync(join(dir, 'a/ünïcødé ✓.txt'), 'unicode');
  writeFileSync(join(dir, 'exec.sh'), '#!/bin/sh\n', { mode: 0o755 });
}

async function collect(gen: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of gen) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

async function* chunked(buf: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

function snapshot(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    const rel = p.slice(base.length + 1);
    return d.isDirectory() ? [`${rel}/`, ...snapshot(p, base)] : [`${rel} ${readFileSync(p).toString('base64').slice(0, 64)} ${statSync(p).size}`];
  }).sort();
}

test('round trip through pack and unpack, at awkward chunk sizes', async () => {
  const src = fresh('src');
  makeTree(src);
  symlinkSync('/etc/passwd', join(src, 'link'));
  const { entries, skipped } = await listFolder(src);
  assert.deepEqual(skipped, ['link']);
  const archive = await collect(packFolder(entries));
  assert.equal(archive.length, archiveSize(entries));
  for (const size of [100, 511, 513, 64 * 1024]) {
    const out = fresh('out');
    mkdirSync(out);
    await unpackFolder(out, chunked(archive, size));
    const expected = snapshot(src).filter((l) => !l.startsWith('link'));
    assert.deepEqual(snapshot(out), expected);
    assert.equal(statSync(join(out, 'exec.sh')).mode & 0o777, 0o755);
  }
});

test('GNU tar reads our archives and we read GNU tar archives', async () => {
  const src = fresh('src');
  makeTree(src);
  const archive = await collect(packFolder((await listFolder(src)).entries));
  const file = fresh('ours') + '.tar';
  writeFileSync(file, archive);
  const viaTar = fresh('tar-out');
  mkdirSync(viaTar);
  const r = spawnSync('tar', ['-xf', file, '-C', viaTar], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(snapshot(viaTar), snapshot(src));

  const gnu = fresh('gnu') + '.tar';
  assert.equal(spawnSync('tar', ['--format=pax', '-cf', gnu, '-C', src, '.'], { encoding: 'utf8' }).status, 0);
  const out = fresh('from-gnu');
  mkdirSync(out);
  await unpackFolder(out, chunked(readFileSync(gnu), 4096));
  assert.deepEqual(snapshot(out), snapshot(src));
});

function hostile(name: string, type = '0', body = Buffer.from('pwned')): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(body.length.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.fill(0x20, 148, 156);
  h.write(type, 156);
  h.write('ustar\u000000', 257);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const padded = Buffer.concat([body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
  return Buffer.concat([h, padded, Buffer.alloc(1024)]);
}

test('hostile archives are refused and write nothing outside the target', async () => {
  const cases: Array<[string, Buffer, RegExp]> = [
    ['parent escape', hostile('../escaped.txt'), /unsafe path|leaves the folder/],
    ['nested escape', hostile('a/../../escaped.txt'), /unsafe path|leaves the folder/],
    ['absolute path', hostile('/tmp/escaped.txt'), /unsafe path/],
    ['symbolic link', hostile('link', '2'), /not a regular file or folder/],
    ['hard link', hostile('hl', '1'), /not a regular file or folder/],
    ['bad checksum', (() => { const b = hostile('ok.txt'); b[0] = 0x41; return b; })(), /checksum/],
    ['truncated', hostile('ok.txt').subarray(0, 600), /truncated/],
  ];
  for (const [what, archive, pattern] of cases) {
    const parent = fresh('victim');
    const out = join(parent, 'target');
    mkdirSync(out, { recursive: true });
    await assert.rejects(unpackFolder(out, chunked(archive, 100)), pattern, what);
    assert.ok(!existsSync(join(parent, 'escaped.txt')), `${what}: wrote outside`);
    assert.ok(!existsSync('/tmp/escaped.txt'), `${what}: wrote to an absolute path`);
  }
});
