// Which local addresses we advertise and listen on, which received addresses are worth trying,
// and in what order.

import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ErrorCodes, MemCloudError } from '../errors';

export interface LocalAddresses {
  /** One IPv4 address per interface used: where we join the group and send from. */
  readonly multicastInterfaces: readonly string[];
  /** Advertised in A records. */
  readonly ipv4: readonly string[];
  /** Advertised in AAAA records (never link-local: those are useless without a scope). */
  readonly ipv6: readonly string[];
}

// Addresses a remote advertisement must not point us at: unspecified, loopback, multicast,
// broadcast, IPv4-mapped, and IPv6 link-local (no scope id travels in an AAAA record).
// Two lists: a BlockList matches IPv4 addresses against IPv4-mapped IPv6 rules too.
const unusable4 = new BlockList();
unusable4.addSubnet('0.0.0.0', 8, 'ipv4');
unusable4.addSubnet('127.0.0.0', 8, 'ipv4');
unusable4.addSubnet('224.0.0.0', 3, 'ipv4'); // multicast, reserved and 255.255.255.255
const unusable6 = new BlockList();
unusable6.addAddress('::', 'ipv6');
unusable6.addAddress('::1', 'ipv6');
unusable6.addSubnet('::ffff:0:0', 96, 'ipv6');
unusable6.addSubnet('fe80::', 10, 'ipv6');
unusable6.addSubnet('ff00::', 8, 'ipv6');

/** True if `address` is a literal of the given family that a peer could really listen on. */
export function isUsableAddress(address: unknown, family: 4 | 6): address is string {
  if (typeof address !== 'string' || address.length > 45) return false;
  if (family === 4) return isIPv4(address) && !unusable4.check(address, 'ipv4');
  return isIPv6(address) && !unusable6.check(address, 'ipv6');
}

/**
 * The addresses to use. With `restrictTo` (IPv4 literals), exactly those, each of which must be
 * on a local interface; otherwise every non-internal interface.
 */
export function localAddresses(restrictTo?: readonly string[]): LocalAddresses {
  const ifaces = Object.entries(networkInterfaces());
  if (restrictTo !== undefined) {
    const present = new Set(ifaces.flatMap(([, list]) => (list ?? []).filter((a) => a.family === 'IPv4').map((a) => a.address)));
    for (const a of restrictTo) {
      if (!isIPv4(a) || !present.has(a)) {
        throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `interfaceAddresses: ${JSON.stringify(a)} is not an IPv4 address of this machine`);
      }
    }
    const unique = [...new Set(restrictTo)];
    return { multicastInterfaces: unique, ipv4: unique, ipv6: [] };
  }
  const multicastInterfaces: string[] = [];
  const ipv4: string[] = [];
  const ipv6: string[] = [];
  for (const [, list] of ifaces) {
    let joined = false;
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv4') {
        ipv4.push(a.address);
        // One membership per interface: a second one on the same link fails with EADDRINUSE.
        if (!joined) multicastInterfaces.push(a.address);
        joined = true;
      } else if (a.family === 'IPv6' && isUsableAddress(a.address, 6)) {
        ipv6.push(a.address);
      }
    }
  }
  return { multicastInterfaces, ipv4, ipv6 };
}

export function sameAddresses(a: LocalAddresses, b: LocalAddresses): boolean {
  const key = (x: LocalAddresses) => JSON.stringify([x.multicastInterfaces, x.ipv4, x.ipv6]);
  return key(a) === key(b);
}

/**
 * The order to try: the address the advertisement came from first (it is known to route back to
 * that peer), then the other IPv4 addresses, then IPv6, each in advertised order.
 */
export function orderAddresses(addresses: readonly string[], source?: string): string[] {
  const rest = addresses.filter((a) => a !== source);
  const first = source !== undefined && addresses.includes(source) ? [source] : [];
  return [...first, ...rest.filter((a) => isIPv4(a)), ...rest.filter((a) => !isIPv4(a))];
}
