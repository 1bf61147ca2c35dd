// `memcloud ls` (alias `list`): what this node owns in the pool, one row per pushed stream, key and
// stored block, with its size, durability, where its replicas are and its state (ok, degraded,
// evicted). Holder names come from peers: the table prints them as inert text (format.ts).

import type { DataItem } from '../../api/types';
import { formatSize } from '../../store/sizes';
import { withClient } from '../client';
import { writeJson, type Command } from '../command';
import { formatTable, holderLabel } from '../format';

function replicasCell(item: DataItem): string {
  return item.replicas.length === 0 ? '-' : item.replicas.map(holderLabel).join(', ');
}

function row(item: DataItem): string[] {
  const kind = item.kind === 'stream' && item.format === 'folder' ? 'folder' : item.kind;
  return [item.name, kind, item.id, formatSize(item.size), item.durability, replicasCell(item), item.state];
}

export const lsCommand: Command = {
  path: ['ls'],
  summary: 'List what this node stored in the pool: pushed streams, keys and blocks (alias: list).',
  positionals: { min: 0, max: 0 },
  options: { json: { type: 'boolean', description: 'print a JSON array (the same fields, stable)' } },
  async run(ctx) {
    const items = await withClient(ctx, (c) => c.listData());
    if (ctx.values.json) return writeJson(ctx, items);
    if (items.length === 0) {
      ctx.out.write('Nothing stored. Store data with memcloud set, store or push.\n');
      return;
    }
    ctx.out.write(formatTable(['NAME', 'KIND', 'ID', 'SIZE', 'DURABILITY', 'REPLICAS', 'STATE'], items.map(row)));
  },
};

export const listCommand: Command = { ...lsCommand, path: ['list'], summary: 'Same as ls.' };
