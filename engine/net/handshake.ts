// The MemCloud handshake (docs/protocol.md section 3): Noise XX with Ed25519 identity binding.
// The Noise core does the token work; this file drives it over a WireConnection with async crypto,
// starting independent DH operations early so they run side by side in the pool.

import { timingSafeEqual } from 'node:crypto';
import { sha256 } from '../crypto/noise/compact-sha256';
import { ErrorCodes, MemCloudError, toMemCloudError } from '../errors';
import { HandshakeState, type HandshakeRequest } from '../crypto/noise/handshake-state';
import { isStrictIdentityKey } from './identity-key-check';
import type { KeyPair } from '../crypto/noise/dh';
import {
  CHANNEL_ID_CONTEXT,
  FIRST_MESSAGE_TIMEOUT_MS,
  FrameType,
  HANDSHAKE_MESSAGE_1_LENGTH,
  HANDSHAKE_TIMEOUT_MS,
  MAX_HANDSHAKE_MESSAGE_2,
  MAX_HANDSHAKE_MESSAGE_3,
  MAX_PRE_ADMISSION_RECORD,
  PREAMBLE_MAGIC,
  PROLOGUE_LABEL,
  PROTOCOL_VERSION,
  type FrameTypeValue,
} from './constants';
import type { HandshakeCrypto } from '../crypto/handshake/handshake-crypto';
import { decodePayload, encodePayload, signatureMessage, type HandshakeRole, type PayloadTeam } from './handshake-payload';
import { encodePreamble, type WireConnection } from './wire-connection';
import { PreambleFlag, preambleFlags, resumptionSecretInput, MAX_RESUME_MESSAGE_1, ResumeMode } from './resume-wire';
import { respondToResume, resumeAsInitiator, type HandshakeDriver, type ResumeGrant, type ResumeTicket } from './resume-handshake';

export interface RemoteDevice {
  readonly identityKey: Uint8Array;
  readonly name: string;
  readonly offeredBytes: number;
  readonly protocolVersion: number;
  /** Format 2 payloads (section 12): the peer speaks the team protocol; its certificate if any. */
  readonly team?: PayloadTeam;
}

export interface HandshakeOptions {
  readonly role: HandshakeRole;
  readonly connection: WireConnection;
  readonly crypto: HandshakeCrypto;
  /** This node's Noise static key pair (X25519); its identity is bound by signature. */
  readonly staticKeyPair: KeyPair;
  readonly identityKey: Uint8Array;
  readonly name: string;
  readonly offeredBytes: number;
  /** Sends a format 2 payload (section 3.3) with this team part; absent: format 1. */
  readonly team?: PayloadTeam | null;
  readonly timeoutMs?: number;
  /** Responder: the preamble and message 1 must be in within this (section 3.5). */
  readonly firstMessageTimeoutMs?: number;
  /**
   * Initiator: the ephemeral key pair, made before connecting so message 1 leaves with the
   * preamble (the responder allows 3 s for both). Zeroed with the handshake's other secrets.
   */
  readonly ephemeral?: KeyPair;
  /** Responder: called when message 1 arrived (the connection is no longer idle). */
  readonly onFirstMessage?: () => void;
  /**
   * Called once the peer's signature checked out, before this side completes the handshake.
   * Throw to refuse (revoked device, unexpected key); the wire only ever sees the generic abort.
   */
  readonly checkRemote?: (remote: RemoteDevice) => void;
  /** Test hook: the preamble an initiator sends (to exercise version tampering). */
  readonly preamble?: Uint8Array;
  /** Initiator: this node reads TICKET messages (preamble flag, section 13.1). */
  readonly acceptTickets?: boolean;
  /** Initiator: resume with this ticket (section 13.2); the handshake zeroes its psk. */
  readonly resume?: ResumeTicket;
  /**
   * Responder: takes the ticket with this id (single use) and returns its psk and peer if the
   * peer may still resume, else null: the handshake then falls back to XX (section 13.5).
   */
  readonly resumeResponder?: (ticketId: Uint8Array) => ResumeGrant | null;
}

export interface HandshakeResult {
  readonly remote: RemoteDevice;
  readonly handshakeHash: Uint8Array;
  readonly channelId: Uint8Array;
  readonly sendKey: Uint8Array;
  readonly receiveKey: Uint8Array;
  /** The session was resumed with a ticket (section 13), not authenticated by a full handshake. */
  readonly resumed: boolean;
  /** Section 13.3: the secret this session's tickets derive from. The caller zeroes it. */
  readonly resumptionSecret: Uint8Array;
  /** Responder: the initiator reads TICKET messages (preamble flag). */
  readonly peerAcceptsTickets: boolean;
}

const prologueLabel = Buffer.from(PROLOGUE_LABEL, 'ascii');

export function prologueFor(preamble: Uint8Array): Uint8Array {
  return Buffer.concat([prologueLabel, preamble]);
}

const channelIdContext = Buffer.from(CHANNEL_ID_CONTEXT, 'ascii');

export function channelIdFor(handshakeHash: Uint8Array): Uint8Array {
  return sha256(channelIdContext, handshakeHash);
}

/** Runs the whole handshake; on any failure sends the generic abort, closes, and rejects. */
export async function performHandshake(opts: HandshakeOptions): Promise<HandshakeResult> {
  const run = new HandshakeRun(opts);
  return run.execute();
}

class HandshakeRun implements HandshakeDriver<HandshakeResult> {
  readonly opts: HandshakeOptions;
  private readonly frames: Buffer[] = [];
  /** Handshake frames this side reads (initiator: message 2; responder: 1 and 3). */
  private framesLeft: number;
  private frameWaiter: { resolve: (b: Buffer) => void; reject: (e: MemCloudError) => void } | null = null;
  private failure: MemCloudError | null = null;
  private settled = false;
  private rejectFailed: (e: MemCloudError) => void = () => undefined;
  /** Rejects when the handshake fails, so waits that are not frame reads end too. */
  private readonly failed = new Promise<never>((_, reject) => (this.rejectFailed = reject));
  private state: HandshakeState | null = null;
  /** Responder: the initiator's preamble flags (section 13.1). */
  private peerFlags = 0;
  /** DH results started ahead of the token that needs them, keyed by token. Zeroed at the end. */
  private readonly early = new Map<string, { publicKey: Uint8Array; result: Promise<Uint8Array> }>();
  private readonly secrets: Uint8Array[] = [];
  /**
   * Our ephemeral as the crypto made it. A HandshakeState copies a preset e, but DH must go to the
   * original: the crypto keeps an imported key for it (an import costs about as much as the DH).
   */
  private ephemeral: KeyPair | null = null;
  private firstMessageTimer: NodeJS.Timeout | undefined;

  constructor(opts: HandshakeOptions) {
    this.opts = opts;
    this.framesLeft = opts.role === 'initiator' ? 1 : 2;
    if (opts.ephemeral) this.secrets.push(opts.ephemeral.secretKey); // zeroed at the end whatever happens
    this.failed.catch(() => undefined);
  }

  async execute(): Promise<HandshakeResult> {
    const { connection } = this.opts;
    const timeoutMs = this.opts.timeoutMs ?? HANDSHAKE_TIMEOUT_MS;
    const timer = setTimeout(() => this.fail(new MemCloudError(ErrorCodes.HANDSHAKE_TIMEOUT, `no complete handshake within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    if (this.opts.role === 'responder') {
      const firstMs = this.opts.firstMessageTimeoutMs ?? FIRST_MESSAGE_TIMEOUT_MS;
      this.firstMessageTimer = setTimeout(() => this.fail(new MemCloudError(ErrorCodes.HANDSHAKE_TIMEOUT, `no message 1 within ${firstMs} ms`)), firstMs);
      this.firstMessageTimer.unref();
    }
    // Section 3.2: each handshake message has an exact or largest size, checked on the frame's length bytes.
    connection.setMaxFrameBody(this.opts.role === 'responder' ? HANDSHAKE_MESSAGE_1_LENGTH : MAX_HANDSHAKE_MESSAGE_2 + (this.opts.resume ? 1 : 0));
    // Section 13.2: a resume message 1 is longer; the limit follows the flags before its length bytes are read.
    if (this.opts.role === 'responder') {
      connection.onPreamble((p) => {
        if (preambleFlags(p) & PreambleFlag.RESUME) connection.setMaxFrameBody(MAX_RESUME_MESSAGE_1);
      });
    }
    connection.setFrameListener((type, body) => this.onFrame(type, body));
    // The listener outlives the handshake: a session's later close builds no error for it.
    connection.onClose((err) => {
      if (!this.settled && !this.failure) this.fail(err ?? new MemCloudError(ErrorCodes.HANDSHAKE_FAILED, 'connection closed during the handshake'));
    });
    try {
      const result = this.opts.role === 'initiator' ? await this.initiator() : await this.responder();
      if (this.failure) throw this.failure;
      return result;
    } catch (err) {
      const e = this.failure ?? toMemCloudError(err, ErrorCodes.HANDSHAKE_FAILED);
      this.fail(e);
      throw e;
    } finally {
      this.settled = true;
      clearTimeout(timer);
      clearTimeout(this.firstMessageTimer);
      connection.setFrameListener(null);
      await this.wipe();
    }
  }

  private async initiator(): Promise<HandshakeResult> {
    const { connection } = this.opts;
    const { resume } = this.opts;
    const flags = (this.opts.acceptTickets || resume ? PreambleFlag.TICKETS : 0) | (resume ? PreambleFlag.RESUME : 0);
    const preamble = this.opts.preamble ?? encodePreamble(PROTOCOL_VERSION, flags);
    let msg2: Buffer;
    let hs: HandshakeState;
    if (resume) {
      // Section 13.2: message 1 resumes, and its e is XX's message 1 too, should the responder fall back.
      const ephemeral = this.opts.ephemeral ?? (await this.opts.crypto.ephemeral());
      this.keep(ephemeral.secretKey);
      this.ephemeral = ephemeral;
      const outcome = await resumeAsInitiator(this, preamble, ephemeral, resume);
      if ('result' in outcome) return outcome.result;
      // Fallen back: the XX state is built only now, its message 1 (that same e) written into the transcript.
      hs = this.newState(true, prologueFor(preamble), ephemeral);
      await this.drive(hs.writeSteps(), new Uint8Array(0));
      msg2 = outcome.fullMessage2;
    } else {
      hs = this.newState(true, prologueFor(preamble));
      connection.writeOpening(preamble, await this.drive(hs.writeSteps(), new Uint8Array(0)));
      msg2 = await this.nextFrame();
    }
    if (msg2.length >= 32) {
      const re = msg2.subarray(0, 32);
      this.startEarly('ee', this.ephemeral!.secretKey, re);
      this.startEarly('se', this.opts.staticKeyPair.secretKey, re);
    }
    const read = await this.drive(hs.readSteps(msg2), null);
    const remote = decodePayload(read.payload);
    const verified = this.opts.crypto.verify(remote.identityKey, signatureMessage('responder', read.handshakeHashBeforePayload), remote.signature);
    const msg3 = await this.drive(hs.writeSteps(), null);
    await this.checkVerified(await verified, remote);
    connection.writeFrame(FrameType.HANDSHAKE, msg3);
    return this.finish(hs, remote);
  }

  private async responder(): Promise<HandshakeResult> {
    const preamble = await Promise.race([this.opts.connection.readPreamble(), this.failed]);
    if (Buffer.compare(preamble.subarray(0, 4), Buffer.from(PREAMBLE_MAGIC)) !== 0) throw this.malformed('bad preamble');
    if (preamble.readUInt16BE(4) !== PROTOCOL_VERSION) {
      throw new MemCloudError(ErrorCodes.PROTOCOL_VERSION, `peer speaks protocol version ${preamble.readUInt16BE(4)}`);
    }
    this.peerFlags = preambleFlags(preamble);
    const resuming = (this.peerFlags & PreambleFlag.RESUME) !== 0;
    let msg1 = await this.nextFrame();
    if (resuming) {
      const outcome = await respondToResume(this, preamble, msg1);
      if ('result' in outcome) return outcome.result;
      msg1 = outcome.fullMessage1;
    }
    const hs = this.newState(false, prologueFor(preamble));
    const first = await this.drive(hs.readSteps(msg1), null);
    if (first.payload.length !== 0) throw this.malformed('message 1 carries a payload');
    const msg2 = await this.drive(hs.writeSteps(), null);
    // Section 13.2: after a resume attempt, message 2 says which handshake follows.
    this.opts.connection.writeFrame(FrameType.HANDSHAKE, resuming ? Buffer.concat([Uint8Array.of(ResumeMode.FULL), msg2]) : msg2);

    const msg3 = await this.nextFrame();
    const read = await this.drive(hs.readSteps(msg3), null);
    const remote = decodePayload(read.payload);
    const ok = await this.opts.crypto.verify(remote.identityKey, signatureMessage('initiator', read.handshakeHashBeforePayload), remote.signature);
    await this.checkVerified(ok, remote);
    return this.finish(hs, remote);
  }

  private newState(initiator: boolean, prologue: Uint8Array, e?: KeyPair): HandshakeState {
    this.state = new HandshakeState({
      pattern: 'XX',
      initiator,
      prologue,
      ...this.opts.crypto.suite,
      s: this.opts.staticKeyPair,
      ...(e ? { e } : {}),
    });
    return this.state;
  }

  private async checkVerified(ok: boolean, remote: RemoteDevice): Promise<void> {
    if (!ok || !isStrictIdentityKey(remote.identityKey)) throw new MemCloudError(ErrorCodes.HANDSHAKE_FAILED, 'identity signature does not verify');
    if (timingSafeEqual(Buffer.from(remote.identityKey), Buffer.from(this.opts.identityKey))) {
      throw new MemCloudError(ErrorCodes.HANDSHAKE_FAILED, 'the peer presented this device\'s own identity');
    }
    this.opts.checkRemote?.(remote);
  }

  finish(hs: HandshakeState, remote: RemoteDevice, resumed = false): HandshakeResult {
    const resumptionSecret = hs.deriveSecret(resumptionSecretInput(hs.handshakeHash));
    const { send, receive, handshakeHash } = hs.split();
    const sendKey = send.exportKey();
    const receiveKey = receive.exportKey();
    send.destroy();
    receive.destroy();
    const peerAcceptsTickets = (this.peerFlags & PreambleFlag.TICKETS) !== 0;
    return { remote, handshakeHash, channelId: channelIdFor(handshakeHash), sendKey, receiveKey, resumed, resumptionSecret, peerAcceptsTickets };
  }

  /** Keeps a secret to zero when the handshake ends. */
  private keep(secret: Uint8Array): void {
    this.secrets.push(secret);
  }

  endFrames(): void {
    this.framesLeft = 0;
    this.opts.connection.setFrameListener(null);
    this.opts.connection.setMaxFrameBody(MAX_PRE_ADMISSION_RECORD);
  }

  /**
   * Runs one generator step to completion, answering its crypto requests; an answer at hand (a
   * payload, a preset ephemeral) goes straight back, only a pending one is awaited.
   */
  async drive<T>(gen: Generator<HandshakeRequest, T, unknown>, payload: Uint8Array | null): Promise<T> {
    let step = gen.next();
    while (!step.done) {
      if (this.failure) throw this.failure;
      const answer = this.answer(step.value, payload);
      step = gen.next(answer instanceof Promise ? await answer : answer);
    }
    return step.value;
  }

  private answer(req: HandshakeRequest, payload: Uint8Array | null): unknown {
    switch (req.kind) {
      case 'ephemeral': {
        if (this.opts.ephemeral) return this.useEphemeral(this.opts.ephemeral);
        return this.opts.crypto.ephemeral().then((pair) => this.useEphemeral(pair));
      }
      case 'dh': {
        const early = this.early.get(req.token);
        if (early && samePublicKey(early.publicKey, req.publicKey)) return early.result;
        return this.opts.crypto.dh(this.ownSecret(req), req.publicKey).then((out) => {
          this.secrets.push(out);
          return out;
        });
      }
      case 'payload': {
        if (payload) return payload;
        return this.opts.crypto.sign(signatureMessage(this.opts.role, req.handshakeHash)).then((signature) =>
          encodePayload({
            protocolVersion: PROTOCOL_VERSION,
            identityKey: this.opts.identityKey,
            signature,
            offeredBytes: this.opts.offeredBytes,
            name: this.opts.name,
            ...(this.opts.team ? { team: this.opts.team } : {}),
          }),
        );
      }
      default: {
        const never: never = req;
        throw new Error(`unknown handshake request ${JSON.stringify(never)}`);
      }
    }
  }

  private useEphemeral(pair: KeyPair): KeyPair {
    this.secrets.push(pair.secretKey);
    this.ephemeral = pair;
    // Responder writing message 2: ee and es both need only our new ephemeral/static and re.
    const re = this.state?.remoteEphemeral;
    if (this.opts.role === 'responder' && re) {
      this.startEarly('ee', pair.secretKey, re);
      this.startEarly('es', this.opts.staticKeyPair.secretKey, re);
    }
    return pair;
  }

  /** The secret a DH request uses: our ephemeral's original buffer for an e, else the state's (our static). */
  private ownSecret(req: Extract<HandshakeRequest, { kind: 'dh' }>): Uint8Array {
    const mine = req.token[this.opts.role === 'initiator' ? 0 : 1];
    return mine === 'e' && this.ephemeral !== null ? this.ephemeral.secretKey : req.secretKey;
  }

  private startEarly(token: string, secretKey: Uint8Array, publicKey: Uint8Array): void {
    const result = this.opts.crypto.dh(secretKey, publicKey).then((out) => {
      this.secrets.push(out);
      return out;
    });
    result.catch(() => undefined);
    this.early.set(token, { publicKey: Uint8Array.from(publicKey), result });
  }

  private onFrame(type: FrameTypeValue, body: Buffer): void {
    if (type !== FrameType.HANDSHAKE || this.framesLeft === 0) {
      this.fail(this.malformed('transport frame before the handshake completed'));
      return;
    }
    if (this.firstMessageTimer !== undefined) {
      clearTimeout(this.firstMessageTimer);
      this.firstMessageTimer = undefined;
      this.opts.onFirstMessage?.();
    }
    // After the last handshake frame, later frames (the peer's HELLO may share the same TCP
    // segment) stay queued in the connection for the secure channel. Until this side sends HELLO
    // the peer may send only HELLO and CLOSE (section 4): frames are limited from the next one on.
    if (--this.framesLeft === 0) {
      this.opts.connection.setFrameListener(null);
      this.opts.connection.setMaxFrameBody(MAX_PRE_ADMISSION_RECORD);
    } else {
      this.opts.connection.setMaxFrameBody(MAX_HANDSHAKE_MESSAGE_3);
    }
    if (this.frameWaiter) {
      const w = this.frameWaiter;
      this.frameWaiter = null;
      w.resolve(body);
    } else if (this.frames.length < 1) {
      this.frames.push(body);
    } else {
      this.fail(this.malformed('peer sent handshake messages out of turn'));
    }
  }

  nextFrame(): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    const queued = this.frames.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => (this.frameWaiter = { resolve, reject }));
  }

  malformed(why: string): MemCloudError {
    return new MemCloudError(ErrorCodes.FRAME_MALFORMED, `handshake: ${why}`);
  }

  private fail(err: MemCloudError): void {
    if (this.failure || this.settled) return;
    this.failure = err;
    this.rejectFailed(err);
    this.opts.connection.abort(err);
    if (this.frameWaiter) {
      const w = this.frameWaiter;
      this.frameWaiter = null;
      w.reject(err);
    }
  }

  private async wipe(): Promise<void> {
    this.state?.destroy();
    await Promise.allSettled([...this.early.values()].map((e) => e.result));
    for (const s of this.secrets) s.fill(0);
  }
}

/** Public keys only (no secret: an early exit is fine). */
function samePublicKey(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
