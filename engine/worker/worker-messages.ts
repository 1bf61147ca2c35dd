// Messages between the engine worker and the thread that hosts it (the headless node's main
// thread, or the VS Code extension host). One validated entry per direction.

import { literal, nullable, obj, SchemaError, str, tagged, u32, type Schema } from '../api/schema';
import { errorPayload, logEntry } from '../api/schemas';
import type { LogEntry, StopReason } from '../api/types';
import { CRYPTO_BACKENDS, type CryptoBackendName } from '../crypto/backend-name';
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

const stopReason = literal('requested', 'host-exit');

const hostToWorker: Schema<HostToWorker> = tagged({ stop: obj({ type: literal('stop'), reason: stopReason }, {}, 'strict') });

const workerToHost: Schema<WorkerToHost> = tagged({
  ready: obj({
    type: literal('ready'),
    info: obj({ name: str, publicKey: str, fingerprint: str, host: str, port: u32, crypto: literal(...CRYPTO_BACKENDS), controlSocket: nullable(str) }),
  }),
  log: obj({ type: literal('log'), entry: logEntry }),
  fatal: obj({ type: literal('fatal'), error: errorPayload }),
  stopped: obj({ type: literal('stopped') }),
}) as Schema<WorkerToHost>;

/** In the worker: what the host thread asks. */
export function parseHostToWorker(v: unknown): HostToWorker {
  try {
    return hostToWorker(v, 'message');
  } catch (err) {
    if (err instanceof SchemaError) throw new Error(`unknown message to the engine worker: ${err.message}`);
    throw err;
  }
}

/** In the host thread: what the worker reports (its error payload's code is checked again where it is used). */
export function parseWorkerToHost(v: unknown): WorkerToHost {
  try {
    return workerToHost(v, 'message');
  } catch (err) {
    if (err instanceof SchemaError) throw new Error(`malformed message from the engine worker: ${err.message}`);
    throw err;
  }
}
