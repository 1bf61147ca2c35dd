import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isMemCloudError } from '../../../engine/errors';
import { assertBlockId, assertNamespace, retainBlockData } from '../../../engine/store/block-input';

describe('retainBlockData', () => {
  test('keeps exact-size and slightly larger buffers as they are', () => {
    const exact = new Uint8Array(1024);
    assert.equal(retainBlockData(exact), exact);
    const withHeader = new Uint8Array(new ArrayBuffer(1024 + 4096), 4096, 1024); // a message with a header
    assert.equal(retainBlockData(withHeader), withHeader);
    const buf = Buffer.alloc(300);
    assert.equal(retainBlockData(buf), buf);
  });

  test('copies views into a much larger buffer, with identical bytes and an exact-size buffer', () => {
    const big = new Uint8Array(1 << 20);
    for (let i = 0; i < big.length; i++) big[i] = i * 7;
    const view = big.subarray(5000, 6024);
    const kept = retainBlockData(view);
    assert.notEqual(kept.buffer, big.buffer);
    assert.equal(kept.buffer.byteLength, 1024);
    assert.deepEqual(kept, view);
    const pooled = Buffer.from('small, from the 8 KiB pool');
    assert.ok(pooled.buffer.byteLength > pooled.length + 4096, 'precondition: Node pooled this Buffer');
    assert.notEqual(retainBlockData(pooled).buffer, pooled.buffer);
    const justOver = new Uint8Array(new ArrayBuffer(1024 + 4097), 0, 1024);
    assert.notEqual(retainBlockData(justOver).buffer, justOver.buffer);
  });

  test('copies views over shared memory and refuses non-bytes', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(64));
    const kept = retainBlockData(shared);
    assert.ok(kept.buffer instanceof ArrayBuffer);
    shared[0] = 1;
    assert.equal(kept[0], 0);
    assert.throws(() => retainBlockData('text' as unknown as Uint8Array), (err) => isMemCloudError(err, 'BAD_ARGUMENT'));
    assert.throws(() => retainBlockData(new Uint16Array(4) as unknown as Uint8Array), (err) => isMemCloudError(err, 'BAD_ARGUMENT'));
  });
});

describe('block ids and namespaces', () => {
  test('accepts 1..64 characters of [0-9a-z_-]', () => {
    for (const id of ['a', '0123456789abcdef0123456789abcdef', 'x'.repeat(64), 'block_1-2']) assert.doesNotThrow(() => assertBlockId(id));
    for (const id of ['', 'x'.repeat(65), 'ABC', 'a b', 'a/b', 'a.b', '../x', 'é', 'a\n', 5 as unknown as string]) {
      assert.throws(() => assertBlockId(id), (err) => isMemCloudError(err, 'BAD_ARGUMENT'), JSON.stringify(id));
    }
  });

  test('namespaces are 1..128 characters', () => {
    assert.doesNotThrow(() => assertNamespace('self'));
    assert.doesNotThrow(() => assertNamespace('k'.repeat(43)));
    for (const ns of ['', 'k'.repeat(129), undefined as unknown as string]) {
      assert.throws(() => assertNamespace(ns), (err) => isMemCloudError(err, 'BAD_ARGUMENT'));
    }
  });
});
