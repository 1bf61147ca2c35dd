// Types for the parts of proc.mjs that TypeScript tests use.
/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number>;
/** Runs `fn` holding a lock directory; a lock left by a dead process is taken over. */
export function withDirLock<T>(lock: string, fn: () => Promise<T>, options?: { timeoutMs?: number; onWait?: () => void }): Promise<T>;
