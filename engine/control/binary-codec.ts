// Binary layouts shared by the hot ops (docs/protocol.md section 10.3):
//
//   opts     = mask:u8 || [durability:u8] || [replicas:f64] || [target:u8] || [name:str16]
//              mask bits: 1 durability (0 pinned, 1 cache), 2 replicas, 4 target (0 auto,
//              1 local, 2 remote), 8 name; each field present only when its bit is set
//   blockref = id:str16 || size:f64 || count:u16 || count x (holder:str16 || holderName:str16)
//   str16    = byteLength:u16 || UTF-8 (at most MAX_STRING bytes)

import type { BlockRef, Durability, ReplicaInfo, StoreOptions } from '../api/types';
import { ErrorCodes, MemCloudError } from '../errors';
import { storeOptions } from '../api/schemas';
import { FormatError, type BodyReader } from './body-reader';
import type { FrameWriter } from './frame-writer';
import { checkValueSize } from '../data/data-input';

const DURABILITY: readonly Durability[] = ['pinned', 'cache'];
const TARGET: readonly NonNullable<StoreOptions['target']>[] = ['auto', 'local', 'remote'];
const M_DURABILITY = 1;
const M_REPLICAS = 2;
const M_TARGET = 4;
const M_NAME = 8;

export function writeStoreOptions(w: FrameWriter, opts: StoreOptions | undefined): void {
  if (opts === undefined) return w.u8(0);
  if (typeof opts !== 'object' || opts === null) throw badArg('options must be an object');
  const { durability, replicas, target, name } = opts;
  const d = durability === undefined ? -1 : DURABILITY.indexOf(durability);
  const t = target === undefined ? -1 : TARGET.indexOf(target);
  if (durability !== undefined && d < 0) throw badArg(`durability must be one of ${DURABILITY.join(', ')}`);
  if (target !== undefined && t < 0) throw badArg(`target must be one of ${TARGET.join(', ')}`);
  if (replicas !== undefined && typeof replicas !== 'number') throw badArg('replicas must be a number');
  if (name !== undefined && typeof name !== 'string') throw badArg('name must be a string');
  w.u8((d >= 0 ? M_DURABILITY : 0) | (replicas !== undefined ? M_REPLICAS : 0) | (t >= 0 ? M_TARGET : 0) | (name !== undefined ? M_NAME : 0));
  if (d >= 0) w.u8(d);
  if (replicas !== undefined) w.f64(replicas);
  if (t >= 0) w.u8(t);
  if (name !== undefined) w.str16(name);
}

/** undefined when no option is set, so the engine sees exactly what the caller passed. */
export function readStoreOptions(r: BodyReader): StoreOptions | undefined {
  const mask = r.u8();
  if (mask === 0) return undefined;
  if ((mask & ~(M_DURABILITY | M_REPLICAS | M_TARGET | M_NAME)) !== 0) throw new FormatError(`unknown option bits ${mask}`);
  const out: { durability?: Durability; replicas?: number; target?: StoreOptions['target']; name?: string } = {};
  if (mask & M_DURABILITY) out.durability = enumAt(DURABILITY, r.u8(), 'durability');
  if (mask & M_REPLICAS) out.replicas = finite(r.f64(), 'replicas');
  if (mask & M_TARGET) out.target = enumAt(TARGET, r.u8(), 'target');
  if (mask & M_NAME) out.name = r.str16();
  return storeOptions(out, 'options'); // the rules (ranges) are the JSON ops' own
}

export function writeBlockRef(w: FrameWriter, ref: BlockRef): void {
  w.str16(ref.id);
  w.f64(ref.size);
  if (ref.replicas.length > 0xffff) throw new MemCloudError(ErrorCodes.INTERNAL, 'too many replicas to encode');
  w.u16(ref.replicas.length);
  for (const r of ref.replicas) {
    w.str16(r.holder);
    w.str16(r.holderName);
  }
}

export function readBlockRef(r: BodyReader): BlockRef {
  const id = r.str16();
  const size = finite(r.f64(), 'size');
  const count = r.u16();
  const replicas: ReplicaInfo[] = [];
  for (let i = 0; i < count; i++) replicas.push({ holder: r.str16(), holderName: r.str16() });
  return { id, size, replicas };
}

/** Client-side check of a value (set) or block (store), before anything is written: the node's own rule. */
export function checkData(data: unknown, what: string): Uint8Array {
  if (!(data instanceof Uint8Array)) throw badArg(`${what} must be a Uint8Array`);
  checkValueSize(data.length);
  return data;
}

export function checkString(s: unknown, what: string): string {
  if (typeof s !== 'string') throw badArg(`${what} must be a string`);
  return s;
}

function enumAt<T>(values: readonly T[], i: number, what: string): T {
  const v = values[i];
  if (v === undefined) throw new FormatError(`unknown ${what} ${i}`);
  return v;
}

function finite(v: number, what: string): number {
  if (!Number.isFinite(v)) throw new FormatError(`${what} is not a finite number`);
  return v;
}

function badArg(message: string): MemCloudError {
  return new MemCloudError(ErrorCodes.BAD_ARGUMENT, message);
}
