// Whether trusted_devices.json can be used right now. A file that became corrupt (an edit with a
// typo) or unreadable (wrong owner or mode) is not silently ignored: while the problem lasts the
// node admits no new session (docs/protocol.md section 4), and every front-end shows the problem
// with the file's path and the fix, until the file is valid again.

import { ErrorCodes, isMemCloudError, MemCloudError, type ErrorCode } from '../errors';

export type TrustFileProblemCode = typeof ErrorCodes.TRUST_STORE_CORRUPT | typeof ErrorCodes.TRUST_STORE_UNREADABLE;

export interface TrustFileProblem {
  readonly code: TrustFileProblemCode;
  readonly path: string;
  /** The whole explanation: which file, what is wrong, what to do. */
  readonly message: string;
  /** ms since the epoch when the problem was first seen. */
  readonly since: number;
}

export function isTrustFileProblemCode(code: ErrorCode): code is TrustFileProblemCode {
  return code === ErrorCodes.TRUST_STORE_CORRUPT || code === ErrorCodes.TRUST_STORE_UNREADABLE;
}

/** True for the errors readTrustFile() throws about the file itself. */
export function isTrustFileError(err: unknown): err is MemCloudError & { code: TrustFileProblemCode } {
  return isMemCloudError(err) && isTrustFileProblemCode(err.code);
}

export type ProblemListener = (problem: TrustFileProblem | undefined) => void;

/** The current problem, if any, and who wants to hear when it appears, changes or goes away. */
export class TrustFileHealth {
  #problem: TrustFileProblem | undefined;
  readonly #listeners = new Set<ProblemListener>();

  constructor(private readonly path: string) {}

  get problem(): TrustFileProblem | undefined {
    return this.#problem;
  }

  onChange(listener: ProblemListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A read failed with `err`: it becomes the problem (keeping when it was first seen). */
  failed(err: MemCloudError & { code: TrustFileProblemCode }): void {
    const was = this.#problem;
    if (was?.code === err.code && was.message === err.message) return;
    this.#problem = { code: err.code, path: this.path, message: err.message, since: was?.since ?? Date.now() };
    this.#emit();
  }

  /** A read succeeded: whatever was wrong is fixed. */
  ok(): void {
    if (this.#problem === undefined) return;
    this.#problem = undefined;
    this.#emit();
  }

  /** The error to refuse something with while the file is unusable; undefined when it is fine. */
  refusal(what: string): MemCloudError | undefined {
    const p = this.#problem;
    return p === undefined ? undefined : new MemCloudError(p.code, `${what}: ${p.message}`);
  }

  #emit(): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(this.#problem);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
