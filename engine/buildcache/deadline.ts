// A point in time a cache read must beat: for a build tool, a slow answer is worse than a miss.

export const TIMED_OUT: unique symbol = Symbol('timed out');
export type TimedOut = typeof TIMED_OUT;

export class Deadline {
  private readonly at: number;

  constructor(ms: number) {
    this.at = performance.now() + ms;
  }

  remainingMs(): number {
    return Math.max(0, this.at - performance.now());
  }

  /**
   * `p`'s value, or TIMED_OUT if the deadline passes first. A rejection of `p` is passed on; one
   * that comes after the deadline is swallowed (the caller has moved on).
   */
  race<T>(p: Promise<T>): Promise<T | TimedOut> {
    const left = this.remainingMs();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<TimedOut>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), left);
      timer.unref();
    });
    p.catch(() => undefined);
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }
}
