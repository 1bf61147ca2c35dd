// Types for run-extension-tests.mjs.
/** Exit code for harness failures (startup errors, timeout), distinct from the tests' 0/1. */
export const HARNESS_ERROR: 2;
export function parseEnvPairs(pairs: readonly string[]): Record<string, string>;
export function formatLogArgs(args: unknown): string;
export interface RunExtensionTestsOptions {
  /** Absolute path of the extension folder (its package.json). */
  readonly extensionDir: string;
  /** Absolute path of a CommonJS module exporting run(): Promise<void>. */
  readonly testsPath: string;
  /** Folder to open; a fresh empty one when omitted. */
  readonly workspace?: string;
  /** Overall limit for server start, browser and tests; default 180000. */
  readonly timeoutMs?: number;
  /** Extra environment for code-server and so the extension host. */
  readonly env?: Readonly<Record<string, string>>;
  /** Receives each log line; default writes to stdout. */
  readonly out?: (line: string) => void;
}
/** Runs the tests in the real extension host; resolves with the exit code, rejects on invalid options. */
export function runExtensionTests(options: RunExtensionTestsOptions): Promise<number>;
