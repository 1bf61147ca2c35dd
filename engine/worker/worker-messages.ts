// Messages between the engine worker and the thread that hosts it (the headless node's main
// thread, or the VS Code extension host). One validated entry per direction.

import type { LogEntry, StopReason } from '../api/types';
import type { CryptoBackendName } from '../crypto/backend-name';
import type { ErrorPayload } from '../errors';
import type { EngineOptionsInput } from '../node/engine-options';
import type { PreloadedSecret } from '../identity/stores/store-registry';

export interface EngineReadyInfo {
  readonly name: string;
  readonly publicKey: string;
  readonly fingerprint: string;
  readonly host: string;
  readonly port: number;
  readonly crypto: CryptoBackendName;
  readonly controlSocket: string | null;
}

/**
 * What opens a protected identity key inside the worker: the passphrase or token PIN (UTF-8), and
 * the wrapping key of a store only the host thread reaches (VS Code's Secret Storage). Their
 * buffers are transferred, not copied, and zeroed once the engine has started.
 */
export interface WorkerUnlock {
  readonly secret?: Uint8Array;
  readonly preloaded?: PreloadedSecret;
}

export interface EngineWorkerData {
  readonly options: EngineOptionsInput;
  readonly unlock?: WorkerUnlock;
}

export type HostToWorker = { readonly type: 'stop'; readonly reason: StopReason };

export type WorkerToHost =
  | { readonly type: 'ready'; readonly info: EngineReadyInfo }
  | { readonly type: 'log'; readonly entry: LogEntry }
  | { readonly type: 'fatal'; readonly error: ErrorPayload }
  | { readonly type: 'stopped' };

export function parseHostToWorker(v: unknown): HostToWorker {
  const m = v as { type?: unknown; reason?: unknown } | null;
  if (typeof m === 'object' && m !== null && m.type === 'stop' && (m.reason === 'requested' || m.reason === 'host-exit')) {
    return { type: 'stop', reason: m.reason };
  }
  throw new Error(`unknown message to the engine worker: ${JSON.stringify(v)?.slice(0, 80)}`);
}

export function parseWorkerToHost(v: unknown): WorkerToHost {
  if (typeof v !== 'object' || v === null) throw new Error('malformed message from the engine worker');
  const m = v as { type?: unknown };
  switch (m.type) {
    case 'ready':
    case 'log':
    case 'fatal':
    case 'stopped':
      return v as WorkerToHost;
    default:
      throw new Error(`unknown message from the engine worker: ${String(m.type)}`);
  }
}
