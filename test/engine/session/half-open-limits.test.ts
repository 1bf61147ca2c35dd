// The half-open limits' rules (docs/protocol.md section 4.1), one by one; the real thing over TCP
// against a node process is test/engine/net/attacks/lockout.test.ts.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HalfOpenLimits, sourceOf, type HalfOpenSlot } from '../../../engine/session/half-open-limits';
import { InboundGate } from '../../../engine/session/inbound-gate';

function limits(perSource: number, total: number) {
  const evicted: string[] = [];
  const l = new HalfOpenLimits({ perSource, total });
  const add = (source: string, name: string): HalfOpenSlot | null => l.reserve(source, () => evicted.push(name));
  return { l, evicted, add };
}

describe('half-open limits', () => {
  test('per source: a newcomer over the limit replaces the oldest idle connection of that source', () => {
    const { l, evicted, add } = limits(2, 10);
    add('10.0.0.1', 'a');
    add('10.0.0.1', 'b');
    add('10.0.0.2', 'x');
    assert.ok(add('10.0.0.1', 'c'));
    assert.deepEqual(evicted, ['a']);
    assert.equal(l.size, 3);
  });

  test('per source: connections that sent message 1 are never evicted; then the newcomer is refused', () => {
    const { evicted, add } = limits(2, 10);
    add('10.0.0.1', 'a')!.started = true;
    add('10.0.0.1', 'b')!.started = true;
    assert.equal(add('10.0.0.1', 'c'), null);
    assert.deepEqual(evicted, []);
    assert.ok(add('10.0.0.2', 'd'), 'another source is not affected');
  });

  test('in all: the newcomer replaces an idle connection of the source holding the most', () => {
    const { evicted, add } = limits(3, 5);
    add('10.0.0.1', 'a1');
    add('10.0.0.2', 'b1');
    add('10.0.0.2', 'b2');
    add('10.0.0.2', 'b3');
    add('10.0.0.3', 'c1');
    assert.ok(add('10.0.0.4', 'd1'));
    assert.deepEqual(evicted, ['b1'], 'the busiest source pays');
  });

  test('in all: when every connection is doing its handshake, the newcomer is refused', () => {
    const { add } = limits(2, 2);
    add('10.0.0.1', 'a')!.started = true;
    add('10.0.0.2', 'b')!.started = true;
    assert.equal(add('10.0.0.3', 'c'), null);
  });

  test('release frees the place, once', () => {
    const { l, add } = limits(1, 1);
    const a = add('10.0.0.1', 'a')!;
    a.started = true;
    assert.equal(add('10.0.0.1', 'b'), null);
    l.release(a);
    l.release(a);
    assert.equal(l.size, 0);
    assert.ok(add('10.0.0.1', 'c'));
  });

  test('sources: IPv4, IPv4-mapped IPv6 as IPv4, IPv6 by its /64', () => {
    assert.equal(sourceOf('192.168.1.20'), '192.168.1.20');
    assert.equal(sourceOf('::ffff:192.168.1.20'), '192.168.1.20');
    assert.equal(sourceOf('fd00:213:1:2:aaaa::1'), sourceOf('fd00:0213:0001:0002:bbbb:cccc:dddd:eeee'));
    assert.notEqual(sourceOf('fd00:213:1:2::1'), sourceOf('fd00:213:1:3::1'));
    assert.equal(sourceOf('fe80::1%eth0'), 'fe80:0:0:0::/64');
  });
});

describe('connections waiting for admission', () => {
  test('at most 2 per identity; a finished wait frees its place, once', () => {
    const gate = new InboundGate();
    const first = gate.waitFor('key-a')!;
    const second = gate.waitFor('key-a')!;
    assert.equal(gate.waitFor('key-a'), null);
    assert.ok(gate.waitFor('key-b'), 'another identity has its own share');
    first();
    first();
    assert.ok(gate.waitFor('key-a'));
    assert.equal(gate.waitFor('key-a'), null, 'the double end() freed only one place');
    second();
  });

  test('refusals are logged, at most once per 10 s', () => {
    let now = 0;
    const lines: string[] = [];
    const gate = new InboundGate({ halfOpen: { perSource: 1, total: 4 }, log: (m) => lines.push(m), now: () => now });
    gate.enter('10.0.0.1', () => undefined)!.started = true;
    for (let i = 0; i < 100; i++) assert.equal(gate.enter('10.0.0.1', () => undefined), null);
    assert.equal(lines.length, 1);
    now = 10_000;
    gate.enter('10.0.0.1', () => undefined);
    assert.equal(lines.length, 2);
    assert.match(lines[1]!, /101 refused .* from 10\.0\.0\.1 \(limits 1 per source, 4 in all\)/);
  });
});
