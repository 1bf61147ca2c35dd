// What the consent notification says (no vscode; unit-tested). The device is named by its
// fingerprint first; the name it chose follows, delimited (delimitedName), and the whole text is
// escaped where it is shown (extension/ui/safe-ui.ts).

import type { ConsentAnswer, ConsentRequestInfo } from '../../engine/api/types';
import { delimitedName } from '../../engine/text/display-text';
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

/** "device 7K3Q-MX2A-P9RT-4WZC [desk]": the fingerprint first, then the name it calls itself. */
export function deviceText(fingerprint: string, name: string): string {
  return `device ${fingerprint} ${delimitedName(name)}`;
}

/**
 * "Device 7K3Q-MX2A-P9RT-4WZC [desk] wants to store up to 4 GiB in your RAM". `allowanceBytes` is
 * what an approved device may store here: the node's offer, unless a per-device limit is set later.
 */
export function consentMessage(req: ConsentRequestInfo, allowanceBytes: number | undefined): string {
  const size = allowanceBytes === undefined ? 'your offered memory' : formatSize(allowanceBytes);
  const from = req.direction === 'inbound' ? `It connects from ${req.address}` : `You dialed it at ${req.address}`;
  return `Device ${req.fingerprint} ${delimitedName(req.name)} wants to store up to ${size} in your RAM. ${from} and offers ${formatSize(req.offeredBytes)}. Compare the fingerprint with its owner before allowing.`;
}

/**
 * Set when the name looks like that of a device we trust (same confusable skeleton, or it quotes
 * that device's fingerprint): the title of a loud modal warning; its detail is warningDetail().
 */
export function impostorWarning(req: ConsentRequestInfo): string | undefined {
  if (!req.nameMatchesTrustedFingerprint) return undefined;
  return 'WARNING: possible impostor. A new device calls itself by the name of a device you already trust.';
}

/** The modal's detail: both fingerprints, first, then what to do; the consent message follows. */
export function warningDetail(req: ConsentRequestInfo, allowanceBytes: number | undefined): string {
  return [
    `This is ${deviceText(req.fingerprint, req.name)}.`,
    `The device you trust under a name like that has fingerprint ${req.nameMatchesTrustedFingerprint ?? '?'}, a different key.`,
    'It may be an impostor, or that device was reinstalled. Deny unless its owner confirms the new fingerprint.',
    '',
    consentMessage(req, allowanceBytes),
  ].join('\n');
}

export type ConsentOutcome = ConsentAnswer | 'expired' | 'cancelled';

/** Told when a button is clicked after the request was already settled. */
export function lateAnswerMessage(req: Pick<ConsentRequestInfo, 'name'>, outcome: ConsentOutcome | undefined): string {
  switch (outcome) {
    case undefined:
    case 'expired':
      return `The request from ${delimitedName(req.name)} expired before you answered, so it was denied. Ask its owner to connect again.`;
    case 'cancelled':
      return `The device ${delimitedName(req.name)} gave up waiting (it disconnected) before you answered. Ask its owner to connect again.`;
    default:
      return `The request from ${delimitedName(req.name)} was already answered elsewhere (${outcome === 'deny' ? 'denied' : outcome === 'once' ? 'allowed once' : 'trusted'}).`;
  }
}
