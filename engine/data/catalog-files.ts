// Where the catalog lives in the home: owner-catalog (a snapshot, replaced atomically) and
// owner-journal (every change since, appended before it is acknowledged). At start the snapshot,
// owner-journal.old (left by a compaction that was cut short) and owner-journal are replayed in
// that order (replaying a change twice is harmless, see catalog-change.ts), the map is settled
// (see settleAfterRestart) and compacted at once. A damaged file stops the node with a message
// that names it; a journal whose last write was cut short loses only that write, which was never
// acknowledged.

import { readFile, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { ErrorCodes, MemCloudError } from '../errors';
import { writeFileAtomic } from '../home/atomic-file';
import { errnoCode } from '../home/fs-errors';
import type { Logger } from '../log/log';
import { Catalog, applyChange } from './catalog';
import type { CatalogChange } from './catalog-change';
import {
  CatalogFormatError,
  ChangeDecoder,
  ChangeEncoder,
  EPOCH_BYTES,
  FILE_HEADER_BYTES,
  FileKind,
  decodeFileHeader,
  encodeFileHeader,
  readFrames,
  type FileHeader,
  type FileKindValue,
} from './catalog-codec';
import { CatalogJournal } from './catalog-journal';
import { parseIndex } from './legacy-index';
import { OwnerIndex } from './owner-index';
import { settleAfterRestart } from './restart-rules';

export interface CatalogPaths {
  readonly snapshot: string;
  readonly journal: string;
  /** owner-index.json of earlier versions: imported once, then removed. */
  readonly legacyIndex: string;
}

/** The journal is compacted into a new snapshot once it is this large and larger than the snapshot. */
const COMPACT_AT_BYTES = 8 * 1024 * 1024;
const SNAPSHOT_FRAME_BYTES = 1024 * 1024;

export class CatalogFiles {
  private readonly journal: CatalogJournal;
  private compacting: Promise<void> | null = null;
  /** owner-journal.old exists: its changes are in no snapshot yet. */
  private oldPending = false;
  private snapshotBytes = 0;

  private constructor(
    private readonly paths: CatalogPaths,
    private readonly catalog: Catalog,
    private readonly log: Logger,
    private readonly compactAtBytes: number,
  ) {
    this.journal = new CatalogJournal(paths.journal, catalog, (size) => this.maybeCompact(size));
  }

  /**
   * Restores the catalog from the home and starts journaling its changes. `bindKey` is told which
   * data key the catalog's blocks were sealed with (0: none yet) and answers the one to use from
   * now on (data-key.ts); it throws when that key cannot be had, and nothing is written then.
   */
  static async open(paths: CatalogPaths, log: Logger, opts: OpenOptions = {}): Promise<Catalog> {
    const loaded = await load(paths, log);
    const { index, epoch, legacy } = loaded;
    const keyId = opts.bindKey ? await opts.bindKey(loaded.keyId) : loaded.keyId;
    const settled = settleAfterRestart(index);
    if (settled.localOnly > 0) log.info(`${settled.localOnly} blocks that were only in this node's RAM are gone`);
    if (settled.unfinished > 0) log.info(`${settled.unfinished} chunks of streams whose push never finished are dropped`);
    const catalog = new Catalog(index, epoch, keyId);
    // A fresh snapshot first, then an empty journal: torn tails are gone and the next start is quick.
    await writeSnapshot(paths.snapshot, catalog);
    const files = new CatalogFiles(paths, catalog, log, opts.compactAtBytes ?? COMPACT_AT_BYTES);
    await removeQuietly(`${paths.journal}.old`);
    if (legacy) await removeQuietly(paths.legacyIndex);
    catalog.persistTo((changes) => files.journal.append(changes), () => files.close());
    log.info(`restored the map of ${index.blocks.size} offloaded blocks (${index.keys.size} keys, ${index.streams.size} streams)`);
    return catalog;
  }

  private maybeCompact(size: number): void {
    if (this.compacting || size < Math.max(this.compactAtBytes, this.snapshotBytes)) return;
    const old = `${this.paths.journal}.old`;
    try {
      if (!this.oldPending) this.journal.rotate(old);
    } catch (err) {
      this.log.error(`cannot rotate ${this.paths.journal}: ${(err as Error).message}`);
      return;
    }
    this.oldPending = true;
    // The snapshot is taken now, in the same turn as the rotation: it holds exactly what the old
    // journal (and everything before it) holds.
    const bytes = encodeSnapshot(this.catalog);
    this.snapshotBytes = bytes.length;
    this.compacting = writeFileAtomic(this.paths.snapshot, bytes, 0o600)
      .then(() => unlink(old))
      .then(() => {
        this.oldPending = false;
      })
      .catch((err: unknown) => this.log.error(`cannot compact the catalog into ${this.paths.snapshot}: ${(err as Error).message}`))
      .finally(() => {
        this.compacting = null;
      });
  }

  private async close(): Promise<void> {
    await this.compacting;
    await this.journal.close();
  }
}

/** The snapshot: a header, then the state as changes (blocks, then keys, then streams) in frames of about 1 MiB. */
export function encodeSnapshot(catalog: Catalog): Buffer {
  const enc = new ChangeEncoder();
  const parts: Buffer[] = [encodeFileHeader(FileKind.SNAPSHOT, catalog)];
  const add = (c: CatalogChange) => {
    enc.add(c);
    if (enc.pending >= SNAPSHOT_FRAME_BYTES) parts.push(enc.frame());
  };
  for (const record of catalog.blocks.values()) add({ t: 'block', record });
  for (const [key, id] of catalog.keys) add({ t: 'key', key, id });
  for (const record of catalog.streams.values()) add({ t: 'stream', record });
  parts.push(enc.frame());
  return Buffer.concat(parts);
}

async function writeSnapshot(path: string, catalog: Catalog): Promise<void> {
  await writeFileAtomic(path, encodeSnapshot(catalog), 0o600);
}

export interface OpenOptions {
  readonly compactAtBytes?: number;
  readonly bindKey?: (sealedWith: number) => Promise<number>;
}

interface Loaded {
  readonly index: OwnerIndex;
  readonly epoch: Uint8Array;
  readonly keyId: number;
  /** The map came from an earlier version's owner-index.json. */
  readonly legacy: boolean;
}

async function load(paths: CatalogPaths, log: Logger): Promise<Loaded> {
  const index = new OwnerIndex();
  const snapshot = await readOptional(paths.snapshot);
  const old = await readOptional(`${paths.journal}.old`);
  const journal = await readOptional(paths.journal);
  if (!snapshot && !old && !journal) {
    const legacyText = await readOptional(paths.legacyIndex);
    if (!legacyText) return { index, epoch: randomBytes(EPOCH_BYTES), keyId: 0, legacy: false };
    const { index: imported } = parseIndex(legacyText.toString('utf8'), paths.legacyIndex);
    return { index: imported, epoch: randomBytes(EPOCH_BYTES), keyId: 0, legacy: true };
  }
  if (!snapshot) {
    // The journal holds only what came after the last snapshot: alone it would be a wrong map, and
    // reconcile would free the rest. The snapshot is written before any journal exists.
    throw damaged(paths.snapshot, new CatalogFormatError(`it is missing while ${old ? `${paths.journal}.old` : paths.journal} exists`));
  }
  let header: FileHeader | null = null;
  const replay = (path: string, bytes: Buffer, kind: FileKindValue, tornOk: boolean) => {
    if (tornOk && bytes.length <= FILE_HEADER_BYTES && bytes.every((b) => b === 0)) {
      // A journal created just before the machine lost power: its header never reached the disk.
      if (bytes.length > 0) log.warn(`${path}: an empty journal whose header was never written; nothing in it was acknowledged`);
      return;
    }
    try {
      const own = decodeFileHeader(bytes, kind);
      if (header && !Buffer.from(own.epoch).equals(Buffer.from(header.epoch))) throw new CatalogFormatError('it belongs to another catalog');
      if (header && own.keyId !== header.keyId) throw new CatalogFormatError('it names another data key than the snapshot');
      header ??= own;
      const frames = readFrames(bytes, FILE_HEADER_BYTES);
      if (frames.state === 'corrupt' || (frames.state === 'torn' && !tornOk)) throw new CatalogFormatError(`unreadable from byte ${frames.end} on`);
      if (frames.state === 'torn') log.warn(`${path}: the last ${bytes.length - frames.end} bytes were a write cut short by a crash; nothing in them was acknowledged`);
      const decoder = new ChangeDecoder();
      for (const body of frames.bodies) for (const c of decoder.decode(body)) applyChange(index, c);
    } catch (err) {
      throw damaged(path, err);
    }
  };
  replay(paths.snapshot, snapshot, FileKind.SNAPSHOT, false);
  if (old) replay(`${paths.journal}.old`, old, FileKind.JOURNAL, true);
  if (journal) replay(paths.journal, journal, FileKind.JOURNAL, true);
  return { index, epoch: header!.epoch, keyId: header!.keyId, legacy: false };
}

function damaged(path: string, err: unknown): MemCloudError {
  const why = err instanceof CatalogFormatError ? err.message : `cannot read it: ${(err as Error).message}`;
  return new MemCloudError(
    ErrorCodes.CONFIG_INVALID,
    `${path} is damaged (${why}). It is this node's map of the data it offloaded; move owner-catalog and owner-journal aside to start without it (what they listed stays on the peers until \`memcloud flush\` or the peers restart).`,
  );
}

async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw new MemCloudError(ErrorCodes.CONFIG_INVALID, `cannot read ${path}: ${(err as Error).message}`);
  }
}

async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch((err: unknown) => {
    if (errnoCode(err) !== 'ENOENT') throw err;
  });
}
