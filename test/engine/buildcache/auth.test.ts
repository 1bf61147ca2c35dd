import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenCheck, credentialOf, loadOrCreateToken } from '../../../engine/buildcache/auth';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('build-cache token', () => {
  test('created once, 0600, and the same token afterwards; concurrent first uses agree', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memcloud-token-'));
    try {
      const path = join(dir, 'buildcache_token');
      const tokens = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateToken(path)));
      assert.equal(new Set(tokens).size, 1);
      assert.match(tokens[0]!, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(await loadOrCreateToken(path), tokens[0]);
      assert.equal(readFileSync(path, 'utf8').trim(), tokens[0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a damaged or exposed token file is refused, never replaced', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memcloud-token-'));
    try {
      const path = join(dir, 'buildcache_token');
      writeFileSync(path, 'short\n', { mode: 0o600 });
      await assert.rejects(loadOrCreateToken(path), { code: 'CONFIG_INVALID', message: /damaged.*delete it/ });
      assert.equal(readFileSync(path, 'utf8'), 'short\n');
      writeFileSync(path, `${'a'.repeat(43)}\n`);
      chmodSync(path, 0o644);
      await assert.rejects(loadOrCreateToken(path), { code: 'CONFIG_INVALID', message: /readable by other users/ });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('credentials: bearer tokens and the password of Basic auth; anything else is no credential', () => {
    assert.equal(credentialOf('Bearer abc'), 'abc');
    assert.equal(credentialOf('bearer abc'), 'abc');
    assert.equal(credentialOf(basic('user', 'tok:en')), 'tok:en');
    assert.equal(credentialOf(basic('', 'x')), 'x');
    for (const bad of [undefined, '', 'Bearer', 'Bearer a b', 'Token abc', `Basic ${Buffer.from('nocolon').toString('base64')}`, `Bearer ${'a'.repeat(2000)}`]) {
      assert.equal(credentialOf(bad), undefined, String(bad).slice(0, 30));
    }
    const check = new TokenCheck('s3cret-token');
    assert.equal(check.accepts('Bearer s3cret-token'), true);
    assert.equal(check.accepts(basic('gradle', 's3cret-token')), true);
    assert.equal(check.accepts('Bearer s3cret-toke'), false);
    assert.equal(check.accepts('Bearer s3cret-tokenX'), false);
    assert.equal(check.accepts(basic('s3cret-token', '')), false, 'the token goes in the password, not the user');
    assert.equal(check.accepts(undefined), false);
  });
});
