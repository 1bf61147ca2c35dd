// Rows of the Offloaded Data view: what this machine stored in the pool (no vscode; unit-tested).

import type { DataItem } from '../../engine/api/types';
import { count, formatSize, holderLabel, minute, nameList } from './format';
import type { Row } from './rows';

export function dataContextValue(item: DataItem): string {
  return `data:${item.kind}${item.degraded ? ':degraded' : ''}`;
}

const KIND_ICON: Readonly<Record<DataItem['kind'], string>> = { stream: 'file-binary', key: 'key', block: 'symbol-constant', cache: 'package' };

function holders(item: DataItem): string[] {
  return item.replicas.map(holderLabel);
}

export function dataRow(item: DataItem): Row {
  const where = holders(item);
  return {
    id: `data:${item.kind}:${item.id}`,
    label: item.name,
    description:
      item.state === 'evicted'
        ? `${formatSize(item.size)} · evicted from the pool`
        : `${formatSize(item.size)} · ${count(where.length, 'copy', 'copies')} on ${nameList(where)}${item.degraded ? ' · degraded' : ''}`,
    tooltip: [
      item.name,
      `Size: ${formatSize(item.size)} (${item.size} bytes)`,
      `Kind: ${item.kind}, ${item.durability}`,
      `Stored: ${minute(item.createdAt)}`,
      `Held by: ${where.join(', ') || 'nobody'}`,
      ...(item.degraded ? ['Fewer copies than wanted: a holder is gone and re-replication is pending'] : []),
      ...(item.state === 'evicted' ? ['Evicted: a lender needed the room for this cache data; store it again or free it'] : []),
      `Id: ${item.id}`,
    ].join('\n'),
    contextValue: dataContextValue(item),
    icon: item.degraded ? { id: 'warning', color: 'list.warningForeground' } : { id: item.format === 'folder' ? 'file-directory' : KIND_ICON[item.kind] },
  };
}

export function dataRows(items: readonly DataItem[]): Row[] {
  return items.map(dataRow);
}
