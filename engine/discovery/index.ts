// LAN discovery (mDNS / DNS-SD): see discovery.ts.
export { Discovery, type DiscoveryEvents } from './discovery';
export type { DiscoveredPeer, DiscoveryOptions } from './types';
