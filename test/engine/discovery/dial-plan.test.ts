// The dial plan's rules (docs/protocol.md section 8.1); the real thing over mDNS between network
// namespaces is in test/engine/node/discovery-spoofing.test.ts.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DialPlan } from '../../../engine/discovery/dial-plan';

function plan() {
  const clock = { t: 1_000_000 };
  return { clock, p: new DialPlan({ now: () => clock.t, minGapMs: 10_000, maxGapMs: 80_000, maxTargets: 4 }) };
}

describe('dial plan', () => {
  test('the address the key last authenticated from comes first, with the port we reached it on', () => {
    const { p } = plan();
    p.authenticated('K', '10.0.0.2', 7797);
    const t = p.take('K', [{ addresses: ['10.0.0.66'], port: 7000 }]);
    assert.deepEqual(t, [{ host: '10.0.0.2', port: 7797 }, { host: '10.0.0.66', port: 7000 }]);
  });

  test('an inbound session gives the address; the advertised port is used there, ahead of other addresses', () => {
    const { p } = plan();
    p.authenticated('K', '::ffff:10.0.0.2', undefined);
    const t = p.take('K', [{ addresses: ['10.0.0.9', '10.0.0.2'], port: 7797 }]);
    assert.deepEqual(t, [{ host: '10.0.0.2', port: 7797 }, { host: '10.0.0.9', port: 7797 }]);
  });

  test('one round per key per gap; a failed round doubles the gap up to its maximum; a session resets it', () => {
    const { p, clock } = plan();
    const ad = [{ addresses: ['10.0.0.2'], port: 7797 }];
    assert.equal(p.take('K', ad).length, 1);
    assert.deepEqual(p.take('K', ad), [], 'a second round right away is refused');
    assert.equal(p.take('L', ad).length, 1, 'other keys have their own gap');
    const gaps: number[] = [];
    for (let i = 0; i < 5; i++) {
      p.failed('K');
      gaps.push(p.waitFor('K'));
    }
    assert.deepEqual(gaps, [20_000, 40_000, 80_000, 80_000, 80_000]);
    clock.t += 80_000;
    assert.equal(p.take('K', ad).length, 1);
    p.authenticated('K', '10.0.0.2', 7797);
    p.failed('K');
    assert.equal(p.waitFor('K'), 20_000, 'back to the minimum gap, doubled once');
  });

  test('at most 4 addresses per round, whatever a record lists', () => {
    const { p } = plan();
    const many = Array.from({ length: 16 }, (_, i) => `10.0.1.${i + 1}`);
    assert.equal(p.take('K', [{ addresses: many, port: 7797 }]).length, 4);
  });

  test('a privileged port is dialed only where the key authenticated before', () => {
    const { p, clock } = plan();
    assert.deepEqual(p.take('K', [{ addresses: ['10.0.0.2'], port: 22 }]), [], 'ssh is not ours to knock on');
    assert.equal(p.waitFor('K'), 0, 'an empty plan does not start the gap');
    p.authenticated('K', '10.0.0.2', 443);
    clock.t += 10_000;
    assert.deepEqual(p.take('K', [{ addresses: ['10.0.0.2', '10.0.0.3'], port: 443 }]), [{ host: '10.0.0.2', port: 443 }]);
  });
});
