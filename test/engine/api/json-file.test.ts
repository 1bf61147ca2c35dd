// api/schema.ts at the JSON files' boundary: the combinators files need (is, refine, distinct, the
// failure a schema reports) and api/json-file.ts's sentences, which people read when a file in their
// home is damaged. Each sentence names the place and the field.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonFile, problemSentence } from '../../../engine/api/json-file';
import { and, arr, distinct, int, is, literal, nullable, obj, parsedBy, record, refine, rule, SchemaError, str, tagged, tuple, type Schema } from '../../../engine/api/schema';

const isEven = (v: unknown): v is number => typeof v === 'number' && v % 2 === 0;

const item = refine(
  obj({ key: str, size: int(0, 10) }, { note: str, inner: obj({ x: is(isEven, 'an even number') }, {}, 'strict') }, 'strict'),
  (i) => (i.key === 'bad' && i.size > 0 ? 'a bad item must have size 0' : undefined),
);
const file = obj(
  {
    version: rule(literal(1), (v) => `its version ${String(v)} is not supported`),
    items: distinct(arr(item, 4), (i) => i.key, (k) => `key ${String(k)} is listed twice`),
    owner: nullable(str),
  },
  {},
  'strict',
);

function problem(content: string | Uint8Array, schema: Schema<unknown> = file): string {
  const r = parseJsonFile(content, schema);
  assert.equal(typeof r, 'string', 'expected the file to be refused');
  return r as string;
}

const valid = { version: 1, items: [{ key: 'a', size: 1 }, { key: 'b', size: 2, inner: { x: 4 } }], owner: null };
const withItem = (extra: Record<string, unknown>) => JSON.stringify({ ...valid, items: [valid.items[0], { key: 'c', size: 0, ...extra }] });

describe('JSON files through api/schema.ts', () => {
  test('a valid file comes back as its value', () => {
    assert.deepEqual(parseJsonFile(JSON.stringify(valid), file), valid);
    assert.deepEqual(parseJsonFile(Buffer.from(JSON.stringify(valid)), file), valid);
  });

  test('the file itself: not JSON, not UTF-8, not an object', () => {
    assert.equal(problem('{"version":'), 'it is not valid JSON');
    assert.equal(problem(Buffer.from([0xff, 0xfe, 0x7b, 0x7d])), 'it is not valid JSON');
    assert.equal(problem('[]'), 'it is not a JSON object');
    assert.equal(problem('null'), 'it is not a JSON object');
  });

  test('top-level fields: a rule\'s own sentence, a missing field, a wrong type, an unknown field', () => {
    assert.equal(problem(JSON.stringify({ ...valid, version: 2 })), 'its version 2 is not supported');
    assert.equal(problem(JSON.stringify({ version: 1, owner: null })), '"items" must be an array of at most 4 items (it is missing)');
    assert.equal(problem(JSON.stringify({ ...valid, owner: 5 })), '"owner" must be a string of at most 1048576 characters');
    assert.equal(problem(JSON.stringify({ ...valid, extra: 1 })), 'it has an unexpected field "extra"');
  });

  test('inside an array: the item is the place, nested fields are dotted', () => {
    assert.equal(problem(JSON.stringify({ ...valid, items: [1] })), 'items[0]: must be an object');
    assert.equal(problem(withItem({ size: 11 })), 'items[1]: "size" must be an integer from 0 to 10');
    assert.equal(problem(withItem({ color: 'red' })), 'items[1]: unexpected field "color"');
    assert.equal(problem(withItem({ inner: { x: 3 } })), 'items[1]: "inner.x" must be an even number');
    assert.equal(problem(withItem({ inner: { x: 2, 'y].z': 1 } })), 'items[1]: unexpected field "inner.y].z"');
    assert.equal(problem(withItem({ key: 'bad', size: 1 })), 'items[1]: a bad item must have size 0');
    assert.equal(problem(withItem({ key: 'a' })), 'items[1]: key a is listed twice');
    assert.equal(problem(JSON.stringify({ ...valid, items: new Array(5).fill(valid.items[0]) })), '"items" must be an array of at most 4 items');
  });

  test('versions and forms: a union told apart by a number or a named field, with its own words for an unknown one', () => {
    const versioned = tagged(
      {
        1: obj({ version: literal(1), a: str }, {}, 'strict'),
        2: obj({ version: literal(2), inner: and(obj({}), tagged({ x: obj({ form: literal('x') }, {}, 'strict') }, { tag: 'form' })) }, {}, 'strict'),
      },
      { tag: 'version', unknown: (v) => (typeof v === 'number' ? `its version ${v} is not supported` : '"version" is missing') },
    );
    assert.deepEqual(parseJsonFile('{"version":1,"a":"b"}', versioned), { version: 1, a: 'b' });
    assert.deepEqual(parseJsonFile('{"version":2,"inner":{"form":"x"}}', versioned), { version: 2, inner: { form: 'x' } });
    assert.equal(problem('{"version":3}', versioned), 'its version 3 is not supported');
    assert.equal(problem('{"a":"b"}', versioned), '"version" is missing');
    assert.equal(problem('{"version":"1","a":"b"}', versioned), '"version" must be one of 1');
    assert.equal(problem('{"version":1,"a":"b","inner":1}', versioned), 'it has an unexpected field "inner"');
    assert.equal(problem('{"version":2}', versioned), '"inner" must be an object (it is missing)');
    assert.equal(problem('{"version":2,"inner":{"form":"y"}}', versioned), '"inner.form" must be one of x');
    assert.equal(problem('{"version":2,"inner":{"form":"x","k":1}}', versioned), 'it has an unexpected field "inner.k"');
    assert.equal(problem('{"version":2,"inner":{"form":"toString"}}', versioned), '"inner.form" must be one of x');
  });

  test('maps, rows and values checked by their own parser', () => {
    const headers = obj({ h: record(str, is((k): k is string => /^[a-z-]+$/.test(String(k)), 'a header name'), 2) }, {}, 'strict');
    assert.deepEqual(parseJsonFile('{"h":{"a":"1","b-c":"2"}}', headers), { h: { a: '1', 'b-c': '2' } });
    assert.equal(problem('{"h":{"a":1}}', headers), 'h["a"]: must be a string of at most 1048576 characters');
    assert.equal(problem('{"h":{"A]":"1"}}', headers), 'h["A]"]: must be a header name');
    assert.equal(problem('{"h":{"a":"1","b":"2","c":"3"}}', headers), '"h" must be an object of at most 2 entries');
    const rows = obj({ rows: arr(tuple(str, int(0, 9))) });
    assert.deepEqual(parseJsonFile('{"rows":[["a",1]]}', rows), { rows: [['a', 1]] });
    assert.equal(problem('{"rows":[["a",1,2]]}', rows), 'rows[0]: must be a list of 2 items');
    assert.equal(problem('{"rows":[["a",10]]}', rows), 'rows[0][1]: must be an integer from 0 to 9');
    const sized = obj({ size: parsedBy(str, (v) => { if (!/^\d+kb$/.test(v)) throw new Error('is not a size like 4kb'); }, 'size') });
    assert.deepEqual(parseJsonFile('{"size":"4kb"}', sized), { size: '4kb' });
    assert.equal(problem('{"size":"lots"}', sized), '"size": is not a size like 4kb');
    const settings = obj({}, { a: str }, (k) => `unknown setting ${JSON.stringify(k)}`);
    assert.equal(problem('{"b":1}', settings), 'unknown setting "b"');
  });

  test('a hostile field name is quoted (controls escaped) and cut short', () => {
    const name = `\u001b[31m${'x'.repeat(200)}`;
    const p = problem(JSON.stringify({ ...valid, [name]: 1 }));
    assert.ok(!p.includes('\u001b'));
    assert.ok(p.startsWith('it has an unexpected field "\\u001b[31mxxx'), p);
    assert.ok(p.length < 120, p);
  });

  test('the control socket\'s messages are unchanged: path, then what was expected', () => {
    const errorOf = (v: unknown, path: string): SchemaError => {
      try {
        file(v, path);
      } catch (err) {
        if (err instanceof SchemaError) return err;
        throw err;
      }
      assert.fail('expected a SchemaError');
    };
    const unknown = errorOf({ ...valid, extra: 1 }, 'args[0]');
    assert.equal(unknown.message, 'args[0].extra: expected no such field');
    assert.equal(problemSentence(unknown), 'args[0]: unexpected field "extra"');
    assert.equal(errorOf({ ...valid, items: 'x' }, '').message, '.items: expected an array of at most 4 items');
    assert.equal(errorOf({ version: 1, owner: null }, '').message, '.items: expected an array of at most 4 items');
  });
});
