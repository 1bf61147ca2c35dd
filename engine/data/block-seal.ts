// Sealed blocks: what a holder keeps of ours is ciphertext it cannot read, forge, or swap for
// another of our blocks (docs/protocol.md, "Sealed block format").
//
//   sealed  = "MCSB" || keyId:u32 BE || piece_0 || ... || piece_{n-1}
//   piece_i = ChaCha20-Poly1305(subkey, nonce = i, ad = identity || i:u32 BE, plaintext[i*32768 ...])
//   subkey  = HMAC-SHA256(dataKey, "MemCloud sealed block v1" || blockId:16)
//   identity = "MCSB" || keyId:u32 || blockId:16 || kind:u8 || item:32 || chunk:u32 || size:u64
//
// Each block gets its own subkey, from its id; ids are made once, from 12 random bytes (catalog.ts),
// and a block is sealed once (a new value is a new block; repair copies the sealed bytes), so a
// (subkey, nonce) pair never seals two different plaintexts, across crashes and restarts too,
// without any counter to keep. The identity (which block, of which key or stream chunk, how long)
// is authenticated with every piece, so a holder that returns another block of ours, a piece of
// another, or a cut-short block is caught like one that flips a bit.

import { createHmac, hash } from 'node:crypto';
import type { Aead } from '../crypto/aead';
import { ErrorCodes, MemCloudError } from '../errors';
import type { DataKey } from './data-key';
import type { BlockParent } from './owner-index';
import { PIECE_BYTES, SEAL_HEADER_BYTES, SEAL_TAG_BYTES, pieceCount, sealedSize } from './stored-size';

export { PIECE_BYTES, sealedSize };

const MAGIC = Buffer.from('MCSB', 'latin1');
const HEADER_BYTES = SEAL_HEADER_BYTES;
const TAG_BYTES = SEAL_TAG_BYTES;
const SUBKEY_LABEL = Buffer.from('MemCloud sealed block v1', 'latin1');
const ID_BYTES = 16;
const IDENTITY_BYTES = 4 + 4 + ID_BYTES + 1 + 32 + 4 + 8;

/** What a sealed block is: bound into every piece. */
export interface BlockIdentity {
  /** The block id (32 hex digits). */
  readonly id: string;
  readonly parent: BlockParent;
  /** Plaintext bytes. */
  readonly size: number;
}

export class BlockSealer {
  constructor(
    private readonly aead: Aead,
    private readonly dataKey: DataKey,
  ) {}

  get keyId(): number {
    return this.dataKey.id;
  }

  seal(block: BlockIdentity, plaintext: Uint8Array): Uint8Array {
    if (plaintext.length !== block.size) throw new Error('seal: plaintext length is not the block size');
    const out = Buffer.allocUnsafe(sealedSize(block.size));
    MAGIC.copy(out, 0);
    out.writeUInt32BE(this.dataKey.id, 4);
    const { subkey, ad } = this.prepare(block);
    let at = HEADER_BYTES;
    for (let i = 0, n = pieceCount(block.size); i < n; i++) {
      const piece = plaintext.subarray(i * PIECE_BYTES, (i + 1) * PIECE_BYTES);
      ad.writeUInt32BE(i, IDENTITY_BYTES);
      this.aead.sealInto(subkey, i, piece, out.subarray(at, at + piece.length + TAG_BYTES), ad);
      at += piece.length + TAG_BYTES;
    }
    subkey.fill(0);
    return out;
  }

  /** The plaintext of a sealed block; throws CORRUPT_BLOCK unless it is exactly that block, intact. */
  open(block: BlockIdentity, sealed: Uint8Array): Uint8Array {
    const s = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    if (s.length !== sealedSize(block.size) || !s.subarray(0, 4).equals(MAGIC)) throw corrupt(block, 'not a sealed block of its size');
    const keyId = s.readUInt32BE(4);
    if (keyId !== this.dataKey.id) throw corrupt(block, `sealed with another data key (${keyId.toString(16).padStart(8, '0')})`);
    const out = Buffer.allocUnsafe(block.size);
    const { subkey, ad } = this.prepare(block);
    try {
      let at = HEADER_BYTES;
      for (let i = 0, n = pieceCount(block.size); i < n; i++) {
        const len = Math.min(PIECE_BYTES, block.size - i * PIECE_BYTES);
        ad.writeUInt32BE(i, IDENTITY_BYTES);
        this.aead.openInto(subkey, i, s.subarray(at, at + len + TAG_BYTES), out.subarray(i * PIECE_BYTES, i * PIECE_BYTES + len), ad);
        at += len + TAG_BYTES;
      }
    } catch {
      throw corrupt(block, 'it failed authentication');
    } finally {
      subkey.fill(0);
    }
    return out;
  }

  /** The block's subkey, and its identity with room for the piece index. */
  private prepare(block: BlockIdentity): { subkey: Buffer; ad: Buffer } {
    const id = Buffer.from(block.id, 'hex');
    if (id.length !== ID_BYTES) throw new Error(`seal: block id ${block.id} is not ${ID_BYTES} bytes`);
    const subkey = createHmac('sha256', this.dataKey.key).update(SUBKEY_LABEL).update(id).digest();
    const ad = Buffer.alloc(IDENTITY_BYTES + 4);
    MAGIC.copy(ad, 0);
    ad.writeUInt32BE(this.dataKey.id, 4);
    id.copy(ad, 8);
    let at = 8 + ID_BYTES;
    const p = block.parent;
    ad[at++] = p === null ? 0 : p.kind === 'key' ? 1 : 2;
    if (p?.kind === 'key') hash('sha256', Buffer.from(p.key, 'utf8'), 'buffer').copy(ad, at);
    else if (p?.kind === 'stream') Buffer.from(p.id, 'hex').copy(ad, at, 0, ID_BYTES);
    at += 32;
    ad.writeUInt32BE(p?.kind === 'stream' ? p.index : 0, at);
    ad.writeUInt32BE(Math.floor(block.size / 0x1_0000_0000), at + 4); // size:u64, as two u32 (no BigInt on the hot path)
    ad.writeUInt32BE(block.size >>> 0, at + 8);
    return { subkey, ad };
  }
}

function corrupt(block: BlockIdentity, why: string): MemCloudError {
  return new MemCloudError(ErrorCodes.CORRUPT_BLOCK, `replica of block ${block.id} rejected: ${why}`);
}
