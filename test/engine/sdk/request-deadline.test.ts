// Every SDK request has a finite deadline (the one pending-request table, engine/wire): against a
// real Unix socket served by a node that stops answering, a call fails with TIMEOUT instead of
// hanging, the reply that comes after all is dropped quietly, and the connection goes on working.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrameDecoder } from '../../../engine/control/frame-decoder';
import { FrameWriter } from '../../../engine/control/frame-writer';
import { decodeClientFrame, writeResult } from '../../../engine/control/messages';
import { MemCloud } from '../../../engine/sdk/client';
import { failsWith } from '../../support/errors';

describe('SDK request deadlines', () => {
  test('an unanswered call fails with TIMEOUT; its late reply is dropped and later calls work', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memcloud-deadline-'));
    await chmod(dir, 0o700);
    const path = join(dir, 'control.sock');
    const requests: Array<{ id: number; answer: (keys: string[]) => void }> = [];
    let arrived: (() => void) | null = null;
    const server = createServer((socket: Socket) => {
      const out = new FrameWriter((chunks) => {
        for (const c of chunks) socket.write(c);
      });
      const decoder = new FrameDecoder();
      socket.on('data', (chunk) =>
        decoder.push(chunk, (kind, op, id, body, owned) => {
          const msg = decodeClientFrame(kind, op, id, body, owned);
          if (msg.kind !== 'request') return;
          requests.push({ id: msg.id, answer: (keys) => writeResult(out, msg.id, 'keys', keys) });
          arrived?.();
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    await chmod(path, 0o600);
    const client = await MemCloud.connect({ path, requestTimeoutMs: 1000 });
    try {
      await assert.rejects(client.keys(), failsWith('TIMEOUT'));
      assert.equal(requests.length, 1, 'the request reached the node');
      requests[0]!.answer(['late']); // the node wakes up and answers after the deadline
      const second = client.keys();
      await new Promise<void>((resolve) => (requests.length > 1 ? resolve() : (arrived = resolve)));
      requests[1]!.answer(['on time']);
      assert.deepEqual(await second, ['on time']);
    } finally {
      await client.close();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('requestTimeoutMs must be a positive number', async () => {
    for (const bad of [0, -5, Infinity, Number.NaN]) {
      await assert.rejects(MemCloud.connect({ path: '/nonexistent/control.sock', requestTimeoutMs: bad }), failsWith('BAD_ARGUMENT'), String(bad));
    }
  });
});
