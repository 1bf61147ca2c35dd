// Types for install-vsix.mjs.
export function packageVsix(extensionDir: string, outFile: string): Promise<string>;
export interface VerifyVsixOptions {
  readonly vsix: string;
  /** Palette title to run after activation. */
  readonly command?: string;
  readonly expectNotification?: string;
  readonly screenshotFile?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}
/** Installs into a fresh extensions dir and checks activation; rejects if it does not activate. */
export function verifyVsix(options: VerifyVsixOptions): Promise<{ id: string; version: string }>;
