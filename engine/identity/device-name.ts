// The one rule for device names, whatever the source: the handshake payload, a TXT record, the
// trust file, the VS Code settings, the CLI. The exact rule is docs/protocol.md section 3.3.1; this
// file is its only implementation. Received names that break it are refused (handshake, trust
// file) or sanitized where the source is only a hint (mDNS TXT, our own host name).

import { ErrorCodes, MemCloudError } from '../errors';

declare const deviceNameBrand: unique symbol;
/** A string that passed the rule below (only this module creates one). */
export type DeviceName = string & { readonly [deviceNameBrand]: true };

export const MAX_DEVICE_NAME_BYTES = 64;
/** Combining marks allowed in a row (scripts stack two or three; "zalgo" text stacks dozens). */
export const MAX_COMBINING_RUN = 4;

// Controls (C0, DEL, C1), format characters (bidi overrides and isolates, zero-width characters,
// soft hyphen, ...), surrogates, private use, every space but U+0020 (incl. line and paragraph
// separators), brackets and parentheses of any script, and < >.
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}\p{Ps}\p{Pe}<>]|(?! )\p{Zs}/u;
/** Letters that render as nothing (Hangul fillers, braille blank) and the combining grapheme joiner. */
const INVISIBLE = /[\u115F\u1160\u3164\uFFA0\u2800\u034F]/u;
const NONCHARACTER = /[\uFDD0-\uFDEF\uFFFE\uFFFF]|[\u{1FFFE}\u{1FFFF}\u{2FFFE}\u{2FFFF}\u{3FFFE}\u{3FFFF}\u{4FFFE}\u{4FFFF}\u{5FFFE}\u{5FFFF}\u{6FFFE}\u{6FFFF}\u{7FFFE}\u{7FFFF}\u{8FFFE}\u{8FFFF}\u{9FFFE}\u{9FFFF}\u{AFFFE}\u{AFFFF}\u{BFFFE}\u{BFFFF}\u{CFFFE}\u{CFFFF}\u{DFFFE}\u{DFFFF}\u{EFFFE}\u{EFFFF}\u{FFFFE}\u{FFFFF}\u{10FFFE}\u{10FFFF}]/u;
const MARK = /\p{M}/u;
const BRACKET = /[\p{Ps}\p{Pe}<>]/u;
/**
 * Four groups of four ASCII letters or digits joined by a dash or a space, standing alone: the
 * shape of a fingerprint (section 3.3.1, rule N8 adds: with at least one digit). The shape is
 * matched inside a lookahead, so the match itself is empty and the scan moves on by one character,
 * not past the shape: candidates overlap. `ABCD-EFGH-IJKL-MNOP-1234` is refused through
 * `EFGH-IJKL-MNOP-1234` even though the first candidate, `ABCD-EFGH-IJKL-MNOP`, has no digit.
 */
const FINGERPRINT_SHAPE = /(?<![0-9A-Za-z])(?=([0-9A-Za-z]{4}(?:[\-\u2010-\u2015\u2212 ][0-9A-Za-z]{4}){3})(?![0-9A-Za-z]))/g;

/**
 * Printable ASCII but ( ) [ ] { } < >: the names nearly every device has. For these the rule needs
 * no Unicode tables (NFC and NFKC leave ASCII as it is; no ASCII character is a mark, a format
 * character or a space but U+0020), so deviceNameProblem checks them without normalising or
 * walking code points: ~1 µs instead of ~10-40 on every handshake payload (docs/performance.md).
 */
const PLAIN_ASCII = /^[\x20-\x27\x2a-\x3b\x3d\x3f-\x5a\x5c\x5e-\x7a\x7c\x7e]+$/;
/** The shortest text FINGERPRINT_SHAPE matches: four groups of four and three separators. */
const FINGERPRINT_SHAPE_LENGTH = 19;

/** True when this one code point may not appear in a device name (rules N4-N6 of section 3.3.1). */
export function isForbiddenInName(ch: string): boolean {
  if (FORBIDDEN.test(ch) || INVISIBLE.test(ch) || NONCHARACTER.test(ch)) return true;
  const compat = ch.normalize('NFKC');
  // A compatibility form such as U+2474 PARENTHESIZED DIGIT ONE carries brackets too.
  return compat !== ch && BRACKET.test(compat);
}

/** Text shaped like a fingerprint, e.g. `7K3Q-MX2A-P9RT-4WZC`, in the name or its NFKC form (rule N8). */
export function containsFingerprintShape(name: string): boolean {
  return hasFingerprintShape(name) || hasFingerprintShape(name.normalize('NFKC'));
}

function hasFingerprintShape(text: string): boolean {
  return text.length >= FINGERPRINT_SHAPE_LENGTH && [...text.matchAll(FINGERPRINT_SHAPE)].some((m) => /[0-9]/.test(m[1]!));
}

/** Whether `name` is plain ASCII (see PLAIN_ASCII) and valid: the common case, without Unicode work. */
function isValidPlainAscii(name: string): boolean {
  return (
    name.length <= MAX_DEVICE_NAME_BYTES &&
    PLAIN_ASCII.test(name) &&
    name.charCodeAt(0) !== 0x20 &&
    name.charCodeAt(name.length - 1) !== 0x20 &&
    !hasFingerprintShape(name)
  );
}

function describeCodePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Undefined when `name` is a valid device name; otherwise what is wrong, in words (never echoing it). */
export function deviceNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'must be text';
  if (name.length === 0) return 'must not be empty';
  return isValidPlainAscii(name) ? undefined : unicodeNameProblem(name);
}

/** The rule of section 3.3.1 for any non-empty string, code point by code point (exported for tests). */
export function unicodeNameProblem(name: string): string | undefined {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_DEVICE_NAME_BYTES) return `must be at most ${MAX_DEVICE_NAME_BYTES} bytes of UTF-8 (it has ${bytes})`;
  if (name !== name.normalize('NFC')) return 'must be in Unicode normalization form C (NFC)';
  if (name.startsWith(' ') || name.endsWith(' ')) return 'must not begin or end with a space';
  let run = 0;
  let first = true;
  for (const ch of name) {
    if (isForbiddenInName(ch)) {
      const what = BRACKET.test(ch.normalize('NFKC')) ? 'a bracket or parenthesis' : 'an invisible, control or format character';
      return `must not contain ${what} (${describeCodePoint(ch)})`;
    }
    if (MARK.test(ch)) {
      if (first) return 'must not begin with a combining mark';
      if (++run > MAX_COMBINING_RUN) return `must not stack more than ${MAX_COMBINING_RUN} combining marks`;
    } else run = 0;
    first = false;
  }
  if (containsFingerprintShape(name)) return 'must not contain text shaped like a fingerprint (four groups of four letters or digits)';
  return undefined;
}

export function isDeviceName(name: unknown): name is DeviceName {
  return deviceNameProblem(name) === undefined;
}

/** A name received from a peer or read from a file, exactly as it came: valid, or an error. */
export function parseDeviceName(name: unknown, code: MemCloudError['code'] = ErrorCodes.BAD_ARGUMENT): DeviceName {
  const problem = deviceNameProblem(name);
  if (problem !== undefined) throw new MemCloudError(code, `the device name ${problem}`);
  return name as DeviceName;
}

/** A name a person typed (settings, CLI, rename): brought to NFC first, then held to the rule. */
export function deviceNameFromInput(text: string): DeviceName {
  return parseDeviceName(typeof text === 'string' ? text.normalize('NFC') : text);
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Makes a usable name out of a hint (an mDNS TXT name, the host name): forbidden characters are
 * dropped (invisible ones) or become spaces, spaces collapse, stacked marks are cut, and the result
 * is cut to 64 bytes on a character boundary. Undefined when nothing valid is left.
 */
export function sanitizeDeviceName(raw: string): DeviceName | undefined {
  if (typeof raw !== 'string') return undefined;
  let out = '';
  let run = 0;
  for (const ch of raw.normalize('NFC')) {
    if (isForbiddenInName(ch)) {
      if (!/[\p{Cf}]/u.test(ch) && !INVISIBLE.test(ch)) out += ' ';
      run = 0;
      continue;
    }
    if (MARK.test(ch)) {
      if (out === '' || out.endsWith(' ') || ++run > MAX_COMBINING_RUN) continue;
    } else run = 0;
    out += ch;
  }
  out = out.replace(/ {2,}/g, ' ').trim();
  let cut = '';
  for (const { segment } of graphemes.segment(out)) {
    if (Buffer.byteLength(cut + segment, 'utf8') > MAX_DEVICE_NAME_BYTES) break;
    cut += segment;
  }
  cut = cut.trim().normalize('NFC');
  return isDeviceName(cut) ? cut : undefined;
}

/** The name given to a device whose own name cannot be used: `device-7k3q` from its fingerprint. */
export function generatedDeviceName(fingerprint: string): DeviceName {
  const stem = fingerprint.replace(/[^0-9A-Za-z]/g, '').slice(0, 4).toLowerCase();
  return parseDeviceName(`device-${stem || 'unnamed'}`, ErrorCodes.INTERNAL);
}

/** A name that can be stored for this device: its own when valid, else the generated one. */
export function storableDeviceName(name: unknown, fingerprint: string): DeviceName {
  return isDeviceName(name) ? name : (sanitizeDeviceName(typeof name === 'string' ? name : '') ?? generatedDeviceName(fingerprint));
}
