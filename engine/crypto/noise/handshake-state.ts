// Noise spec §5.3 HandshakeState. The pattern table (patterns.ts) is the state machine: one entry
// per message, walked in order. Token processing is written once, as generators that yield each
// asymmetric operation to the caller, so the engine can run DH in a worker pool; writeMessage and
// readMessage drive the same generators synchronously with opts.dh.

import { ErrorCodes, MemCloudError } from '../../errors';
import { concatBytes, copyBytes, isAllZero, zero } from './bytes';
import { ByteReader } from '../../wire/bytes';
import { TAG_LENGTH } from '../constants';
import type { CipherState } from './cipher-state';
import type { KeyPair, NoiseDH } from './dh';
import { checkKeyPair, resolveOptions, type HandshakeOptions } from './handshake-options';
import type { DhToken, Token } from './patterns';
import { SymmetricState } from './symmetric-state';

/** Every bounds failure of a handshake message is the one malformed-message error. */
const tooShort = () => new MemCloudError(ErrorCodes.FRAME_MALFORMED, 'handshake message too short');

export { NOISE_MAX_MESSAGE_LENGTH, type HandshakeOptions } from './handshake-options';

/** What a step generator asks its driver for; the answer goes back via it.next(answer). */
export type HandshakeRequest =
  /** Answer: DH(secretKey, publicKey), dhLen bytes. The keys are live buffers: read, never keep or transfer. */
  | { kind: 'dh'; token: DhToken; secretKey: Uint8Array; publicKey: Uint8Array }
  /** Answer: a fresh KeyPair, which the state then owns and zeroes. Only when no e was preset. */
  | { kind: 'ephemeral' }
  /** Write only. Answer: the payload bytes. handshakeHash is h before EncryptAndHash(payload). */
  | { kind: 'payload'; handshakeHash: Uint8Array };

export interface ReadResult {
  payload: Uint8Array;
  handshakeHashBeforePayload: Uint8Array;
}

export interface SplitResult {
  send: CipherState;
  receive: CipherState;
  handshakeHash: Uint8Array;
}

type Phase = 'ready' | 'busy' | 'split' | 'failed';

function fail(code: keyof typeof ErrorCodes, message: string): MemCloudError {
  return new MemCloudError(ErrorCodes[code], message);
}

export class HandshakeState {
  readonly #messages: readonly (readonly Token[])[];
  readonly #initiator: boolean;
  readonly #dh: NoiseDH;
  readonly #maxLength: number;
  readonly #ss: SymmetricState;
  #s: KeyPair | null;
  #e: KeyPair | null;
  #rs: Uint8Array | null;
  #re: Uint8Array | null;
  #psk: Uint8Array | null;
  #step = 0;
  #phase: Phase = 'ready';

  constructor(opts: HandshakeOptions) {
    const { pattern: name, initiator, prologue, hash, cipher, dh } = opts;
    const { pattern, maxMessageLength, s, e, rs, re, psk } = resolveOptions(opts);
    this.#messages = pattern.messages;
    this.#initiator = initiator;
    this.#dh = dh;
    this.#maxLength = maxMessageLength;
    this.#s = s;
    this.#e = e;
    this.#rs = rs;
    this.#re = re;
    this.#psk = psk;

    this.#ss = new SymmetricState(`Noise_${name}_${dh.name}_${cipher.name}_${hash.name}`, hash, cipher);
    this.#ss.mixHash(prologue);
    // Pre-messages: the initiator's keys first, then the responder's, each e before s.
    for (const [pre, ofInitiator] of [[pattern.initiatorPre, true], [pattern.responderPre, false]] as const) {
      const local = ofInitiator === initiator;
      for (const token of pre) {
        const key = token === 'e' ? (local ? this.#e?.publicKey : this.#re) : local ? this.#s?.publicKey : this.#rs;
        this.#ss.mixHash(required(key ?? null, `pre-message ${token}`));
      }
    }
  }

  get complete(): boolean {
    return this.#step === this.#messages.length;
  }

  /** A copy of h. */
  get handshakeHash(): Uint8Array {
    return this.#ss.handshakeHash;
  }

  /** A secret bound to the whole handshake (SymmetricState.deriveSecret); only once complete, before split(). */
  deriveSecret(label: Uint8Array): Uint8Array {
    if (this.#phase !== 'ready' || !this.complete) throw fail('HANDSHAKE_FAILED', 'handshake not complete');
    return this.#ss.deriveSecret(label);
  }

  get remoteStatic(): Uint8Array | null {
    return this.#rs === null ? null : copyBytes(this.#rs);
  }

  get remoteEphemeral(): Uint8Array | null {
    return this.#re === null ? null : copyBytes(this.#re);
  }

  /** The live local ephemeral (not a copy), so tests can assert its secret is zeroed after split. */
  get localEphemeral(): KeyPair | null {
    return this.#e;
  }

  /** Steps for writing the next message; the generator returns the message bytes. */
  writeSteps(): Generator<HandshakeRequest, Uint8Array, unknown> {
    this.#begin(true);
    return this.#guard(this.#write());
  }

  /** Steps for reading message. Lengths are checked here, before any crypto, and throw FRAME_MALFORMED. */
  readSteps(message: Uint8Array): Generator<HandshakeRequest, ReadResult, unknown> {
    this.#begin(false);
    try {
      if (!(message instanceof Uint8Array)) throw fail('BAD_ARGUMENT', 'message must be a Uint8Array');
      if (message.length > this.#maxLength) throw fail('FRAME_MALFORMED', 'handshake message too long');
      if (message.length < this.#minLength()) throw fail('FRAME_MALFORMED', 'handshake message too short');
    } catch (err) {
      this.destroy();
      throw err;
    }
    return this.#guard(this.#read(message));
  }

  writeMessage(payload: Uint8Array): Uint8Array {
    return this.#drive(this.writeSteps(), payload);
  }

  /** Returns the payload. */
  readMessage(message: Uint8Array): Uint8Array {
    return this.#drive(this.readSteps(message), undefined).payload;
  }

  /** Split into transport states for this side; zeroes e, s, ck and the handshake key. */
  split(): SplitResult {
    if (this.#phase !== 'ready' || !this.complete) throw fail('HANDSHAKE_FAILED', 'handshake not complete');
    const [c1, c2] = this.#ss.split();
    const handshakeHash = this.#ss.handshakeHash;
    this.destroy();
    this.#phase = 'split';
    return this.#initiator ? { send: c1, receive: c2, handshakeHash } : { send: c2, receive: c1, handshakeHash };
  }

  /** Zero every secret held; the state is unusable afterwards. Idempotent. */
  destroy(): void {
    zero(this.#e?.secretKey);
    zero(this.#s?.secretKey);
    zero(this.#psk ?? undefined);
    this.#ss.destroySecrets();
    if (this.#phase !== 'split') this.#phase = 'failed';
  }

  #begin(writing: boolean): void {
    if (this.#phase !== 'ready') throw fail('HANDSHAKE_FAILED', `handshake state is ${this.#phase === 'busy' ? 'busy' : 'finished'}`);
    if (this.complete) throw fail('HANDSHAKE_FAILED', 'handshake already complete');
    if (((this.#step % 2 === 0) === this.#initiator) !== writing) {
      throw fail('HANDSHAKE_FAILED', writing ? 'not our turn to write' : 'not our turn to read');
    }
    this.#phase = 'busy';
  }

  /**
   * Relays requests and answers between the caller and the step generator. Commits the step on
   * success; any throw, it.throw() or early it.return() destroys the state, and a state destroyed
   * while a request was out (e.g. on a timeout) refuses to resume.
   */
  *#guard<T>(steps: Generator<HandshakeRequest, T, unknown>): Generator<HandshakeRequest, T, unknown> {
    let done = false;
    try {
      let next = steps.next();
      while (!next.done) {
        const answer: unknown = yield next.value;
        if (this.#phase !== 'busy') throw fail('HANDSHAKE_FAILED', 'handshake state destroyed');
        next = steps.next(answer);
      }
      const result = next.value;
      done = true;
      this.#step++;
      this.#phase = 'ready';
      return result;
    } finally {
      if (!done) this.destroy();
    }
  }

  *#write(): Generator<HandshakeRequest, Uint8Array, unknown> {
    const parts: Uint8Array[] = [];
    for (const token of this.#messages[this.#step]!) {
      if (token === 'e') {
        this.#e ??= checkKeyPair(yield { kind: 'ephemeral' }, 'ephemeral answer', this.#dh.dhLen);
        parts.push(copyBytes(this.#e.publicKey));
        this.#ss.mixHash(this.#e.publicKey);
        if (this.#psk) this.#ss.mixKey(this.#e.publicKey);
      } else if (token === 's') {
        parts.push(this.#ss.encryptAndHash(required(this.#s, 's').publicKey));
      } else if (token === 'psk') {
        this.#ss.mixKeyAndHash(required(this.#psk, 'psk'));
      } else {
        yield* this.#mixDh(token);
      }
    }
    const payload = yield { kind: 'payload', handshakeHash: this.#ss.handshakeHash };
    if (!(payload instanceof Uint8Array)) throw fail('BAD_ARGUMENT', 'payload answer must be a Uint8Array');
    const length = parts.reduce((n, p) => n + p.length, 0) + payload.length + (this.#ss.hasKey() ? TAG_LENGTH : 0);
    if (length > this.#maxLength) throw fail('FRAME_TOO_LARGE', 'handshake message too long');
    parts.push(this.#ss.encryptAndHash(payload));
    return concatBytes(parts);
  }

  *#read(message: Uint8Array): Generator<HandshakeRequest, ReadResult, unknown> {
    const reader = new ByteReader(message, tooShort);
    const keyLen = this.#dh.dhLen;
    for (const token of this.#messages[this.#step]!) {
      if (token === 'e') {
        this.#re = reader.copy(keyLen);
        this.#ss.mixHash(this.#re);
        if (this.#psk) this.#ss.mixKey(this.#re);
      } else if (token === 's') {
        this.#rs = this.#ss.decryptAndHash(reader.copy(keyLen + (this.#ss.hasKey() ? TAG_LENGTH : 0)));
      } else if (token === 'psk') {
        this.#ss.mixKeyAndHash(required(this.#psk, 'psk'));
      } else {
        yield* this.#mixDh(token);
      }
    }
    const handshakeHashBeforePayload = this.#ss.handshakeHash;
    const payload = this.#ss.decryptAndHash(reader.copy(reader.remaining));
    return { payload, handshakeHashBeforePayload };
  }

  *#mixDh(token: DhToken): Generator<HandshakeRequest, void, unknown> {
    const { secretKey, publicKey } = this.#dhOperands(token);
    const shared = yield { kind: 'dh', token, secretKey, publicKey };
    if (!(shared instanceof Uint8Array) || shared.length !== this.#dh.dhLen) {
      throw fail('BAD_ARGUMENT', 'dh answer must be a Uint8Array of dhLen bytes');
    }
    // Checked here too, so a worker's raw DH cannot slip a low-order point through.
    if (isAllZero(shared)) throw fail('HANDSHAKE_FAILED', 'invalid DH public key');
    this.#ss.mixKey(shared);
    zero(shared);
  }

  /** es: initiator's e with responder's s; se: initiator's s with responder's e (spec §5.3). */
  #dhOperands(token: DhToken): { secretKey: Uint8Array; publicKey: Uint8Array } {
    const mine = (which: 'e' | 's') => required(which === 'e' ? this.#e : this.#s, which).secretKey;
    const theirs = (which: 'e' | 's') => required(which === 'e' ? this.#re : this.#rs, `r${which}`);
    const [initiatorKey, responderKey] = token.split('') as ['e' | 's', 'e' | 's'];
    return this.#initiator
      ? { secretKey: mine(initiatorKey), publicKey: theirs(responderKey) }
      : { secretKey: mine(responderKey), publicKey: theirs(initiatorKey) };
  }

  /** The smallest valid next message: keys, tags once a key exists, an empty payload. */
  #minLength(): number {
    let hasKey = this.#ss.hasKey();
    let length = 0;
    for (const token of this.#messages[this.#step]!) {
      if (token === 'e') {
        length += this.#dh.dhLen;
        if (this.#psk) hasKey = true;
      } else if (token === 's') length += this.#dh.dhLen + (hasKey ? TAG_LENGTH : 0);
      else hasKey = true;
    }
    return length + (hasKey ? TAG_LENGTH : 0);
  }

  #drive<T>(steps: Generator<HandshakeRequest, T, unknown>, payload: Uint8Array | undefined): T {
    let result = steps.next();
    while (!result.done) {
      let answer: unknown;
      try {
        answer = this.#answer(result.value, payload);
      } catch (err) {
        steps.throw(err); // lets the guard destroy the state, then rethrows err
        throw err;
      }
      result = steps.next(answer);
    }
    return result.value;
  }

  #answer(request: HandshakeRequest, payload: Uint8Array | undefined): unknown {
    switch (request.kind) {
      case 'dh':
        return this.#dh.dh(request.secretKey, request.publicKey);
      case 'ephemeral':
        return this.#dh.generateKeyPair();
      case 'payload':
        return payload;
    }
  }
}

function required<T>(value: T | null, what: string): T {
  // Unreachable for the table's patterns given the constructor's checks.
  if (value === null) throw fail('INTERNAL', `handshake needs ${what}, which is missing`);
  return value;
}
