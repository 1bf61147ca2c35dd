// What can be done to an offloaded item, the same from the command palette, the Offloaded Data
// tree and the dashboard's row buttons (no vscode; unit-tested). Each kind goes to its own
// EngineApi call: a key is freed with del() and read with get(); a block with free()/load(); a
// stream (a pushed file or folder) with free()/pullFile(), the node writing the file itself; the
// build cache can only be freed. The questions to the user (confirm, where to) are an ItemUi:
// VS Code's dialogs in the extension (item-ui.ts), scripted in tests.

import type { EngineApi } from '../../engine/api/engine-api';
import type { DataItem, StreamInfo } from '../../engine/api/types';
import { ErrorCodes, MemCloudError } from '../../engine/errors';
import type { ItemRef } from '../../webview/dashboard/protocol';
import type { ModelPart } from '../model/node-model';

export interface ItemUi {
  /** Asked before freeing; false keeps the item. */
  confirmFree(item: DataItem): Promise<boolean>;
  /** Where to restore an item; undefined cancels. */
  chooseRestorePath(item: DataItem): Promise<string | undefined>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
}

export interface ItemActionsDeps {
  /** The attached node; throws NODE_NOT_RUNNING when there is none. */
  readonly client: () => EngineApi;
  /** Re-reads what an action changed (the model; the views and the dashboard follow it). */
  readonly refresh: (parts: readonly ModelPart[]) => Promise<void>;
  readonly ui: ItemUi;
  /** Pulls a stream into `path` (in VS Code: under a progress notification with Cancel). */
  readonly pull: (item: DataItem, path: string) => Promise<StreamInfo>;
  readonly log?: (message: string) => void;
}

/** What an action did, in words for the place that asked. */
export interface ItemActionResult {
  readonly done: boolean;
  readonly message: string;
}

export class ItemActions {
  constructor(private readonly deps: ItemActionsDeps) {}

  /** The item as the node lists it now (a view's copy may be stale): by kind and id, or by id alone. */
  async find(ref: ItemRef | string): Promise<DataItem> {
    const items = await this.deps.client().listData();
    if (typeof ref === 'string') {
      const item = items.find((i) => i.id === ref);
      if (item === undefined) throw new MemCloudError(ErrorCodes.NOT_FOUND, `nothing with id ${ref} is stored by this node`);
      return item;
    }
    const item = items.find((d) => d.kind === ref.kind && d.id === ref.id);
    if (item === undefined) throw new MemCloudError(ErrorCodes.NOT_FOUND, `no ${ref.kind} ${JSON.stringify(ref.id)} is stored any more`);
    return item;
  }

  /** The items the node stores that `filter` accepts. */
  async list(filter: (item: DataItem) => boolean = () => true): Promise<DataItem[]> {
    return (await this.deps.client().listData()).filter(filter);
  }

  /** Frees every copy, here and on peers. `confirm: false` for callers that decided already (an id from code). */
  async free(item: DataItem, opts: { readonly confirm?: boolean } = {}): Promise<ItemActionResult> {
    if ((opts.confirm ?? true) && !(await this.deps.ui.confirmFree(item))) return { done: false, message: `Kept ${item.name}.` };
    const client = this.deps.client();
    if (item.kind === 'key') {
      if (!(await client.del(item.id))) throw new MemCloudError(ErrorCodes.NOT_FOUND, `no key ${JSON.stringify(item.id)}`);
    } else {
      await client.free(item.id);
    }
    this.deps.log?.(`freed ${item.name}`);
    await this.deps.refresh(['data', 'stats', 'peers']);
    return { done: true, message: `Freed ${item.name}.` };
  }

  /** Writes the item to `path` (asked for when not given); a folder is restored as a new folder there. */
  async restore(item: DataItem, path?: string): Promise<ItemActionResult & { readonly path?: string; readonly size?: number; readonly info?: StreamInfo }> {
    if (!restorable(item)) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'the build cache can be freed, not restored');
    const target = path ?? (await this.deps.ui.chooseRestorePath(item));
    if (target === undefined) return { done: false, message: 'Restore cancelled.' };
    let size: number;
    let info: StreamInfo | undefined;
    switch (item.kind) {
      case 'stream':
        info = await this.deps.pull(item, target);
        size = info.size;
        break;
      case 'key': {
        const data = await this.deps.client().get(item.id);
        await this.deps.ui.writeFile(target, data);
        size = data.length;
        break;
      }
      case 'block': {
        const data = await this.deps.client().load(item.id);
        await this.deps.ui.writeFile(target, data);
        size = data.length;
        break;
      }
    }
    this.deps.log?.(`restored ${item.name} (${size} bytes) to ${target}`);
    return { done: true, message: `Restored ${item.name} to ${target}.`, path: target, size, ...(info ? { info } : {}) };
  }
}

/** Whether restore() can write the item to a file (everything but the build cache). */
export function restorable(item: DataItem): item is DataItem & { readonly kind: 'stream' | 'key' | 'block' } {
  return item.kind !== 'cache';
}

/** A file name to offer in the save dialog: the item's base name, without path separators or control characters. */
export function suggestedFileName(item: DataItem): string {
  const base = item.name.split(/[\\/]/).filter((s) => s.length > 0).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^\.+/, '').slice(0, 120);
  return clean.length > 0 ? clean : `memcloud-${item.kind}-${item.id.slice(0, 8)}`;
}
