// The in-process API's one argument check: a value that breaks a schema becomes BAD_ARGUMENT with
// the rule's own words (the same text the control socket answers with for the same value).

import { ErrorCodes, MemCloudError } from '../errors';
import { SchemaError, type Schema } from './schema';

export function checkArgument<T>(schema: Schema<T>, value: unknown, what: string): T {
  try {
    return schema(value, what);
  } catch (err) {
    if (err instanceof SchemaError) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, err.rule ?? err.message);
    throw err;
  }
}
