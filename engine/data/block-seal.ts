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

import { hash } from 'node:crypto';
import type { Aead } from '../crypto/aead';
import type { OpenBatchResult } from '../crypto/pool';
import type { BlockOffload } from '../crypto/setup';
import type { SmallBlockAead } from '../crypto/small-block-aead';
import { ErrorCodes, MemCloudError } from '../errors';
import { BlockKeyCache } from './block-key-cache';
import type { DataKey } from './data-key';
import { FixedKeyHmac } from './fixed-key-hmac';
import type { BlockParent } from './owner-index';
import { sha256From } from '../crypto/short-sha256';
import { PIECE_BYTES, SEAL_HEADER_BYTES, SEAL_TAG_BYTES, pieceCount, sealedSize } from './stored-size';

export { PIECE_BYTES, sealedSize };

const MAGIC = Buffer.from('MCSB', 'latin1');
const HEADER_BYTES = SEAL_HEADER_BYTES;
const TAG_BYTES = SEAL_TAG_BYTES;
const SUBKEY_LABEL = Buffer.from('MemCloud sealed block v1', 'latin1');
const ID_BYTES = 16;
// identity = magic:4 || keyId:4 || blockId:16 || kind:1 || item:32 || chunk:4 || size:8, then piece:4
const ID_AT = 8;
const KIND_AT = ID_AT + ID_BYTES;
const ITEM_AT = KIND_AT + 1;
const CHUNK_AT = ITEM_AT + 32;
const SIZE_AT = CHUNK_AT + 4;
const IDENTITY_BYTES = SIZE_AT + 8;
// Key names up to this many UTF-16 units (at most 3 UTF-8 bytes each: up to four SHA-256 blocks) are
// hashed in JavaScript (short-sha256.ts); longer ones by node:crypto, which is faster per byte.
const SHORT_NAME = 64;
const SUBKEY_BYTES = 32;
// The blocks whose subkey and identity are kept (block-key-cache.ts): ~0.8 MiB at most, and only
// blocks of one piece, where preparing them is a fair part of the cost (a 1 MiB chunk's is not).
const CACHED_BLOCKS = 8192;
const CACHED_MAX_BYTES = PIECE_BYTES;
/** Buffer.allocUnsafe takes sizes below this from its shared pool (half of Buffer.poolSize). */
const POOLED_BYTES = Buffer.poolSize >>> 1;

/** What a sealed block is: bound into every piece. */
export interface BlockIdentity {
  /** The block id (32 hex digits). */
  readonly id: string;
  readonly parent: BlockParent;
  /** Plaintext bytes. */
  readonly size: number;
}

// Cost, per small block (1 KiB, native, measured): the AEAD call itself is most of it; the rest is
// kept to one allocation for the sealed bytes (or the opened value), two SHA-256 compressions for
// the subkey (fixed-key-hmac.ts) and one or two more for a key's name, in JavaScript
// (short-sha256.ts), none to open a block read lately (block-key-cache.ts). The associated data and
// the subkey are built in scratch buffers per sealer (seal and open are synchronous, and every AEAD
// backend is done with them on return; the subkey is zeroed after each use).
// Where crypto/place.ts says so (noble), large blocks are sealed and opened in the crypto pool
// (sealAsync/openAsync) with the same bytes: the engine thread sends one chunk while the next is sealed.
export class BlockSealer {
  readonly #aead: Aead;
  readonly #keyId: number;
  readonly #subkeys: FixedKeyHmac;
  readonly #offload: BlockOffload | null;
  readonly #small: SmallBlockAead | null;
  /** identity || piece index: the associated data of the piece being sealed or opened. */
  readonly #ad = Buffer.alloc(IDENTITY_BYTES + 4);
  /** The subkey of the block being sealed or opened (zeroed after each use; the pool gets a copy). */
  readonly #subkey = Buffer.alloc(SUBKEY_BYTES);
  /** A short key name's UTF-8 bytes, to be hashed into the identity. */
  readonly #name = Buffer.alloc(3 * SHORT_NAME);
  /** identity (from the block id on) || subkey, of the blocks used last. */
  readonly #prepared: BlockKeyCache;

  /** `cachedBlocks`: how many blocks' subkeys and identities to keep (block-key-cache.ts); 0 = none. */
  constructor(aead: Aead, dataKey: DataKey, offload: BlockOffload | null = null, small: SmallBlockAead | null = null, cachedBlocks = CACHED_BLOCKS) {
    this.#prepared = new BlockKeyCache(cachedBlocks, IDENTITY_BYTES - ID_AT + SUBKEY_BYTES);
    this.#aead = aead;
    this.#offload = offload;
    this.#small = small;
    this.#keyId = dataKey.id;
    this.#subkeys = new FixedKeyHmac(dataKey.key, SUBKEY_LABEL, ID_BYTES);
    MAGIC.copy(this.#ad, 0);
    this.#ad.writeUInt32BE(dataKey.id, 4);
  }

  get keyId(): number {
    return this.#keyId;
  }

  /** How many blocks' subkeys and identities are kept (blocks opened lately). */
  get keptBlocks(): number {
    return this.#prepared.size;
  }

  /** Zeroes and drops the kept subkeys (the engine is stopping). */
  forget(): void {
    this.#prepared.clear();
  }

  seal(block: BlockIdentity, plaintext: Uint8Array): Uint8Array {
    if (plaintext.length !== block.size) throw new Error('seal: plaintext length is not the block size');
    const out = this.header(block.size);
    const ad = this.#ad;
    const aead = this.aeadFor(block.size);
    const subkey = this.fresh(block);
    try {
      let at = HEADER_BYTES;
      for (let i = 0, n = pieceCount(block.size); i < n; i++) {
        const piece = n === 1 ? plaintext : plaintext.subarray(i * PIECE_BYTES, (i + 1) * PIECE_BYTES);
        ad.writeUInt32BE(i, IDENTITY_BYTES);
        aead.sealInto(subkey, i, piece, out.subarray(at, at + piece.length + TAG_BYTES), ad);
        at += piece.length + TAG_BYTES;
      }
    } finally {
      subkey.fill(0);
    }
    return out;
  }

  /** The plaintext of a sealed block; throws CORRUPT_BLOCK unless it is exactly that block, intact. */
  open(block: BlockIdentity, sealed: Uint8Array): Uint8Array {
    const s = this.checkHeader(block, sealed);
    const ad = this.#ad;
    const subkey = this.prepare(block);
    try {
      const n = pieceCount(block.size);
      ad.writeUInt32BE(0, IDENTITY_BYTES);
      if (n === 1) {
        // One piece (every block up to 32 KiB). Small values open into Node's shared buffer pool
        // (an ArrayBuffer of their own costs more than the copy); larger ones are the AEAD's own output.
        const aead = this.aeadFor(block.size);
        if (block.size >= POOLED_BYTES) return aead.open(subkey, 0, s.subarray(HEADER_BYTES), ad);
        const value = Buffer.allocUnsafe(block.size);
        aead.openInto(subkey, 0, s.subarray(HEADER_BYTES), value, ad);
        return value;
      }
      const out = Buffer.allocUnsafe(block.size);
      let at = HEADER_BYTES;
      for (let i = 0; i < n; i++) {
        const len = Math.min(PIECE_BYTES, block.size - i * PIECE_BYTES);
        ad.writeUInt32BE(i, IDENTITY_BYTES);
        this.#aead.openInto(subkey, i, s.subarray(at, at + len + TAG_BYTES), out.subarray(i * PIECE_BYTES, i * PIECE_BYTES + len), ad);
        at += len + TAG_BYTES;
      }
      return out;
    } catch {
      throw corrupt(block, 'it failed authentication');
    } finally {
      subkey.fill(0);
    }
  }

  /** Whether a block of `size` bytes is sealed and opened here, synchronously (else sealAsync/openAsync may use the pool). */
  inline(size: number): boolean {
    return this.#offload === null || size < this.#offload.minBytes;
  }

  /** seal(), in the crypto pool when the block is large enough (crypto/place.ts); the same bytes. */
  async sealAsync(block: BlockIdentity, plaintext: Uint8Array): Promise<Uint8Array> {
    const offload = this.#offload;
    if (offload === null || this.inline(block.size)) return this.seal(block, plaintext);
    if (plaintext.length !== block.size) throw new Error('seal: plaintext length is not the block size');
    const subkey = this.ownSubkey(block, true);
    // Its own copy of the identity: the scratch buffer serves other blocks while this one waits.
    const identity = Buffer.from(this.#ad.subarray(0, IDENTITY_BYTES));
    let pieces: Uint8Array[];
    try {
      pieces = await offload.pool.seal(offload.backend, subkey, 0, piecesOf(plaintext, block.size, 0), identity);
    } catch {
      // The pool is closing (or failed): seal here. The same key, nonces and plaintext give the same bytes.
      return this.seal(block, plaintext);
    } finally {
      subkey.fill(0);
    }
    const out = this.header(block.size);
    let at = HEADER_BYTES;
    for (const p of pieces) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** open(), in the crypto pool when the block is large enough (crypto/place.ts). */
  async openAsync(block: BlockIdentity, sealed: Uint8Array): Promise<Uint8Array> {
    const offload = this.#offload;
    if (offload === null || this.inline(block.size)) return this.open(block, sealed);
    const s = this.checkHeader(block, sealed);
    const subkey = this.ownSubkey(block);
    const identity = Buffer.from(this.#ad.subarray(0, IDENTITY_BYTES));
    let result: OpenBatchResult;
    try {
      result = await offload.pool.open(offload.backend, subkey, 0, piecesOf(s.subarray(HEADER_BYTES), block.size, TAG_BYTES), identity);
    } catch {
      return this.open(block, sealed); // the pool is closing (or failed): never report that as a bad replica
    } finally {
      subkey.fill(0);
    }
    if (!result.ok) throw corrupt(block, 'it failed authentication');
    return joined(result.plaintexts, block.size);
  }

  /** The sealed bytes as a Buffer, once their length, magic and key id say they can be this block. */
  private checkHeader(block: BlockIdentity, sealed: Uint8Array): Buffer {
    const s = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    if (s.length !== sealedSize(block.size) || s.readUInt32BE(0) !== MAGIC_U32) throw corrupt(block, 'not a sealed block of its size');
    const keyId = s.readUInt32BE(4);
    if (keyId !== this.#keyId) throw corrupt(block, `sealed with another data key (${keyId.toString(16).padStart(8, '0')})`);
    return s;
  }

  /** Small blocks: the small-block AEAD once it is ready (crypto/small-block-aead.ts); the same bytes. */
  private aeadFor(size: number): Aead {
    return this.#small?.for(size) ?? this.#aead;
  }

  /** A sealed block's buffer with its header written. */
  private header(size: number): Buffer {
    const out = Buffer.allocUnsafe(sealedSize(size));
    MAGIC.copy(out, 0);
    out.writeUInt32BE(this.#keyId, 4);
    return out;
  }

  /** prepare() (fresh() when sealing), with the subkey in a Buffer of its own (for work that outlives this call); zero it after use. */
  private ownSubkey(block: BlockIdentity, sealing = false): Buffer {
    const scratch = sealing ? this.fresh(block) : this.prepare(block);
    const subkey = Buffer.from(scratch);
    scratch.fill(0);
    return subkey;
  }

  /**
   * prepare() for sealing: a block is sealed once, under a new id (a new value is a new block;
   * repair copies the sealed bytes), so the kept blocks never hold it and it is not added to them:
   * looking it up and making room for it cost a SET ~1-2 us for nothing. Its first open keeps it.
   */
  private fresh(block: BlockIdentity): Buffer {
    this.derive(block, this.#subkey);
    return this.#subkey;
  }

  /**
   * Writes the block's identity into the scratch associated data and its subkey into the scratch
   * subkey, which it returns: use it before the next call, then zero it. Used to open: the block
   * is kept (block-key-cache.ts) for its next reads.
   */
  private prepare(block: BlockIdentity): Buffer {
    const ad = this.#ad;
    const subkey = this.#subkey;
    const cacheable = block.size <= CACHED_MAX_BYTES;
    const kept = cacheable ? this.#prepared.get(block.id, block.parent, block.size) : null;
    if (kept !== null) {
      kept.copy(ad, ID_AT, 0, IDENTITY_BYTES - ID_AT);
      kept.copy(subkey, 0, IDENTITY_BYTES - ID_AT);
      return subkey;
    }
    this.derive(block, subkey);
    const slot = cacheable ? this.#prepared.put(block.id, block.parent, block.size) : null;
    if (slot !== null) {
      ad.copy(slot, 0, ID_AT, IDENTITY_BYTES);
      subkey.copy(slot, IDENTITY_BYTES - ID_AT);
    }
    return subkey;
  }

  /** prepare() without the cache: the identity written into the scratch, the subkey into `subkey`. */
  private derive(block: BlockIdentity, subkey: Buffer): void {
    const ad = this.#ad;
    if (block.id.length !== 2 * ID_BYTES || ad.write(block.id, ID_AT, ID_BYTES, 'hex') !== ID_BYTES) {
      throw new Error(`seal: block id ${block.id} is not ${ID_BYTES} bytes`);
    }
    const p = block.parent;
    ad[KIND_AT] = p === null ? 0 : p.kind === 'key' ? 1 : 2;
    if (p?.kind === 'key') this.nameDigest(p.key);
    else {
      ad.fill(0, ITEM_AT, CHUNK_AT);
      if (p?.kind === 'stream') ad.write(p.id, ITEM_AT, ID_BYTES, 'hex');
    }
    ad.writeUInt32BE(p?.kind === 'stream' ? p.index : 0, CHUNK_AT);
    ad.writeUInt32BE(Math.floor(block.size / 0x1_0000_0000), SIZE_AT); // size:u64, as two u32 (no BigInt on the hot path)
    ad.writeUInt32BE(block.size >>> 0, SIZE_AT + 4);
    this.#subkeys.macInto(ad, ID_AT, subkey);
  }

  /** SHA-256 of a key's name (UTF-8) into the identity's item field. */
  private nameDigest(key: string): void {
    if (key.length > SHORT_NAME) {
      hash('sha256', Buffer.from(key, 'utf8'), 'buffer').copy(this.#ad, ITEM_AT);
      return;
    }
    const n = this.#name.write(key, 0, 'utf8');
    sha256From(null, 0, this.#name.subarray(0, n), this.#ad, ITEM_AT);
    this.#name.fill(0, 0, n);
  }
}

const MAGIC_U32 = MAGIC.readUInt32BE(0);

/** A block's pieces as views of `bytes`: 32 KiB of plaintext each (+ `tag` bytes when sealed). */
function piecesOf(bytes: Uint8Array, size: number, tag: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let at = 0;
  for (let i = 0, n = pieceCount(size); i < n; i++) {
    const len = Math.min(PIECE_BYTES, size - i * PIECE_BYTES) + tag;
    pieces.push(bytes.subarray(at, at + len));
    at += len;
  }
  return pieces;
}

/** One view of the pool's plaintexts when they lie end to end in their buffer (32 KiB slots do), else a copy. */
function joined(parts: readonly Uint8Array[], size: number): Uint8Array {
  const first = parts[0];
  if (first === undefined) return new Uint8Array(0);
  let end = first.byteOffset;
  for (const p of parts) {
    if (p.buffer !== first.buffer || p.byteOffset !== end) return Buffer.concat(parts, size);
    end += p.length;
  }
  return new Uint8Array(first.buffer, first.byteOffset, size);
}

function corrupt(block: BlockIdentity, why: string): MemCloudError {
  return new MemCloudError(ErrorCodes.CORRUPT_BLOCK, `replica of block ${block.id} rejected: ${why}`);
}
