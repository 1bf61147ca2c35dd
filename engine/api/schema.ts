// Tiny typed validators for values that cross a boundary as JSON (the control socket's JSON ops,
// the dashboard's webview messages, worker messages, and the JSON files in the home: see
// `parseJsonFile`). A schema checks an unknown value and returns it typed, or
// throws SchemaError naming the offending path. Objects in requests are strict (an unknown field is
// refused, not silently ignored); objects in results and events tolerate extra fields, so an older
// client keeps working with a newer node. Free of Node and DOM imports: the engine, the extension
// host and the webview bundle all use it.

/** Where a value failed, for messages in words (see `problemSentence`). */
export interface SchemaFailure {
  /** The path as schemas pass it: '' for the value itself, then `.field` and `[index]` parts. */
  readonly path: string;
  /** 'missing': a required field is absent; 'unexpected': a strict object has a field it does not know. */
  readonly kind: 'invalid' | 'missing' | 'unexpected';
  /** What was expected, as a noun phrase ("a boolean"), for 'invalid'. */
  readonly expected: string;
  /** For 'unexpected': the unknown field's name as the value spelled it (`path` is its object's). */
  readonly field?: string;
}

export class SchemaError extends Error {
  override readonly name: string = 'SchemaError';

  /**
   * `rule`: the whole sentence people read when a value breaks a rule made for them (see `rule`);
   * `failure`: where and how it failed, when a schema threw it.
   */
  constructor(
    message: string,
    readonly rule?: string,
    readonly failure?: SchemaFailure,
  ) {
    super(message);
  }
}

export type Schema<T> = (value: unknown, path: string) => T;
export type Infer<S> = S extends Schema<infer T> ? T : never;

function fail(path: string, expected: string, kind: 'invalid' | 'missing' = 'invalid'): never {
  throw new SchemaError(`${path || 'message'}: expected ${expected}`, undefined, { path, kind, expected });
}

/** A failure told in a rule's own sentence (see `rule`), at `path`. */
function failWith(path: string, sentence: string): never {
  throw new SchemaError(`${path || 'message'}: ${sentence}`, sentence, { path, kind: 'invalid', expected: sentence });
}

/**
 * Strings are bounded so a hostile message cannot make us render or compare megabytes; generous,
 * because one overlong field refuses the whole message (names, keys and paths are far shorter).
 */
export const MAX_TEXT = 1024 * 1024;

export const str: Schema<string> = (v, p) => (typeof v === 'string' && v.length <= MAX_TEXT ? v : fail(p, `a string of at most ${MAX_TEXT} characters`));
export const bool: Schema<boolean> = (v, p) => (typeof v === 'boolean' ? v : fail(p, 'a boolean'));
export const num: Schema<number> = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? v : fail(p, 'a finite number'));
export const u32: Schema<number> = (v, p) =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff ? v : fail(p, 'an integer in 0..2^32-1');
/** An integer from `min` to `max` (both included). */
export function int(min: number, max: number): Schema<number> {
  return (v, p) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max ? v : fail(p, `an integer from ${min} to ${max}`));
}

/** A string of at most `maxLength` UTF-16 units. */
export function text(maxLength: number): Schema<string> {
  return (v, p) => (typeof v === 'string' && v.length <= maxLength ? v : fail(p, `a string of at most ${maxLength} characters`));
}

/** Values a type guard accepts (a key's text form, a time): `expected` names them in messages. */
export function is<T>(guard: (value: unknown) => value is T, expected: string): Schema<T> {
  return (v, p) => (guard(v) ? v : fail(p, expected));
}

/**
 * A value rule callers are told in their own words (an argument error, not a malformed message):
 * a failure keeps its path message and carries `message` as its rule.
 */
export function rule<T>(s: Schema<T>, message: string | ((value: unknown) => string)): Schema<T> {
  return (v, p) => {
    try {
      return s(v, p);
    } catch (err) {
      if (err instanceof SchemaError) throw new SchemaError(err.message, typeof message === 'string' ? message : message(v), err.failure);
      throw err;
    }
  };
}

/**
 * `s`, then a rule over the whole value (one field against another, a key that must decode):
 * `problem` returns the sentence people read when the value breaks it, undefined when it holds.
 * The failure is the value's own (its path), so a file message names where it is.
 */
export function refine<T>(s: Schema<T>, problem: (value: T) => string | undefined): Schema<T> {
  return (v, p) => {
    const value = s(v, p);
    const sentence = problem(value);
    if (sentence !== undefined) failWith(p, sentence);
    return value;
  };
}

/** Any value: for a field whose rules are checked elsewhere, in words of their own. */
export const anything: Schema<unknown> = (v) => v;

/**
 * `s`, then the values `parse` accepts: a rule that lives with its parser (a size like "4gb", a
 * URL). Its error's message is the sentence people read, after `"label": ` when a label is given.
 */
export function parsedBy<T>(s: Schema<T>, parse: (value: T) => unknown, label?: string): Schema<T> {
  return (v, p) => {
    const value = s(v, p);
    try {
      parse(value);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      failWith(p, label === undefined ? message : `"${label}": ${message}`);
    }
    return value;
  };
}

/** An array whose items have distinct keys; a repeat fails at the repeat with `sentence(key)`. */
export function distinct<T>(s: Schema<T[]>, keyOf: (item: T) => unknown, sentence: (key: unknown) => string): Schema<T[]> {
  return (v, p) => {
    const items = s(v, p);
    const seen = new Set<unknown>();
    for (const [i, item] of items.entries()) {
      const key = keyOf(item);
      if (seen.has(key)) failWith(`${p}[${i}]`, sentence(key));
      seen.add(key);
    }
    return items;
  };
}

/** Request ids: positive safe integers. */
export const id: Schema<number> = (v, p) => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : fail(p, 'a positive integer'));

export function literal<const L extends readonly (string | number)[]>(...values: L): Schema<L[number]> {
  const set: ReadonlySet<unknown> = new Set(values);
  return (v, p) => (set.has(v) ? (v as L[number]) : fail(p, `one of ${values.join(', ')}`));
}

export function nullable<T>(s: Schema<T>): Schema<T | null> {
  return (v, p) => (v === null ? null : s(v, p));
}

export function arr<T>(s: Schema<T>, maxLength = Number.POSITIVE_INFINITY): Schema<T[]> {
  return (v, p) => {
    if (!Array.isArray(v) || v.length > maxLength) fail(p, maxLength === Number.POSITIVE_INFINITY ? 'an array' : `an array of at most ${maxLength} items`);
    for (let i = 0; i < v.length; i++) s(v[i], `${p}[${i}]`);
    return v as T[];
  };
}

/**
 * An object used as a map (stored HTTP headers by name, ...): every key passes `key`, every value
 * `value`. A key is quoted in the path (`h["x-a"]`), so a hostile key cannot pose as a path.
 */
export function record<T>(value: Schema<T>, key: Schema<string> = str, maxEntries = Number.POSITIVE_INFINITY): Schema<Record<string, T>> {
  return (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(p, 'an object');
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length > maxEntries) fail(p, `an object of at most ${maxEntries} entries`);
    for (const k of keys) {
      const at = `${p}[${JSON.stringify(k)}]`;
      key(k, at);
      value(o[k], at);
    }
    return o as Record<string, T>;
  };
}

type Shape = Record<string, Schema<unknown>>;
type ObjectOf<R extends Shape, O extends Shape> = { readonly [K in keyof R]: Infer<R[K]> } & { readonly [K in keyof O]?: Infer<O[K]> };

/**
 * An object with `required` fields and `optional` ones (absent or valid). 'strict' refuses unknown
 * fields (messages from the webview); 'lenient' tolerates them (engine data a newer node may extend);
 * a function refuses them in its own words (a settings file: `unknown setting "x" (known: ...)`).
 */
export function obj<R extends Shape, O extends Shape = Record<never, never>>(
  required: R,
  optional?: O,
  mode: 'strict' | 'lenient' | ((field: string) => string) = 'lenient',
): Schema<ObjectOf<R, O>> {
  const opt: Shape = optional ?? {};
  return (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(p, 'an object');
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(required)) {
      if (o[k] === undefined) {
        try {
          required[k]!(undefined, `${p}.${k}`);
        } catch (err) {
          if (err instanceof SchemaError && err.rule === undefined && err.failure?.path === `${p}.${k}`) fail(`${p}.${k}`, err.failure.expected, 'missing');
          throw err;
        }
      } else required[k]!(o[k], `${p}.${k}`);
    }
    for (const k of Object.keys(opt)) if (o[k] !== undefined) opt[k]!(o[k], `${p}.${k}`);
    if (mode !== 'lenient') {
      for (const k of Object.keys(o)) {
        if (Object.hasOwn(required, k) || Object.hasOwn(opt, k)) continue;
        const words = mode === 'strict' ? undefined : mode(k);
        throw new SchemaError(`${p}.${k}: ${words ?? 'expected no such field'}`, words, { path: p, kind: 'unexpected', expected: 'no such field', field: k });
      }
    }
    return v as ObjectOf<R, O>;
  };
}

/**
 * A union of objects told apart by their `type` field (or `options.tag`: a string or number); an
 * unknown tag is refused, in `options.unknown`'s words when given (a file's unsupported version).
 */
export function tagged<const M extends Record<string, Schema<object>>>(
  members: M,
  options: { readonly tag?: string; readonly unknown?: (tag: unknown) => string } = {},
): Schema<Infer<M[keyof M]>> {
  const tag = options.tag ?? 'type';
  return (v, p) => {
    const value = (v as Record<string, unknown> | null)?.[tag];
    const key = typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
    if (key === undefined || !Object.hasOwn(members, key)) {
      if (options.unknown !== undefined) failWith(`${p}.${tag}`, options.unknown(value));
      fail(`${p}.${tag}`, `one of ${Object.keys(members).join(', ')}`);
    }
    return members[key]!(v, p) as Infer<M[keyof M]>;
  };
}

/** `first`, then `then`: a value passes both (an object check before a union's tag is read). */
export function and<T>(first: Schema<unknown>, then: Schema<T>): Schema<T> {
  return (v, p) => {
    first(v, p);
    return then(v, p);
  };
}

type Values<S extends readonly Schema<unknown>[]> = { [K in keyof S]: Infer<S[K]> };

/** A fixed-length list whose items each have their own schema (a row of a table). */
export function tuple<const S extends readonly Schema<unknown>[]>(...items: S): Schema<Values<S>> {
  return (v, p) => {
    if (!Array.isArray(v) || v.length !== items.length) fail(p, `a list of ${items.length} items`);
    for (let i = 0; i < items.length; i++) items[i]!(v[i], `${p}[${i}]`);
    return v as Values<S>;
  };
}

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
