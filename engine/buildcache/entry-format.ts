// How one build-cache entry is laid out as bytes (in the pool, and as a Redis value upstream):
//
//   entry  = magic "MCB1" || metaLength:u16 (big-endian) || meta || payload
//   meta   = UTF-8 JSON {"h": {header-name: value, ...}}   (at most 8 KiB)
//
// `h` holds the response headers stored with the entry (Turborepo's x-artifact-*, a content type),
// returned exactly as they were received. The payload is the body the build tool uploaded.

import { and, is, obj, record, rule, SchemaError, type Infer } from '../api/schema';
import { ByteReader, BytesErrorCode, GrowableWriter, type BytesErrorFactory } from '../wire/bytes';

const MAGIC = Buffer.from('MCB1', 'latin1');
export const ENTRY_PREFIX_BYTES = MAGIC.length + 2;
export const MAX_META_BYTES = 8 * 1024;

export type StoredHeaders = Readonly<Record<string, string>>;

export class EntryFormatError extends Error {
  override readonly name = 'EntryFormatError';
}

export function encodeEntryHeader(headers: StoredHeaders): Buffer {
  const meta = Buffer.from(JSON.stringify({ h: headers }), 'utf8');
  if (meta.length > MAX_META_BYTES) throw new EntryFormatError(`the stored headers take ${meta.length} bytes, more than ${MAX_META_BYTES}`);
  const w = new GrowableWriter(ENTRY_PREFIX_BYTES + meta.length);
  w.bytes(MAGIC);
  w.u16(meta.length);
  w.bytes(meta);
  return w.take();
}

const headerName = is((k): k is string => typeof k === 'string' && isHeaderName(k), 'a header name');
const headerValue = is((v): v is string => typeof v === 'string' && isHeaderValue(v), 'a header value');
const NO_HEADERS = 'entry header has no headers object';

/** meta: {"h": {header-name: value, ...}}; other fields are tolerated (a newer writer may add some). */
const entryMeta = and(
  rule(obj({}), NO_HEADERS),
  obj({ h: and(rule(obj({}), NO_HEADERS), rule(record(headerValue, headerName), 'entry header holds an invalid header')) }),
);

/** What a refusal of the reader means for an entry: too few bytes, or meta that is not UTF-8. */
const readFail: BytesErrorFactory = (code) => new EntryFormatError(code === BytesErrorCode.NOT_UTF8 ? 'entry header is not JSON' : 'truncated entry header');

export interface DecodedHeader {
  readonly headers: StoredHeaders;
  /** Bytes of the entry taken by the header: the payload starts here. */
  readonly length: number;
}

/** The header at the start of `bytes`, which must hold all of it (the first 1 MiB chunk always does). */
export function decodeEntryHeader(bytes: Uint8Array): DecodedHeader {
  if (bytes.length < ENTRY_PREFIX_BYTES || !MAGIC.equals(bytes.subarray(0, MAGIC.length))) throw new EntryFormatError('not a build-cache entry');
  const r = new ByteReader(bytes, readFail, 'entry header');
  r.view(MAGIC.length);
  const metaLength = r.u16();
  if (metaLength > MAX_META_BYTES) throw new EntryFormatError('truncated entry header');
  const text = r.utf8(metaLength); // strict UTF-8: we only ever write what JSON.stringify gives
  let meta: Infer<typeof entryMeta>;
  try {
    meta = entryMeta(JSON.parse(text), 'meta');
  } catch (err) {
    if (err instanceof SyntaxError) throw new EntryFormatError('entry header is not JSON');
    if (err instanceof SchemaError) throw new EntryFormatError(err.rule ?? err.message);
    throw err;
  }
  const headers = meta.h;
  return { headers, length: r.offset };
}

/** A lowercase HTTP token (RFC 9110), as Node gives request header names. */
export function isHeaderName(name: string): boolean {
  return /^[a-z0-9!#$%&'*+.^_`|~-]{1,64}$/.test(name);
}

/** Visible ASCII and spaces only: nothing that could split a response or smuggle a header. */
export function isHeaderValue(value: string): boolean {
  return value.length <= 1024 && /^[\x20-\x7e]*$/.test(value);
}
