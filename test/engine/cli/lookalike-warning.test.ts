import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ConsentRequestInfo } from '../../../engine/api/types';
import { describeRequest } from '../../../engine/cli/commands/consent';
import { lookalikeWarning, lookalikeWarnings } from '../../../engine/cli/lookalike-warning';

const request = (over: Partial<ConsentRequestInfo> = {}): ConsentRequestInfo => ({
  id: 'c1',
  publicKey: 'k',
  fingerprint: '7K3Q-MX2A-P9RT-4WZC',
  name: 'desk',
  address: '10.0.0.2:7797',
  offeredBytes: 1024 ** 3,
  direction: 'inbound',
  createdAt: 0,
  expiresAt: 1,
  ...over,
});

describe('the CLI names devices fingerprint first', () => {
  test('the interactive consent prompt: fingerprint, then the name in brackets', () => {
    assert.equal(describeRequest(request()), 'Device 7K3Q-MX2A-P9RT-4WZC [desk] at 10.0.0.2:7797 wants to connect; it offers 1 GiB');
  });

  test('a look-alike adds the warning with both fingerprints on its own line', () => {
    const text = describeRequest(request({ name: 'd\u0435sk', nameMatchesTrustedFingerprint: 'AAAA-BBBB-CCCC-DDDD' }));
    assert.equal(text.split('\n').length, 2);
    assert.match(text.split('\n')[1]!, /^ {2}WARNING: 7K3Q-MX2A-P9RT-4WZC \[d\u0435sk\] is NOT your trusted device: .* has fingerprint AAAA-BBBB-CCCC-DDDD; this is a different key\.$/);
  });

  test('whatever the text, a warning is one inert line', () => {
    const line = lookalikeWarning({ fingerprint: 'F', name: 'x\u001b[2J\ny\u202E', nameMatchesTrustedFingerprint: 'T' })!;
    assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    assert.equal(lookalikeWarnings([{ fingerprint: 'F', name: 'desk' }]), '', 'no flag, no line');
  });
});
