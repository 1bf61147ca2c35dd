// The JSON files in the home (trusted_devices.json, team.json, identity_key, config.json, ...) are
// checked by api/schema.ts schemas, one per file format in the module that owns the format. This
// turns a file's bytes into its typed value, or into the first problem in words a person fixing the
// file by hand can act on: `devices[1]: "name" must be ...`, `it has an unexpected field "x"`.
// Callers wrap the sentence in their own error code and advice (fail closed: nothing here rewrites
// or resets a file).

import { SchemaError, type Schema } from './schema';

/**
 * The sentence for a schema failure inside a file. The path up to the last array index is the
 * place (`devices[1]`), the fields after it are the field's name (`"protection.nonce"`); a rule's
 * own sentence is used as it is.
 */
export function problemSentence(err: SchemaError): string {
  const failure = err.failure;
  if (failure === undefined) return err.rule ?? err.message;
  // Paths are made of the schemas' own field names and indices; a field the file made up is only
  // ever `failure.field`, quoted, never parsed.
  const path = failure.path.replace(/^\./, '');
  const cut = path.lastIndexOf(']') + 1;
  const place = path.slice(0, cut);
  const within = path.slice(cut).replace(/^\./, '');
  const field = failure.kind === 'unexpected' ? [within, failure.field ?? ''].filter((f) => f !== '').join('.') : within;
  let sentence: string;
  if (err.rule !== undefined) sentence = err.rule;
  else if (failure.kind === 'unexpected') sentence = place === '' ? `it has an unexpected field ${quoted(field)}` : `unexpected field ${quoted(field)}`;
  else if (field === '') sentence = `must be ${failure.expected}`;
  else if (failure.kind === 'missing') sentence = `${quoted(field)} must be ${failure.expected} (it is missing)`;
  else sentence = `${quoted(field)} must be ${failure.expected}`;
  return place === '' ? sentence : `${place}: ${sentence}`;
}

/**
 * A file's content checked by `schema`: the value, or a description of the first problem. A file
 * is a JSON object in UTF-8 (invalid UTF-8 is refused, not replaced).
 */
export function parseJsonFile<T>(content: string | Uint8Array, schema: Schema<T>): T | string {
  let json: unknown;
  try {
    json = JSON.parse(typeof content === 'string' ? content : new TextDecoder('utf-8', { fatal: true }).decode(content));
  } catch {
    return 'it is not valid JSON';
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'it is not a JSON object';
  try {
    return schema(json, '');
  } catch (err) {
    if (err instanceof SchemaError) return problemSentence(err);
    throw err;
  }
}

/** A field name from the file, echoed in a message: JSON-quoted (controls escaped) and cut short. */
function quoted(key: string): string {
  return JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}...` : key);
}
