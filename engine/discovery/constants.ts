// DNS-SD names and limits for LAN discovery (RFC 6762 multicast DNS, RFC 6763 DNS-SD).

export const MDNS_GROUP = '224.0.0.251';
export const MDNS_PORT = 5353;

export const SERVICE_TYPE = '_memcloud._tcp.local';
/** DNS-SD service enumeration (RFC 6763 §9): lets generic browsers list our type. */
export const SERVICE_ENUMERATION = '_services._dns-sd._udp.local';

/** Version of the TXT layout we publish in `v`; the engine decides what it can talk to. */
export const DISCOVERY_PROTOCOL_VERSION = 1;

export const DEFAULT_QUERY_INTERVAL_MS = 10_000;
export const DEFAULT_TTL_SECONDS = 120;

// Caps that keep hostile traffic from exhausting memory or CPU.
/** Instances (PTR targets) tracked at once, resolved or not. */
export const MAX_TRACKED_INSTANCES = 256;
/** Extra instance slots for resolving newcomers while the table is full of resolved peers: a trusted device can still get in. */
export const PREFERRED_RESERVE = 16;
/** Host names whose addresses are cached (SRV targets). */
export const MAX_TRACKED_HOSTS = 256;
/** Addresses kept per host name. */
export const MAX_ADDRESSES_PER_HOST = 16;
/** Records looked at per packet; the rest are ignored. */
export const MAX_RECORDS_PER_PACKET = 128;
/** Received TTLs are clamped so a forged record cannot pin a cache slot for days. */
export const MAX_ACCEPTED_TTL_SECONDS = 4500;
/** Names asked for in one resolution query. */
export const MAX_QUESTIONS_PER_QUERY = 16;
/** Known answers listed in one query: keeps it well under the 9000-byte mDNS packet limit. */
export const MAX_KNOWN_ANSWERS = 48;
