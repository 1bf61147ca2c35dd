// HandshakeCrypto over CryptoOps: the crypto pool, for backends whose operations cost more than a
// pool round trip (noble: ~1 ms each); the handshake then runs its independent DH operations side
// by side on the pool's threads. One ephemeral key pair is kept ready, off the critical path.

import type { CryptoBackendName } from '../backend-name';
import type { CryptoBackend, NoiseSuite } from '../backends';
import type { KeyPair } from '../noise/dh';
import type { AsymOp, AsymResult, CryptoOps } from '../pool/crypto-messages';
import type { DeviceIdentity } from '../../identity/device-identity';
import type { HandshakeCrypto } from './handshake-crypto';

export class PooledHandshakeCrypto implements HandshakeCrypto {
  readonly suite: NoiseSuite;
  private readonly backend: CryptoBackendName;
  private spare: Promise<KeyPair> | null = null;
  private closed = false;

  constructor(
    private readonly ops: CryptoOps,
    backend: CryptoBackend,
    private readonly identity: DeviceIdentity,
  ) {
    this.suite = backend.noise;
    this.backend = backend.name;
    this.refill();
  }

  async ephemeral(): Promise<KeyPair> {
    const next = this.spare ?? this.generate();
    this.spare = null;
    this.refill();
    return next;
  }

  async dh(secretKey: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array> {
    const copy = Uint8Array.from(secretKey); // a real copy even of a Buffer; the pool packs its own, this one we zero
    try {
      const r = await this.one({ op: 'x25519-dh', secretKey: copy, publicKey });
      if (r.op !== 'x25519-dh') throw new Error('unexpected crypto result');
      return r.sharedSecret;
    } finally {
      copy.fill(0);
    }
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    if (this.identity.externalSigner) return this.identity.signAsync(message);
    const secretKey = this.identity.exportSecretKeyForSigning();
    try {
      const r = await this.one({ op: 'ed25519-sign', secretKey, message });
      if (r.op !== 'ed25519-sign') throw new Error('unexpected crypto result');
      return r.signature;
    } finally {
      secretKey.fill(0);
    }
  }

  async verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    try {
      const r = await this.one({ op: 'ed25519-verify', publicKey, message, signature });
      return r.op === 'ed25519-verify' && r.valid;
    } catch {
      return false; // a malformed key or signature is simply not valid
    }
  }

  /** Zeroes the spare ephemeral. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const spare = this.spare;
    this.spare = null;
    if (spare) (await spare.catch(() => null))?.secretKey.fill(0);
  }

  private refill(): void {
    if (this.closed) return;
    const spare = this.generate();
    spare.catch(() => undefined); // a failure surfaces when the spare is used
    this.spare = spare;
  }

  private async generate(): Promise<KeyPair> {
    const r = await this.one({ op: 'x25519-keypair' });
    if (r.op !== 'x25519-keypair') throw new Error('unexpected crypto result');
    return { publicKey: r.publicKey, secretKey: r.secretKey };
  }

  private async one(op: AsymOp): Promise<AsymResult> {
    const [r] = await this.ops.asym(this.backend, [op]);
    if (!r) throw new Error('crypto pool returned no result');
    return r;
  }
}
