// Plain-text tables for the CLI: columns padded to their widest cell. A cell is one line of inert
// text (names and addresses come from peers): controls are shown as escapes.

import { LOCAL_HOLDER, type ReplicaInfo } from '../api/types';
import { displayText } from '../text/display-text';

/** Where a copy is, as the CLI says it: this node, or the holder's name. */
export function holderLabel(r: ReplicaInfo): string {
  return r.holder === LOCAL_HOLDER ? 'this node' : r.holderName;
}

export function formatTable(header: readonly string[], cells: readonly (readonly string[])[]): string {
  const rows = cells.map((r) => r.map((c) => displayText(c, 'log')));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
