// One direction's transport keys (docs/protocol.md section 5.2): records with nonce n use
// REKEY applied floor(n / interval) times to the key from Split(). Keys only move forward and the
// old one is zeroed.

import type { Aead } from '../crypto/aead/aead';

export class KeySchedule {
  private key: Uint8Array;
  private epoch = 0;

  constructor(
    private readonly aead: Aead,
    key: Uint8Array,
    readonly interval: number,
  ) {
    if (!Number.isSafeInteger(interval) || interval < 1) throw new RangeError('rekey interval must be a positive integer');
    this.key = key;
  }

  /** The key for nonce n; n must not go backwards across an epoch. */
  keyFor(nonce: number): Uint8Array {
    const epoch = Math.floor(nonce / this.interval);
    if (epoch < this.epoch) throw new Error('nonce went backwards across a rekey');
    while (this.epoch < epoch) {
      const next = this.aead.rekey(this.key);
      this.key.fill(0);
      this.key = next;
      this.epoch++;
    }
    return this.key;
  }

  /** How many nonces starting at n share n's key. */
  remainingInEpoch(nonce: number): number {
    return this.interval - (nonce % this.interval);
  }

  destroy(): void {
    this.key.fill(0);
  }
}
