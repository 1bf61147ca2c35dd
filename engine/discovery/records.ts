// The one validated entry for received mDNS packets: turns a decoded packet (untrusted, any shape)
// into the few record kinds discovery uses. Anything malformed is dropped, never thrown.

import { isUsableAddress } from './addresses';
import { MAX_ACCEPTED_TTL_SECONDS, MAX_RECORDS_PER_PACKET, SERVICE_TYPE } from './constants';
import { parseTxt, type TxtFields } from './txt';

interface RecordBase {
  /** Seconds; 0 is a goodbye. Clamped to MAX_ACCEPTED_TTL_SECONDS. */
  readonly ttl: number;
}
/** `_memcloud._tcp.local PTR <instance>._memcloud._tcp.local` */
export interface PtrRecord extends RecordBase {
  readonly kind: 'ptr';
  readonly instance: string; // the instance label as received
}
export interface SrvRecord extends RecordBase {
  readonly kind: 'srv';
  readonly instance: string;
  readonly target: string; // lower case
  readonly port: number;
}
export interface TxtRecord extends RecordBase {
  readonly kind: 'txt';
  readonly instance: string;
  /** undefined when the TXT data is invalid: only a goodbye (ttl 0) is acted on then. */
  readonly fields: TxtFields | undefined;
}
export interface AddressRecord extends RecordBase {
  readonly kind: 'address';
  readonly host: string; // lower case
  readonly address: string;
  readonly family: 4 | 6;
  readonly flush: boolean;
}
export type DiscoveryRecord = PtrRecord | SrvRecord | TxtRecord | AddressRecord;

export interface QueryQuestion {
  readonly name: string; // lower case
  readonly type: string;
}
export interface ParsedQuery {
  readonly questions: readonly QueryQuestion[];
  /** Instance labels (lower case) the querier already knows, with the TTL it still has for them. */
  readonly knownInstances: ReadonlyMap<string, number>;
}

const SERVICE_SUFFIX = `.${SERVICE_TYPE}`;
const MAX_LABEL_BYTES = 63;
const MAX_NAME_CHARS = 253;
// Host names: no whitespace or controls; the DNS length limits apply.
const HOST_NAME = /^[^\s\p{Cc}.]{1,63}(\.[^\s\p{Cc}.]{1,63})*$/u;
const INSTANCE_LABEL_UNSAFE = /[\p{Cc}\uFFFD]/u;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

function lower(name: unknown): string | undefined {
  return typeof name === 'string' && name.length <= MAX_NAME_CHARS ? name.toLowerCase() : undefined;
}

/** The instance label of `<label>._memcloud._tcp.local`, or undefined. Case is kept. */
export function instanceOf(fqdn: unknown): string | undefined {
  if (typeof fqdn !== 'string' || fqdn.length > MAX_NAME_CHARS) return undefined;
  if (!fqdn.toLowerCase().endsWith(SERVICE_SUFFIX)) return undefined;
  const label = fqdn.slice(0, -SERVICE_SUFFIX.length);
  if (label.length === 0 || label.includes('.') || Buffer.byteLength(label) > MAX_LABEL_BYTES) return undefined;
  return INSTANCE_LABEL_UNSAFE.test(label) ? undefined : label;
}

export function isHostName(name: string): boolean {
  return name.length <= MAX_NAME_CHARS && HOST_NAME.test(name);
}

function ttlOf(a: Record<string, unknown>): number | undefined {
  const ttl = a['ttl'];
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0) return undefined;
  return Math.min(ttl, MAX_ACCEPTED_TTL_SECONDS);
}

function parseAnswer(a: unknown): DiscoveryRecord | undefined {
  if (!isRecord(a)) return undefined;
  const ttl = ttlOf(a);
  if (ttl === undefined || (a['class'] !== undefined && a['class'] !== 'IN')) return undefined;
  const name = a['name'];
  const data = a['data'];
  switch (a['type']) {
    case 'PTR': {
      if (lower(name) !== SERVICE_TYPE) return undefined;
      const instance = instanceOf(data);
      return instance === undefined ? undefined : { kind: 'ptr', instance, ttl };
    }
    case 'SRV': {
      const instance = instanceOf(name);
      if (instance === undefined || !isRecord(data)) return undefined;
      const { port, target } = data;
      const host = lower(target);
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
      if (host === undefined || !isHostName(host)) return undefined;
      return { kind: 'srv', instance, target: host, port, ttl };
    }
    case 'TXT': {
      const instance = instanceOf(name);
      return instance === undefined ? undefined : { kind: 'txt', instance, fields: parseTxt(data), ttl };
    }
    case 'A':
    case 'AAAA': {
      const family = a['type'] === 'A' ? 4 : 6;
      const host = lower(name);
      if (host === undefined || !isHostName(host) || !isUsableAddress(data, family)) return undefined;
      return { kind: 'address', host, address: data.toLowerCase(), family, ttl, flush: a['flush'] === true };
    }
    default:
      return undefined;
  }
}

function section(packet: Record<string, unknown>, key: string): unknown[] {
  const s = packet[key];
  return Array.isArray(s) ? s : [];
}

/** The discovery records of a response packet (answers, then additionals), capped in number. */
export function parseResponse(packet: unknown): DiscoveryRecord[] {
  if (!isRecord(packet) || packet['type'] !== 'response') return [];
  const all = [...section(packet, 'answers'), ...section(packet, 'additionals')].slice(0, MAX_RECORDS_PER_PACKET);
  const out: DiscoveryRecord[] = [];
  for (const a of all) {
    const r = parseAnswer(a);
    if (r !== undefined) out.push(r);
  }
  return out;
}

/** The questions of a query packet that concern us, and its known answers for our type. */
export function parseQuery(packet: unknown): ParsedQuery {
  const questions: QueryQuestion[] = [];
  const knownInstances = new Map<string, number>();
  if (!isRecord(packet) || packet['type'] !== 'query') return { questions, knownInstances };
  for (const q of section(packet, 'questions').slice(0, MAX_RECORDS_PER_PACKET)) {
    if (!isRecord(q) || typeof q['type'] !== 'string') continue;
    const name = lower(q['name']);
    if (name !== undefined) questions.push({ name, type: q['type'] });
  }
  for (const a of section(packet, 'answers').slice(0, MAX_RECORDS_PER_PACKET)) {
    const r = parseAnswer(a);
    if (r?.kind === 'ptr') knownInstances.set(r.instance.toLowerCase(), r.ttl);
  }
  return { questions, knownInstances };
}
