// `--expires 90d`: how long a certificate is valid, from a count and a unit (h, d, w, y).

import { ErrorCodes, MemCloudError } from '../errors';

const UNIT_SECONDS: Readonly<Record<string, number>> = { h: 3600, d: 86_400, w: 7 * 86_400, y: 365 * 86_400 };
export const DEFAULT_EXPIRY = '90d';
const MAX_SECONDS = 10 * 365 * 86_400;

/** Seconds, from text such as `12h`, `90d`, `8w`, `1y` (at least 1 hour, at most 10 years). */
export function parseExpiry(text: string): number {
  const m = /^([1-9][0-9]{0,5})([hdwy])$/.exec(text.trim());
  const seconds = m ? Number(m[1]) * UNIT_SECONDS[m[2]!]! : NaN;
  if (!(seconds <= MAX_SECONDS)) {
    throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `--expires must be a whole number of hours, days, weeks or years (e.g. 12h, 90d, 8w, 1y), at most 10 years; got "${text}"`);
  }
  return seconds;
}
