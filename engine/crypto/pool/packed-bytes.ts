// One ArrayBuffer per batch: the pool transfers it whole, and callers get views into it.

/** Slots start on 16-byte boundaries: noble's ChaCha XOR runs word-wise only on aligned output. */
const ALIGN = 16;

const alignUp = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/** Carves zero-filled slots of the given lengths out of one fresh ArrayBuffer. */
export function carve(lengths: readonly number[]): Uint8Array[] {
  let size = 0;
  for (const n of lengths) size = alignUp(size) + n;
  const buffer = new ArrayBuffer(size);
  const slots: Uint8Array[] = new Array(lengths.length);
  let at = 0;
  for (let i = 0; i < lengths.length; i++) {
    at = alignUp(at);
    slots[i] = new Uint8Array(buffer, at, lengths[i]);
    at += lengths[i]!;
  }
  return slots;
}

/** Copies the parts into one fresh buffer (the one copy a hand-off to the pool needs). */
export function packCopies(parts: readonly Uint8Array[]): Uint8Array[] {
  const slots = carve(parts.map((p) => p.length));
  for (let i = 0; i < parts.length; i++) slots[i]!.set(parts[i]!);
  return slots;
}

/** The distinct ArrayBuffers behind some views: the transfer list for a message carrying them. */
export function buffersOf(views: readonly Uint8Array[]): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  for (const v of views) seen.add(v.buffer as ArrayBuffer);
  return [...seen];
}
