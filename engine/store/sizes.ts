// Byte sizes as people type and read them: '512mb', '1.5 GiB', '64k' in; '1.5 GiB' out.
//
// Every unit is binary (1024-based), whether written k, kb or kib: the upstream CLI treats
// '512mb' as 512 * 2^20 and users of `--memory 4gb` expect the same number here.

import { ErrorCodes, MemCloudError } from '../errors';

const UNIT_POWERS: Readonly<Record<string, number>> = { '': 0, k: 1, m: 2, g: 3, t: 4 };

// number, optional spaces, optional unit: b | k | kb | kib (same for m, g, t). No exponents, no signs.
const SIZE_PATTERN = /^(\d+(?:\.\d+)?|\.\d+)\s*(?:([kmgt])(?:i?b)?|b)?$/i;

const bad = (message: string): MemCloudError => new MemCloudError(ErrorCodes.BAD_ARGUMENT, message);

/**
 * Parses a byte size: a plain count ('1024', '1024b') or a number with a k/m/g/t unit, optionally
 * followed by b or ib, any case ('64k', '512mb', '1.5GiB'). Fractions are allowed with a unit and
 * round down to whole bytes. A number argument must already be a whole, non-negative byte count.
 */
export function parseSize(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input) || input < 0) throw bad(`invalid size ${input}: expected a whole number of bytes, 0 or more`);
    return input;
  }
  if (typeof input !== 'string') throw bad('invalid size: expected text such as "512mb" or a number of bytes');
  const text = input.trim();
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
  if (text.startsWith('-')) throw bad(`invalid size ${shown}: sizes cannot be negative`);
  const match = SIZE_PATTERN.exec(text);
  if (match === null) throw bad(`invalid size ${shown}: expected a number with an optional unit, such as 1024, 64k, 512mb or 1.5GiB`);
  const [, digits, unit = ''] = match;
  const power = UNIT_POWERS[unit.toLowerCase()]!;
  if (power === 0 && digits!.includes('.')) throw bad(`invalid size ${shown}: a byte count must be a whole number`);
  const bytes = Math.floor(Number(digits) * 1024 ** power);
  if (!Number.isSafeInteger(bytes)) throw bad(`invalid size ${shown}: too large (the limit is ${formatSize(Number.MAX_SAFE_INTEGER)})`);
  return bytes;
}

const UNIT_NAMES = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/**
 * Formats bytes coarsely for messages and labels, at most 3 significant digits: '0 B', '512 B',
 * '12 KiB', '1.5 GiB'. A value that would need 4 digits moves up a unit ('1000 B' -> '0.977 KiB').
 */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes)) return `${bytes} B`;
  if (bytes < 0) return `-${formatSize(-bytes)}`;
  let unit = 0;
  let value = Math.round(bytes);
  while (unit < UNIT_NAMES.length - 1 && value >= 1024) {
    unit++;
    value = bytes / 1024 ** unit;
  }
  let shown = unit === 0 ? value : Number(value.toPrecision(3));
  if (shown >= 1000 && unit < UNIT_NAMES.length - 1) {
    unit++;
    shown = Number((bytes / 1024 ** unit).toPrecision(3));
  }
  return `${shown} ${UNIT_NAMES[unit]}`;
}
