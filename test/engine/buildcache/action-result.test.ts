import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ProtobufError, referencedBlobs } from '../../../engine/buildcache/action-result';
import { actionResult, digest, field } from './protobuf';

const h = (c: string) => c.repeat(64);

describe('Bazel action results', () => {
  test('the CAS blobs of output files, output directories and stdout/stderr; inlined and empty ones left out', () => {
    assert.deepEqual(referencedBlobs(actionResult([{ hash: h('a'), size: 10 }, { hash: h('b'), size: 300 }], { hash: h('c'), size: 5 })), [
      { hash: h('a'), size: 10 },
      { hash: h('b'), size: 300 },
      { hash: h('c'), size: 5 },
    ]);
    const inlined = field(2, Buffer.concat([field(1, Buffer.from('f')), field(2, digest(h('d'), 3)), field(5, Buffer.from('abc'))]));
    const directory = field(3, Buffer.concat([field(1, Buffer.from('dir')), field(3, digest(h('e'), 99))]));
    const empty = field(8, digest(h('f'), 0));
    assert.deepEqual(referencedBlobs(Buffer.concat([inlined, directory, empty, field(4, 1)])), [{ hash: h('e'), size: 99 }]);
    assert.deepEqual(referencedBlobs(Buffer.alloc(0)), []);
  });

  test('malformed input is a ProtobufError, never anything else, whatever the bytes', () => {
    for (const bad of [Buffer.from([0x12, 0x05, 0x01]), Buffer.from([0x00]), Buffer.from([0x13]), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])]) {
      assert.throws(() => referencedBlobs(bad), ProtobufError);
    }
    for (let i = 0; i < 2000; i++) {
      try {
        referencedBlobs(randomBytes(1 + (i % 200)));
      } catch (err) {
        assert.ok(err instanceof ProtobufError, String(err));
      }
    }
  });
});
