// Polling with a bound, for state that settles asynchronously (a freed chunk on a lender, an entry
// kept from an upstream): the verdict is the state reached, never how long it took; the bound only
// turns "never" into a failure that names what did not happen.

export async function eventually(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls `check` until it stops throwing (work finishing on the other end of a socket); rethrows its last error after `timeoutMs`. */
export async function eventuallyPasses(check: () => void, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** Reads `read` until `done` holds or `timeoutMs` passes; returns the last value read, for the caller to assert. */
export async function settled<T>(read: () => T, done: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = read();
  while (!done(v) && Date.now() <= deadline) {
    await new Promise((r) => setTimeout(r, 200));
    v = read();
  }
  return v;
}
