// The validated entry for HandshakeState's options: the pattern exists, each key is present
// exactly when the pattern needs it and has the DH length, and the caller's keys are copied so
// zeroing ours never touches theirs.

import { ErrorCodes, MemCloudError } from '../../errors';
import { MAX_NOISE_MESSAGE } from '../constants';
import { copyBytes } from './bytes';
import type { NoiseCipher } from './cipher';
import type { KeyPair, NoiseDH } from './dh';
import type { NoiseHash } from './hash';
import { HANDSHAKE_PATTERNS, isPatternName, usesLocalStatic, usesPsk, type HandshakePattern, type PatternName } from './patterns';

/** Spec §9: a psk is 32 bytes. */
const PSK_LENGTH = 32;

/** The Noise limit on any handshake or transport message (spec §3). */
export const NOISE_MAX_MESSAGE_LENGTH = MAX_NOISE_MESSAGE;

export interface HandshakeOptions {
  pattern: PatternName;
  initiator: boolean;
  prologue: Uint8Array;
  hash: NoiseHash;
  cipher: NoiseCipher;
  dh: NoiseDH;
  /** Local static key pair; copied. Required exactly when the pattern uses it. */
  s?: KeyPair;
  /** Preset local ephemeral (test vectors); copied. Otherwise one is requested when needed. */
  e?: KeyPair;
  /** Remote static public key known in advance; required exactly when the pattern says so. */
  rs?: Uint8Array;
  /** Remote ephemeral public key known in advance (pre-message e); same rule. */
  re?: Uint8Array;
  /** Pre-shared key of a PSK pattern (32 bytes); copied. Required exactly when the pattern has psk. */
  psk?: Uint8Array;
  /** Default and maximum: 65535. */
  maxMessageLength?: number;
}

export interface ResolvedOptions {
  pattern: HandshakePattern;
  maxMessageLength: number;
  s: KeyPair | null;
  e: KeyPair | null;
  rs: Uint8Array | null;
  re: Uint8Array | null;
  psk: Uint8Array | null;
}

function bad(message: string): MemCloudError {
  return new MemCloudError(ErrorCodes.BAD_ARGUMENT, message);
}

export function resolveOptions(opts: HandshakeOptions): ResolvedOptions {
  const { pattern: name, initiator, prologue, dh } = opts;
  if (typeof name !== 'string' || !isPatternName(name)) throw bad('unknown handshake pattern');
  if (typeof initiator !== 'boolean') throw bad('options.initiator must be a boolean');
  if (!(prologue instanceof Uint8Array)) throw bad('options.prologue must be a Uint8Array');
  const maxMessageLength = opts.maxMessageLength ?? NOISE_MAX_MESSAGE_LENGTH;
  if (!Number.isInteger(maxMessageLength) || maxMessageLength < 1 || maxMessageLength > NOISE_MAX_MESSAGE_LENGTH) {
    throw bad('options.maxMessageLength must be an integer in 1..65535');
  }
  const pattern = HANDSHAKE_PATTERNS[name];
  const localPre = initiator ? pattern.initiatorPre : pattern.responderPre;
  const remotePre = initiator ? pattern.responderPre : pattern.initiatorPre;
  const keyLen = dh.dhLen;
  const e = opts.e === undefined ? null : copyKeyPair(opts.e, 'options.e', keyLen);
  if (localPre.includes('e') && e === null) throw bad('options.e is required by this pattern');
  return {
    pattern,
    maxMessageLength,
    s: optionalKeyPair(opts.s, usesLocalStatic(pattern, initiator), 's', keyLen),
    e,
    rs: optionalKey(opts.rs, remotePre.includes('s'), 'rs', keyLen),
    re: optionalKey(opts.re, remotePre.includes('e'), 're', keyLen),
    psk: optionalKey(opts.psk, usesPsk(pattern), 'psk', PSK_LENGTH),
  };
}

/** Also checks the KeyPair a driver answers an 'ephemeral' request with. */
export function checkKeyPair(value: unknown, what: string, keyLen: number): KeyPair {
  const pair = value as Partial<KeyPair> | null;
  if (
    typeof pair !== 'object' || pair === null ||
    !(pair.publicKey instanceof Uint8Array) || pair.publicKey.length !== keyLen ||
    !(pair.secretKey instanceof Uint8Array) || pair.secretKey.length !== keyLen
  ) {
    throw bad(`${what} must be a key pair of ${keyLen}-byte keys`);
  }
  return pair as KeyPair;
}

function copyKeyPair(value: unknown, what: string, keyLen: number): KeyPair {
  const pair = checkKeyPair(value, what, keyLen);
  return { publicKey: copyBytes(pair.publicKey), secretKey: copyBytes(pair.secretKey) };
}

function optionalKeyPair(value: KeyPair | undefined, needed: boolean, what: string, keyLen: number): KeyPair | null {
  if (needed !== (value !== undefined)) throw bad(`options.${what} is ${needed ? 'required' : 'not used'} by this pattern`);
  return value === undefined ? null : copyKeyPair(value, `options.${what}`, keyLen);
}

function optionalKey(value: Uint8Array | undefined, needed: boolean, what: string, keyLen: number): Uint8Array | null {
  if (needed !== (value !== undefined)) throw bad(`options.${what} is ${needed ? 'required' : 'not used'} by this pattern`);
  if (value === undefined) return null;
  if (!(value instanceof Uint8Array) || value.length !== keyLen) throw bad(`options.${what} must be ${keyLen} bytes`);
  return copyBytes(value);
}
