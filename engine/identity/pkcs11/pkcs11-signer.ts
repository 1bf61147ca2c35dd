// The identity signer for a key on a PKCS#11 token: CKM_EDDSA (pure Ed25519, no parameters) in
// the token's one logged-in session, one signature at a time (a session runs one operation).
// The handshake's signature comes back from the token; no key byte enters this process.

import { ErrorCodes, MemCloudError } from '../../errors';
import type { IdentitySigner } from '../identity-signer';
import { ckr, CKM_EDDSA, type Handle } from './pkcs11-binding';
import type { TokenSession } from './pkcs11-token';

const SIGNATURE_BYTES = 64;

export class Pkcs11Signer implements IdentitySigner {
  readonly description: string;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(
    private readonly token: TokenSession,
    private readonly key: Handle,
    readonly publicKey: Uint8Array,
  ) {
    this.description = `PKCS#11 token "${token.tokenLabel}"`;
  }

  sign(message: Uint8Array): Promise<Uint8Array> {
    const run = this.#queue.then(() => this.#signNow(message));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    this.token.close();
  }

  async #signNow(message: Uint8Array): Promise<Uint8Array> {
    if (this.#closed) throw new MemCloudError(ErrorCodes.KEY_STORE_UNAVAILABLE, `${this.description} is closed`);
    try {
      this.token.lib.C_SignInit(this.token.session, { mechanism: CKM_EDDSA }, this.key);
      const out = await this.token.lib.C_SignAsync(this.token.session, Buffer.from(message), Buffer.alloc(SIGNATURE_BYTES));
      if (out.length !== SIGNATURE_BYTES) throw new Error(`the token returned ${out.length} bytes, not an Ed25519 signature`);
      return new Uint8Array(out);
    } catch (err) {
      throw new MemCloudError(ErrorCodes.KEY_STORE_UNAVAILABLE, `${this.description} could not sign (${ckr(err) ?? (err as Error).message}). Check that the token is present.`);
    }
  }
}
