// A lifecycle base (the pattern of vscode-pull-request-github's common/lifecycle.ts): an object
// registers everything it starts (listeners, timers, child objects) with _register(), and one
// idempotent dispose() ends them all, newest first. No vscode import: vscode.Disposable and our own
// objects share the one-method shape, so the model and the dashboard host use it too.

import type { EventEmitter } from 'node:events';

export interface DisposableLike {
  dispose(): unknown;
}

export abstract class Disposable implements DisposableLike {
  private readonly owned: DisposableLike[] = [];
  private disposedFlag = false;

  protected get isDisposed(): boolean {
    return this.disposedFlag;
  }

  /** Ends `value` with this object; after dispose() it is ended at once. */
  protected _register<T extends DisposableLike>(value: T): T {
    if (this.disposedFlag) value.dispose();
    else this.owned.push(value);
    return value;
  }

  /** Idempotent: ends what was registered, newest first; one failing does not keep the rest alive. */
  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    let first: unknown;
    for (const d of this.owned.splice(0).reverse()) {
      try {
        d.dispose();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  }
}

/** A disposable from a function (like vscode.Disposable's constructor, without vscode). */
export function toDisposable(dispose: () => void): DisposableLike {
  let done = false;
  return {
    dispose: () => {
      if (done) return;
      done = true;
      dispose();
    },
  };
}

/** Subscribes `listener` to `emitter`'s `event`; disposing unsubscribes (one object for the on/off pair). */
export function listen<E extends Record<keyof E, unknown[]>, K extends keyof E & string>(
  emitter: EventEmitter<E>,
  event: K,
  listener: (...args: E[K]) => void,
): DisposableLike {
  const on = emitter as unknown as { on(e: string, l: (...a: unknown[]) => void): void; off(e: string, l: (...a: unknown[]) => void): void };
  const l = listener as (...a: unknown[]) => void;
  on.on(event, l);
  return toDisposable(() => on.off(event, l));
}
