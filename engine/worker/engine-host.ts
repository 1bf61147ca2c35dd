// Starts the engine in a worker thread and talks to it: the same code runs it for the headless
// node and inside the VS Code extension host, so the host thread never does engine work.

import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { LogEntry, StopReason } from '../api/types';
import { ErrorCodes, MemCloudError, fromErrorPayload } from '../errors';
import type { EngineOptionsInput } from '../node/engine-options';
import { requireBundledFile } from '../runtime/bundle-path';
import { parseWorkerToHost, type EngineReadyInfo, type EngineWorkerData, type HostToWorker, type WorkerUnlock } from './worker-messages';

export interface EngineHostEvents {
  log: [LogEntry];
  exit: [MemCloudError | null];
}

const STOP_TIMEOUT_MS = 15_000;
/**
 * V8 lets a busy thread's young generation grow to 48 MiB, which the engine never gives back while
 * it runs. Capped at 8 MiB, a node is about 25 MiB smaller after a burst of small operations, at no
 * measurable cost in CPU or throughput: the engine's short-lived objects die young either way.
 */
const ENGINE_LIMITS = { maxYoungGenerationSizeMb: 8 } as const;

/** Copies of the unlock secrets in buffers of their own, moved (not copied) into the worker. */
function ownBuffers(unlock: WorkerUnlock | undefined): { unlock?: WorkerUnlock; transferList: ArrayBuffer[] } {
  if (!unlock) return { transferList: [] };
  const secret = unlock.secret && Uint8Array.from(unlock.secret);
  const preloaded = unlock.preloaded && { ...unlock.preloaded, secret: Uint8Array.from(unlock.preloaded.secret) };
  const transferList = [secret?.buffer, preloaded?.secret.buffer].filter((b): b is ArrayBuffer => b !== undefined);
  return { unlock: { ...(secret ? { secret } : {}), ...(preloaded ? { preloaded } : {}) }, transferList };
}

export class EngineHost extends EventEmitter<EngineHostEvents> {
  private exited = false;
  private stopping: Promise<void> | null = null;

  private constructor(
    private readonly worker: Worker,
    readonly info: EngineReadyInfo,
  ) {
    super();
  }

  /** Resolves once the engine listens; rejects with the engine's own error if it cannot start. */
  static start(options: EngineOptionsInput, opts: { readonly onLog?: (e: LogEntry) => void; readonly unlock?: WorkerUnlock } = {}): Promise<EngineHost> {
    const { unlock, transferList } = ownBuffers(opts.unlock);
    const data: EngineWorkerData = { options, ...(unlock ? { unlock } : {}) };
    const worker = new Worker(requireBundledFile('engine-worker.js'), { workerData: data, transferList, name: 'memcloud-engine', resourceLimits: ENGINE_LIMITS });
    opts.unlock?.secret?.fill(0);
    opts.unlock?.preloaded?.secret.fill(0);
    return new Promise((resolve, reject) => {
      let host: EngineHost | null = null;
      let fatal: MemCloudError | null = null;
      worker.on('message', (raw: unknown) => {
        const msg = parseWorkerToHost(raw);
        switch (msg.type) {
          case 'ready':
            host = new EngineHost(worker, msg.info);
            resolve(host);
            return;
          case 'log':
            opts.onLog?.(msg.entry);
            host?.emit('log', msg.entry);
            return;
          case 'fatal':
            fatal = fromErrorPayload(msg.error);
            if (!host) reject(fatal);
            return;
          case 'stopped':
            return;
        }
      });
      worker.on('error', (err) => {
        fatal = new MemCloudError(ErrorCodes.INTERNAL, `engine worker crashed: ${err.message}`);
        if (!host) reject(fatal);
      });
      worker.on('exit', (code) => {
        if (!host) {
          reject(fatal ?? new MemCloudError(ErrorCodes.INTERNAL, `engine worker exited with code ${code} before starting`));
          return;
        }
        host.exited = true;
        host.emit('exit', fatal ?? (code === 0 ? null : new MemCloudError(ErrorCodes.INTERNAL, `engine worker exited with code ${code}`)));
      });
    });
  }

  /**
   * Graceful stop (peers are told first); terminates the worker if it takes too long. Idempotent.
   * `requested` tells attached clients not to start a node of their own in its place.
   */
  stop(reason: StopReason = 'host-exit'): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      if (this.exited) return resolve();
      const timer = setTimeout(() => void this.worker.terminate(), STOP_TIMEOUT_MS);
      timer.unref();
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      const msg: HostToWorker = { type: 'stop', reason };
      this.worker.postMessage(msg);
    });
    return this.stopping;
  }
}
