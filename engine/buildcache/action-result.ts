// The CAS blobs a Bazel action result (REAPI v2 ActionResult, protocol buffers) points at, read
// without a protobuf library: only the few fields that hold digests are decoded.
//
//   ActionResult:    2 output_files (OutputFile), 3 output_directories (OutputDirectory),
//                    6 stdout_digest (Digest), 8 stderr_digest (Digest)
//   OutputFile:      2 digest (Digest), 5 contents (bytes: inlined, then the digest need not be in the CAS)
//   OutputDirectory: 3 tree_digest (Digest)
//   Digest:          1 hash (string), 2 size_bytes (int64)

export interface BlobDigest {
  readonly hash: string;
  readonly size: number;
}

export class ProtobufError extends Error {
  override readonly name = 'ProtobufError';
}

interface Field {
  readonly number: number;
  /** Length-delimited fields only. */
  readonly bytes?: Uint8Array;
  readonly varint?: number;
}

function* fields(buf: Uint8Array): Generator<Field> {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw new ProtobufError('truncated varint');
      const b = buf[pos++]!;
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new ProtobufError('varint too long');
  };
  while (pos < buf.length) {
    const key = varint();
    const number = Math.floor(key / 8);
    const wire = key % 8;
    if (number === 0) throw new ProtobufError('field number 0');
    switch (wire) {
      case 0:
        yield { number, varint: varint() };
        break;
      case 1:
        pos += 8;
        break;
      case 2: {
        const len = varint();
        if (len > buf.length - pos) throw new ProtobufError('length past the end');
        yield { number, bytes: buf.subarray(pos, pos + len) };
        pos += len;
        break;
      }
      case 5:
        pos += 4;
        break;
      default:
        throw new ProtobufError(`wire type ${wire}`);
    }
    if (pos > buf.length) throw new ProtobufError('truncated field');
  }
}

function digest(buf: Uint8Array): BlobDigest {
  let hash = '';
  let size = 0;
  for (const f of fields(buf)) {
    if (f.number === 1 && f.bytes) hash = Buffer.from(f.bytes).toString('utf8');
    else if (f.number === 2 && f.varint !== undefined) size = f.varint;
  }
  return { hash, size };
}

function nested(buf: Uint8Array, digestField: number, inlineField?: number): BlobDigest | undefined {
  let found: BlobDigest | undefined;
  let inlined = false;
  for (const f of fields(buf)) {
    if (f.number === digestField && f.bytes) found = digest(f.bytes);
    else if (f.number === inlineField && f.bytes && f.bytes.length > 0) inlined = true;
  }
  return inlined ? undefined : found;
}

/** The CAS blobs an action result needs (empty blobs are never fetched, so they are left out). */
export function referencedBlobs(actionResult: Uint8Array): BlobDigest[] {
  const out: BlobDigest[] = [];
  for (const f of fields(actionResult)) {
    if (!f.bytes) continue;
    let d: BlobDigest | undefined;
    if (f.number === 2) d = nested(f.bytes, 2, 5);
    else if (f.number === 3) d = nested(f.bytes, 3);
    else if (f.number === 6 || f.number === 8) d = digest(f.bytes);
    if (d && d.size > 0) out.push(d);
  }
  return out;
}
