// The dashboard's message protocol: good messages pass unchanged, anything else is refused.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaError, parseHostMessage, parseWebviewMessage } from '../../../webview/dashboard/protocol';
import { MAX_TEXT } from '../../../engine/api/schema';
import * as F from './fixtures';

const refused = (fn: () => unknown, pattern: RegExp) => assert.throws(fn, (e: unknown) => e instanceof SchemaError && pattern.test(e.message));

describe('dashboard protocol: webview to host', () => {
  test('valid messages parse to themselves', () => {
    const good = [
      { type: 'ready' },
      { type: 'refresh', id: 1 },
      { type: 'free', id: 2, item: { kind: 'key', id: 'user:1' } },
      { type: 'restore', id: Number.MAX_SAFE_INTEGER, item: { kind: 'stream', id: 's1' } },
    ];
    for (const m of good) assert.deepEqual(parseWebviewMessage(structuredClone(m)), m);
  });

  test('unknown types, bad ids, bad items and extra fields are refused', () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /message\.type: expected one of ready, refresh, free, restore/],
      ['ready', /\.type: expected one of/],
      [42, /\.type: expected one of/],
      [[{ type: 'ready' }], /\.type: expected one of/],
      [{}, /\.type: expected one of/],
      [{ type: 'shutdown' }, /\.type: expected one of/],
      [{ type: 'toString' }, /\.type: expected one of/],
      [{ type: '__proto__' }, /\.type: expected one of/],
      [{ type: 'ready', extra: 1 }, /\.extra: expected no such field/],
      [{ type: 'refresh' }, /\.id: expected a positive integer/],
      [{ type: 'refresh', id: 0 }, /\.id: expected a positive integer/],
      [{ type: 'refresh', id: -1 }, /\.id: expected a positive integer/],
      [{ type: 'refresh', id: 1.5 }, /\.id: expected a positive integer/],
      [{ type: 'refresh', id: '1' }, /\.id: expected a positive integer/],
      [{ type: 'refresh', id: 2 ** 53 }, /\.id: expected a positive integer/],
      [{ type: 'free', id: 1 }, /\.item: expected an object/],
      [{ type: 'free', id: 1, item: { kind: 'file', id: 'x' } }, /\.item\.kind: expected one of block, key, stream/],
      [{ type: 'free', id: 1, item: { kind: 'key', id: 7 } }, /\.item\.id: expected a string/],
      [{ type: 'free', id: 1, item: { kind: 'key', id: 'x'.repeat(MAX_TEXT + 1) } }, /\.item\.id: expected a string of at most/],
      [{ type: 'restore', id: 1, item: { kind: 'key', id: 'k', path: '/etc/passwd' } }, /\.item\.path: expected no such field/],
    ];
    for (const [m, pattern] of cases) refused(() => parseWebviewMessage(m), pattern);
  });
});

describe('dashboard protocol: host to webview', () => {
  test('state, stats and both reply forms parse to themselves', () => {
    const good = [
      { type: 'state', state: F.state() },
      { type: 'state', state: { attached: false, status: null, stats: null, peers: [], data: [], history: [], error: null } },
      { type: 'stats', stats: F.stats(5, 1, 2, 3), history: [{ at: 5, sentPerSec: 1, receivedPerSec: 2, opsPerSec: 3 }] },
      { type: 'reply', id: 3, ok: true, result: { done: true, message: 'Freed x.' } },
      { type: 'reply', id: 4, ok: false, error: { code: 'NOT_FOUND', message: 'gone' } },
    ];
    for (const m of good) assert.deepEqual(parseHostMessage(structuredClone(m)), m);
  });

  test('a newer node may add fields to engine data', () => {
    const s = F.state({ peers: [{ ...F.desk, color: 'blue' } as never] });
    assert.equal(parseHostMessage({ type: 'state', state: s }).type, 'state');
  });

  test('malformed messages are refused with the path of the fault', () => {
    const st = F.state();
    const cases: Array<[unknown, RegExp]> = [
      [{ type: 'eval', code: 'alert(1)' }, /\.type: expected one of state, stats, reply/],
      [{ type: 'state' }, /\.state: expected an object/],
      [{ type: 'state', state: { ...st, attached: 'yes' } }, /\.state\.attached: expected a boolean/],
      [{ type: 'state', state: { ...st, peers: [{ ...F.desk, name: 5 }] } }, /\.state\.peers\[0\]\.name: expected a string/],
      [{ type: 'state', state: { ...st, peers: [{ ...F.desk, state: 'hacked' }] } }, /\.state\.peers\[0\]\.state: expected one of/],
      [{ type: 'state', state: { ...st, data: [{ ...F.items[0], size: Infinity }] } }, /\.state\.data\[0\]\.size: expected a finite number/],
      [{ type: 'state', state: { ...st, status: { ...F.status, listen: null } } }, /\.state\.status\.listen: expected an object/],
      [{ type: 'state', state: { ...st, error: 3 } }, /\.state\.error: expected a string/],
      [{ type: 'state', state: st, extra: true }, /\.extra: expected no such field/],
      [{ type: 'stats', stats: { ...F.stats(1), throughput: {} }, history: [] }, /\.stats\.throughput\.sentPerSec: expected a finite number/],
      [{ type: 'stats', stats: F.stats(1), history: [{ at: 1 }] }, /\.history\[0\]\.sentPerSec: expected a finite number/],
      [{ type: 'reply', id: 1, result: { done: true, message: '' } }, /\.ok: expected a boolean/],
      [{ type: 'reply', id: 1, ok: true, error: { code: 'X', message: 'y' } }, /\.result: expected an object/],
      [{ type: 'reply', id: 1, ok: false, result: { done: true, message: '' } }, /\.error: expected an object/],
      [{ type: 'reply', id: 1, ok: true, result: { done: true, message: '' }, error: { code: 'X', message: 'y' } }, /\.error: expected no such field/],
      [{ type: 'reply', id: 0, ok: true, result: { done: true, message: '' } }, /\.id: expected a positive integer/],
    ];
    for (const [m, pattern] of cases) refused(() => parseHostMessage(m), pattern);
  });
});
