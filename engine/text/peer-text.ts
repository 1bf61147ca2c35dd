// Text that came from a peer: a device name in its handshake payload or mDNS TXT record, or the
// message of an error reply. It is created only here, by the validators each boundary calls, and
// shown only through display-text.ts, which escapes it for the place it is shown. Everything a peer
// sends is hostile: it never becomes markup, a link, a command or a terminal escape.

import { ErrorCodes } from '../errors';
import { generatedDeviceName, parseDeviceName, sanitizeDeviceName, type DeviceName } from '../identity/device-name';

declare const peerTextBrand: unique symbol;
/** Text received from a peer, validated or sanitized at the boundary it crossed. */
export type PeerText = string & { readonly [peerTextBrand]: true };

/** Error reply messages are at most this many bytes of UTF-8 (docs/protocol.md section 7.1). */
export const MAX_PEER_MESSAGE_BYTES = 512;

/** The name in a handshake payload: valid by the rule of section 3.3.1, or FRAME_MALFORMED. */
export function receivedName(raw: unknown): PeerText & DeviceName {
  return parseDeviceName(raw, ErrorCodes.FRAME_MALFORMED) as PeerText & DeviceName;
}

/**
 * The name in an advertisement (only a hint, the handshake authenticates): sanitized by the same
 * rule, or the name generated from the fingerprint when nothing usable is left.
 */
export function advertisedName(raw: string, fingerprint: string): PeerText & DeviceName {
  return (sanitizeDeviceName(raw) ?? generatedDeviceName(fingerprint)) as PeerText & DeviceName;
}

// Controls, format characters (bidi, zero-width), line/paragraph separators, lone surrogates.
const UNSHOWABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]+/gu;

/**
 * A peer's free text (an error reply's message): controls, format and separator characters become
 * one space, whitespace runs collapse, and it is cut to 512 bytes on a character boundary.
 */
export function receivedMessage(raw: string): PeerText {
  let text = String(raw).replace(UNSHOWABLE, ' ').replace(/\s+/gu, ' ').trim();
  if (Buffer.byteLength(text, 'utf8') > MAX_PEER_MESSAGE_BYTES) {
    let cut = '';
    for (const ch of text) {
      if (Buffer.byteLength(cut + ch, 'utf8') > MAX_PEER_MESSAGE_BYTES - 3) break;
      cut += ch;
    }
    text = `${cut}...`;
  }
  return text as PeerText;
}
