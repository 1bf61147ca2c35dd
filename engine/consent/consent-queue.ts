// Pending consent requests for unknown devices that completed the cryptographic handshake.
// Bounded (a flood of new keys is refused at once) and expiring (no answer = deny).

import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { ErrorCodes, MemCloudError } from '../errors';

export type ConsentDecision = 'once' | 'always' | 'deny';
export type ConsentOutcome = ConsentDecision | 'expired' | 'cancelled';

export interface ConsentSubject {
  readonly publicKey: string; // text form of the Ed25519 identity key
  readonly fingerprint: string;
  readonly name: string;
  readonly address: string;
  readonly offeredBytes: number;
  /** inbound: the device connected to us; outbound: we dialed it. */
  readonly direction: 'inbound' | 'outbound';
  /** Set when a trusted device already uses this name: possibly an impostor or a reinstalled device. */
  readonly nameMatchesTrustedFingerprint?: string;
}

export interface ConsentRequest extends ConsentSubject {
  readonly id: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface ConsentResolved {
  readonly request: ConsentRequest;
  readonly outcome: ConsentOutcome;
}

interface Pending {
  readonly request: ConsentRequest;
  readonly waiters: Array<(d: ConsentDecision) => void>;
  readonly timer: NodeJS.Timeout;
  /** Connections waiting on this request; it is cancelled when the last one goes away. */
  connections: number;
}

export interface ConsentQueueOptions {
  readonly maxPending?: number;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

export interface ConsentQueueEvents {
  request: [ConsentRequest];
  resolved: [ConsentResolved];
}

export class ConsentQueue extends EventEmitter<ConsentQueueEvents> {
  readonly maxPending: number;
  readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly byId = new Map<string, Pending>();
  private readonly byKey = new Map<string, Pending>();

  constructor(opts: ConsentQueueOptions = {}) {
    super();
    this.maxPending = opts.maxPending ?? 16;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    if (!Number.isInteger(this.maxPending) || this.maxPending < 1) throw new RangeError('maxPending must be a positive integer');
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs <= 0) throw new RangeError('timeoutMs must be a positive, finite number');
    this.now = opts.now ?? Date.now;
  }

  /**
   * Asks for consent. A second connection from a device already waiting shares its request.
   * Rejects with CONSENT_QUEUE_FULL at once when the queue is full.
   */
  ask(subject: ConsentSubject): { request: ConsentRequest; decision: Promise<ConsentDecision> } {
    const existing = this.byKey.get(subject.publicKey);
    if (existing) {
      existing.connections++;
      return { request: existing.request, decision: new Promise((resolve) => existing.waiters.push(resolve)) };
    }
    if (this.byId.size >= this.maxPending) {
      throw new MemCloudError(ErrorCodes.CONSENT_QUEUE_FULL, `${this.maxPending} consent requests are already pending`);
    }
    const createdAt = this.now();
    const request: ConsentRequest = { ...subject, id: randomBytes(6).toString('hex'), createdAt, expiresAt: createdAt + this.timeoutMs };
    const waiters: Array<(d: ConsentDecision) => void> = [];
    const timer = setTimeout(() => this.settle(request.id, 'deny', 'expired'), this.timeoutMs);
    timer.unref();
    const pending: Pending = { request, waiters, timer, connections: 1 };
    const decision = new Promise<ConsentDecision>((resolve) => waiters.push(resolve));
    this.byId.set(request.id, pending);
    this.byKey.set(subject.publicKey, pending);
    this.emit('request', request);
    return { request, decision };
  }

  list(): ConsentRequest[] {
    return [...this.byId.values()].map((p) => p.request);
  }

  get(id: string): ConsentRequest | undefined {
    return this.byId.get(id)?.request;
  }

  answer(id: string, decision: ConsentDecision): ConsentRequest {
    const p = this.byId.get(id);
    if (!p) throw new MemCloudError(ErrorCodes.CONSENT_NOT_FOUND, `no pending consent request with id ${id} (it may have expired)`);
    this.settle(id, decision, decision);
    return p.request;
  }

  /** A connection behind a request went away: once none is left, deny it without waiting for the expiry. */
  cancel(publicKey: string): void {
    const p = this.byKey.get(publicKey);
    if (p && --p.connections <= 0) this.settle(p.request.id, 'deny', 'cancelled');
  }

  close(): void {
    for (const id of [...this.byId.keys()]) this.settle(id, 'deny', 'cancelled');
  }

  private settle(id: string, decision: ConsentDecision, outcome: ConsentOutcome): void {
    const p = this.byId.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    this.byId.delete(id);
    this.byKey.delete(p.request.publicKey);
    for (const w of p.waiters) w(decision);
    this.emit('resolved', { request: p.request, outcome });
  }
}
