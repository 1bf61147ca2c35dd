// The mDNS socket: one UDP socket on 0.0.0.0:5353 (shared with other responders via SO_REUSEADDR),
// joined to 224.0.0.251 on each chosen interface. multicast-dns does the DNS encoding; we manage
// memberships ourselves so the interfaces are ours to choose and no library timer keeps running.

import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { BlockList } from 'node:net';
import { networkInterfaces } from 'node:os';
import multicastDns from 'multicast-dns';
import type { Packet } from 'dns-packet';
import { ErrorCodes, MemCloudError } from '../errors';
import { MDNS_GROUP, MDNS_PORT } from './constants';

export interface TransportHandlers {
  readonly onQuery: (packet: unknown, from: RemoteInfo) => void;
  readonly onResponse: (packet: unknown, from: RemoteInfo) => void;
  readonly onError: (err: MemCloudError) => void;
}

/** The on-link subnets of the given local IPv4 addresses (RFC 6762 §11: ignore off-link senders). */
function onLinkSubnets(addresses: readonly string[]): BlockList {
  const list = new BlockList();
  const wanted = new Set(addresses);
  for (const entries of Object.values(networkInterfaces())) {
    for (const a of entries ?? []) {
      if (a.family !== 'IPv4' || !wanted.has(a.address) || a.cidr === null) continue;
      const prefix = Number(a.cidr.split('/')[1]);
      list.addSubnet(a.address, prefix, 'ipv4');
    }
  }
  return list;
}

export class MdnsTransport {
  private readonly socket: Socket;
  private readonly mdns: multicastDns.MulticastDNS;
  private interfaces: string[] = [];
  private onLink = new BlockList();
  private sending: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(socket: Socket, mdns: multicastDns.MulticastDNS) {
    this.socket = socket;
    this.mdns = mdns;
  }

  static async open(interfaces: readonly string[], handlers: TransportHandlers): Promise<MdnsTransport> {
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    const mdns = multicastDns({ socket, port: MDNS_PORT, bind: '0.0.0.0', multicast: false });
    try {
      await new Promise<void>((resolve, reject) => {
        mdns.once('ready', resolve);
        mdns.once('error', reject);
      });
    } catch (err) {
      mdns.destroy();
      throw new MemCloudError(ErrorCodes.DISCOVERY_FAILED, `cannot open the mDNS socket (UDP ${MDNS_PORT}): ${(err as Error).message}`, { cause: err });
    }
    const t = new MdnsTransport(socket, mdns);
    socket.setMulticastTTL(255);
    socket.setMulticastLoopback(true); // other MemCloud nodes on this machine must hear us too
    t.setInterfaces(interfaces);
    mdns.on('error', (err: Error) => handlers.onError(new MemCloudError(ErrorCodes.DISCOVERY_FAILED, `mDNS socket: ${err.message}`, { cause: err })));
    mdns.on('warning', () => {}); // undecodable packets and transient send errors: ignored
    mdns.on('query', (packet, from) => {
      if (t.fromOnLink(from)) handlers.onQuery(packet, from);
    });
    mdns.on('response', (packet, from) => {
      // RFC 6762 §6: responses not sent from port 5353 are ignored.
      if (from.port === MDNS_PORT && t.fromOnLink(from)) handlers.onResponse(packet, from);
    });
    return t;
  }

  /** Join the group on these interfaces (IPv4 addresses) and leave it on the others. */
  setInterfaces(interfaces: readonly string[]): void {
    if (this.closed) return;
    for (const old of this.interfaces) {
      if (interfaces.includes(old)) continue;
      try {
        this.socket.dropMembership(MDNS_GROUP, old);
      } catch {
        // the interface is already gone
      }
    }
    const joined: string[] = [];
    for (const addr of interfaces) {
      if (this.interfaces.includes(addr)) {
        joined.push(addr);
        continue;
      }
      try {
        this.socket.addMembership(MDNS_GROUP, addr);
        joined.push(addr);
      } catch {
        // Not (or no longer) a usable interface: skipped; the next refresh tries again.
      }
    }
    this.interfaces = joined;
    this.onLink = onLinkSubnets(joined);
  }

  get joinedInterfaces(): readonly string[] {
    return this.interfaces;
  }

  /** Multicast a packet on every joined interface, one after the other (they share the socket). */
  send(packet: Packet): Promise<void> {
    const run = async (): Promise<void> => {
      for (const iface of this.interfaces) {
        if (this.closed) return;
        try {
          this.socket.setMulticastInterface(iface);
        } catch {
          continue;
        }
        // A failed send (interface going down) is not fatal: the next announcement or query retries.
        await new Promise<void>((resolve) => {
          if (packet.type === 'query') this.mdns.query({ ...packet, questions: packet.questions ?? [] }, () => resolve());
          else this.mdns.respond({ ...packet, answers: packet.answers ?? [] }, () => resolve());
        });
      }
    };
    this.sending = this.sending.then(run, run);
    return this.sending;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.sending.catch(() => {});
    this.closed = true;
    this.leaveAll();
    await new Promise<void>((resolve) => this.mdns.destroy(() => resolve()));
  }

  private leaveAll(): void {
    for (const addr of this.interfaces) {
      try {
        this.socket.dropMembership(MDNS_GROUP, addr);
      } catch {
        // already gone
      }
    }
    this.interfaces = [];
  }

  private fromOnLink(from: RemoteInfo): boolean {
    return from.family === 'IPv4' && this.onLink.check(from.address, 'ipv4');
  }
}
