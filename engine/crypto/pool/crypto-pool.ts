// A piscina pool for bulk AEAD batches and handshake asymmetric ops, keeping the engine's event
// loop free. Inputs are validated here, then copied into one buffer that is transferred to the
// worker (callers keep theirs); results come back transferred, as views into one buffer.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { ErrorCodes, MemCloudError, isMemCloudError } from '../../errors';
import { bundledFile } from '../../runtime/bundle-path';
import type { CryptoBackendName } from '../backend-name';
import {
  parseCryptoTask,
  type AsymOp,
  type AsymResult,
  type CryptoOps,
  type CryptoTask,
  type OpenBatchResult,
} from './crypto-messages';
import { expectOutcome, zeroSecretInputs } from './crypto-work';
import { buffersOf, packCopies } from './packed-bytes';

export interface CryptoPoolOptions {
  /** Worker threads; default min(2, availableParallelism()). */
  readonly threads?: number;
  /** The bundled worker file; default dist/crypto-task.js. */
  readonly taskFile?: string;
}

const TASK_FILE = 'crypto-task.js';
/** Threads beyond the first retire after this long idle; idle threads never hold the process open. */
const IDLE_TIMEOUT_MS = 30_000;
const CLOSE_TIMEOUT_MS = 10_000;

export class CryptoPool implements CryptoOps {
  readonly #piscina: Piscina;
  #closing: Promise<void> | undefined;

  private constructor(piscina: Piscina) {
    this.#piscina = piscina;
  }

  static create(opts: CryptoPoolOptions = {}): CryptoPool {
    const threads = opts.threads ?? Math.min(2, availableParallelism());
    if (!Number.isSafeInteger(threads) || threads < 1 || threads > 64) {
      throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'options.threads must be an integer from 1 to 64');
    }
    const filename = opts.taskFile ?? bundledFile(TASK_FILE);
    if (!existsSync(filename)) {
      throw new MemCloudError(ErrorCodes.INTERNAL, `crypto pool task file ${filename} is missing: run \`npm run build\``);
    }
    const piscina = new Piscina({
      filename,
      minThreads: 1, // one warm thread: a cold start costs tens of ms, too much for a handshake
      maxThreads: threads,
      idleTimeout: IDLE_TIMEOUT_MS,
      closeTimeout: CLOSE_TIMEOUT_MS,
    });
    // Task failures reach callers through their promises; pool-level errors (a close timeout)
    // must not become an unhandled 'error' event that takes the engine down.
    piscina.on('error', () => {});
    return new CryptoPool(piscina);
  }

  get threads(): number {
    return this.#piscina.maxThreads;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  async seal(backend: CryptoBackendName, key: Uint8Array, nonce: number, records: readonly Uint8Array[], adPrefix?: Uint8Array): Promise<Uint8Array[]> {
    const task = recordTask('seal', backend, key, nonce, records, adPrefix);
    return expectOutcome(await this.#run(task), 'seal').records;
  }

  async open(backend: CryptoBackendName, key: Uint8Array, nonce: number, records: readonly Uint8Array[], adPrefix?: Uint8Array): Promise<OpenBatchResult> {
    const task = recordTask('open', backend, key, nonce, records, adPrefix);
    return expectOutcome(await this.#run(task), 'open').result;
  }

  async asym(backend: CryptoBackendName, ops: readonly AsymOp[]): Promise<AsymResult[]> {
    parseCryptoTask({ kind: 'asym', backend, ops });
    return expectOutcome(await this.#run({ kind: 'asym', backend, ops: copyOps(ops) }), 'asym').results;
  }

  /** Idempotent. Tasks not yet started are rejected with CANCELLED; running ones finish. */
  close(): Promise<void> {
    this.#closing ??= this.#piscina.close({ force: true }).catch(() => {});
    return this.#closing;
  }

  async #run(task: CryptoTask): Promise<unknown> {
    if (this.#closing !== undefined) throw new MemCloudError(ErrorCodes.CANCELLED, 'crypto pool is closed');
    try {
      return await this.#piscina.run(task, { transferList: buffersOf(taskViews(task)) });
    } catch (err) {
      if (isMemCloudError(err)) throw err;
      if (this.#closing !== undefined) {
        throw new MemCloudError(ErrorCodes.CANCELLED, 'crypto pool closed before the task ran', { cause: err });
      }
      throw new MemCloudError(ErrorCodes.INTERNAL, `crypto pool task failed: ${(err as Error).message}`, { cause: err });
    } finally {
      // Sent tasks were transferred (their views are now empty); a task cancelled in the queue
      // still holds our key copies here.
      zeroSecretInputs(task);
    }
  }
}

/** A validated seal/open task over private copies of its bytes (the caller keeps its own). */
function recordTask(
  kind: 'seal' | 'open', backend: CryptoBackendName, key: Uint8Array, nonce: number, records: readonly Uint8Array[], adPrefix: Uint8Array | undefined,
): CryptoTask {
  parseCryptoTask({ kind, backend, key, nonce, records, ...(adPrefix && { adPrefix }) });
  const copies = packCopies(adPrefix ? [key, adPrefix, ...records] : [key, ...records]);
  const k = copies.shift()!;
  return adPrefix ? { kind, backend, key: k, nonce, adPrefix: copies.shift()!, records: copies } : { kind, backend, key: k, nonce, records: copies };
}

function taskViews(task: CryptoTask): Uint8Array[] {
  if (task.kind === 'asym') return task.ops.flatMap(opViews);
  return task.adPrefix ? [task.key, task.adPrefix, ...task.records] : [task.key, ...task.records];
}

function opViews(op: AsymOp): Uint8Array[] {
  switch (op.op) {
    case 'x25519-keypair':
      return [];
    case 'x25519-dh':
      return [op.secretKey, op.publicKey];
    case 'ed25519-sign':
      return [op.secretKey, op.message];
    case 'ed25519-verify':
      return [op.publicKey, op.message, op.signature];
  }
}

/** The same ops with every byte field copied into one transferable buffer. */
function copyOps(ops: readonly AsymOp[]): AsymOp[] {
  const copies = packCopies(ops.flatMap(opViews));
  let i = 0;
  const next = (): Uint8Array => copies[i++]!;
  return ops.map((op): AsymOp => {
    switch (op.op) {
      case 'x25519-keypair':
        return { op: op.op };
      case 'x25519-dh':
        return { op: op.op, secretKey: next(), publicKey: next() };
      case 'ed25519-sign':
        return { op: op.op, secretKey: next(), message: next() };
      case 'ed25519-verify':
        return { op: op.op, publicKey: next(), message: next(), signature: next() };
    }
  });
}
