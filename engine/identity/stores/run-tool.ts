// Running a store's command-line tool: input on stdin (never on the command line, where other
// users could read it in the process list), output captured and bounded, and a finite deadline
// (a store that waits on a prompt nobody can answer must not hang the node's start).

import { spawn } from 'node:child_process';

export interface ToolResult {
  /** Exit code; null when the tool could not be started (see `spawnError`) or was killed. */
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
  /** ENOENT when the tool is not installed. */
  readonly spawnError?: string;
  readonly timedOut: boolean;
}

const MAX_OUTPUT = 64 * 1024;
export const TOOL_TIMEOUT_MS = 20_000;

export function runTool(
  command: string,
  args: readonly string[],
  opts: { readonly input?: string; readonly env: NodeJS.ProcessEnv; readonly timeoutMs?: number },
): Promise<ToolResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: opts.env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? TOOL_TIMEOUT_MS);
    timer.unref();
    child.stdout.on('data', (c: Buffer) => {
      if (outBytes < MAX_OUTPUT) out.push(c);
      outBytes += c.length;
    });
    child.stderr.on('data', (c: Buffer) => {
      if (err.length < MAX_OUTPUT) err += c.toString('utf8');
    });
    child.stdin.on('error', () => undefined); // a tool that exits without reading its input
    child.stdin.end(opts.input ?? '');
    child.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: null, stdout: Buffer.alloc(0), stderr: err, spawnError: e.code ?? e.message, timedOut });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out);
      for (const c of out) c.fill(0);
      resolve({ code, stdout, stderr: err, timedOut });
    });
  });
}
