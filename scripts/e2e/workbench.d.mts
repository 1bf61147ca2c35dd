// Types for workbench.mjs.
import type { Locator, Page } from 'playwright-core';

export interface WorkbenchOptions {
  /** Extension under development (loaded like --extensionDevelopmentPath). */
  readonly extensionDir?: string;
  /** Extensions dir to start with (e.g. after installing a .vsix). */
  readonly extensionsDir?: string;
  readonly workspace?: string;
  /** Environment for code-server and the extension host (e.g. MEMCLOUD_HOME). */
  readonly env?: Readonly<Record<string, string>>;
  /** Activity-bar title to wait for; by default the first one extensionDir contributes. */
  readonly activityTitle?: string;
  readonly timeoutMs?: number;
}
export interface Workbench {
  readonly page: Page;
  /** The run's temp dir (user data, extensions, HOME, ...); removed by close(). */
  readonly sandboxDir: string;
  /** Closes the browser, kills code-server's process group, removes the temp dirs. Idempotent. */
  close(): Promise<void>;
}
export interface WaitOptions {
  readonly timeoutMs?: number;
}
export function activityBarTitle(extensionDir: string): string | undefined;
export function activityBarItem(page: Page, title: string): Locator;
export function openWorkbench(options: WorkbenchOptions): Promise<Workbench>;
/** F1, type the full palette title (e.g. "MemCloud: Show Status"), Enter. */
export function runCommand(page: Page, title: string, options?: WaitOptions): Promise<void>;
export function openActivity(page: Page, title: string, options?: WaitOptions): Promise<void>;
export function waitForTreeItem(page: Page, label: string, options?: WaitOptions): Promise<Locator>;
export function waitForNotification(page: Page, text: string, options?: WaitOptions): Promise<Locator>;
export function chooseContextMenuItem(page: Page, label: string, options?: WaitOptions): Promise<void>;
/** Saves a PNG of the workbench; returns the file. */
export function screenshot(page: Page, file: string): Promise<string>;
