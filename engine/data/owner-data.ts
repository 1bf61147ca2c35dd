// The owner side of the engine, assembled: the catalog restored from the home, blocks on their
// holders, repair, holder events and the data API. The composition root builds it once.

import type { TransferProgress } from '../api/types';
import type { ReplicaIO } from '../cluster/replica-io';
import type { Aead } from '../crypto/aead';
import type { BlockOffload } from '../crypto/setup';
import type { SmallBlockAead } from '../crypto/small-block-aead';
import type { Logger } from '../log/log';
import type { Catalog } from './catalog';
import { DataService } from './data-service';
import { DataView } from './data-view';
import { HolderEvents } from './holder-events';
import { BlockSealer } from './block-seal';
import { CatalogFiles, type CatalogPaths } from './catalog-files';
import { openDataKey, type DataKey } from './data-key';
import { OwnerBlocks } from './owner-blocks';
import { Repairer } from './repairer';

export interface OwnerDataOptions {
  /** Where the catalog is kept in the home. */
  readonly paths: CatalogPaths;
  /** The data key file (data-key.ts). */
  readonly dataKeyPath: string;
  /** Seals blocks (the node's crypto backend). */
  readonly aead: Aead;
  /** Where large blocks are sealed instead (crypto/place.ts); absent: all on this thread. */
  readonly blockOffload?: BlockOffload | null;
  /** Small blocks sealed with another backend's AEAD (crypto/place.ts); absent: the node's own. */
  readonly smallBlocks?: SmallBlockAead | null;
  readonly io: ReplicaIO;
  readonly log: Logger;
  /** After a restart, holders get this long to reconnect before their blocks count as lost. */
  readonly startupGraceMs?: number;
  /** Wait this long after a holder disconnects before re-replicating its blocks. */
  readonly repairDelayMs?: number;
}

export class OwnerData {
  private progressListener: (p: TransferProgress) => void = () => undefined;
  private opListener: () => void = () => undefined;

  private constructor(
    readonly catalog: Catalog,
    readonly service: DataService,
    readonly holders: HolderEvents,
    private readonly repairer: Repairer,
    private readonly blocks: OwnerBlocks,
  ) {}

  static async open(opts: OwnerDataOptions): Promise<OwnerData> {
    const { io, log } = opts;
    let dataKey: DataKey | null = null;
    const catalog = await CatalogFiles.open(opts.paths, log, {
      bindKey: async (sealedWith) => (dataKey = await openDataKey(opts.dataKeyPath, sealedWith)).id,
    });
    let blocks: OwnerBlocks | null = null;
    const grace = catalog.blocks.size > 0 ? (opts.startupGraceMs ?? 30_000) : 0;
    const repairer = new Repairer(io, catalog, (id) => blocks!.readStored(id), log, grace);
    blocks = new OwnerBlocks(io, catalog, repairer, log, new BlockSealer(opts.aead, dataKey!, opts.blockOffload ?? null, opts.smallBlocks ?? null));
    const view = new DataView(catalog, io);
    let self: OwnerData | null = null;
    const holders = new HolderEvents(io, catalog, repairer, log, opts.repairDelayMs);
    const service = new DataService({
      catalog,
      blocks,
      view,
      onProgress: (p) => self?.progressListener(p),
      onOp: () => self?.opListener(),
      sweep: () => holders.sweep(),
    });
    self = new OwnerData(catalog, service, holders, repairer, blocks);
    return self;
  }

  /** Progress of file transfers goes to `listener` (the engine's event stream). */
  onProgress(listener: (p: TransferProgress) => void): void {
    this.progressListener = listener;
  }

  /** Each data operation is counted by `listener` (the stats' rate). */
  onOp(listener: () => void): void {
    this.opListener = listener;
  }

  /** Blocks waiting for repair or being repaired. */
  get repairsPending(): number {
    return this.repairer.pending;
  }

  async close(): Promise<void> {
    this.holders.close();
    this.repairer.stop();
    await this.catalog.close();
    this.blocks.close();
  }
}
