// The trust half of the API: the trusted devices (trusted_devices.json) and the consent requests
// waiting for an answer. Devices are named by name, fingerprint or key (trust/device-query.ts).

import type { ConsentAnswer, ConsentRequestInfo, TrustedDeviceInfo } from '../api/types';
import type { ConsentQueue } from '../consent/consent-queue';
import { ErrorCodes, MemCloudError } from '../errors';
import { parsePublicKey } from '../identity/public-key';
import type { SessionManager } from '../session/session-manager';
import { fallbackDeviceName, findDevice } from '../trust/device-query';
import type { TrustStore } from '../trust/trust-store';
import { consentInfo, trustedInfo } from './peer-view';

export interface TrustServiceParts {
  /** This device's own key (text form): it is never trusted as a peer. */
  readonly ownKey: string;
  readonly trust: TrustStore;
  readonly consent: Pick<ConsentQueue, 'list' | 'answer'>;
  readonly sessions: Pick<SessionManager, 'sessionsFor'>;
  /** The name a device goes by in the peers list (connected or discovered), if it is there. */
  readonly listedName: (publicKey: string) => string | undefined;
}

export class TrustService {
  constructor(private readonly parts: TrustServiceParts) {}

  async trustList(): Promise<TrustedDeviceInfo[]> {
    return this.parts.trust.list().map((d) => trustedInfo(d, this.connected(d.publicKey)));
  }

  async trustAdd(publicKey: string, opts: { readonly name?: string; readonly approval?: 'cli' | 'extension' } = {}): Promise<TrustedDeviceInfo> {
    const key = parsePublicKey(publicKey);
    const text = Buffer.from(key).toString('base64url');
    if (text === this.parts.ownKey) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, "that is this device's own key; add the key of the other device");
    const pending = this.parts.consent.list().find((r) => r.publicKey === text);
    const name = opts.name ?? this.parts.trust.getByText(text)?.name ?? this.parts.listedName(text) ?? fallbackDeviceName(key);
    const d = await this.parts.trust.trust(key, { name, approval: opts.approval ?? 'cli' });
    // A device waiting for consent is admitted at once (as if answered "trust always").
    if (pending) this.parts.consent.answer(pending.id, 'once');
    return trustedInfo(d, this.connected(text));
  }

  async trustRemove(device: string, opts: { readonly forget?: boolean } = {}): Promise<TrustedDeviceInfo> {
    const d = findDevice(this.parts.trust.list(), device);
    const key = parsePublicKey(d.publicKey);
    // Its sessions close and what it stored here is dropped on the trust change (node/engine-events.ts),
    // which the trust store makes before writing the file: also when the write fails, it is in force here.
    return opts.forget ? (await this.parts.trust.forget(key), trustedInfo(d, false)) : trustedInfo(await this.parts.trust.revoke(key), false);
  }

  async trustRename(device: string, name: string): Promise<TrustedDeviceInfo> {
    const d = findDevice(this.parts.trust.list(), device);
    const renamed = await this.parts.trust.rename(parsePublicKey(d.publicKey), name);
    return trustedInfo(renamed, this.connected(d.publicKey));
  }

  async consentList(): Promise<ConsentRequestInfo[]> {
    return this.parts.consent.list().map(consentInfo);
  }

  async consentAnswer(id: string, answer: ConsentAnswer): Promise<void> {
    if (answer !== 'once' && answer !== 'always' && answer !== 'deny') {
      throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'answer must be once, always or deny');
    }
    this.parts.consent.answer(id, answer);
  }

  private connected(publicKey: string): boolean {
    return this.parts.sessions.sessionsFor(publicKey).length > 0;
  }
}
