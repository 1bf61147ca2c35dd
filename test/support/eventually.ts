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
