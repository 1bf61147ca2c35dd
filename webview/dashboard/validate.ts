// Tiny validators for the dashboard's messages. A schema checks an unknown value and returns it
// typed, or throws SchemaError naming the offending path. Kept free of Node and DOM imports: the
// webview bundle (browser) and the extension host (Node) both use it.

export class SchemaError extends Error {
  override readonly name = 'SchemaError';
}

export type Schema<T> = (value: unknown, path: string) => T;
export type Infer<S> = S extends Schema<infer T> ? T : never;

function fail(path: string, expected: string): never {
  throw new SchemaError(`${path || 'message'}: expected ${expected}`);
}

/**
 * Strings are bounded so a hostile message cannot make us render or compare megabytes; generous,
 * because one overlong field refuses the whole message (engine names and keys are far shorter).
 */
export const MAX_TEXT = 65_536;

export const str: Schema<string> = (v, p) => (typeof v === 'string' && v.length <= MAX_TEXT ? v : fail(p, `a string of at most ${MAX_TEXT} characters`));
export const bool: Schema<boolean> = (v, p) => (typeof v === 'boolean' ? v : fail(p, 'a boolean'));
export const num: Schema<number> = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? v : fail(p, 'a finite number'));
/** Request ids: positive safe integers. */
export const id: Schema<number> = (v, p) => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : fail(p, 'a positive integer'));

export function literal<const L extends readonly string[]>(...values: L): Schema<L[number]> {
  const set: ReadonlySet<unknown> = new Set(values);
  return (v, p) => (set.has(v) ? (v as L[number]) : fail(p, `one of ${values.join(', ')}`));
}

export function nullable<T>(s: Schema<T>): Schema<T | null> {
  return (v, p) => (v === null ? null : s(v, p));
}

export function arr<T>(s: Schema<T>, maxLength = 10_000): Schema<T[]> {
  return (v, p) => {
    if (!Array.isArray(v) || v.length > maxLength) fail(p, `an array of at most ${maxLength} items`);
    for (let i = 0; i < v.length; i++) s(v[i], `${p}[${i}]`);
    return v as T[];
  };
}

type Shape = Record<string, Schema<unknown>>;
type ObjectOf<R extends Shape, O extends Shape> = { readonly [K in keyof R]: Infer<R[K]> } & { readonly [K in keyof O]?: Infer<O[K]> };

/**
 * An object with `required` fields and `optional` ones (absent or valid). 'strict' refuses unknown
 * fields (messages from the webview); 'lenient' tolerates them (engine data a newer node may extend).
 */
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
      for (const k of Object.keys(o)) if (!Object.hasOwn(required, k) && !Object.hasOwn(opt, k)) fail(`${p}.${k}`, 'no such field');
    }
    return v as ObjectOf<R, O>;
  };
}

/** A union of objects told apart by their `type` field; unknown types are refused. */
export function tagged<const M extends Record<string, Schema<{ readonly type: string }>>>(members: M): Schema<Infer<M[keyof M]>> {
  return (v, p) => {
    const type = (v as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !Object.hasOwn(members, type)) fail(`${p}.type`, `one of ${Object.keys(members).join(', ')}`);
    return members[type]!(v, p) as Infer<M[keyof M]>;
  };
}
