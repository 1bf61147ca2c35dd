// The CLI's warning for a device named like one we trust (the confusable skeleton of
// docs/protocol.md 3.3.1): fingerprint first, the name in brackets, and whose name it imitates.

import { displayText } from '../text/display-text';

export interface NamedDevice {
  readonly fingerprint: string;
  readonly name: string;
  readonly nameMatchesTrustedFingerprint?: string;
}

/** One line of terminal text for a device whose name imitates a trusted one, or undefined. */
export function lookalikeWarning(d: NamedDevice): string | undefined {
  if (!d.nameMatchesTrustedFingerprint) return undefined;
  return displayText(
    `WARNING: ${d.fingerprint} [${d.name}] is NOT your trusted device: the one you trust under a name like this has fingerprint ${d.nameMatchesTrustedFingerprint}; this is a different key.`,
    'log',
  );
}

/** The warning lines for a list, each ending in a line feed ('' when none applies). */
export function lookalikeWarnings(devices: readonly NamedDevice[]): string {
  return devices.flatMap((d) => lookalikeWarning(d) ?? []).map((line) => `${line}\n`).join('');
}
