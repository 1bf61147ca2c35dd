// The client half of the bulk measurement of `npm run bench`, in a process of its own so that its
// peak memory is the SDK's while pushing, not what the benchmark driver holds from earlier
// measurements. Usage: node dist/bench-bulk-client.js --home DIR --mib N
// Prints one JSON line: { bytes, seconds, baselineRssMiB, peakRssMiB }.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MemCloud } from '../engine/sdk/client';

function statusMiB(field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
  if (!m) throw new Error(`no ${field} in /proc/self/status`);
  return Number(m[1]) / 1024;
}

/**
 * The same 1 MiB chunk, again and again. (A Readable here would refill synchronously inside each
 * read() and hand out two chunks concatenated: 2 MiB of garbage per 2 MiB sent, which the client's
 * RSS then measured instead of the SDK's own buffering.)
 */
async function* source(totalBytes: number): AsyncGenerator<Uint8Array> {
  const chunk = Buffer.alloc(1024 * 1024, 0x5a);
  for (let sent = 0; sent < totalBytes; sent += chunk.length) yield chunk;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { home: { type: 'string' }, mib: { type: 'string' } }, strict: true });
  const mib = Number(values.mib);
  if (values.home === undefined || !Number.isSafeInteger(mib) || mib < 1) throw new Error('usage: --home DIR --mib N');
  const client = await MemCloud.connect({ home: values.home });
  try {
    const baselineRssMiB = statusMiB('VmRSS');
    const bytes = mib * 1024 * 1024;
    const t = process.hrtime.bigint();
    const info = await client.storeStream(source(bytes), { replicas: 1, target: 'remote', name: 'bench' });
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    if (info.size !== bytes) throw new Error(`stored ${info.size} of ${bytes} bytes`);
    process.stdout.write(`${JSON.stringify({ bytes, seconds, baselineRssMiB, peakRssMiB: statusMiB('VmHWM') })}\n`);
  } finally {
    await client.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bulk client failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
