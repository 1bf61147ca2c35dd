// What the consent notification says (no vscode; unit-tested).

import type { ConsentAnswer, ConsentRequestInfo } from '../../engine/api/types';
import { formatSize } from '../views/format';

export const CONSENT_BUTTONS: ReadonlyArray<{ readonly title: string; readonly answer: ConsentAnswer }> = [
  { title: 'Allow Once', answer: 'once' },
  { title: 'Trust Always', answer: 'always' },
  { title: 'Deny', answer: 'deny' },
];

/** The button title for an answer, and back. */
export function answerFor(title: string | undefined): ConsentAnswer {
  return CONSENT_BUTTONS.find((b) => b.title === title)?.answer ?? 'deny';
}

/**
 * "desk (7K3Q-MX2A-P9RT-4WZC) wants to store up to 4 GiB in your RAM". `allowanceBytes` is what an
 * approved device may store here: the node's offer, unless a per-device limit is set later.
 */
export function consentMessage(req: ConsentRequestInfo, allowanceBytes: number | undefined): string {
  const size = allowanceBytes === undefined ? 'your offered memory' : formatSize(allowanceBytes);
  const from = req.direction === 'inbound' ? `It connects from ${req.address}` : `You dialed it at ${req.address}`;
  return `${req.name} (${req.fingerprint}) wants to store up to ${size} in your RAM. ${from} and offers ${formatSize(req.offeredBytes)}. Compare the fingerprint with its owner before allowing.`;
}

/** Set when a trusted device already has this name: a loud warning to lead with. */
export function impostorWarning(req: ConsentRequestInfo): string | undefined {
  if (!req.nameMatchesTrustedFingerprint) return undefined;
  return (
    `WARNING: "${req.name}" is the name of a device you already trust (fingerprint ${req.nameMatchesTrustedFingerprint}), ` +
    `but this device has a different key (fingerprint ${req.fingerprint}). It may be an impostor, or that device was reinstalled. ` +
    'Deny unless its owner confirms the new fingerprint.'
  );
}

export type ConsentOutcome = ConsentAnswer | 'expired' | 'cancelled';

/** Told when a button is clicked after the request was already settled. */
export function lateAnswerMessage(req: Pick<ConsentRequestInfo, 'name'>, outcome: ConsentOutcome | undefined): string {
  switch (outcome) {
    case undefined:
    case 'expired':
      return `The request from ${req.name} expired before you answered, so it was denied. Ask its owner to connect again.`;
    case 'cancelled':
      return `${req.name} gave up waiting (it disconnected) before you answered. Ask its owner to connect again.`;
    default:
      return `The request from ${req.name} was already answered elsewhere (${outcome === 'deny' ? 'denied' : outcome === 'once' ? 'allowed once' : 'trusted'}).`;
  }
}
