// The lifecycle base: what an object registers ends with it, newest first, once; a failure in one
// does not keep the others alive; listen() is one object for an on/off pair.

import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import { Disposable, listen, toDisposable } from '../../../extension/lifecycle/disposable';

class Owner extends Disposable {
  own<T extends { dispose(): unknown }>(value: T): T {
    return this._register(value);
  }
}

describe('Disposable', () => {
  test('dispose ends what was registered, newest first, and only once', () => {
    const ended: string[] = [];
    const owner = new Owner();
    owner.own(toDisposable(() => ended.push('first')));
    owner.own(toDisposable(() => ended.push('second')));
    owner.dispose();
    owner.dispose();
    assert.deepEqual(ended, ['second', 'first']);
  });

  test('registering after dispose ends the value at once', () => {
    const owner = new Owner();
    owner.dispose();
    let ended = 0;
    owner.own(toDisposable(() => ended++));
    assert.equal(ended, 1);
  });

  test('one failing disposal does not keep the others alive; its error is rethrown', () => {
    const ended: string[] = [];
    const owner = new Owner();
    owner.own(toDisposable(() => ended.push('a')));
    owner.own({
      dispose: () => {
        throw new Error('boom');
      },
    });
    owner.own(toDisposable(() => ended.push('c')));
    assert.throws(() => owner.dispose(), /boom/);
    assert.deepEqual(ended, ['c', 'a']);
  });

  test('listen subscribes until disposed', () => {
    const emitter = new EventEmitter<{ tick: [number] }>();
    const seen: number[] = [];
    const sub = listen(emitter, 'tick', (n) => seen.push(n));
    emitter.emit('tick', 1);
    sub.dispose();
    sub.dispose();
    emitter.emit('tick', 2);
    assert.deepEqual(seen, [1]);
    assert.equal(emitter.listenerCount('tick'), 0);
  });
});
