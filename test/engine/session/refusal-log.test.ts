// Refused inbound connections are logged, but a flood of them is counted and summed up, not
// written line by line (engine/session/refusal-log.ts): first with a clock of our own, then over
// real TCP against a session manager that any local process can connect to.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { RefusalLog } from '../../../engine/session/refusal-log';
import { closeSharedPool, createEndpoint } from '../../support/endpoints';
import { eventually } from '../../support/eventually';

after(closeSharedPool);

describe('refused inbound connections in the log', () => {
  test('at most 5 lines per 10 s; the rest is counted and summed up in one line', () => {
    let now = 0;
    const lines: string[] = [];
    const log = new RefusalLog({ log: (m) => lines.push(m), now: () => now });
    for (let i = 0; i < 3000; i++) log.note(`10.0.0.${i % 200}:${1000 + i}`, `HANDSHAKE_FAILED: attempt ${i}`);
    assert.equal(lines.length, 5, 'five lines, one per refusal');
    assert.match(lines[0]!, /^inbound session from 10\.0\.0\.0:1000 refused: HANDSHAKE_FAILED: attempt 0$/);
    now = 9_999;
    log.note('10.0.0.9:9', 'still the same window');
    assert.equal(lines.length, 5);
    now = 10_000;
    log.note('10.0.0.7:7', 'a new window');
    assert.equal(lines.length, 7, 'the summary of the last window, then the new refusal on its own line');
    assert.match(lines[5]!, /^2996 more inbound sessions refused within 10 s, not logged one by one; the last: inbound session from 10\.0\.0\.9:9 refused: still the same window$/);
    assert.match(lines[6]!, /10\.0\.0\.7:7 refused: a new window/);
    log.close();
    assert.equal(lines.length, 7, 'nothing counted since: nothing to sum up');
  });

  test('the summary is written when the window ends even if no refusal follows, and on close', async () => {
    const lines: string[] = [];
    const log = new RefusalLog({ log: (m) => lines.push(m), windowMs: 50, perWindow: 1 });
    log.note('a:1', 'one');
    log.note('b:2', 'two');
    await eventually('the summary comes from the window-end timer', () => lines.length === 2);
    assert.match(lines[1]!, /^1 more inbound session refused within 0\.05 s.*b:2 refused: two$/);
    const closing = new RefusalLog({ log: (m) => lines.push(m), windowMs: 60_000, perWindow: 0 });
    closing.note('c:3', 'three');
    closing.close();
    assert.match(lines[2]!, /^1 more inbound session refused .*c:3 refused: three$/);
    closing.note('d:4', 'after close');
    assert.equal(lines.length, 3, 'nothing after close');
  });

  test('a flood of garbage connections over TCP gives a few lines and one count, not a line each', async () => {
    const lines: string[] = [];
    const ep = await createEndpoint({ name: 'victim', log: (_level, m) => lines.push(m) });
    const FLOOD = 60;
    const started = Date.now();
    let elapsedMs = 0;
    try {
      let closed = 0;
      for (let i = 0; i < FLOOD; i++) {
        await new Promise<void>((resolve, reject) => {
          const s = connect(ep.port, '127.0.0.1', () => {
            s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
            resolve();
          });
          s.resume(); // read the ABORT, and so the end that follows it
          s.on('close', () => closed++);
          s.once('error', reject);
        });
      }
      await eventually('the node closed every garbage connection', () => closed === FLOOD).catch((e: Error) => {
        throw new Error(`${e.message} (${closed} of ${FLOOD} closed)`);
      });
      await eventually('every refusal is logged or counted', () => lines.filter((l) => /inbound session/.test(l)).length >= 5);
      elapsedMs = Date.now() - started;
    } finally {
      await ep.close(); // writes the count of what was not logged line by line
    }
    const detailed = lines.filter((l) => /^inbound session from 127\.0\.0\.1:\d+ refused: /.test(l));
    const counted = lines.map((l) => /^(\d+) more inbound sessions? refused/.exec(l)).filter((m) => m !== null).map((m) => Number(m[1]));
    // 5 lines per 10 s window (the flood takes well under one here; a slow machine may need two).
    const windows = 1 + Math.floor(elapsedMs / 10_000);
    assert.ok(detailed.length <= 5 * windows, `${detailed.length} lines for ${FLOOD} refusals in ${elapsedMs} ms`);
    assert.ok(counted.length >= 1 && counted.length <= windows, 'one summary line per window that overflowed');
    assert.equal(detailed.length + counted.reduce((a, b) => a + b, 0), FLOOD, 'every refusal is accounted for');
  });
});
