// Glob patterns for key listings ('user:*', 'cache:??', 'log-[0-9]*'), compiled once to a RegExp.
//
// Syntax: * any run of characters (including none), ? exactly one character, [abc] [a-z] one of a
// set, [!x] (or [^x]) one character not in it, \c the character c literally. Everything else is
// literal: dots, parentheses, plus signs and other RegExp syntax in keys match themselves.

import { ErrorCodes, MemCloudError } from '../errors';

/** Long patterns are refused: matching time grows with the number of stars. */
export const MAX_GLOB_LENGTH = 1024;

const bad = (pattern: string, why: string): MemCloudError =>
  new MemCloudError(ErrorCodes.BAD_ARGUMENT, `invalid pattern ${JSON.stringify(pattern.length > 60 ? `${pattern.slice(0, 60)}...` : pattern)}: ${why}`);

// Every literal goes into the RegExp as \u{...} unless it is a plain word character, so no key
// character can ever act as RegExp syntax, in or out of a class.
function literal(ch: string): string {
  return /^[A-Za-z0-9_]$/.test(ch) ? ch : `\\u{${ch.codePointAt(0)!.toString(16)}}`;
}

export function globToMatcher(pattern: string): (key: string) => boolean {
  if (typeof pattern !== 'string') throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'invalid pattern: expected text');
  if (pattern.length > MAX_GLOB_LENGTH) throw bad(pattern, `longer than ${MAX_GLOB_LENGTH} characters`);
  const chars = Array.from(pattern); // code points, so '?' and classes treat astral characters as one
  let source = '';
  let afterStar = false; // a run of stars is one star: less backtracking
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const star = ch === '*';
    if (star) {
      if (!afterStar) source += '.*';
    } else if (ch === '?') {
      source += '.';
    } else if (ch === '\\') {
      if (i + 1 >= chars.length) throw bad(pattern, 'it ends with an unfinished \\ escape');
      source += literal(chars[++i]!);
    } else if (ch === '[') {
      const parsed = parseClass(pattern, chars, i);
      source += parsed.source;
      i = parsed.end;
    } else {
      source += literal(ch);
    }
    afterStar = star;
  }
  const re = new RegExp(`^${source}$`, 'su');
  return (key: string): boolean => re.test(key);
}

/** Parses the class opening at chars[start] === '['; returns its RegExp source and the index of ']'. */
function parseClass(pattern: string, chars: readonly string[], start: number): { source: string; end: number } {
  let i = start + 1;
  let negated = false;
  if (chars[i] === '!' || chars[i] === '^') {
    negated = true;
    i++;
  }
  const items: string[] = [];
  let first = true; // a ']' right after '[' or '[!' is a literal member
  for (; i < chars.length; i++, first = false) {
    let ch = chars[i]!;
    if (ch === ']' && !first) return { source: `[${negated ? '^' : ''}${items.join('')}]`, end: i };
    if (ch === '\\') {
      if (i + 1 >= chars.length) break;
      ch = chars[++i]!;
    }
    // a-z range, unless the '-' is the last member ('[a-]' holds 'a' and '-')
    if (chars[i + 1] === '-' && i + 2 < chars.length && chars[i + 2] !== ']') {
      let hi = chars[i + 2]!;
      i += 2;
      if (hi === '\\') {
        if (i + 1 >= chars.length) break;
        hi = chars[++i]!;
      }
      if (hi.codePointAt(0)! < ch.codePointAt(0)!) throw bad(pattern, `the range ${ch}-${hi} is reversed`);
      items.push(`${literal(ch)}-${literal(hi)}`);
    } else {
      items.push(literal(ch));
    }
  }
  throw bad(pattern, `the [ at position ${start + 1} is never closed`);
}
