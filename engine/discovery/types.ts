// Public types of LAN discovery.

export interface DiscoveredPeer {
  /** DNS-SD instance label (e.g. `laptop [1a2b3c4d5e6f]`). */
  readonly instance: string;
  /** From TXT `pk`: base64url, 43 characters; format checked only, the handshake authenticates. */
  readonly publicKey: string;
  /** From TXT `name`: 1..64 characters, no control or bidi characters. */
  readonly name: string;
  /** From TXT `fp`: checked to be the fingerprint of publicKey. */
  readonly fingerprint: string;
  /** From TXT `v`. */
  readonly protocolVersion: number;
  /** From TXT `offer`. */
  readonly offeredBytes: number;
  /** A/AAAA of the SRV target, in the order to try. */
  readonly addresses: readonly string[];
  /** SRV port. */
  readonly port: number;
  /** ms since the epoch of the last record that refreshed this peer. */
  readonly lastSeen: number;
}

export interface DiscoveryOptions {
  readonly publicKey: string;
  readonly name: string;
  readonly fingerprint: string;
  readonly port: number;
  readonly offeredBytes: number;
  /** Answer queries and announce ourselves. Default true. */
  readonly advertise?: boolean;
  /** Query for and track other devices. Default true. */
  readonly browse?: boolean;
  /** Restrict to these local interface IPv4 addresses (tests bind to the veth address). Default: all non-internal interfaces. */
  readonly interfaceAddresses?: readonly string[];
  /** Re-query period, default 10 s. */
  readonly queryIntervalMs?: number;
  /** Record TTL, default 120; peers expire after TTL without refresh. */
  readonly ttlSeconds?: number;
  /** Keys that keep room in a table flooded with other peers (the engine's trusted devices). */
  readonly isPreferred?: (publicKey: string) => boolean;
}

export interface PeerChanges {
  readonly up: DiscoveredPeer[];
  readonly update: DiscoveredPeer[];
  readonly down: DiscoveredPeer[];
}
