// One function per dashboard section: a slice of the view model in, DOM nodes out.
// Text only ever enters through dom.ts (text nodes, attributes), never as markup.

import { el, svg } from './dom';
import { formatRate } from './format';
import type { Bar, CapacityRow, DataRow, DashboardView, Metric, NodeView, PeerRow, Section, ThroughputView } from './view-model';

export interface RowActions {
  free(row: DataRow): void;
  restore(row: DataRow): void;
}

export function renderBanner(banner: DashboardView['banner']): Node[] {
  if (banner === null) return [];
  return [el('div', { class: `banner banner-${banner.tone}`, attrs: { role: banner.tone === 'error' ? 'alert' : 'status' } }, banner.text)];
}

export function renderNode(node: NodeView | null): Node[] {
  if (node === null) return [el('p', { class: 'empty' }, 'No node attached.')];
  return [
    el('div', { class: 'node-head' }, el('span', { class: 'node-name', attrs: { 'data-field': 'name' } }, node.name)),
    el(
      'dl',
      { class: 'facts' },
      ...fact('Fingerprint', node.fingerprint, 'mono', 'fingerprint'),
      ...fact('Listening on', node.address, 'mono', 'address'),
      ...fact('Offers to peers', node.offer, '', 'offer'),
      ...fact('Memory cap', node.memory, '', 'memory'),
    ),
    el('p', { class: 'muted small' }, node.details),
  ];
}

function fact(label: string, value: string, cls: string, field: string): Node[] {
  return [el('dt', {}, label), el('dd', { class: cls, attrs: { 'data-field': field } }, value)];
}

export function renderSummary(metrics: readonly Metric[]): Node[] {
  return metrics.map((m) =>
    el(
      'div',
      { class: 'metric', attrs: { 'data-metric': m.label } },
      el('div', { class: 'metric-label' }, m.label),
      el('div', { class: 'metric-value' }, m.value),
      el('div', { class: 'metric-detail muted' }, m.detail),
    ),
  );
}

export function renderThroughput(t: ThroughputView): Node[] {
  const legend = el(
    'div',
    { class: 'legend' },
    legendItem('sent', 'Sent', t.sent),
    legendItem('received', 'Received', t.received),
    el('span', { class: 'legend-item' }, el('span', { class: 'legend-value', attrs: { 'data-field': 'ops' } }, t.ops)),
  );
  if (t.chart === null) return [legend, el('p', { class: 'empty' }, t.empty ?? '')];
  const c = t.chart;
  const chart = svg(
    'svg',
    {
      class: 'chart',
      viewBox: `0 0 ${c.width} ${c.height}`,
      preserveAspectRatio: 'none',
      role: 'img',
      'aria-label': `Throughput over the last ${c.samples} seconds; peak ${formatRate(c.peak)}`,
      'data-samples': c.samples,
    },
    svg('line', { class: 'chart-top', x1: 0, y1: 1, x2: c.width, y2: 1, 'vector-effect': 'non-scaling-stroke' }),
    svg('line', { class: 'chart-base', x1: 0, y1: c.height - 1, x2: c.width, y2: c.height - 1, 'vector-effect': 'non-scaling-stroke' }),
    svg('polyline', { class: 'line line-received', points: c.received, 'vector-effect': 'non-scaling-stroke' }),
    svg('polyline', { class: 'line line-sent', points: c.sent, 'vector-effect': 'non-scaling-stroke' }),
  );
  return [
    legend,
    el(
      'div',
      { class: 'chart-wrap' },
      el('span', { class: 'chart-peak muted small' }, `peak ${t.peak}`),
      chart,
      el('span', { class: 'chart-span muted small' }, t.span),
    ),
  ];
}

function legendItem(kind: 'sent' | 'received', label: string, value: string): HTMLElement {
  return el(
    'span',
    { class: 'legend-item' },
    el('span', { class: `swatch swatch-${kind}`, attrs: { 'aria-hidden': 'true' } }),
    `${label} `,
    el('span', { class: 'legend-value', attrs: { 'data-field': kind } }, value),
  );
}

export function renderCapacity(section: Section<CapacityRow>): Node[] {
  if (section.empty !== null) return [el('p', { class: 'empty' }, section.empty)];
  return section.rows.map((r) =>
    el(
      'div',
      { class: 'capacity-row', attrs: { 'data-key': r.key } },
      el('div', { class: 'capacity-head' }, el('span', { class: 'strong', attrs: { 'data-field': 'name' } }, r.name), el('span', { class: 'muted small' }, r.caption)),
      ...r.bars.map(renderBar),
    ),
  );
}

function renderBar(b: Bar): HTMLElement {
  const fill = el('div', { class: 'bar-fill' });
  // CSSOM, not a style attribute: allowed under style-src without 'unsafe-inline'.
  fill.style.width = `${b.fill.toFixed(2)}%`;
  return el(
    'div',
    { class: 'bar' },
    el('div', { class: 'bar-label' }, el('span', {}, b.label), el('span', { class: 'muted' }, b.text)),
    el(
      'div',
      {
        class: 'bar-track',
        attrs: { role: 'progressbar', 'aria-label': b.label, 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': b.percent.toFixed(1), 'aria-valuetext': b.text },
      },
      fill,
    ),
  );
}

export function renderPeers(section: Section<PeerRow>): Node[] {
  if (section.empty !== null) return [el('p', { class: 'empty' }, section.empty)];
  const head = el('tr', {}, ...['Name', 'Fingerprint', 'State', 'Address', 'Latency'].map((h) => el('th', { attrs: { scope: 'col' } }, h)));
  const rows = section.rows.map((p) =>
    el(
      'tr',
      { attrs: { 'data-key': p.key } },
      el('td', { attrs: { 'data-field': 'name' } }, p.name, p.team !== null ? el('span', { class: 'tag' }, `team ${p.team}`) : p.trusted ? null : el('span', { class: 'tag' }, 'untrusted')),
      el('td', { class: 'mono', title: p.fingerprint, attrs: { 'data-field': 'fingerprint', 'data-full': p.fingerprint } }, p.shortFingerprint),
      el('td', { attrs: { 'data-field': 'state' } }, el('span', { class: `dot tone-${p.tone}`, attrs: { 'aria-hidden': 'true' } }), p.state),
      el('td', { class: 'mono', attrs: { 'data-field': 'address' } }, p.address),
      el('td', { class: 'num', attrs: { 'data-field': 'latency' } }, p.latency),
    ),
  );
  return [el('table', {}, el('thead', {}, head), el('tbody', {}, ...rows))];
}

export function renderData(section: DashboardView['data'], busy: ReadonlySet<string>, actions: RowActions): Node[] {
  if (section.empty !== null) return [el('p', { class: 'empty' }, section.empty)];
  const head = el('tr', {}, ...['Name', 'Kind', 'Size', 'Replicas', 'Held by', ''].map((h) => el('th', { attrs: { scope: 'col' } }, h)));
  const rows = section.rows.map((d) => {
    const restore = d.restorable ? button('Restore…', `Restore ${d.name} into a file`, busy.has(d.key), () => actions.restore(d)) : null;
    const free = button('Free', `Free ${d.name} on every holder`, busy.has(d.key), () => actions.free(d));
    return el(
      'tr',
      { attrs: { 'data-key': d.key } },
      el('td', { class: 'name-cell', title: d.name, attrs: { 'data-field': 'name' } }, d.name),
      el('td', { attrs: { 'data-field': 'kind' } }, d.kind, d.durability === 'cache' ? el('span', { class: 'tag' }, 'cache') : null),
      el('td', { class: 'num', attrs: { 'data-field': 'size' } }, d.size),
      el('td', { class: 'num', attrs: { 'data-field': 'replicas' } }, d.replicas),
      el(
        'td',
        { class: 'holders-cell', title: d.holders },
        el('span', { class: 'muted', attrs: { 'data-field': 'holders' } }, d.holders),
        d.degraded ? el('span', { class: 'tag tag-warn' }, 'degraded') : null,
      ),
      el('td', { class: 'actions' }, restore, free),
    );
  });
  const table = el('table', {}, el('thead', {}, head), el('tbody', {}, ...rows));
  return section.note === null ? [table] : [table, el('p', { class: 'note' }, section.note)];
}

function button(label: string, title: string, disabled: boolean, onClick: () => void): HTMLButtonElement {
  const b = el('button', { class: 'secondary', title, attrs: { type: 'button' } }, label);
  b.disabled = disabled;
  b.addEventListener('click', onClick);
  return b;
}
