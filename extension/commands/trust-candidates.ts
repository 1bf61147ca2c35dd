// The Trust Device picker's entries (no vscode; unit-tested): discovered and pending devices with
// their full fingerprints to compare out of band, and an entry for a pasted public key. Labels are
// text (a device's name is whatever it chose); the icon is separate, so safe-ui.ts can escape them.

import type { PeerInfo } from '../../engine/api/types';
import { fingerprint } from '../../engine/identity/fingerprint';
import { parsePublicKey } from '../../engine/identity/public-key';
import { delimitedName } from '../../engine/text/display-text';
import { formatSize } from '../views/format';

export interface TrustCandidate {
  /** A codicon id shown before the label. */
  readonly icon: string;
  readonly label: string;
  readonly description: string;
  readonly detail: string;
  /** Undefined for an entry that only explains a problem. */
  readonly publicKey?: string;
  readonly name?: string;
}

/** Untrusted devices we know of: waiting for consent first, then discovered on the network. */
export function trustCandidates(peers: readonly PeerInfo[]): TrustCandidate[] {
  return peers
    .filter((p) => !p.trusted && (p.state === 'pending-consent' || p.state === 'discovered' || p.state === 'connected'))
    .sort((a, b) => Number(b.state === 'pending-consent') - Number(a.state === 'pending-consent') || a.name.localeCompare(b.name))
    .map((p) => ({
      icon: p.nameMatchesTrustedFingerprint ? 'warning' : p.state === 'pending-consent' ? 'question' : 'vm-outline',
      label: p.name,
      description:
        (p.nameMatchesTrustedFingerprint ? 'NOT your trusted device with this name · ' : '') +
        (p.state === 'pending-consent' ? 'wants to connect' : p.state === 'connected' ? 'connected (allowed once)' : 'on your network'),
      detail:
        `Fingerprint ${p.fingerprint}` +
        (p.nameMatchesTrustedFingerprint ? ` (the device you trust under a name like this has ${p.nameMatchesTrustedFingerprint})` : '') +
        `${p.addresses[0] ? ` · ${p.addresses[0]}` : ''} · offers ${formatSize(p.offeredBytes)}`,
      publicKey: p.publicKey,
      name: p.name,
    }));
}

/** Text that is clearly an attempt at a key (long, no spaces), not a filter typed into the list. */
function looksLikeKey(text: string): boolean {
  return text.length >= 32 && !/\s/.test(text);
}

/**
 * The entry for what the user typed: "Trust the pasted key" with its fingerprint when it is a
 * valid key, an explanation when it looks like a broken key, nothing for ordinary filter text.
 */
export function pastedKeyCandidate(text: string, peers: readonly PeerInfo[], ownKey?: string): TrustCandidate | undefined {
  const t = text.trim();
  if (!looksLikeKey(t)) return undefined;
  let key: Uint8Array;
  try {
    key = parsePublicKey(t);
  } catch (err) {
    return { icon: 'error', label: 'Not a valid public key', description: '', detail: (err as Error).message };
  }
  const canonical = Buffer.from(key).toString('base64url');
  if (canonical === ownKey) {
    return { icon: 'error', label: "That is this device's own key", description: '', detail: 'Paste the key that `memcloud id` prints on the other device.' };
  }
  const known = peers.find((p) => p.publicKey === canonical);
  return {
    icon: 'key',
    label: `Trust the pasted key${known ? ` ${delimitedName(known.name)}` : ''}`,
    description: known?.trusted ? 'already trusted' : '',
    detail: `Fingerprint ${fingerprint(key)}: compare it with the one shown on the other device`,
    publicKey: canonical,
    ...(known ? { name: known.name } : {}),
  };
}
