// What the dashboard's row buttons do, routed to the right EngineApi call for each kind of item:
// a key is freed with del() and read with get(); a block with free()/load(); a stream (a pushed
// file) with free()/pullFile(), the node writing the file itself.

import type { EngineApi } from '../../engine/api/engine-api';
import type { DataItem } from '../../engine/api/types';
import { ErrorCodes, MemCloudError } from '../../engine/errors';
import type { ItemRef } from '../../webview/dashboard/protocol';

/** The item as the node lists it now (the webview's copy may be stale). */
export async function findItem(client: EngineApi, ref: ItemRef): Promise<DataItem> {
  const item = (await client.listData()).find((d) => d.kind === ref.kind && d.id === ref.id);
  if (item === undefined) throw new MemCloudError(ErrorCodes.NOT_FOUND, `no ${ref.kind} ${JSON.stringify(ref.id)} is stored any more`);
  return item;
}

export async function freeItem(client: EngineApi, item: DataItem): Promise<void> {
  if (item.kind !== 'key') return client.free(item.id);
  if (!(await client.del(item.id))) throw new MemCloudError(ErrorCodes.NOT_FOUND, `no key ${JSON.stringify(item.id)}`);
}

export async function restoreItem(
  client: EngineApi,
  item: DataItem,
  path: string,
  writeFile: (path: string, data: Uint8Array) => Promise<void>,
): Promise<void> {
  switch (item.kind) {
    case 'stream':
      await client.pullFile(item.id, path);
      return;
    case 'key':
      return writeFile(path, await client.get(item.id));
    case 'block':
      return writeFile(path, await client.load(item.id));
    case 'cache':
      throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'the build cache can be freed, not restored');
  }
}

/** A file name to offer in the save dialog: the item's base name, without path separators or control characters. */
export function suggestedFileName(item: DataItem): string {
  const base = item.name.split(/[\\/]/).filter((s) => s.length > 0).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^\.+/, '').slice(0, 120);
  return clean.length > 0 ? clean : `memcloud-${item.kind}-${item.id.slice(0, 8)}`;
}
