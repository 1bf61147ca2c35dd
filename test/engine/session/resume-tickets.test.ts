// The ticket stores of session resumption (docs/protocol.md section 13.4) with a controlled clock:
// single use, 24 h lifetime on both sides, one ticket per device, voiding, the bound, and that
// both sides derive the same psk from the same session secret.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { HeldTickets, IssuedTickets, MAX_ISSUED_TICKETS } from '../../../engine/session/resume-tickets';
import { TICKET_LIFETIME_S, decodeTicket, encodeTicket } from '../../../engine/net/resume-wire';
import { encodePublicKey } from '../../../engine/identity/public-key';

const key = () => new Uint8Array(randomBytes(32));
const DAY = TICKET_LIFETIME_S * 1000;

test('a ticket works once, and both sides hold the same psk for it', () => {
  const now = 1_000_000;
  const issued = new IssuedTickets(() => now);
  const held = new HeldTickets(() => now);
  const [secret, initiator, responder] = [key(), key(), key()];
  const msg = decodeTicket(encodeTicket(issued.issue(secret, initiator, responder, undefined)))!;
  assert.equal(msg.lifetimeS, 86_400);
  held.store(msg, secret, initiator, responder, '127.0.0.1:1', undefined);
  const mine = held.take(responder, 'elsewhere:2')!;
  const theirs = issued.take(mine.id)!;
  assert.deepEqual(Buffer.from(mine.psk), Buffer.from(theirs.psk));
  assert.deepEqual(Buffer.from(theirs.initiatorKey), Buffer.from(initiator));
  assert.equal(issued.take(mine.id), null, 'spent on the responder');
  assert.equal(held.take(responder, '127.0.0.1:1'), null, 'spent on the initiator');
});

test('tickets expire 24 h after issue (responder) and after receipt (initiator)', () => {
  let now = 5_000;
  const issued = new IssuedTickets(() => now);
  const held = new HeldTickets(() => now);
  const [secret, initiator, responder] = [key(), key(), key()];
  const a = issued.issue(secret, initiator, responder, undefined);
  held.store(a, secret, initiator, responder, 'h:1', undefined);
  now += DAY - 1;
  const b = issued.issue(secret, key(), responder, undefined); // another device's, to check later
  assert.ok(held.take(undefined, 'h:1'), 'by address, just before expiry');
  assert.ok(issued.take(a.id), 'just before expiry');
  now += DAY;
  assert.equal(issued.take(b.id), null, 'expired');
  held.store(a, secret, initiator, responder, 'h:1', undefined);
  now += DAY;
  assert.equal(held.take(responder, 'h:1'), null, 'expired');
});

test('two tickets per device: a third voids the first; forget voids all; the store is bounded', () => {
  const issued = new IssuedTickets();
  const [secret, initiator, responder] = [key(), key(), key()];
  const first = issued.issue(secret, initiator, responder, undefined);
  const second = issued.issue(secret, initiator, responder, undefined);
  const third = issued.issue(secret, initiator, responder, undefined);
  assert.equal(issued.size, 2);
  assert.equal(issued.take(first.id), null);
  issued.forget(encodePublicKey(initiator));
  assert.equal(issued.take(second.id), null);
  assert.equal(issued.take(third.id), null);
  const ids = Array.from({ length: MAX_ISSUED_TICKETS + 1 }, () => issued.issue(secret, key(), responder, undefined).id);
  assert.equal(issued.size, MAX_ISSUED_TICKETS);
  assert.equal(issued.take(ids[0]!), null, 'the oldest went');
  assert.ok(issued.take(ids.at(-1)!));
});

test('a TICKET of another version, or with a lifetime of 0 or over 24 h, is ignored', () => {
  const body = Buffer.from(encodeTicket({ id: new Uint8Array(16), lifetimeS: 60 }));
  assert.ok(decodeTicket(body));
  assert.equal(decodeTicket(Buffer.concat([Buffer.of(2), body.subarray(1)])), null);
  const zero = Buffer.from(body);
  zero.writeUInt32BE(0, 17);
  assert.equal(decodeTicket(zero), null);
  const long = Buffer.from(body);
  long.writeUInt32BE(86_401, 17);
  assert.equal(decodeTicket(long), null);
  assert.equal(decodeTicket(body.subarray(1)), null);
});
