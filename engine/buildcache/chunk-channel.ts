// A one-slot channel of byte chunks: a producer pushes, a consumer iterates. push() resolves when
// the consumer has taken the chunk, so a fast producer never runs ahead of a slow consumer. Used to
// keep an upstream entry in LAN RAM while it streams to the build tool.

export class ChunkChannel implements AsyncIterable<Uint8Array> {
  private slot: { chunk: Uint8Array; taken: () => void } | null = null;
  private wake: (() => void) | null = null;
  private ended = false;
  private failure: Error | null = null;
  private abandoned = false;

  /** Resolves once the consumer took the chunk (at once if it stopped consuming). */
  push(chunk: Uint8Array): Promise<void> {
    if (this.abandoned || this.ended || this.failure) return Promise.resolve();
    return new Promise((resolve) => {
      this.slot = { chunk, taken: resolve };
      this.notify();
    });
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  fail(err: Error): void {
    this.failure ??= err;
    this.notify();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        if (this.slot) {
          const { chunk, taken } = this.slot;
          this.slot = null;
          taken();
          yield chunk;
          continue;
        }
        if (this.failure) throw this.failure;
        if (this.ended) return;
        await new Promise<void>((r) => (this.wake = r));
      }
    } finally {
      this.abandoned = true;
      this.slot?.taken();
      this.slot = null;
    }
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}
