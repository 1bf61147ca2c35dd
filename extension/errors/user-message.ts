// Engine errors as people should read them (no vscode; unit-tested). One place maps the stable
// codes to a message and the buttons that help; show-error.ts puts it on screen.

import { ErrorCodes, isMemCloudError } from '../../engine/errors';

export type ErrorAction = 'startNode' | 'openSettings' | 'showLog' | 'connectPeer' | 'trustDevice';

export interface UserMessage {
  readonly text: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly actions: readonly ErrorAction[];
}

/**
 * `what` names the failed action as a verb phrase ("offload big.iso", "connect to 10.0.0.2:7797"):
 * the message reads "Could not <what>: <why>".
 */
export function userMessage(err: unknown, what: string): UserMessage {
  const fail = (why: string, actions: readonly ErrorAction[] = [], severity: UserMessage['severity'] = 'error'): UserMessage => ({
    text: `Could not ${what}: ${why}`,
    severity,
    actions,
  });
  if (!isMemCloudError(err)) {
    const message = err instanceof Error ? err.message : String(err);
    return fail(`${message}. See the MemCloud output for details.`, ['showLog']);
  }
  const detail = err.message.replace(/\.$/, '');
  switch (err.code) {
    case ErrorCodes.NODE_NOT_RUNNING:
    case ErrorCodes.CHANNEL_CLOSED:
      return fail('the MemCloud node is not running.', ['startNode']);
    case ErrorCodes.CANCELLED:
      return { text: `Cancelled: ${detail}.`, severity: 'info', actions: [] };
    case ErrorCodes.HOME_UNUSABLE:
    case ErrorCodes.CONFIG_INVALID:
    case ErrorCodes.BAD_ARGUMENT:
      return fail(`${detail}.`, ['openSettings']);
    case ErrorCodes.NO_PEERS:
      return fail('no peer is connected. Connect a trusted device first.', ['connectPeer']);
    case ErrorCodes.QUOTA_EXCEEDED:
    case ErrorCodes.MEMORY_FULL:
      return fail(`not enough RAM is offered to you (${detail}). Free something, or connect more peers.`);
    case ErrorCodes.PEER_UNTRUSTED:
    case ErrorCodes.CONSENT_DENIED:
      return fail(`the other device did not accept this one (${detail}). Ask its owner to trust this device, or to allow it when asked.`, ['trustDevice'], 'warning');
    case ErrorCodes.PEER_REVOKED:
      return fail(`that device is revoked here (${detail}). Trust it again to reconnect.`, ['trustDevice'], 'warning');
    case ErrorCodes.PEER_KEY_CHANGED:
      return fail(`the device at that address presents a different key than expected (${detail}). It may be another device; nothing was sent to it.`, [], 'warning');
    case ErrorCodes.HANDSHAKE_FAILED:
    case ErrorCodes.HANDSHAKE_TIMEOUT:
    case ErrorCodes.PROTOCOL_VERSION:
      return fail(`the secure handshake failed (${detail}). Is a MemCloud node listening at that address?`);
    case ErrorCodes.CONNECT_FAILED:
    case ErrorCodes.TIMEOUT:
      return fail(`${detail}. Check the address and that the device is on.`);
    case ErrorCodes.NODE_ALREADY_RUNNING:
      return fail(`${detail}.`);
    case ErrorCodes.EVICTED:
    case ErrorCodes.NOT_FOUND:
    case ErrorCodes.PEER_NOT_FOUND:
    case ErrorCodes.CONSENT_NOT_FOUND:
      return fail(`${detail}.`, [], 'warning');
    default:
      return fail(`${detail}.`, ['showLog']);
  }
}
