// How a decoded body hands out its bytes (values, blocks, stream chunks). A body lying inside a
// shared socket chunk must not be kept as a plain view by someone who holds on to it for long:
// it would pin the whole chunk (up to 64 KiB).
//
// - The server passes views to the engine: the engine copies what it keeps (the block store
//   copies any view whose backing buffer is much larger, see retainBlockData), and most data is
//   encrypted into new buffers on its way to a peer anyway. No copy on the hot path.
// - The client gives results to application code, which may keep them: small values are copied
//   into shared 8 KiB slabs, the policy of Node's own Buffer pool (one allocation per slab, not
//   per value); larger ones get an exact-size copy.

/** Returns bytes the receiver may keep, given a view into a shared chunk. */
export type ByteCopier = (view: Uint8Array) => Uint8Array;

export const shareView: ByteCopier = (view) => view;

const SLAB_SIZE = 8 * 1024;
const POOLED_MAX = SLAB_SIZE >>> 1;

export function pooledCopier(): ByteCopier {
  let slab = new ArrayBuffer(SLAB_SIZE);
  let offset = 0;
  return (view) => {
    const n = view.length;
    if (n >= POOLED_MAX) return new Uint8Array(view);
    if (SLAB_SIZE - offset < n) {
      slab = new ArrayBuffer(SLAB_SIZE);
      offset = 0;
    }
    const out = new Uint8Array(slab, offset, n);
    out.set(view);
    // Keep the next value 8-byte aligned, as Node's pool does.
    offset = (offset + n + 7) & ~7;
    return out;
  };
}
