// A throwaway LAN of network namespaces for one test file (before/after hooks), and the matcher for
// the JSON log lines of `memcloud node run` processes running on it.

import { after, before } from 'node:test';
import { NetnsLan, assertNetnsCapable, removeStaleNamespaces } from './netns';

/** Creates the LAN before the file's tests and destroys it (then runs `cleanup`) after them. */
export function lanForThisFile(hosts: number, cleanup: () => void = () => undefined): () => NetnsLan {
  let lan: NetnsLan | undefined;
  before(async () => {
    assertNetnsCapable();
    removeStaleNamespaces();
    lan = await NetnsLan.create(hosts);
  });
  after(async () => {
    await lan?.destroy();
    cleanup();
  });
  return () => {
    if (!lan) throw new Error('the LAN exists only while the tests run');
    return lan;
  };
}

/** A node's log line whose text contains `text`. */
export const hasRaw = (text: string) => (line: unknown): line is { raw: string } =>
  typeof line === 'object' && line !== null && typeof (line as { raw?: unknown }).raw === 'string' && (line as { raw: string }).raw.includes(text);
