import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LogEntry } from '../../../engine/api/types';
import { Logger, formatLogEntry } from '../../../engine/log/log';

describe('the engine log', () => {
  test('every entry is one line: text a peer chose cannot forge entries or drive a terminal', () => {
    const log = new Logger('debug');
    const seen: LogEntry[] = [];
    log.addSink((e) => seen.push(e));
    log.warn('holder said: disk full\n2025-01-01T00:00:00.000Z ERROR forged\r\u001b[2J\u009b2J desk\u202Epotpal');
    assert.equal(seen.length, 1);
    const message = seen[0]!.message;
    assert.doesNotMatch(message, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    assert.equal(message, 'holder said: disk full\\x0a2025-01-01T00:00:00.000Z ERROR forged\\x0d\\x1b[2J\\x9b2J desk\\u202Epotpal');
    assert.deepEqual(log.recent(1), seen);
  });

  test('entries from elsewhere (a node over the socket) are escaped again when printed', () => {
    const line = formatLogEntry({ at: 0, level: 'info', message: 'a\nb\u001b[31m' });
    assert.equal(line, '1970-01-01T00:00:00.000Z INFO  a\\x0ab\\x1b[31m');
  });
});
