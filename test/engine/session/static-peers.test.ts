// Peers named at start are redialed; a failed dial is one readable log line (real TCP, a port
// nobody listens on).

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { Logger } from '../../../engine/log/log';
import { StaticPeers } from '../../../engine/session/static-peers';
import { closeSharedPool, createEndpoint } from '../../support/endpoints';
import { eventually } from '../../support/eventually';

after(closeSharedPool);

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe('static peers', () => {
  test('a refused dial is logged once per attempt, naming the address once, with the retry', async () => {
    const ep = await createEndpoint({ name: 'dialer' });
    const log = new Logger();
    const port = await closedPort();
    const peers = new StaticPeers(ep.sessions, [{ address: `127.0.0.1:${port}` }], log);
    try {
      peers.start();
      await eventually('the failed dial is logged', () => log.recent().some((e) => e.level === 'warn'));
      const line = log.recent().find((e) => e.level === 'warn')!.message;
      assert.match(line, new RegExp(`^could not connect to 127\\.0\\.0\\.1:${port}: .*; retrying in 1 s$`));
      assert.equal(line.split('could not connect').length - 1, 1, line);
    } finally {
      peers.stop();
      await ep.close();
    }
  });
});
