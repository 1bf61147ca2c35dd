// What a block costs this node beyond its data bytes. Every block is charged its data plus this
// fixed overhead against every limit it counts under: the owner's quota, what the node lends to
// peers, and the memory cap. So an empty block is not free: a million of them are charged 512 MB,
// about what they really take, instead of nothing (docs/protocol.md section 7.1).
//
// Measured on Node 20 (x64) with 1,000,000 blocks in one BlockStore: the block's Uint8Array and
// ArrayBuffer objects, its id string, its namespace Map entry and its slot-table rows take 224 B
// of V8 heap and 20-28 B of typed arrays per block; the process's RSS grows by 391-429 B per
// empty block (allocator overhead included). 512 B covers that with room to spare.

export const BLOCK_OVERHEAD_BYTES = 512;

/**
 * The most data one block holds on a holder (docs/protocol.md section 7.1): a STORE with more is
 * refused. For an owner's block these are sealed bytes (data/stored-size.ts).
 */
export const MAX_BLOCK_BYTES = 16 * 1024 * 1024;

/** The bytes a block of `dataBytes` is charged. */
export function chargeOf(dataBytes: number): number {
  return dataBytes + BLOCK_OVERHEAD_BYTES;
}
