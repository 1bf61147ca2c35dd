// Waiting for a NodeConnection to reach a state: resolves with the first state (current or emitted) that
// `done` accepts, fails naming the state it stayed in after `timeoutMs`.

import type { ConnectionState, NodeConnection } from '../../../extension/node/node-connection';

export function connectionStateWhen(link: NodeConnection, done: (s: ConnectionState) => boolean, timeoutMs = 20_000): Promise<ConnectionState> {
  if (done(link.state)) return Promise.resolve(link.state);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`state stayed ${JSON.stringify(link.state)}`)), timeoutMs);
    const on = (s: ConnectionState) => {
      if (!done(s)) return;
      clearTimeout(timer);
      link.off('state', on);
      resolve(s);
    };
    link.on('state', on);
  });
}
