// The dashboard's view model: (status, stats, peers, data, history) in, plain labels, percentages
// and chart points out. Pure and DOM-free; the renderer only copies these values into the page.

import type { BuildCacheStatus } from '../../engine/api/build-cache-types';
import { fileProblems } from '../../engine/api/file-problems';
import { LOCAL_HOLDER, type DataItem, type PeerInfo, type PeerState } from '../../engine/api/types';
import { hitRate, totals } from '../../engine/buildcache/cache-stats';
import { buildChart, type ChartView } from './chart';
import { HISTORY_LENGTH } from './history';
import { formatLatency, formatOps, formatRate, formatSize, percentOf, plural, shortFingerprint } from './format';
import type { DashboardState, ItemRef } from './protocol';

export type Tone = 'ok' | 'warn' | 'error' | 'muted';

export interface Banner {
  readonly tone: 'info' | 'error';
  readonly text: string;
}

/** A horizontal bar: `percent` is exact (for screen readers); `fill` keeps any non-zero use visible. */
export interface Bar {
  readonly label: string;
  readonly text: string;
  readonly percent: number;
  readonly fill: number;
}

export interface Metric {
  readonly label: string;
  readonly value: string;
  readonly detail: string;
}

export interface NodeView {
  readonly name: string;
  readonly fingerprint: string;
  readonly address: string;
  readonly offer: string;
  readonly memory: string;
  readonly details: string;
}

export interface PeerRow {
  readonly key: string;
  readonly name: string;
  readonly shortFingerprint: string;
  readonly fingerprint: string;
  readonly state: string;
  readonly tone: Tone;
  readonly address: string;
  readonly latency: string;
  readonly trusted: boolean;
  /** Admitted by this team's certificate (its name: peer text, shown as text). */
  readonly team: string | null;
}

export interface CapacityRow {
  readonly key: string;
  readonly name: string;
  readonly caption: string;
  readonly bars: readonly Bar[];
}

export interface DataRow {
  readonly key: string;
  readonly item: ItemRef;
  readonly name: string;
  readonly kind: DataItem['kind'];
  readonly size: string;
  readonly durability: DataItem['durability'];
  readonly replicas: string;
  readonly holders: string;
  readonly degraded: boolean;
  /** The build cache is freed, never restored. */
  readonly restorable: boolean;
}

export interface Section<R> {
  readonly rows: readonly R[];
  /** Shown instead of the rows when there are none. */
  readonly empty: string | null;
}

export interface ThroughputView {
  readonly sent: string;
  readonly received: string;
  readonly ops: string;
  readonly peak: string;
  /** How much time the chart's width stands for. */
  readonly span: string;
  readonly chart: ChartView | null;
  readonly empty: string | null;
}

export interface DashboardView {
  readonly banner: Banner | null;
  readonly node: NodeView | null;
  readonly summary: readonly Metric[];
  readonly peers: Section<PeerRow>;
  readonly capacity: Section<CapacityRow>;
  readonly data: Section<DataRow> & { readonly note: string | null };
  readonly throughput: ThroughputView;
}

// Command titles as package.json declares them (category "MemCloud").
export const EMPTY_TEXT = {
  loading: 'Connecting to the MemCloud node…',
  detached: 'No MemCloud node is attached to this window. Run “MemCloud: Start Node”; the dashboard fills in by itself.',
  noNode: 'No node attached.',
  peers: 'No peers yet: run “MemCloud: Trust Device” on both machines, then “MemCloud: Connect to Peer...”.',
  capacity: 'No connected peers: capacity appears here when a trusted device connects.',
  data: 'Nothing offloaded yet: run “MemCloud: Offload File or Folder...”, or store data with the memcloud CLI or the SDK.',
  throughput: 'Waiting for the first samples…',
} as const;

const STATE: Readonly<Record<PeerState, { readonly label: string; readonly tone: Tone; readonly order: number }>> = {
  connected: { label: 'connected', tone: 'ok', order: 0 },
  'pending-consent': { label: 'waiting for consent', tone: 'warn', order: 1 },
  connecting: { label: 'connecting', tone: 'muted', order: 2 },
  discovered: { label: 'discovered', tone: 'muted', order: 3 },
  disconnected: { label: 'offline', tone: 'muted', order: 4 },
};

/** The whole view; `state` null means nothing has arrived from the host yet. */
export function buildDashboardView(state: DashboardState | null): DashboardView {
  const attached = state?.attached === true;
  const peers = attached ? sortPeers(state!.peers) : [];
  const stats = attached ? state!.stats : null;
  const chart = buildChart(state?.history ?? []);
  return {
    banner: banner(state),
    node: attached && state!.status ? nodeView(state!) : null,
    summary: summary(state),
    peers: { rows: peers.map(peerRow), empty: peers.length > 0 ? null : attached ? EMPTY_TEXT.peers : EMPTY_TEXT.noNode },
    capacity: capacity(peers, attached),
    data: dataSection(attached ? state!.data : [], attached),
    throughput: {
      sent: formatRate(stats?.throughput.sentPerSec ?? 0),
      received: formatRate(stats?.throughput.receivedPerSec ?? 0),
      ops: formatOps(stats?.ops.perSec ?? 0),
      peak: formatRate(chart?.peak ?? 0),
      span: `last ${HISTORY_LENGTH} s`,
      chart,
      empty: chart ? null : EMPTY_TEXT.throughput,
    },
  };
}

function banner(state: DashboardState | null): Banner | null {
  if (state === null) return { tone: 'info', text: EMPTY_TEXT.loading };
  if (!state.attached) return { tone: 'info', text: EMPTY_TEXT.detached };
  if (state.error !== null) return { tone: 'error', text: `Cannot read the node: ${state.error}` };
  const problems = fileProblems(state.status ?? undefined);
  if (problems.length > 0) return { tone: 'error', text: problems.map((p) => `${p.effect} ${p.message}`).join(' ') };
  return null;
}

function nodeView(state: DashboardState): NodeView {
  const s = state.status!;
  return {
    name: s.name,
    fingerprint: s.fingerprint,
    address: `${s.listen.host}:${s.listen.port}`,
    offer: formatSize(s.offeredBytes),
    memory: formatSize(s.memoryBytes),
    details: `v${s.version} · ${s.crypto} crypto · discovery ${s.discovery ? 'on' : 'off'}`,
  };
}

function summary(state: DashboardState | null): Metric[] {
  const st = state?.attached ? state.stats : null;
  if (!st) return [];
  return [
    { label: 'Pool', value: formatSize(st.pool.offeredBytes), detail: `offered by ${plural(st.pool.connectedPeers, 'connected peer')}` },
    {
      label: 'Borrowed',
      value: formatSize(st.borrowed.usedBytes),
      detail: `${plural(st.borrowed.items, 'item')} on peers${st.borrowed.degraded > 0 ? `, ${st.borrowed.degraded} degraded` : ''}`,
    },
    { label: 'Lent', value: formatSize(st.lent.usedBytes), detail: `of ${formatSize(st.lent.offeredBytes)} offered, ${plural(st.lent.peers, 'peer')}` },
    { label: 'Local store', value: formatSize(st.local.usedBytes), detail: `of ${formatSize(st.local.capacityBytes)}, ${plural(st.local.blocks, 'block')}` },
    ...(state?.cache ? [cacheMetric(state.cache)] : []),
  ];
}

/** The build cache's hit rate since its endpoint started, or that it is off. */
function cacheMetric(cache: BuildCacheStatus): Metric {
  if (!cache.running) return { label: 'Build cache', value: 'off', detail: `${plural(cache.entries, 'entry', 'entries')} kept; “MemCloud: Use LAN RAM for Build Caches” turns it on` };
  const all = totals(cache);
  const rate = hitRate(all);
  return {
    label: 'Build cache',
    value: rate === null ? '–' : `${Math.round(rate * 100)}% hits`,
    detail: `${plural(all.hits, 'hit')}, ${plural(all.misses, 'miss', 'misses')} · ${plural(cache.entries, 'entry', 'entries')} (${formatSize(cache.bytes)})`,
  };
}

function sortPeers(peers: readonly PeerInfo[]): PeerInfo[] {
  return [...peers].sort((a, b) => STATE[a.state].order - STATE[b.state].order || a.name.localeCompare(b.name) || a.publicKey.localeCompare(b.publicKey));
}

function peerRow(p: PeerInfo): PeerRow {
  const more = p.addresses.length > 1 ? ` (+${p.addresses.length - 1})` : '';
  return {
    key: p.publicKey,
    name: p.name,
    shortFingerprint: shortFingerprint(p.fingerprint),
    fingerprint: p.fingerprint,
    state: STATE[p.state].label,
    tone: STATE[p.state].tone,
    address: p.addresses.length > 0 ? `${p.addresses[0]}${more}` : '—',
    latency: p.state === 'connected' ? formatLatency(p.latencyMs) : '—',
    trusted: p.trusted,
    team: p.state === 'connected' && p.team !== undefined ? p.team : null,
  };
}

export function bar(label: string, used: number, total: number): Bar {
  const percent = percentOf(used, total);
  // Half a percent of 64 GiB is still 300 MiB: never let real use look like none.
  const fill = used > 0 ? Math.max(percent, 2) : 0;
  return { label, text: `${formatSize(used)} of ${formatSize(total)}`, percent, fill };
}

function capacity(peers: readonly PeerInfo[], attached: boolean): Section<CapacityRow> {
  const shown = peers.filter((p) => p.state === 'connected' || p.usedByUsBytes > 0 || p.storedHereBytes > 0);
  const rows = shown.map((p) => ({
    key: p.publicKey,
    name: p.name,
    caption: `offers ${formatSize(p.offeredBytes)}${p.state === 'connected' ? '' : ` · ${STATE[p.state].label}`}`,
    bars: [bar('We use there', p.usedByUsBytes, p.offeredBytes), bar('It stores here', p.storedHereBytes, p.allowedBytes)],
  }));
  return { rows, empty: rows.length > 0 ? null : attached ? EMPTY_TEXT.capacity : EMPTY_TEXT.noNode };
}

function dataSection(items: readonly DataItem[], attached: boolean): DashboardView['data'] {
  const rows = items.map((d): DataRow => {
    const names = d.replicas.map((r) => (r.holder === LOCAL_HOLDER ? 'this node' : r.holderName));
    return {
      key: `${d.kind}:${d.id}`,
      item: { kind: d.kind, id: d.id },
      name: d.name,
      kind: d.kind,
      size: formatSize(d.size),
      durability: d.durability,
      replicas: String(d.replicas.length),
      holders: names.join(', '),
      degraded: d.degraded,
      restorable: d.kind !== 'cache',
    };
  });
  const degraded = rows.filter((r) => r.degraded).length;
  return {
    rows,
    empty: rows.length > 0 ? null : attached ? EMPTY_TEXT.data : EMPTY_TEXT.noNode,
    note: degraded > 0 ? `${plural(degraded, 'item')} degraded: fewer live replicas than wanted; re-replication is pending.` : null,
  };
}
