import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isMemCloudError } from '../../../engine/errors';
import { MAX_GLOB_LENGTH, globToMatcher } from '../../../engine/store/glob';

/** [pattern, keys that match, keys that do not] */
const TABLE: Array<[string, string[], string[]]> = [
  ['user:*', ['user:', 'user:1', 'user:alice:settings'], ['users:1', 'xuser:1', 'user', 'User:1']],
  ['*', ['', 'a', 'anything at all', 'line\nbreak'], []],
  ['**', ['', 'abc'], []],
  ['a*b*c', ['abc', 'aXbYc', 'abbc', 'a*b*c'], ['ab', 'acb', 'abcd']],
  ['?', ['a', '.', '\n', '😀'], ['', 'ab']],
  ['cache:??', ['cache:01', 'cache:ab'], ['cache:1', 'cache:123']],
  ['?*', ['a', 'abc'], ['']],
  ['file.txt', ['file.txt'], ['fileXtxt', 'file_txt', 'file.txt2']],
  ['*.json', ['a.json', '.json'], ['a.jsonx', 'ajson']],
  ['a+b(c)|d^$', ['a+b(c)|d^$'], ['aab(c)|d^$', 'a+bc|d', 'd^$']],
  ['{x,y}', ['{x,y}'], ['x', 'y']],
  ['/path/', ['/path/'], ['path']],
  ['log-[0-9]*', ['log-1', 'log-42x'], ['log-', 'log-a1']],
  ['[abc]', ['a', 'b', 'c'], ['d', 'ab', '']],
  ['[!x]', ['a', 'y', '\n'], ['x', '']],
  ['[^x]', ['a'], ['x']],
  ['[a-c-]', ['a', 'b', 'c', '-'], ['d']],
  ['[-a]', ['-', 'a'], ['b']],
  ['[]]', [']'], ['[', '']],
  ['[!]]', ['a'], [']']],
  ['[.*+?]', ['.', '*', '+', '?'], ['a', '']],
  ['[\\]]x', [']x'], ['\\x']],
  ['[\\\\]', ['\\'], [']']],
  ['\\*', ['*'], ['a', '']],
  ['a\\?', ['a?'], ['ab']],
  ['\\[x]', ['[x]'], ['x']],
  ['\\\\*', ['\\', '\\abc'], ['abc']],
  ['ünï?', ['ünïc', 'ünï😀'], ['unic']],
];

describe('globToMatcher', () => {
  test('matches the table (anchored at both ends, literal regex metacharacters)', () => {
    for (const [pattern, yes, no] of TABLE) {
      const matches = globToMatcher(pattern);
      for (const key of yes) assert.equal(matches(key), true, `${JSON.stringify(pattern)} should match ${JSON.stringify(key)}`);
      for (const key of no) assert.equal(matches(key), false, `${JSON.stringify(pattern)} should not match ${JSON.stringify(key)}`);
    }
  });

  test('a compiled matcher gives the same answer on repeated calls', () => {
    const matches = globToMatcher('k*');
    assert.deepEqual(['k1', 'k2', 'x', 'k3'].map(matches), [true, true, false, true]);
    assert.deepEqual(['k1', 'k2', 'x', 'k3'].map(matches), [true, true, false, true]);
  });

  test('refuses bad patterns with BAD_ARGUMENT', () => {
    const table: Array<[string, RegExp]> = [
      ['[abc', /never closed/], ['user:[', /never closed/], ['[]', /never closed/], ['[!]', /never closed/],
      ['[a\\', /never closed/], ['x\\', /unfinished/], ['[z-a]', /reversed/], ['x'.repeat(MAX_GLOB_LENGTH + 1), /longer than/],
    ];
    for (const [pattern, message] of table) {
      assert.throws(() => globToMatcher(pattern), (err) => isMemCloudError(err, 'BAD_ARGUMENT') && message.test(err.message), pattern);
    }
    assert.throws(() => globToMatcher(42 as unknown as string), (err) => isMemCloudError(err, 'BAD_ARGUMENT'));
  });
});
