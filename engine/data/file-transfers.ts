// Files in and out of the pool, read and written by the node itself (same user), so the data never
// crosses the caller's thread. Each transfer can be cancelled: a cancelled push frees every chunk
// it stored; a cancelled pull removes its temporary file. Progress is reported at most every 100 ms.

import { createReadStream } from 'node:fs';
import { lstat, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FileTransferOptions, ReadStreamHandle, WriteStreamHandle } from '../api/engine-api';
import type { PushInfo, StoreOptions, StreamInfo, TransferProgress } from '../api/types';
import { ErrorCodes, MemCloudError } from '../errors';
import { listFolder } from './folder-listing';
import { archiveSize, packFolder } from './folder-pack';
import { unpackFolder } from './folder-unpack';

/** The streams a transfer reads and writes (the data service's, with progress). */
export interface TransferStreams {
  openWriteStream(opts: StoreOptions, onProgress: (done: number) => void, format: 'file' | 'folder'): WriteStreamHandle;
  /** Throws NOT_FOUND for an unknown stream. */
  openReadStream(id: string, onProgress: (done: number) => void): ReadStreamHandle;
}

interface Transfer {
  cancelled: boolean;
  cancel(): void;
}

export class FileTransfers {
  private readonly active = new Map<string, Transfer>();

  constructor(
    private readonly streams: TransferStreams,
    private readonly onProgress: (p: TransferProgress) => void,
  ) {}

  async push(path: string, opts: FileTransferOptions): Promise<PushInfo> {
    const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
      throw new MemCloudError(ErrorCodes.NOT_FOUND, `cannot read ${path}: ${err.code ?? err.message}`);
    });
    if (!info.isFile() && !info.isDirectory()) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `${path} is neither a regular file nor a folder`);
    const folder = info.isDirectory() ? await listFolder(path) : null;
    const transferId = this.claim(opts.transferId);
    const report = this.reporter(transferId, 'push', folder ? archiveSize(folder.entries) : info.size);
    const stream = this.streams.openWriteStream({ ...opts, name: opts.name ?? basename(path) }, report, folder ? 'folder' : 'file');
    const fileSource = folder ? null : createReadStream(path, { highWaterMark: 1024 * 1024 });
    const source: AsyncIterable<Uint8Array> = fileSource ?? packFolder(folder!);
    const transfer: Transfer = {
      cancelled: false,
      // Ends the push at once: the stream fails, which wakes a write waiting for its window (or
      // for a holder that stopped reading), and frees every chunk stored so far.
      cancel: () => {
        transfer.cancelled = true;
        fileSource?.destroy();
        void stream.abort();
      },
    };
    this.active.set(transferId, transfer);
    try {
      for await (const chunk of source) {
        if (transfer.cancelled) break;
        await stream.write(chunk);
      }
      if (transfer.cancelled) throw new MemCloudError(ErrorCodes.CANCELLED, `push of ${path} was cancelled; nothing was kept`);
      const result = await stream.end();
      report(result.size, true);
      return folder && folder.skipped.length > 0 ? { ...result, skipped: folder.skipped } : result;
    } catch (err) {
      await stream.abort();
      if (transfer.cancelled) throw new MemCloudError(ErrorCodes.CANCELLED, `push of ${path} was cancelled; nothing was kept`);
      throw err;
    } finally {
      fileSource?.destroy();
      this.active.delete(transferId);
    }
  }

  async pull(id: string, path: string, opts: { readonly transferId?: string }): Promise<StreamInfo> {
    const transferId = this.claim(opts.transferId);
    let report: (done: number, final?: boolean) => void = () => undefined;
    const reader = this.streams.openReadStream(id, (done) => report(done));
    const { info } = reader;
    report = this.reporter(transferId, 'pull', info.size);
    const temp = join(dirname(path), `.${basename(path)}.memcloud-${randomBytes(4).toString('hex')}.tmp`);
    const transfer: Transfer = { cancelled: false, cancel: () => ((transfer.cancelled = true), reader.close()) };
    this.active.set(transferId, transfer);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let c = await reader.read(); c !== null; c = await reader.read()) {
        if (transfer.cancelled) break;
        yield c;
      }
    }
    try {
      // Written next to the target under a temporary name, then renamed: never half a restore.
      if (info.format === 'folder') await writeFolder(path, temp, chunks());
      else await writeFile(path, temp, chunks(), info);
      if (transfer.cancelled) throw new MemCloudError(ErrorCodes.CANCELLED, `restore into ${path} was cancelled`);
      await rename(temp, path);
      report(info.size, true);
      return info;
    } catch (err) {
      await rm(temp, { recursive: true, force: true });
      if (transfer.cancelled) throw new MemCloudError(ErrorCodes.CANCELLED, `restore into ${path} was cancelled`);
      throw err;
    } finally {
      reader.close();
      this.active.delete(transferId);
    }
  }

  cancel(transferId: string): void {
    const t = this.active.get(transferId);
    if (!t) throw new MemCloudError(ErrorCodes.NOT_FOUND, `no transfer ${transferId} in progress`);
    t.cancel();
  }

  private claim(requested: string | undefined): string {
    const id = requested ?? randomBytes(8).toString('hex');
    if (this.active.has(id)) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `transfer id ${id} is already in use`);
    return id;
  }

  private reporter(transferId: string, direction: 'push' | 'pull', totalBytes: number): (done: number, final?: boolean) => void {
    let last = 0;
    return (doneBytes, final = false) => {
      const now = Date.now();
      if (!final && now - last < 100) return;
      last = now;
      this.onProgress({ transferId, direction, doneBytes, totalBytes });
    };
  }
}

/**
 * A pulled file gets the mode of the file it replaces, else the mode any new file gets there (0666
 * less the umask, read off the empty temporary file); it stays 0600 while it is being written.
 */
async function writeFile(path: string, temp: string, chunks: AsyncIterable<Uint8Array>, info: StreamInfo): Promise<void> {
  const file = await open(temp, 'wx', 0o666).catch((err: NodeJS.ErrnoException) => {
    throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `cannot write next to ${path}: ${err.code ?? err.message}`);
  });
  try {
    const fresh = (await file.stat()).mode & 0o777;
    await file.chmod(0o600);
    let written = 0;
    for await (const chunk of chunks) {
      await file.write(chunk);
      written += chunk.length;
    }
    if (written !== info.size) throw new MemCloudError(ErrorCodes.CORRUPT_BLOCK, `stream ${info.id} gave ${written} of ${info.size} bytes`);
    const replaced = await lstat(path).catch(() => undefined);
    await file.chmod(replaced?.isFile() ? replaced.mode & 0o777 : fresh);
    await file.sync();
  } finally {
    await file.close();
  }
}

async function writeFolder(path: string, temp: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  if (await stat(path).then(() => true, () => false)) {
    throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `${path} already exists; restore a folder to a new path`);
  }
  await mkdir(temp, { mode: 0o700 });
  await unpackFolder(temp, chunks);
}
