// Inbound connections that end before a session opens (a bad preamble, a failed or timed-out
// handshake, a refused device) are logged one line each, but at most PER_WINDOW lines in any
// WINDOW_MS; past that they are counted, and one line sums them up when the window ends. Any host
// on the LAN can open connections that fail at no cost to itself: logged one by one, a thousand
// a second would push the consent, trust and eviction lines of the last days out of the rotating
// log (security findings F4/F9, rechecked in session 8).

const WINDOW_MS = 10_000;
const PER_WINDOW = 5;

export interface RefusalLogOptions {
  readonly log: (message: string) => void;
  readonly now?: () => number;
  readonly windowMs?: number;
  readonly perWindow?: number;
}

export class RefusalLog {
  private readonly log: (message: string) => void;
  private readonly now: () => number;
  private readonly windowMs: number;
  private readonly perWindow: number;
  private windowStart = -Infinity;
  private inWindow = 0;
  private suppressed = 0;
  private last = '';
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(opts: RefusalLogOptions) {
    this.log = opts.log;
    this.now = opts.now ?? Date.now;
    this.windowMs = opts.windowMs ?? WINDOW_MS;
    this.perWindow = opts.perWindow ?? PER_WINDOW;
  }

  /** One inbound connection from `address` was refused for `reason`. */
  note(address: string, reason: string): void {
    if (this.closed) return;
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      this.flush();
      this.windowStart = now;
      this.inWindow = 0;
    }
    this.inWindow++;
    const line = `inbound session from ${address} refused: ${reason}`;
    if (this.inWindow <= this.perWindow) {
      this.log(line);
      return;
    }
    this.suppressed++;
    this.last = line;
    // The summary is written when the window ends even if nothing more comes (an unref'd timer).
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flush();
    }, Math.max(0, this.windowStart + this.windowMs - now)).unref();
  }

  /** Writes the summary of what was counted and not logged, and stops. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.suppressed === 0) return;
    const n = this.suppressed;
    this.suppressed = 0;
    this.log(`${n} more inbound ${n === 1 ? 'session' : 'sessions'} refused within ${this.windowMs / 1000} s, not logged one by one; the last: ${this.last}`);
  }
}
