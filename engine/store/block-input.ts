// Validation of what callers hand the block store: namespaces, block ids, durability, byte counts,
// and the rule for when stored data is copied.

import type { Durability } from '../api/types';
import { ErrorCodes, MemCloudError } from '../errors';
import { SELF } from './self';

export const MAX_NAMESPACE_LENGTH = 128;
export const MAX_BLOCK_ID_LENGTH = 64;

/** 1 to 64 characters of 0-9, a-z, _ and - (a loop: this runs on every block operation). */
function isBlockId(id: string): boolean {
  const n = id.length;
  if (n === 0 || n > MAX_BLOCK_ID_LENGTH) return false;
  for (let i = 0; i < n; i++) {
    const c = id.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2d)) return false;
  }
  return true;
}

const bad = (message: string): MemCloudError => new MemCloudError(ErrorCodes.BAD_ARGUMENT, message);

/** A short form of a namespace for messages: peer key texts are long. */
export function namespaceLabel(ns: string): string {
  // A peer's namespace is named only in replies to that peer: it is the reader's own data.
  return ns === SELF ? 'this node' : 'your data here';
}

export function assertNamespace(ns: string): void {
  if (typeof ns !== 'string' || ns.length === 0 || ns.length > MAX_NAMESPACE_LENGTH) {
    throw bad(`invalid namespace: expected 1 to ${MAX_NAMESPACE_LENGTH} characters`);
  }
}

export function assertBlockId(id: string): void {
  if (typeof id !== 'string' || !isBlockId(id)) {
    const shown = typeof id === 'string' ? JSON.stringify(id.slice(0, MAX_BLOCK_ID_LENGTH + 1)) : typeof id;
    throw bad(`invalid block id ${shown}: expected 1 to ${MAX_BLOCK_ID_LENGTH} characters of 0-9, a-z, _ and -`);
  }
}

export function assertDurability(durability: Durability): void {
  if (durability !== 'pinned' && durability !== 'cache') {
    throw bad(`invalid durability ${JSON.stringify(durability)}: expected "pinned" or "cache"`);
  }
}

/** A byte count option: a whole number, 0 or more. */
export function assertByteCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw bad(`${name} must be a whole number of bytes, 0 or more (got ${value})`);
}

/** Slack allowed between a view and its backing buffer before the store copies. */
export const MAX_RETAINED_SLACK = 4096;

/**
 * The bytes the store will keep for `data`. Contract: the store keeps the caller's Uint8Array
 * itself (no copy) when its backing ArrayBuffer is at most data.length + 4096 bytes, so the usual
 * case (a buffer made for this block, or a message with a small header) costs nothing extra.
 * When the view sits in a much larger buffer (a network read buffer, Node's 8 KiB Buffer pool) it
 * is copied, so a stored block never pins memory that the store does not count. Views over a
 * SharedArrayBuffer are always copied: another thread could change them. Either way, callers
 * must not modify data after storing it, nor the arrays get() returns.
 */
export function retainBlockData(data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array)) throw bad('block data must be a Uint8Array');
  const backing = data.buffer;
  if (backing instanceof ArrayBuffer && backing.byteLength <= data.byteLength + MAX_RETAINED_SLACK) return data;
  return new Uint8Array(data); // an exact-size copy with its own ArrayBuffer
}
