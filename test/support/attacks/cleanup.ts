// Everything a test opens (endpoints, proxies, listeners) is registered here and closed after it,
// newest first, whether the test passed or not.

import { afterEach } from 'node:test';

export interface Closable {
  close(): Promise<void> | void;
}

/** Call inside a describe(): returns `track`, which registers a resource and hands it back. */
export function closeAfterEach(): <T extends Closable>(resource: T) => T {
  const open: Closable[] = [];
  afterEach(async () => {
    for (const r of open.splice(0).reverse()) await r.close();
  });
  return (resource) => {
    open.push(resource);
    return resource;
  };
}
