// Types for prepare.mjs (plain ESM so .ci/run can call it with bare node).
export const TOOLS_DIR: string;
export const TURBO_VERSION: string;
export const NX_VERSION: string;
export const NPM_TOOLS_BIN: string;
export const NPM_TOOLS_MODULES: string;
export const NPM_TOOLS_INSTALL: string;
export const DEBIAN_TOOLS: Readonly<Record<'ccache' | 'bazel' | 'gradle' | 'redis-server' | 'gcc' | 'make', string>>;
export function debianInstallCommand(packages?: readonly string[]): string;
/** The command's path; throws with the exact apt-get command when it is missing. */
export function requireDebianTool(cmd: keyof typeof DEBIAN_TOOLS): string;
/** Installs turbo and nx (pinned) unless present; returns the folder holding their binaries. */
export function prepareNpmTools(options?: { log?: (msg: string) => void }): Promise<string>;
