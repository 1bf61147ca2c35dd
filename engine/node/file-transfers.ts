// Files in and out of the pool, read and written by the node itself (same user), so the data never
// crosses the caller's thread. Each transfer can be cancelled: a cancelled push frees every chunk
// it stored; a cancelled pull removes its temporary file. Progress is reported at most every 100 ms.

import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FileTransferOptions } from '../api/engine-api';
import type { StreamInfo, TransferProgress } from '../api/types';
import { ErrorCodes, MemCloudError } from '../errors';
import type { DataService } from './data-service';

interface Transfer {
  cancelled: boolean;
  cancel(): void;
}

export class FileTransfers {
  private readonly active = new Map<string, Transfer>();

  constructor(
    private readonly data: DataService,
    private readonly onProgress: (p: TransferProgress) => void,
  ) {}

  async push(path: string, opts: FileTransferOptions): Promise<StreamInfo> {
    const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
      throw new MemCloudError(ErrorCodes.NOT_FOUND, `cannot read ${path}: ${err.code ?? err.message}`);
    });
    if (!info.isFile()) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `${path} is not a regular file`);
    const transferId = this.claim(opts.transferId);
    const report = this.reporter(transferId, 'push', info.size);
    const stream = this.data.openWriteStream({ ...opts, name: opts.name ?? basename(path) }, report);
    const source = createReadStream(path, { highWaterMark: 1024 * 1024 });
    const transfer: Transfer = {
      cancelled: false,
      cancel: () => {
        transfer.cancelled = true;
        source.destroy();
      },
    };
    this.active.set(transferId, transfer);
    try {
      for await (const chunk of source) {
        if (transfer.cancelled) break;
        await stream.write(chunk as Buffer);
      }
      if (transfer.cancelled) throw new MemCloudError(ErrorCodes.CANCELLED, `push of ${path} was cancelled; nothing was kept`);
      const result = await stream.end();
      report(result.size, true);
      return result;
    } catch (err) {
      await stream.abort();
      if (transfer.cancelled) throw new MemCloudError(ErrorCodes.CANCELLED, `push of ${path} was cancelled; nothing was kept`);
      throw err;
    } finally {
      source.destroy();
      this.active.delete(transferId);
    }
  }

  async pull(id: string, path: string, opts: { readonly transferId?: string }): Promise<StreamInfo> {
    const info = this.data.streamInfo(id);
    const transferId = this.claim(opts.transferId);
    const report = this.reporter(transferId, 'pull', info.size);
    const reader = this.data.openReadStream(id, report);
    const temp = join(dirname(path), `.${basename(path)}.memcloud-${randomBytes(4).toString('hex')}.tmp`);
    const transfer: Transfer = { cancelled: false, cancel: () => ((transfer.cancelled = true), reader.close()) };
    this.active.set(transferId, transfer);
    const file = await open(temp, 'wx', 0o600).catch((err: NodeJS.ErrnoException) => {
      this.active.delete(transferId);
      throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `cannot write next to ${path}: ${err.code ?? err.message}`);
    });
    try {
      let written = 0;
      for (let chunk = await reader.read(); chunk !== null; chunk = await reader.read()) {
        if (transfer.cancelled) break;
        await file.write(chunk);
        written += chunk.length;
      }
      if (transfer.cancelled) throw new MemCloudError(ErrorCodes.CANCELLED, `pull into ${path} was cancelled`);
      if (written !== info.size) throw new MemCloudError(ErrorCodes.CORRUPT_BLOCK, `stream ${id} gave ${written} of ${info.size} bytes`);
      await file.sync();
      await file.close();
      await rename(temp, path);
      report(info.size, true);
      return info;
    } catch (err) {
      await file.close().catch(() => undefined);
      await rm(temp, { force: true });
      if (transfer.cancelled) throw new MemCloudError(ErrorCodes.CANCELLED, `pull into ${path} was cancelled`);
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
