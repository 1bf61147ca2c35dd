// Tiny typed validators for the JSON bodies of the control protocol. A schema checks a parsed value
// and returns it typed, or throws FormatError naming the offending path. Objects in requests are
// strict (unknown fields refused: a newer client's option must not be silently ignored); objects in
// results and events tolerate extra fields, so an older client keeps working with a newer node.

import { FormatError } from './body-reader';

export type Schema<T> = (value: unknown, path: string) => T;
export type Infer<S> = S extends Schema<infer T> ? T : never;

function fail(path: string, expected: string): never {
  throw new FormatError(`${path || 'value'}: expected ${expected}`);
}

export const str: Schema<string> = (v, p) => (typeof v === 'string' ? v : fail(p, 'a string'));
export const bool: Schema<boolean> = (v, p) => (typeof v === 'boolean' ? v : fail(p, 'a boolean'));
export const num: Schema<number> = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? v : fail(p, 'a finite number'));
export const u32: Schema<number> = (v, p) =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff ? v : fail(p, 'an integer in 0..2^32-1');

export function literal<const L extends readonly (string | number)[]>(...values: L): Schema<L[number]> {
  const set: ReadonlySet<unknown> = new Set(values);
  return (v, p) => (set.has(v) ? (v as L[number]) : fail(p, `one of ${values.join(', ')}`));
}

export function nullable<T>(s: Schema<T>): Schema<T | null> {
  return (v, p) => (v === null ? null : s(v, p));
}

export function arr<T>(s: Schema<T>): Schema<T[]> {
  return (v, p) => {
    if (!Array.isArray(v)) fail(p, 'an array');
    for (let i = 0; i < v.length; i++) s(v[i], `${p}[${i}]`);
    return v as T[];
  };
}

type Shape = Record<string, Schema<unknown>>;
type ObjectOf<R extends Shape, O extends Shape> = { readonly [K in keyof R]: Infer<R[K]> } & { readonly [K in keyof O]?: Infer<O[K]> };

/** Fields in `optional` may be absent (never null unless their schema says so). */
export function obj<R extends Shape, O extends Shape = Record<never, never>>(
  required: R,
  optional?: O,
  mode: 'strict' | 'lenient' = 'lenient',
): Schema<ObjectOf<R, O>> {
  const opt: Shape = optional ?? {};
  return (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(p, 'an object');
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(required)) required[k]!(o[k], `${p}.${k}`);
    for (const k of Object.keys(opt)) if (o[k] !== undefined) opt[k]!(o[k], `${p}.${k}`);
    if (mode === 'strict') {
      for (const k of Object.keys(o)) if (!(k in required) && !(k in opt)) fail(`${p}.${k}`, 'no such field');
    }
    return v as ObjectOf<R, O>;
  };
}

/** A union of objects told apart by their `type` field. */
export function tagged<const M extends Record<string, Schema<{ readonly type: string }>>>(members: M): Schema<Infer<M[keyof M]>> {
  return (v, p) => {
    const type = (v as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !Object.hasOwn(members, type)) fail(`${p}.type`, `one of ${Object.keys(members).join(', ')}`);
    return members[type]!(v, p) as Infer<M[keyof M]>;
  };
}

type Values<S extends readonly Schema<unknown>[]> = { [K in keyof S]: Infer<S[K]> };

/** An argument list: the required schemas, then optional ones (absent, never null). */
export function args<const R extends readonly Schema<unknown>[], const O extends readonly Schema<unknown>[] = []>(
  required: R,
  optional?: O,
): Schema<[...Values<R>, ...Partial<Values<O>>]> {
  const opt: readonly Schema<unknown>[] = optional ?? [];
  return (v, p) => {
    if (!Array.isArray(v)) fail(p, 'an argument array');
    if (v.length < required.length || v.length > required.length + opt.length) {
      fail(p, `${required.length}${opt.length > 0 ? `..${required.length + opt.length}` : ''} arguments, got ${v.length}`);
    }
    for (let i = 0; i < v.length; i++) {
      const s = i < required.length ? required[i]! : opt[i - required.length]!;
      s(v[i], `${p}[${i}]`);
    }
    return v as [...Values<R>, ...Partial<Values<O>>];
  };
}
