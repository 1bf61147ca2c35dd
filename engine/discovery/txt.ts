// The TXT record of a MemCloud advertisement (RFC 6763 §6): key=value strings.
//   v=<protocol version>  pk=<public key, base64url>  fp=<fingerprint of pk>
//   name=<display name, UTF-8>  offer=<bytes offered>
// Everything received here is an untrusted hint: the Noise handshake is what authenticates a peer.

import { decodeBase64urlExact } from '../identity/base64url';
import { sanitizeDeviceName } from '../identity/device-name';
import { fingerprint, isFingerprint } from '../identity/fingerprint';
import { PUBLIC_KEY_BYTES } from '../identity/public-key';
import { advertisedName } from '../text/peer-text';

export interface TxtFields {
  readonly publicKey: string;
  readonly name: string;
  readonly fingerprint: string;
  readonly protocolVersion: number;
  readonly offeredBytes: number;
}

/** Entries looked at in one TXT record; a real one has five. */
const MAX_TXT_ENTRIES = 32;
const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A received display name, made to follow the device-name rule (docs/protocol.md section 3.3.1):
 * a TXT record is only a hint, so a name that breaks the rule is sanitized rather than refused, and
 * replaced by one generated from the fingerprint when nothing usable is left.
 */
export function sanitizeReceivedName(raw: string, fp: string): string {
  return advertisedName(raw, fp);
}

/** Our own display name made publishable by the same rule; undefined if nothing is left. */
export function sanitizeOwnName(raw: string): string | undefined {
  return sanitizeDeviceName(raw);
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
  const name = sanitizeReceivedName(rawName, fp);
  return { publicKey, name, fingerprint: fp, protocolVersion, offeredBytes };
}
