// The two ticket stores of session resumption (docs/protocol.md section 13.4), in memory only: a
// node restart forgets every ticket it issued and every ticket it holds. Each ticket is used at
// most once: taking it removes it, whatever happens next. Secrets are zeroed when dropped.

import { randomBytes } from 'node:crypto';
import { encodePublicKey } from '../identity/public-key';
import type { PayloadTeam } from '../net/handshake-payload';
import { TICKET_ID_LENGTH, TICKET_LIFETIME_S, ticketPsk, type TicketMessage } from '../net/resume-wire';

/** A responder keeps at most this many tickets; the oldest goes first. */
export const MAX_ISSUED_TICKETS = 4096;
/**
 * Tickets a responder keeps per device: the newest and the one before, so a session that ends
 * while a fresh ticket is on its way leaves the initiator one that still works.
 */
export const ISSUED_PER_DEVICE = 2;
/** An initiator keeps at most this many (one per device). */
export const MAX_HELD_TICKETS = 4096;

export interface IssuedTicket {
  readonly psk: Uint8Array;
  readonly initiatorKey: Uint8Array;
  readonly team?: PayloadTeam;
  readonly expiresAt: number;
}

export interface HeldTicket {
  readonly id: Uint8Array;
  readonly psk: Uint8Array;
  readonly identityKey: Uint8Array;
  readonly address: string;
  readonly team?: PayloadTeam;
  readonly expiresAt: number;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A ticket just taken out of a store: itself while unexpired, else null with its psk zeroed. */
function unexpired<T extends { readonly psk: Uint8Array; readonly expiresAt: number }>(ticket: T, now: number): T | null {
  if (ticket.expiresAt > now) return ticket;
  ticket.psk.fill(0);
  return null;
}
const keyText = encodePublicKey;

/** Responder side: ticket id -> psk and the device it was issued to; the two newest per device. */
export class IssuedTickets {
  private readonly byId = new Map<string, IssuedTicket>();
  private readonly idsOfDevice = new Map<string, string[]>();

  constructor(private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.byId.size;
  }

  /** A new ticket for `initiatorKey`; its ticket before the previous one is voided. */
  issue(secret: Uint8Array, initiatorKey: Uint8Array, responderKey: Uint8Array, team: PayloadTeam | undefined): TicketMessage {
    const device = keyText(initiatorKey);
    for (const old of (this.idsOfDevice.get(device) ?? []).slice(0, 1 - ISSUED_PER_DEVICE)) this.drop(old);
    if (this.byId.size >= MAX_ISSUED_TICKETS) this.drop(this.byId.keys().next().value!);
    const id = new Uint8Array(randomBytes(TICKET_ID_LENGTH));
    const ticket: IssuedTicket = {
      psk: ticketPsk(secret, id, initiatorKey, responderKey),
      initiatorKey: Uint8Array.from(initiatorKey),
      ...(team ? { team } : {}),
      expiresAt: this.now() + TICKET_LIFETIME_S * 1000,
    };
    this.byId.set(hex(id), ticket);
    this.idsOfDevice.set(device, [...(this.idsOfDevice.get(device) ?? []), hex(id)]);
    return { id, lifetimeS: TICKET_LIFETIME_S };
  }

  /** Removes the ticket and returns it (a copy of its psk) if it exists and has not expired. */
  take(id: Uint8Array): IssuedTicket | null {
    const key = hex(id);
    const ticket = this.byId.get(key);
    if (!ticket) return null;
    const taken = { ...ticket, psk: Uint8Array.from(ticket.psk) };
    this.drop(key);
    return unexpired(taken, this.now());
  }

  /** Voids the device's ticket (trust removed, revoked). */
  forget(device: string): void {
    for (const id of this.idsOfDevice.get(device) ?? []) this.drop(id);
  }

  clear(): void {
    for (const id of [...this.byId.keys()]) this.drop(id);
  }

  private drop(id: string): void {
    const ticket = this.byId.get(id);
    if (!ticket) return;
    ticket.psk.fill(0);
    this.byId.delete(id);
    const device = keyText(ticket.initiatorKey);
    const left = (this.idsOfDevice.get(device) ?? []).filter((other) => other !== id);
    if (left.length > 0) this.idsOfDevice.set(device, left);
    else this.idsOfDevice.delete(device);
  }
}

/** Initiator side: the newest ticket from each device, and the address we reached it at. */
export class HeldTickets {
  private readonly byDevice = new Map<string, HeldTicket>();

  constructor(private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.byDevice.size;
  }

  has(device: string): boolean {
    return this.byDevice.has(device);
  }

  store(ticket: TicketMessage, secret: Uint8Array, ownKey: Uint8Array, peerKey: Uint8Array, address: string, team: PayloadTeam | undefined): void {
    const device = keyText(peerKey);
    this.forget(device);
    if (this.byDevice.size >= MAX_HELD_TICKETS) this.forget(this.byDevice.keys().next().value!);
    this.byDevice.set(device, {
      id: Uint8Array.from(ticket.id),
      psk: ticketPsk(secret, ticket.id, ownKey, peerKey),
      identityKey: Uint8Array.from(peerKey),
      address,
      ...(team ? { team } : {}),
      expiresAt: this.now() + ticket.lifetimeS * 1000,
    });
  }

  /**
   * Removes and returns the ticket for the device we expect there (by key), or else the one we
   * last reached at this address. Expired tickets are dropped, not returned.
   */
  take(expectedKey: Uint8Array | undefined, address: string): HeldTicket | null {
    const device = expectedKey ? keyText(expectedKey) : [...this.byDevice].find(([, t]) => t.address === address)?.[0];
    const ticket = device === undefined ? undefined : this.byDevice.get(device);
    if (!ticket || device === undefined) return null;
    this.byDevice.delete(device);
    return unexpired(ticket, this.now());
  }

  forget(device: string): void {
    const ticket = this.byDevice.get(device);
    if (!ticket) return;
    ticket.psk.fill(0);
    this.byDevice.delete(device);
  }

  clear(): void {
    for (const device of [...this.byDevice.keys()]) this.forget(device);
  }
}
