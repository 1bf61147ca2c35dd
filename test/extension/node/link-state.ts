// Waiting for a NodeLink to reach a state: resolves with the first state (current or emitted) that
// `done` accepts, fails naming the state it stayed in after `timeoutMs`.

import type { LinkState, NodeLink } from '../../../extension/node/node-link';

export function linkStateWhen(link: NodeLink, done: (s: LinkState) => boolean, timeoutMs = 20_000): Promise<LinkState> {
  if (done(link.state)) return Promise.resolve(link.state);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`state stayed ${JSON.stringify(link.state)}`)), timeoutMs);
    const on = (s: LinkState) => {
      if (!done(s)) return;
      clearTimeout(timer);
      link.off('state', on);
      resolve(s);
    };
    link.on('state', on);
  });
}
