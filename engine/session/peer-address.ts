// Where a peer is dialed: HOST:PORT text as people write it (--connect, config.json "peers",
// `memcloud peers connect`, VS Code settings), checked in one place.

import { ErrorCodes, MemCloudError } from '../errors';
import { parsePublicKey } from '../identity/public-key';

export const DEFAULT_PORT = 7797;

/** A peer to keep connected; with publicKey, a different device at that address is refused. */
export interface StaticPeer {
  readonly address: string;
  readonly publicKey?: string;
}

export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (!m) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `"${text}" is not HOST:PORT (e.g. 192.168.1.20:${DEFAULT_PORT}, [fe80::1]:${DEFAULT_PORT})`);
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `port in "${text}" must be from 1 to 65535`);
  return { host: (m[1] ?? m[2])!, port };
}

/**
 * One static peer as config.json's "peers" and VS Code's memcloud.staticPeers give it: "HOST:PORT",
 * or {"address": "HOST:PORT", "publicKey": "..."} to refuse any other device at that address.
 */
export function parseStaticPeer(v: unknown): StaticPeer {
  if (typeof v === 'string') {
    parseHostPort(v);
    return { address: v.trim() };
  }
  if (typeof v === 'object' && v !== null && typeof (v as { address?: unknown }).address === 'string') {
    const { address, publicKey } = v as { address: string; publicKey?: unknown };
    parseHostPort(address);
    if (publicKey === undefined) return { address: address.trim() };
    if (typeof publicKey !== 'string') throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'publicKey must be a string');
    parsePublicKey(publicKey);
    return { address: address.trim(), publicKey: publicKey.trim() };
  }
  throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'expected "HOST:PORT" or {"address": "HOST:PORT", "publicKey": "..."}');
}
