// Runs inside the real VS Code extension host (bundled, loaded as extensionTestsPath): connects the
// extension to the peer, then offloads a 1 GiB file through the "Offload File or Folder..." command
// while a histogram samples the extension host's event-loop delay. Prints one BENCH line.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { StreamInfo } from '../../engine/api/types';
import type { MemCloudExtensionExports } from '../../extension/extension';

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run through bench/extension.ts`);
  return v;
}

async function until(what: string, probe: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function writeFile(path: string, bytes: number): Promise<void> {
  const fh = await open(path, 'w');
  const chunk = Buffer.alloc(8 * 1024 * 1024);
  for (let i = 0; i < chunk.length; i += 4096) chunk.writeUInt32LE(i, i);
  for (let done = 0; done < bytes; done += chunk.length) await fh.write(chunk, 0, Math.min(chunk.length, bytes - done));
  await fh.close();
}

export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension<MemCloudExtensionExports>('memcloud.memcloud');
  if (!ext) throw new Error('extension not found');
  const { testing } = await ext.activate();
  await until('the node', () => testing.link.client !== undefined);
  await vscode.commands.executeCommand('memcloud.trustDevice', env('MEMCLOUD_TEST_PEER_KEY'), 'desk');
  await vscode.commands.executeCommand('memcloud.connectPeer', env('MEMCLOUD_TEST_PEER'));
  const size = Number(process.env.MEMCLOUD_BENCH_BYTES ?? 1024 ** 3);
  const file = join(env('MEMCLOUD_TEST_WORK'), 'bench.bin');
  await writeFile(file, size);

  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const started = performance.now();
  const info = await vscode.commands.executeCommand<StreamInfo>('memcloud.offload', vscode.Uri.file(file));
  const seconds = (performance.now() - started) / 1000;
  histogram.disable();
  if (!info || info.size !== size) throw new Error(`offload did not complete: ${JSON.stringify(info)}`);
  await rm(file, { force: true });
  const result = {
    host_loop_delay_p99_ms: histogram.percentile(99) / 1e6,
    host_loop_delay_max_ms: histogram.max / 1e6,
    offload_mb_per_s: size / 1e6 / seconds,
    activation_ms: testing.activationMs,
  };
  console.log(`BENCH ${JSON.stringify(result)}`);
}
