// Small waits over sessions and channels, each bounded so a broken test fails instead of hanging.

import type { MemCloudError } from '../../engine/errors';
import type { SecureChannel } from '../../engine/net/secure-channel';
import type { Session } from '../../engine/session/session-manager';
import type { Endpoint } from './endpoints';

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    p.then((v) => (clearTimeout(t), resolve(v)), (e) => (clearTimeout(t), reject(e)));
  });
}

// The waits below are hang guards, not verdicts: generous, because a cold crypto pool on a loaded
// machine takes seconds.
export function nextSession(e: Endpoint, ms = 30_000): Promise<Session> {
  return withTimeout(new Promise((resolve) => e.sessions.once('session', resolve)), ms, `a session on ${e.name}`);
}

export function nextMessages(channel: SecureChannel, count: number, ms = 20_000): Promise<Buffer[]> {
  const got: Buffer[] = [];
  return withTimeout(
    new Promise((resolve, reject) => {
      const onMessage = (m: Buffer) => {
        got.push(Buffer.from(m));
        if (got.length === count) {
          channel.off('message', onMessage);
          channel.off('close', onClose);
          resolve(got);
        }
      };
      const onClose = (err: MemCloudError | null) => reject(new Error(`channel closed after ${got.length} messages: ${err?.message}`));
      channel.on('message', onMessage);
      channel.once('close', onClose);
    }),
    ms,
    `${count} messages`,
  );
}

export function waitClosed(channel: SecureChannel, ms = 10_000): Promise<MemCloudError | null> {
  return withTimeout(new Promise((resolve) => channel.once('close', resolve)), ms, 'the channel to close');
}
