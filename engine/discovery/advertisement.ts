// What we publish: PTR -> SRV + TXT -> A/AAAA (RFC 6763 §4, §12.1), and which of it answers a query.

import type { Answer } from 'dns-packet';
import type { LocalAddresses } from './addresses';
import { SERVICE_ENUMERATION, SERVICE_TYPE } from './constants';
import type { ParsedQuery } from './records';
import { encodeTxt, type TxtFields } from './txt';

export interface Advertisement {
  readonly instance: string; // label, unique per device
  readonly host: string; // the SRV target, e.g. mc-1a2b3c4d5e6f.local
  readonly port: number;
  readonly txt: TxtFields;
  readonly addresses: LocalAddresses;
  readonly ttl: number;
}

export interface ResponseRecords {
  readonly answers: Answer[];
  readonly additionals: Answer[];
}

const MAX_INSTANCE_NAME_BYTES = 40;

function keyHex(publicKey: string): string {
  return Buffer.from(publicKey, 'base64url').subarray(0, 6).toString('hex');
}

/**
 * `<name> [<12 hex digits of the key>]`: readable in generic browsers and unique per device, so
 * two machines both called "laptop" do not collide. Dots would split the label, so they go.
 */
export function instanceLabel(name: string, publicKey: string): string {
  let prefix = '';
  for (const ch of name.replace(/\./g, '-')) {
    if (Buffer.byteLength(prefix + ch) > MAX_INSTANCE_NAME_BYTES) break;
    prefix += ch;
  }
  return `${prefix.trim()} [${keyHex(publicKey)}]`;
}

/** Host name for our SRV target; derived from the key, not the machine name, so it leaks nothing. */
export function hostName(publicKey: string): string {
  return `mc-${keyHex(publicKey)}.local`;
}

export function instanceFqdn(ad: Advertisement): string {
  return `${ad.instance}.${SERVICE_TYPE}`;
}

function ptr(ad: Advertisement, ttl: number): Answer {
  return { name: SERVICE_TYPE, type: 'PTR', ttl, data: instanceFqdn(ad) };
}
function srv(ad: Advertisement, ttl: number): Answer {
  return { name: instanceFqdn(ad), type: 'SRV', ttl, flush: true, data: { port: ad.port, target: ad.host, priority: 0, weight: 0 } };
}
function txt(ad: Advertisement, ttl: number): Answer {
  return { name: instanceFqdn(ad), type: 'TXT', ttl, flush: true, data: encodeTxt(ad.txt) };
}
function a(ad: Advertisement, ttl: number): Answer[] {
  return ad.addresses.ipv4.map((ip): Answer => ({ name: ad.host, type: 'A', ttl, flush: true, data: ip }));
}
function aaaa(ad: Advertisement, ttl: number): Answer[] {
  return ad.addresses.ipv6.map((ip): Answer => ({ name: ad.host, type: 'AAAA', ttl, flush: true, data: ip }));
}

/** The unsolicited announcement (RFC 6762 §8.3); with ttl 0 it is the goodbye (§10.1). */
export function announcement(ad: Advertisement, ttl = ad.ttl): ResponseRecords {
  return { answers: [ptr(ad, ttl), srv(ad, ttl), txt(ad, ttl), ...a(ad, ttl), ...aaaa(ad, ttl)], additionals: [] };
}

const wants = (qtype: string, type: string): boolean => qtype === type || qtype === 'ANY';

/**
 * Our answer to a query, or undefined when nothing in it concerns us. A PTR the querier already
 * holds with at least half its TTL left is not repeated (known-answer suppression, RFC 6762 §7.1).
 */
export function answerQuery(ad: Advertisement, query: ParsedQuery): ResponseRecords | undefined {
  const fqdn = instanceFqdn(ad).toLowerCase();
  const host = ad.host.toLowerCase();
  const answers = new Map<string, Answer[]>();
  const additionals = new Map<string, Answer[]>();
  const ttl = ad.ttl;
  for (const q of query.questions) {
    if (q.name === SERVICE_TYPE && wants(q.type, 'PTR')) {
      const known = query.knownInstances.get(ad.instance.toLowerCase());
      if (known !== undefined && known >= ttl / 2) continue;
      answers.set('ptr', [ptr(ad, ttl)]);
      additionals.set('srv', [srv(ad, ttl)]).set('txt', [txt(ad, ttl)]).set('a', a(ad, ttl)).set('aaaa', aaaa(ad, ttl));
    } else if (q.name === SERVICE_ENUMERATION && wants(q.type, 'PTR')) {
      answers.set('enum', [{ name: SERVICE_ENUMERATION, type: 'PTR', ttl, data: SERVICE_TYPE }]);
    } else if (q.name === fqdn) {
      if (wants(q.type, 'SRV')) {
        answers.set('srv', [srv(ad, ttl)]);
        additionals.set('a', a(ad, ttl)).set('aaaa', aaaa(ad, ttl));
      }
      if (wants(q.type, 'TXT')) answers.set('txt', [txt(ad, ttl)]);
    } else if (q.name === host) {
      if (wants(q.type, 'A')) answers.set('a', a(ad, ttl));
      if (wants(q.type, 'AAAA')) answers.set('aaaa', aaaa(ad, ttl));
    }
  }
  for (const k of answers.keys()) additionals.delete(k);
  const flat = (m: Map<string, Answer[]>) => [...m.values()].flat();
  const out = { answers: flat(answers), additionals: flat(additionals) };
  return out.answers.length > 0 ? out : undefined;
}
