// Checks for what people type into input boxes (no vscode; unit-tested). Each returns the problem
// in words, or undefined when the text is fine, as showInputBox's validateInput expects.

import { parsePublicKey } from '../../engine/identity/public-key';
import { deviceNameFromInput } from '../../engine/identity/device-name';
import { DEFAULT_PORT, parseHostPort } from '../../engine/session/peer-address';
import { parseSize } from '../../engine/store/sizes';

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** HOST:PORT, e.g. 192.168.1.20:7797 or [fe80::1]:7797. */
export function validateHostPort(text: string): string | undefined {
  if (text.trim() === '') return `Enter HOST:PORT, e.g. 192.168.1.20:${DEFAULT_PORT}`;
  try {
    parseHostPort(text);
    return undefined;
  } catch (err) {
    return messageOf(err);
  }
}

/** Adds the default port when only a host is given: `10.0.0.2` -> `10.0.0.2:7797`. */
export function withDefaultPort(text: string): string {
  const t = text.trim();
  if (/^\[[0-9a-fA-F:.]+\]$/.test(t) || /^[^:\s[\]]+$/.test(t)) return `${t}:${DEFAULT_PORT}`;
  return t;
}

/** A byte size such as 512mb or 4 GiB, at least `minBytes`. */
export function validateSize(text: string, minBytes = 0): string | undefined {
  try {
    const bytes = parseSize(text);
    if (bytes < minBytes) return `Must be at least ${minBytes} bytes`;
    return undefined;
  } catch (err) {
    return messageOf(err);
  }
}

/** A public key as `memcloud id` prints it (43 base64url characters) or 64 hex characters. */
export function validatePublicKey(text: string): string | undefined {
  try {
    parsePublicKey(text);
    return undefined;
  } catch (err) {
    return messageOf(err);
  }
}

/** The canonical text form of a pasted key (hex accepted), or undefined when it is not a key. */
export function canonicalPublicKey(text: string): string | undefined {
  try {
    return Buffer.from(parsePublicKey(text)).toString('base64url');
  } catch {
    return undefined;
  }
}

export function validateName(text: string): string | undefined {
  try {
    deviceNameFromInput(text);
    return undefined;
  } catch (err) {
    return messageOf(err);
  }
}
