// LAN discovery: advertises this node as `<instance>._memcloud._tcp.local` with its real addresses
// and port, and tracks the other MemCloud nodes around. Discovery only says who is around; the
// engine decides whom to dial and the Noise handshake authenticates (TXT data is a hint).

import { EventEmitter } from 'node:events';
import type { Answer, Question } from 'dns-packet';
import { ErrorCodes, MemCloudError } from '../errors';
import { fingerprint, isFingerprint } from '../identity/fingerprint';
import { decodeBase64urlExact } from '../identity/base64url';
import { localAddresses, sameAddresses } from './addresses';
import { announcement, answerQuery, hostName, instanceLabel, type Advertisement, type ResponseRecords } from './advertisement';
import { DEFAULT_QUERY_INTERVAL_MS, DEFAULT_TTL_SECONDS, DISCOVERY_PROTOCOL_VERSION, MAX_ACCEPTED_TTL_SECONDS, SERVICE_TYPE } from './constants';
import { MdnsTransport } from './mdns-transport';
import { PeerCache } from './peer-cache';
import { parseQuery, parseResponse } from './records';
import { sanitizeOwnName } from './txt';
import type { DiscoveredPeer, DiscoveryOptions, PeerChanges } from './types';

export type { DiscoveredPeer, DiscoveryOptions } from './types';

export interface DiscoveryEvents {
  up: [DiscoveredPeer];
  update: [DiscoveredPeer];
  down: [DiscoveredPeer];
  error: [MemCloudError];
}

/** Housekeeping period: expiry, resolution and refresh queries. */
const SWEEP_MS = 1000;
/** RFC 6762 §6: shared answers are delayed 20-120 ms so responders do not collide. */
const RESPONSE_DELAY_MS = [20, 120] as const;
/** Minimum gap between our multicast responses, whatever a querier floods us with. */
const MIN_RESPONSE_GAP_MS = 250;
/** Minimum gap between refresh/resolution queries. */
const MIN_QUERY_GAP_MS = 1000;

function bad(message: string): MemCloudError {
  return new MemCloudError(ErrorCodes.BAD_ARGUMENT, message);
}

function validate(opts: DiscoveryOptions): { name: string; interval: number; ttl: number } {
  const key = typeof opts.publicKey === 'string' ? decodeBase64urlExact(opts.publicKey, 32) : undefined;
  if (key === undefined) throw bad('options.publicKey must be a 43-character base64url public key');
  if (typeof opts.fingerprint !== 'string' || !isFingerprint(opts.fingerprint) || fingerprint(key) !== opts.fingerprint) {
    throw bad('options.fingerprint must be the fingerprint of options.publicKey');
  }
  const name = typeof opts.name === 'string' ? sanitizeOwnName(opts.name) : undefined;
  if (name === undefined) throw bad('options.name must contain at least one printable character');
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) throw bad('options.port must be an integer in 1..65535');
  if (!Number.isSafeInteger(opts.offeredBytes) || opts.offeredBytes < 0) throw bad('options.offeredBytes must be a non-negative safe integer');
  const interval = opts.queryIntervalMs ?? DEFAULT_QUERY_INTERVAL_MS;
  if (!Number.isFinite(interval) || interval < 100 || interval > 3_600_000) throw bad('options.queryIntervalMs must be between 100 and 3600000');
  const ttl = opts.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_ACCEPTED_TTL_SECONDS) throw bad(`options.ttlSeconds must be an integer in 1..${MAX_ACCEPTED_TTL_SECONDS}`);
  const ifaces = opts.interfaceAddresses;
  if (ifaces !== undefined && (!Array.isArray(ifaces) || ifaces.length === 0)) throw bad('options.interfaceAddresses must be a non-empty array');
  return { name, interval, ttl };
}

export class Discovery extends EventEmitter<DiscoveryEvents> {
  private ad: Advertisement;
  private readonly cache: PeerCache;
  private readonly transport: MdnsTransport;
  private readonly advertise: boolean;
  private readonly browse: boolean;
  private readonly restricted: boolean;
  private readonly timers = new Set<NodeJS.Timeout>();
  private pending: ResponseRecords | undefined;
  private lastResponseAt = 0;
  private lastQueryAt = 0;
  private stopping: Promise<void> | undefined;

  private constructor(ad: Advertisement, transport: MdnsTransport, opts: DiscoveryOptions) {
    super();
    this.ad = ad;
    this.transport = transport;
    this.advertise = opts.advertise ?? true;
    this.browse = opts.browse ?? true;
    this.restricted = opts.interfaceAddresses !== undefined;
    this.cache = new PeerCache({ ownPublicKey: opts.publicKey, ownInstance: ad.instance, isPreferred: opts.isPreferred });
  }

  /** Opens the socket, announces (twice, 1 s apart) and starts browsing. Rejects with BAD_ARGUMENT or DISCOVERY_FAILED. */
  static async start(opts: DiscoveryOptions): Promise<Discovery> {
    const { name, interval, ttl } = validate(opts);
    const addresses = localAddresses(opts.interfaceAddresses);
    const ad: Advertisement = {
      instance: instanceLabel(name, opts.publicKey),
      host: hostName(opts.publicKey),
      port: opts.port,
      txt: { publicKey: opts.publicKey, name, fingerprint: opts.fingerprint, protocolVersion: DISCOVERY_PROTOCOL_VERSION, offeredBytes: opts.offeredBytes },
      addresses,
      ttl,
    };
    let self: Discovery | undefined;
    const transport = await MdnsTransport.open(addresses.multicastInterfaces, {
      onQuery: (packet) => self?.handleQuery(packet),
      onResponse: (packet, from) => self?.handleResponse(packet, from.address),
      onError: (err) => self?.emit('error', err),
    });
    self = new Discovery(ad, transport, opts);
    self.every(interval, () => self.tick());
    self.every(SWEEP_MS, () => self.sweep());
    self.announceTwice();
    if (self.browse) self.query();
    return self;
  }

  /** Resolved peers currently around (never ourselves). */
  peers(): DiscoveredPeer[] {
    return this.cache.peers();
  }

  /** Publishes a new offer: a fresh TXT record, announced again. */
  updateOffer(bytes: number): void {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw bad('offeredBytes must be a non-negative safe integer');
    if (this.stopping !== undefined || bytes === this.ad.txt.offeredBytes) return;
    this.ad = { ...this.ad, txt: { ...this.ad.txt, offeredBytes: bytes } };
    this.announceTwice();
  }

  /** Sends goodbye records (TTL 0) and closes the socket. Idempotent; no events after it. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const t of this.timers) clearTimeout(t);
      this.timers.clear();
      if (this.advertise) await this.transport.send({ type: 'response', ...announcement(this.ad, 0) });
      await this.transport.close();
    })();
    return this.stopping;
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.add(t);
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private announceTwice(): void {
    if (!this.advertise) return;
    this.respond(announcement(this.ad));
    this.after(1000, () => this.respond(announcement(this.ad)));
  }

  private respond(records: ResponseRecords): void {
    if (this.stopping === undefined) void this.transport.send({ type: 'response', ...records });
  }

  /** The browse query: our PTR question plus the answers we already hold (RFC 6762 §7.1). */
  private query(extra: readonly Question[] = []): void {
    if (this.stopping !== undefined) return;
    this.lastQueryAt = Date.now();
    const known = this.cache.knownAnswers().map((k): Answer => ({ name: SERVICE_TYPE, type: 'PTR', ttl: k.ttl, data: `${k.instance}.${SERVICE_TYPE}` }));
    // We hear our own query (multicast loopback); listing our own PTR keeps us from answering it.
    if (this.advertise) known.push({ name: SERVICE_TYPE, type: 'PTR', ttl: this.ad.ttl, data: `${this.ad.instance}.${SERVICE_TYPE}` });
    void this.transport.send({ type: 'query', questions: [{ name: SERVICE_TYPE, type: 'PTR' }, ...extra], answers: known });
  }

  private tick(): void {
    if (!this.restricted) {
      // Interfaces come and go (Wi-Fi, VPN, DHCP): follow them and re-announce on change.
      const now = localAddresses();
      if (!sameAddresses(now, this.ad.addresses)) {
        this.transport.setInterfaces(now.multicastInterfaces);
        this.ad = { ...this.ad, addresses: now };
        this.announceTwice();
      }
    }
    if (this.browse) this.query(this.cache.missing());
  }

  private sweep(): void {
    this.emitChanges(this.cache.expire());
    if (!this.browse || Date.now() - this.lastQueryAt < MIN_QUERY_GAP_MS) return;
    const missing = this.cache.missing();
    if (missing.length > 0 || this.cache.refreshDue()) this.query(missing);
  }

  private handleQuery(packet: unknown): void {
    if (!this.advertise || this.stopping !== undefined) return;
    const answer = answerQuery(this.ad, parseQuery(packet));
    if (answer === undefined) return;
    if (this.pending !== undefined) {
      this.pending = mergeRecords(this.pending, answer);
      return;
    }
    this.pending = answer;
    const [lo, hi] = RESPONSE_DELAY_MS;
    const delay = Math.max(lo + Math.random() * (hi - lo), this.lastResponseAt + MIN_RESPONSE_GAP_MS - Date.now());
    this.after(delay, () => {
      const records = this.pending;
      this.pending = undefined;
      this.lastResponseAt = Date.now();
      if (records !== undefined) this.respond(records);
    });
  }

  private handleResponse(packet: unknown, source: string): void {
    if (!this.browse || this.stopping !== undefined) return;
    this.emitChanges(this.cache.apply(parseResponse(packet), source));
  }

  private emitChanges(changes: PeerChanges): void {
    if (this.stopping !== undefined) return;
    for (const p of changes.down) this.emit('down', p);
    for (const p of changes.up) this.emit('up', p);
    for (const p of changes.update) this.emit('update', p);
  }
}

function mergeRecords(a: ResponseRecords, b: ResponseRecords): ResponseRecords {
  const key = (r: Answer): string => `${r.type} ${r.name.toLowerCase()} ${'data' in r ? JSON.stringify(r.data) : ''}`;
  const answers = new Map<string, Answer>();
  for (const r of [...a.answers, ...b.answers]) answers.set(key(r), r);
  const additionals = new Map<string, Answer>();
  for (const r of [...a.additionals, ...b.additionals]) if (!answers.has(key(r))) additionals.set(key(r), r);
  return { answers: [...answers.values()], additionals: [...additionals.values()] };
}
