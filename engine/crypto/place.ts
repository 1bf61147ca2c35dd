// Where each backend's crypto runs: the one placement decision, from measurements
// (docs/performance.md, "Where crypto runs"). A piscina round trip costs ~60-100 us plus a copy of
// the batch each way; work cheaper than that stays on the engine thread.

import type { CryptoBackendName } from './backend-name';

export interface Placement {
  /** Handshake X25519/Ed25519 operations: on the engine thread, or in the pool. */
  readonly asym: 'inline' | 'pool';
  /** Record batches of at least this many bytes are sealed and opened in the pool; Infinity = never. */
  readonly recordPoolMinBytes: number;
  /** Owner-sealed blocks (data/block-seal.ts) of at least this many bytes are sealed and opened in the pool; Infinity = never. */
  readonly blockPoolMinBytes: number;
  /**
   * Owner-sealed blocks of at most `maxBytes` are sealed and opened with this backend's AEAD instead
   * (the same bytes; crypto/small-block-aead.ts), loaded on first use; null = the node's own for all.
   */
  readonly smallBlocks?: { readonly backend: CryptoBackendName; readonly maxBytes: number } | null;
}

export const PLACEMENT: Readonly<Record<CryptoBackendName, Placement>> = {
  // X25519/Ed25519 in 50-150 us and 64 KiB sealed in ~50 us: inline beat the pool at every batch size.
  // Small blocks: node:crypto's five calls per AEAD cost ~7 us whatever the size; libsodium's one
  // WebAssembly call seals 1 KiB in ~4 us and opens it in ~5 (native ~8 and ~7); at 2 KiB they are
  // even, above it native's cipher is faster (docs/performance.md, "Sealed blocks").
  native: { asym: 'inline', recordPoolMinBytes: Infinity, blockPoolMinBytes: Infinity, smallBlocks: { backend: 'portable', maxBytes: 1536 } },
  // X25519 ~100 us, Ed25519 40-130 us, 64 KiB sealed in ~150 us. Blocks inline too: a 1 MiB stream
  // chunk in the pool cost the owner 17.0-17.2 ms of CPU per MiB pushed against 12.3-12.9 inline
  // (the copies into and out of the pool thread), and the push went slower, not faster.
  portable: { asym: 'inline', recordPoolMinBytes: Infinity, blockPoolMinBytes: Infinity, smallBlocks: null },
  // ~1 ms per X25519/Ed25519 operation and ~150 MB/s sealing: both would hold the event loop.
  // A 1 MiB block (a stream chunk) takes ~10 ms to seal: in the pool the engine thread sends the
  // previous chunk meanwhile, and its event loop stays free.
  // Small blocks stay on noble: it runs where WebAssembly cannot start.
  noble: { asym: 'pool', recordPoolMinBytes: 64 * 1024, blockPoolMinBytes: 64 * 1024, smallBlocks: null },
};

/** Whether a backend sends any work to the pool (otherwise no pool thread is started at all). */
export function usesPool(name: CryptoBackendName): boolean {
  const p = PLACEMENT[name];
  return p.asym === 'pool' || p.recordPoolMinBytes !== Infinity || p.blockPoolMinBytes !== Infinity;
}
