// The part of @hyperswarm/secret-stream's API the benchmark anchor uses (the package ships no types).
declare module '@hyperswarm/secret-stream' {
  import type { Duplex } from 'node:stream';

  interface KeyPair {
    publicKey: Buffer;
    secretKey: Buffer;
  }

  class SecretStream extends Duplex {
    constructor(isInitiator: boolean, rawStream?: Duplex, opts?: { keyPair?: KeyPair });
    static keyPair(seed?: Buffer): KeyPair;
    readonly opened: Promise<boolean>;
  }

  export = SecretStream;
}
