// Strict base64url (RFC 4648 §5, no padding). Buffer's decoder silently skips bad characters,
// which is wrong for keys read from files and command lines, so decoding checks first.

const BASE64URL_CHARS = /^[A-Za-z0-9_-]*$/;

export function encodeBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Decode unpadded base64url, or return undefined if `text` is not the canonical encoding of
 * exactly `length` bytes (wrong alphabet, wrong length, or non-zero trailing bits).
 */
export function decodeBase64urlExact(text: string, length: number): Uint8Array | undefined {
  if (text.length !== Math.ceil((length * 4) / 3) || !BASE64URL_CHARS.test(text)) return undefined;
  const buf = Buffer.from(text, 'base64url');
  if (buf.length !== length || buf.toString('base64url') !== text) return undefined;
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
