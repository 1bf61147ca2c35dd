// Who may resume, and when tickets are issued and kept (docs/protocol.md section 13.4-13.5).
// A ticket exists only between devices that admit each other without asking: trusted, or members
// of a trusted team. "Allow once" sessions get none, so a once-approval ends with its session.
// Both sides check the peer again when a ticket is used; trust removal and revocation void it.

import type { SecureChannel } from '../net/secure-channel';
import type { PayloadTeam } from '../net/handshake-payload';
import type { ResumeGrant, ResumeTicket } from '../net/resume-handshake';
import { TICKET_REFRESH_MS, decodeTicket, encodeTicket } from '../net/resume-wire';
import { HeldTickets, IssuedTickets } from './resume-tickets';

export interface ResumptionOptions {
  /** This device's identity key. */
  readonly ownKey: Uint8Array;
  /** Whether the device may use a ticket now: not revoked, and trusted or a valid team member. */
  readonly mayResume: (identityKey: Uint8Array, team: PayloadTeam | undefined) => boolean;
  readonly refreshMs?: number;
  readonly now?: () => number;
  readonly log?: (message: string) => void;
}

/** What resumption needs to know of an open session. */
export interface OpenedSession {
  readonly channel: SecureChannel;
  readonly publicKey: string;
  readonly direction: 'inbound' | 'outbound';
  readonly admission: string;
  /** The address we dialed (outbound): the ticket is tried again there. */
  readonly address: string;
}

export interface ResumptionCounts {
  /** Tickets sent to initiators, and received from responders. */
  ticketsIssued: number;
  ticketsReceived: number;
}

export class Resumption {
  private readonly issued: IssuedTickets;
  private readonly held: HeldTickets;
  readonly counts: ResumptionCounts = { ticketsIssued: 0, ticketsReceived: 0 };

  constructor(private readonly opts: ResumptionOptions) {
    this.issued = new IssuedTickets(opts.now);
    this.held = new HeldTickets(opts.now);
  }

  /** Initiator: the ticket to resume with at this address, taken (single use), if the peer is still allowed. */
  ticketFor(expectedKey: Uint8Array | undefined, address: string): ResumeTicket | undefined {
    const t = this.held.take(expectedKey, address);
    if (!t) return undefined;
    if (!this.opts.mayResume(t.identityKey, t.team)) {
      t.psk.fill(0);
      return undefined;
    }
    return { id: t.id, psk: t.psk, identityKey: t.identityKey, ...(t.team ? { team: t.team } : {}) };
  }

  /** Responder: the grant for a ticket id, taken (single use), if its device is still allowed. */
  grant(id: Uint8Array): ResumeGrant | null {
    const t = this.issued.take(id);
    if (!t) return null;
    if (!this.opts.mayResume(t.initiatorKey, t.team)) {
      t.psk.fill(0);
      return null;
    }
    return { psk: t.psk, identityKey: t.initiatorKey, ...(t.team ? { team: t.team } : {}) };
  }

  /**
   * A session opened. Responder: tickets now and every refresh period while it stays open, if the
   * initiator asked for them. Initiator: keeps the newest ticket it is sent (`earlyTicket`: one
   * that came before the session was handed over). `secret` is owned
   * from here (zeroed when the session closes).
   */
  opened(session: OpenedSession, secret: Uint8Array, peerAcceptsTickets: boolean, team: PayloadTeam | undefined, earlyTicket: Buffer | null): void {
    const { channel } = session;
    const remoteKey = channel.remote.identityKey;
    const cleanups: Array<() => void> = [() => secret.fill(0)];
    channel.once('close', () => cleanups.forEach((c) => c()));
    if (session.admission === 'once' || !this.opts.mayResume(remoteKey, team)) return;
    if (session.direction === 'inbound') {
      if (!peerAcceptsTickets) return;
      const send = () => {
        if (!this.opts.mayResume(remoteKey, team)) return;
        channel.sendTicket(encodeTicket(this.issued.issue(secret, remoteKey, this.opts.ownKey, team)));
        this.counts.ticketsIssued++;
      };
      send();
      const timer = setInterval(send, this.opts.refreshMs ?? TICKET_REFRESH_MS);
      timer.unref();
      cleanups.push(() => clearInterval(timer));
    } else {
      let first = true;
      const onTicket = (body: Buffer) => {
        const ticket = decodeTicket(body);
        if (!ticket) return;
        this.held.store(ticket, secret, this.opts.ownKey, remoteKey, session.address, team);
        this.counts.ticketsReceived++;
        if (first) this.opts.log?.(`resumption ticket from ${channel.remote.name} kept (${this.counts.ticketsReceived} received so far)`);
        first = false;
      };
      if (earlyTicket) onTicket(earlyTicket);
      channel.on('ticket', onTicket);
      cleanups.push(() => channel.off('ticket', onTicket));
    }
  }

  /** Tickets kept now: issued (at most one per device) and held. */
  get kept(): { issued: number; held: number } {
    return { issued: this.issued.size, held: this.held.size };
  }

  /** Whether we hold a ticket from this device (for status and tests). */
  holds(publicKey: string): boolean {
    return this.held.has(publicKey);
  }

  /** Trust removed or revoked: both its tickets go. */
  forget(publicKey: string): void {
    this.issued.forget(publicKey);
    this.held.forget(publicKey);
  }

  close(): void {
    this.issued.clear();
    this.held.clear();
  }
}
