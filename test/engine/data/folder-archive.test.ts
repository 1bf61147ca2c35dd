// Folder archives: round trips through our packer and unpacker (links kept as links, modes kept
// without setuid/setgid), interoperate with GNU tar, and hostile archives never write outside the
// target nor through a link.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listFolder } from '../../../engine/data/folder-listing';
import { archiveSize, packFolder } from '../../../engine/data/folder-pack';
import { unpackFolder } from '../../../engine/data/folder-unpack';

const root = mkdtempSync(join(tmpdir(), 'memcloud-tar-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (name: string) => join(root, `${name}-${n++}`);

function makeTree(dir: string): void {
  mkdirSync(join(dir, 'a/b/c'), { recursive: true });
  mkdirSync(join(dir, 'empty-dir'));
  mkdirSync(join(dir, 'locked'));
  writeFileSync(join(dir, 'locked/inside.txt'), 'kept');
  chmodSync(join(dir, 'locked'), 0o555);
  writeFileSync(join(dir, 'top.txt'), 'hello');
  writeFileSync(join(dir, 'empty.bin'), '');
  writeFileSync(join(dir, 'a/b/c/data.bin'), randomBytes(3 * 1024 * 1024 + 17));
  writeFileSync(join(dir, `a/${'long-name-'.repeat(15)}.txt`), 'long');
  writeFileSync(join(dir, 'a/ünïcødé ✓.txt'), 'unicode');
  writeFileSync(join(dir, 'exec.sh'), '#!/bin/sh\n', { mode: 0o755 });
  writeFileSync(join(dir, 'secret.txt'), 'only me', { mode: 0o600 });
  chmodSync(join(dir, 'secret.txt'), 0o600);
  symlinkSync('/etc/passwd', join(dir, 'outside-link'));
  symlinkSync('top.txt', join(dir, 'relative-link'));
  symlinkSync('a/b', join(dir, 'dir-link'));
  symlinkSync('no/such/target', join(dir, 'dangling-link'));
  symlinkSync(`../${'deep/'.repeat(30)}target`, join(dir, 'a/long-target-link'));
  chmodSync(dir, 0o750);
}

async function collect(gen: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of gen) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

async function* chunked(buf: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

/** Every entry: kind, permission bits, and content (files) or target (links); links never followed. */
function snapshot(dir: string, base = dir): string[] {
  const rootLine = dir === base ? [`. ${(lstatSync(dir).mode & 0o7777).toString(8)}`] : [];
  return [
    ...rootLine,
    ...readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
      const p = join(dir, d.name);
      const rel = p.slice(base.length + 1);
      const st = lstatSync(p);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) return [`${rel} -> ${readlinkSync(p)}`];
      if (st.isDirectory()) return [`${rel}/ ${mode}`, ...snapshot(p, base)];
      if (!st.isFile()) return [`${rel} special`];
      return [`${rel} ${mode} ${readFileSync(p).toString('base64').slice(0, 64)} ${st.size}`];
    }),
  ].sort();
}

test('round trip: files, folders, links (kept as links, never followed) and modes, at awkward chunk sizes', async () => {
  const src = fresh('src');
  mkdirSync(src);
  makeTree(src);
  spawnSync('mkfifo', [join(src, 'a-fifo')]);
  const listing = await listFolder(src);
  assert.deepEqual(listing.skipped, ['a-fifo']);
  assert.deepEqual(
    listing.entries.filter((e) => e.type === 'symlink').map((e) => [e.path, e.type === 'symlink' && e.target]),
    [['a/long-target-link', `../${'deep/'.repeat(30)}target`], ['dangling-link', 'no/such/target'], ['dir-link', 'a/b'], ['outside-link', '/etc/passwd'], ['relative-link', 'top.txt']],
  );
  const archive = await collect(packFolder(listing));
  assert.equal(archive.length, archiveSize(listing.entries));
  assert.ok(!archive.includes(readFileSync('/etc/passwd').subarray(0, 32)), 'a link is never followed: its target is not read');
  const expected = snapshot(src).filter((l) => !l.startsWith('a-fifo'));
  for (const size of [100, 511, 513, 64 * 1024]) {
    const out = fresh('out');
    mkdirSync(out, { mode: 0o700 });
    await unpackFolder(out, chunked(archive, size));
    assert.deepEqual(snapshot(out), expected);
    assert.equal(lstatSync(join(out, 'outside-link')).isSymbolicLink(), true, 'restored as a link, not dereferenced');
    assert.equal(lstatSync(join(out, 'exec.sh')).mode & 0o777, 0o755);
    assert.equal(lstatSync(join(out, 'secret.txt')).mode & 0o777, 0o600);
    assert.equal(lstatSync(out).mode & 0o777, 0o750, "the folder's own mode too");
    chmodSync(join(out, 'locked'), 0o755); // so the temp dir can be removed
  }
});

test('GNU tar reads our archives and we read GNU tar archives, links included', async () => {
  const src = fresh('src');
  mkdirSync(src);
  makeTree(src);
  const archive = await collect(packFolder(await listFolder(src)));
  const file = fresh('ours') + '.tar';
  writeFileSync(file, archive);
  const viaTar = fresh('tar-out');
  mkdirSync(viaTar);
  const r = spawnSync('tar', ['-xpf', file, '-C', viaTar], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(snapshot(viaTar), snapshot(src));

  const gnu = fresh('gnu') + '.tar';
  assert.equal(spawnSync('tar', ['--format=pax', '-cf', gnu, '-C', src, '.'], { encoding: 'utf8' }).status, 0);
  const out = fresh('from-gnu');
  mkdirSync(out, { mode: 0o700 });
  await unpackFolder(out, chunked(readFileSync(gnu), 4096));
  assert.deepEqual(snapshot(out), snapshot(src));
  for (const d of [join(viaTar, 'locked'), join(out, 'locked'), join(src, 'locked')]) chmodSync(d, 0o755);
});

function entry(name: string, type = '0', body = Buffer.from('pwned'), opts: { mode?: number; linkname?: string } = {}): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write((opts.mode ?? 0o644).toString(8).padStart(7, '0') + '\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  const size = type === '0' ? body.length : 0;
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.fill(0x20, 148, 156);
  h.write(type, 156);
  if (opts.linkname !== undefined) h.write(opts.linkname, 157, 100, 'utf8');
  h.write('ustar\u000000', 257);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  if (type !== '0') return h;
  return Buffer.concat([h, body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}
const archiveOf = (...entries: Buffer[]) => Buffer.concat([...entries, Buffer.alloc(1024)]);
const hostile = (name: string, type = '0', body = Buffer.from('pwned')) => archiveOf(entry(name, type, body));

test('hostile archives are refused and write nothing outside the target, nor through a link', async () => {
  const victim = fresh('victim-dir');
  mkdirSync(victim);
  const cases: Array<[string, Buffer, RegExp]> = [
    ['parent escape', hostile('../escaped.txt'), /unsafe path|leaves the folder/],
    ['nested escape', hostile('a/../../escaped.txt'), /unsafe path|leaves the folder/],
    ['absolute path', hostile('/tmp/escaped.txt'), /unsafe path/],
    ['link without a target', hostile('link', '2'), /has no target/],
    ['hard link', hostile('hl', '1'), /not a regular file, folder or symbolic link/],
    ['device', hostile('dev', '3'), /not a regular file, folder or symbolic link/],
    ['write through a link (file after it)', archiveOf(entry('link', '2', undefined, { linkname: victim }), entry('link/pwned.txt')), /appears twice/],
    ['link inside a link', archiveOf(entry('a', '2', undefined, { linkname: victim }), entry('a/b', '2', undefined, { linkname: '/etc' })), /inside "a", which is not a folder/],
    ['link over a file', archiveOf(entry('same.txt'), entry('same.txt', '2', undefined, { linkname: victim })), /appears twice/],
    ['file twice', archiveOf(entry('twice.txt'), entry('twice.txt')), /appears twice/],
    ['bad checksum', (() => { const b = hostile('ok.txt'); b[0] = 0x41; return b; })(), /checksum/],
    ['truncated', hostile('ok.txt').subarray(0, 600), /truncated/],
  ];
  for (const [what, archive, pattern] of cases) {
    const parent = fresh('target-parent');
    const out = join(parent, 'target');
    mkdirSync(out, { recursive: true, mode: 0o700 });
    await assert.rejects(unpackFolder(out, chunked(archive, 100)), pattern, what);
    assert.ok(!existsSync(join(parent, 'escaped.txt')), `${what}: wrote outside`);
    assert.ok(!existsSync('/tmp/escaped.txt'), `${what}: wrote to an absolute path`);
    assert.deepEqual(readdirSync(victim), [], `${what}: wrote through a link`);
  }
});

test('setuid, setgid and sticky bits are never restored', async () => {
  const out = fresh('modes');
  mkdirSync(out, { mode: 0o700 });
  await unpackFolder(out, chunked(archiveOf(entry('suid', '0', Buffer.from('x'), { mode: 0o6755 }), entry('sticky/', '5', undefined, { mode: 0o1777 })), 512));
  assert.equal(lstatSync(join(out, 'suid')).mode & 0o7777, 0o755);
  assert.equal(lstatSync(join(out, 'sticky')).mode & 0o7777, 0o777);
});
