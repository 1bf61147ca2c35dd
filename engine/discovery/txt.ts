// The TXT record of a MemCloud advertisement (RFC 6763 §6): key=value strings.
//   v=<protocol version>  pk=<public key, base64url>  fp=<fingerprint of pk>
//   name=<display name, UTF-8>  offer=<bytes offered>
// Everything received here is an untrusted hint: the Noise handshake is what authenticates a peer.

import { decodeBase64urlExact } from '../identity/base64url';
import { fingerprint, isFingerprint } from '../identity/fingerprint';
import { PUBLIC_KEY_BYTES } from '../identity/public-key';

export interface TxtFields {
  readonly publicKey: string;
  readonly name: string;
  readonly fingerprint: string;
  readonly protocolVersion: number;
  readonly offeredBytes: number;
}

export const MAX_NAME_CHARS = 64;
/** A TXT string is at most 255 bytes; `name=` takes 5 of them. */
const MAX_NAME_BYTES = 250;
/** Entries looked at in one TXT record; a real one has five. */
const MAX_TXT_ENTRIES = 32;

// C0/C1 controls, DEL, line/paragraph separators and the bidirectional overrides that can make a
// name display as something else.
const UNSAFE_NAME_CHARS = /[\p{Cc}\p{Zl}\p{Zp}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A received display name, or undefined if it is unusable: control or bidi characters, empty,
 * or longer than 64 characters. Leading/trailing whitespace is dropped and the form normalised.
 */
export function sanitizeReceivedName(raw: string): string | undefined {
  if (UNSAFE_NAME_CHARS.test(raw)) return undefined;
  const name = raw.normalize('NFC').trim();
  const chars = [...name].length;
  if (chars < 1 || chars > MAX_NAME_CHARS) return undefined;
  return name;
}

/**
 * Our own display name made publishable: unsafe characters become spaces, then it is trimmed and
 * cut to 64 characters and 250 UTF-8 bytes. Undefined if nothing is left.
 */
export function sanitizeOwnName(raw: string): string | undefined {
  const cleaned = raw.normalize('NFC').replace(new RegExp(UNSAFE_NAME_CHARS.source, 'gu'), ' ').trim();
  let out = '';
  let bytes = 0;
  for (const ch of [...cleaned].slice(0, MAX_NAME_CHARS)) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > MAX_NAME_BYTES) break;
    out += ch;
    bytes += n;
  }
  out = out.trim();
  return out.length > 0 ? out : undefined;
}

export function isPublicKeyText(text: string): boolean {
  return decodeBase64urlExact(text, PUBLIC_KEY_BYTES) !== undefined;
}

export function encodeTxt(f: TxtFields): string[] {
  return [`v=${f.protocolVersion}`, `pk=${f.publicKey}`, `fp=${f.fingerprint}`, `name=${f.name}`, `offer=${f.offeredBytes}`];
}

function parseDecimal(text: string | undefined, max: number): number | undefined {
  if (text === undefined || !DECIMAL.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n <= max ? n : undefined;
}

/** Key/value pairs of a TXT record; the first occurrence of a key wins (RFC 6763 §6.4). */
function txtEntries(data: unknown): Map<string, Uint8Array> | undefined {
  const items = Array.isArray(data) ? data : [data];
  const out = new Map<string, Uint8Array>();
  for (const item of items.slice(0, MAX_TXT_ENTRIES)) {
    let bytes: Uint8Array;
    if (item instanceof Uint8Array) bytes = item;
    else if (typeof item === 'string') bytes = Buffer.from(item, 'utf8');
    else return undefined;
    const eq = bytes.indexOf(0x3d); // '='
    if (eq <= 0) continue; // boolean attribute or empty key: nothing we use
    const key = Buffer.from(bytes.subarray(0, eq)).toString('latin1').toLowerCase();
    if (!out.has(key)) out.set(key, bytes.subarray(eq + 1));
  }
  return out;
}

function text(entries: Map<string, Uint8Array>, key: string): string | undefined {
  const v = entries.get(key);
  if (v === undefined) return undefined;
  try {
    return utf8.decode(v);
  } catch {
    return undefined;
  }
}

/**
 * Validate the TXT data of a received advertisement (as decoded: an array of byte strings).
 * Returns undefined for anything missing, malformed or inconsistent (fp must be pk's fingerprint).
 */
export function parseTxt(data: unknown): TxtFields | undefined {
  const entries = txtEntries(data);
  if (entries === undefined) return undefined;
  const publicKey = text(entries, 'pk');
  const fp = text(entries, 'fp');
  const rawName = text(entries, 'name');
  const protocolVersion = parseDecimal(text(entries, 'v'), 0xffff);
  const offeredBytes = parseDecimal(text(entries, 'offer'), Number.MAX_SAFE_INTEGER);
  if (publicKey === undefined || fp === undefined || rawName === undefined) return undefined;
  if (protocolVersion === undefined || protocolVersion < 1 || offeredBytes === undefined) return undefined;
  const key = decodeBase64urlExact(publicKey, PUBLIC_KEY_BYTES);
  if (key === undefined || !isFingerprint(fp) || fingerprint(key) !== fp) return undefined;
  const name = sanitizeReceivedName(rawName);
  if (name === undefined) return undefined;
  return { publicKey, name, fingerprint: fp, protocolVersion, offeredBytes };
}
