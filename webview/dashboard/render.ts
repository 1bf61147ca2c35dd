// The dashboard page: a fixed skeleton of sections, each re-rendered only when its slice of the
// view model changed (the 1 s stats poll then redraws the chart and tiles but leaves the tables,
// their buttons and the keyboard focus alone).

import { el } from './dom';
import { renderBanner, renderCapacity, renderData, renderNode, renderPeers, renderSummary, renderThroughput, type RowActions } from './sections';
import type { DashboardView } from './view-model';

export interface DashboardActions extends RowActions {
  refresh(): void;
}

type SectionName = 'banner' | 'node' | 'summary' | 'throughput' | 'capacity' | 'peers' | 'data';

export class DashboardRenderer {
  private readonly slots: Record<SectionName, HTMLElement>;
  private readonly statusLine: HTMLElement;
  private readonly updated: HTMLElement;
  private readonly drawn = new Map<SectionName, string>();
  private readonly busy = new Set<string>();
  private view: DashboardView | null = null;
  private updatedAt: number | null = null;

  constructor(
    root: HTMLElement,
    private readonly actions: DashboardActions,
  ) {
    const refresh = el('button', { title: 'Read everything from the node again', attrs: { type: 'button', 'data-action': 'refresh' } }, 'Refresh');
    refresh.addEventListener('click', () => actions.refresh());
    this.updated = el('span', { class: 'muted small', attrs: { 'data-field': 'updated' } });
    this.statusLine = el('p', { class: 'status-line', attrs: { role: 'status', 'aria-live': 'polite' } });
    const card = (name: SectionName, title: string, extra = '') => {
      const body = el('div', { class: 'card-body' });
      const section = el('section', { class: `card ${extra}`.trim(), attrs: { 'data-section': name, 'aria-label': title } }, el('h2', {}, title), body);
      return { section, body };
    };
    const node = card('node', 'This node');
    const throughput = card('throughput', 'Throughput');
    const capacity = card('capacity', 'Capacity per peer');
    const peers = card('peers', 'Peers', 'wide');
    const data = card('data', 'Offloaded data', 'wide');
    const banner = el('div', { attrs: { 'data-section': 'banner' } });
    const summary = el('div', { class: 'metrics', attrs: { 'data-section': 'summary' } });
    this.slots = { banner, node: node.body, summary, throughput: throughput.body, capacity: capacity.body, peers: peers.body, data: data.body };
    root.replaceChildren(
      el('header', { class: 'top' }, el('h1', {}, 'MemCloud'), el('div', { class: 'top-actions' }, this.updated, refresh)),
      banner,
      el('div', { class: 'overview' }, node.section, summary),
      el('div', { class: 'grid' }, throughput.section, capacity.section),
      peers.section,
      data.section,
      this.statusLine,
    );
  }

  render(view: DashboardView, updatedAt: number | null = null): void {
    this.view = view;
    this.updatedAt = updatedAt;
    this.updated.textContent = updatedAt === null ? '' : `Updated ${new Date(updatedAt).toLocaleTimeString()}`;
    this.draw('banner', view.banner, () => renderBanner(view.banner));
    this.draw('node', view.node, () => renderNode(view.node));
    this.draw('summary', view.summary, () => renderSummary(view.summary));
    this.draw('throughput', view.throughput, () => renderThroughput(view.throughput));
    this.draw('capacity', view.capacity, () => renderCapacity(view.capacity));
    this.draw('peers', view.peers, () => renderPeers(view.peers));
    this.draw('data', [view.data, [...this.busy]], () => renderData(view.data, this.busy, this.actions));
  }

  /** Disables a data row's buttons while a request about it is in flight. */
  setBusy(rowKey: string, busy: boolean): void {
    if (busy) this.busy.add(rowKey);
    else this.busy.delete(rowKey);
    if (this.view) this.render(this.view, this.updatedAt);
  }

  showStatus(text: string, tone: 'info' | 'error'): void {
    this.statusLine.textContent = text;
    this.statusLine.classList.toggle('status-error', tone === 'error');
  }

  private draw(name: SectionName, slice: unknown, build: () => Node[]): void {
    const key = JSON.stringify(slice);
    if (this.drawn.get(name) === key) return;
    this.drawn.set(name, key);
    this.slots[name].replaceChildren(...build());
  }
}
