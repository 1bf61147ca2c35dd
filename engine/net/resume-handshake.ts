// The resumption handshake (docs/protocol.md section 13.2): Noise NNpsk0 keyed by a ticket's psk,
// one round trip, a fresh ephemeral DH (ee) for forward secrecy. The psk binds both identities, so
// no signature is made or checked. The responder falls back to XX on the same connection, with
// the e of the resume message as XX's message 1, whenever it cannot resume (section 13.5).

import type { MemCloudError } from '../errors';
import type { NoiseSuite } from '../crypto/backends';
import { HandshakeState, type HandshakeRequest } from '../crypto/noise/handshake-state';
import type { KeyPair } from '../crypto/noise/dh';
import { FrameType, PROLOGUE_LABEL, PROTOCOL_VERSION } from './constants';
import type { PayloadTeam } from './handshake-payload';
import type { WireConnection } from './wire-connection';
import { RESUME_PATTERN, ResumeMode, TICKET_ID_LENGTH, decodeResumePayload, encodeResumePayload } from './resume-wire';

/** Initiator: the ticket it holds for the responder, and who issued it. */
export interface ResumeTicket {
  readonly id: Uint8Array;
  readonly psk: Uint8Array;
  readonly identityKey: Uint8Array;
  readonly team?: PayloadTeam;
}

/** Responder: what a ticket it issued stands for. */
export interface ResumeGrant {
  readonly psk: Uint8Array;
  readonly identityKey: Uint8Array;
  readonly team?: PayloadTeam;
}

/** The peer of a resumed session: its identity from the ticket, its name and offer from the payload. */
export interface ResumedRemote {
  readonly identityKey: Uint8Array;
  readonly name: string;
  readonly offeredBytes: number;
  readonly protocolVersion: number;
  readonly team?: PayloadTeam;
}

/** What this file needs from a handshake run (engine/net/handshake.ts): its frames, crypto and checks. */
export interface HandshakeDriver<R> {
  readonly opts: {
    readonly connection: WireConnection;
    readonly crypto: { readonly suite: NoiseSuite };
    readonly name: string;
    readonly offeredBytes: number;
    readonly checkRemote?: (remote: ResumedRemote) => void;
    readonly resumeResponder?: (ticketId: Uint8Array) => ResumeGrant | null;
  };
  drive<T>(gen: Generator<HandshakeRequest, T, unknown>, payload: Uint8Array | null): Promise<T>;
  nextFrame(): Promise<Buffer>;
  /** No more handshake frames come (a resumed responder): later frames are the channel's. */
  endFrames(): void;
  malformed(why: string): MemCloudError;
  finish(hs: HandshakeState, remote: ResumedRemote, resumed: boolean): R;
}

export type InitiatorOutcome<R> = { readonly result: R } | { readonly fullMessage2: Buffer };
export type ResponderOutcome<R> = { readonly result: R } | { readonly fullMessage1: Buffer };
const prologueLabel = Buffer.from(PROLOGUE_LABEL, 'ascii');

const E_LENGTH = 32;

function resumeState<R>(run: HandshakeDriver<R>, initiator: boolean, preamble: Uint8Array, id: Uint8Array, psk: Uint8Array, e?: KeyPair): HandshakeState {
  return new HandshakeState({
    pattern: RESUME_PATTERN,
    initiator,
    // Section 13.2: the ticket id is bound to the transcript through the prologue.
    prologue: Buffer.concat([prologueLabel, preamble, id]),
    ...run.opts.crypto.suite,
    psk,
    ...(e ? { e } : {}),
  });
}

function ownPayload<R>(run: HandshakeDriver<R>): Uint8Array {
  return encodeResumePayload({ offeredBytes: run.opts.offeredBytes, name: run.opts.name });
}

function remoteOf(identityKey: Uint8Array, team: PayloadTeam | undefined, payload: Uint8Array): ResumedRemote {
  const { name, offeredBytes } = decodeResumePayload(payload);
  return { identityKey, name, offeredBytes, protocolVersion: PROTOCOL_VERSION, ...(team ? { team } : {}) };
}

/** Sends the preamble and resume message 1; returns the resumed session, or XX's message 2 to go on with. */
export async function resumeAsInitiator<R>(run: HandshakeDriver<R>, preamble: Uint8Array, ephemeral: KeyPair, ticket: ResumeTicket): Promise<InitiatorOutcome<R>> {
  const { connection } = run.opts;
  const hs = resumeState(run, true, preamble, ticket.id, ticket.psk, ephemeral);
  try {
    ticket.psk.fill(0);
    const msg1 = await run.drive(hs.writeSteps(), ownPayload(run));
    connection.writeOpening(preamble, Buffer.concat([ticket.id, msg1]));
    const msg2 = await run.nextFrame();
    if (msg2.length < 1) throw run.malformed('empty message 2');
    if (msg2[0] === ResumeMode.FULL) return { fullMessage2: msg2.subarray(1) };
    if (msg2[0] !== ResumeMode.RESUMED) throw run.malformed('unknown resume mode');
    const read = await run.drive(hs.readSteps(msg2.subarray(1)), null);
    const remote = remoteOf(ticket.identityKey, ticket.team, read.payload);
    run.opts.checkRemote?.(remote);
    return { result: run.finish(hs, remote, true) };
  } finally {
    hs.destroy();
  }
}

/**
 * Reads a resume message 1. Resumes when the ticket is known, still allowed and the message
 * decrypts under its psk; otherwise returns the message's e for XX. The ticket is spent either way.
 */
export async function respondToResume<R>(run: HandshakeDriver<R>, preamble: Uint8Array, msg1: Buffer): Promise<ResponderOutcome<R>> {
  if (msg1.length < TICKET_ID_LENGTH + E_LENGTH) throw run.malformed('resume message 1 too short');
  const id = msg1.subarray(0, TICKET_ID_LENGTH);
  const rest = msg1.subarray(TICKET_ID_LENGTH);
  const fallBack: ResponderOutcome<R> = { fullMessage1: rest.subarray(0, E_LENGTH) };
  const grant = run.opts.resumeResponder?.(id) ?? null;
  if (!grant) return fallBack;
  const hs = resumeState(run, false, preamble, id, grant.psk);
  grant.psk.fill(0);
  try {
    let remote: ResumedRemote;
    try {
      remote = remoteOf(grant.identityKey, grant.team, (await run.drive(hs.readSteps(rest), null)).payload);
    } catch {
      return fallBack; // a wrong psk or a changed byte: the ticket is spent, XX decides
    }
    run.opts.checkRemote?.(remote);
    // From here the initiator's next frames are transport records (its HELLO).
    run.endFrames();
    const msg2 = await run.drive(hs.writeSteps(), ownPayload(run));
    run.opts.connection.writeFrame(FrameType.HANDSHAKE, Buffer.concat([Uint8Array.of(ResumeMode.RESUMED), msg2]));
    return { result: run.finish(hs, remote, true) };
  } finally {
    hs.destroy();
  }
}
