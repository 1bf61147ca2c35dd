// The memcloud CLI run in this process with captured output: for argument handling and commands
// that need no node.

import { PassThrough } from 'node:stream';
import { runCli } from '../../engine/cli/main';

export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function runCliInProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (c) => (o += c));
  err.on('data', (c) => (e += c));
  const code = await runCli(args, { out, err, env, stdin: new PassThrough() });
  return { code, out: o, err: e };
}
