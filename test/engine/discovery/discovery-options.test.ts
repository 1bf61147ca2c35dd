// Option validation happens before any socket is opened, so these run in the host namespace
// without sending anything.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Discovery, type DiscoveryOptions } from '../../../engine/discovery/discovery';
import { isMemCloudError } from '../../../engine/errors';
import { fakeIdentity } from './helpers';

const id = fakeIdentity();
const base: DiscoveryOptions = { publicKey: id.publicKey, fingerprint: id.fingerprint, name: 'n', port: 7000, offeredBytes: 0, interfaceAddresses: ['192.0.2.254'] };

async function refused(over: Partial<Record<keyof DiscoveryOptions, unknown>>, message: RegExp): Promise<void> {
  await assert.rejects(Discovery.start({ ...base, ...over } as DiscoveryOptions), (err: unknown) => {
    assert.ok(isMemCloudError(err, 'BAD_ARGUMENT'), String(err));
    assert.match((err as Error).message, message);
    return true;
  });
}

describe('Discovery options', () => {
  test('a malformed public key', () => refused({ publicKey: 'abc' }, /publicKey/));
  test('a fingerprint of another key', () => refused({ fingerprint: fakeIdentity().fingerprint }, /fingerprint/));
  test('a name with nothing printable', () => refused({ name: '\u0000\u202e ' }, /name/));
  test('a non-string name', () => refused({ name: 42 }, /name/));
  for (const port of [0, 65536, 1.5, Number.NaN, '7000']) {
    test(`port ${String(port)}`, () => refused({ port }, /port/));
  }
  for (const offeredBytes of [-1, 1.5, Number.POSITIVE_INFINITY, 2 ** 53]) {
    test(`offeredBytes ${offeredBytes}`, () => refused({ offeredBytes }, /offeredBytes/));
  }
  for (const queryIntervalMs of [0, 50, Number.POSITIVE_INFINITY, Number.NaN]) {
    test(`queryIntervalMs ${queryIntervalMs}`, () => refused({ queryIntervalMs }, /queryIntervalMs/));
  }
  for (const ttlSeconds of [0, 1.5, 4501, Number.POSITIVE_INFINITY]) {
    test(`ttlSeconds ${ttlSeconds}`, () => refused({ ttlSeconds }, /ttlSeconds/));
  }
  test('an empty interface list', () => refused({ interfaceAddresses: [] }, /interfaceAddresses/));
  test('an address that is not on this machine', () => refused({}, /192\.0\.2\.254.*not an IPv4 address of this machine/));
  test('an IPv6 interface address', () => refused({ interfaceAddresses: ['::1'] }, /not an IPv4 address/));
});
