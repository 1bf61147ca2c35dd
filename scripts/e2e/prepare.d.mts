// Types for prepare.mjs (the harness is plain ESM so it runs with bare node).
export interface Prepared {
  readonly codeServerEntry: string;
  readonly chromiumPath: string;
}
/** Installs missing Debian packages (as root) and code-server into .e2e-cache; cheap when present. */
export function prepare(options?: { log?: (msg: string) => void }): Promise<Prepared>;
