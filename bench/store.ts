// Micro-benchmark: the RAM block store under eviction. Puts 1,000,000 1-KiB cache blocks into a
// 512 MiB store (about half get evicted), then reads random live blocks; prints ops/s and memory
// (RSS, V8 heap, ArrayBuffer memory) relative to the bytes stored. Not wired into npm scripts.
// Each part runs in its own process, so memory freed by one does not hide the other's growth.
// Run: node --import tsx bench/store.ts [blocks] [blockBytes] [capacity]

import { execFileSync } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { chargeOf } from '../engine/store/block-cost';
import { BlockStore } from '../engine/store/block-store';
import { formatSize, parseSize } from '../engine/store/sizes';

const BLOCKS = Number(process.argv[2] ?? 1_000_000);
const BLOCK_BYTES = parseSize(process.argv[3] ?? '1k');
const CAPACITY = parseSize(process.argv[4] ?? '512mib');
// data and ids are made outside the timed loop, 4 MiB at a time (more would inflate the RSS)
const BATCH = Math.max(1, Math.floor(4 * 2 ** 20 / BLOCK_BYTES));
const PART = process.argv[5];

setFlagsFromString('--expose-gc');
const gc = (globalThis.gc ?? runInNewContext('gc')) as () => void;

function memory(): NodeJS.MemoryUsage {
  gc();
  gc();
  return process.memoryUsage();
}

const idBytes = Buffer.alloc(16);
/** 32 hex chars, a flat string like the engine's ids (padStart would build a larger cons string). */
function idOf(n: number): string {
  idBytes.writeUInt32BE(n, 12);
  return idBytes.toString('hex');
}

function makeBatch(from: number, count: number): { ids: string[]; data: Uint8Array[] } {
  const ids: string[] = [];
  const data: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    // one ArrayBuffer per block, as a network message would give; filled so every page is resident
    const block = new Uint8Array(BLOCK_BYTES).fill((from + i) & 0xff);
    ids.push(idOf(from + i));
    data.push(block);
  }
  return { ids, data };
}

const perBlock = (bytes: number, blocks: number): string => `${(bytes / blocks).toFixed(0)} B/block`;

/** The specified run: BLOCKS cache puts into CAPACITY (evicting), then random gets of live blocks. */
function churn(): void {
  const store = new BlockStore({ capacityBytes: CAPACITY });
  const before = memory();

  let putMs = 0;
  for (let from = 0; from < BLOCKS; from += BATCH) {
    const { ids, data } = makeBatch(from, Math.min(BATCH, BLOCKS - from));
    const start = performance.now();
    for (let i = 0; i < ids.length; i++) store.put('self', ids[i]!, data[i]!, { durability: 'cache' });
    putMs += performance.now() - start;
  }

  const after = memory();
  const totals = store.totals();
  const live = store.ids('self');
  const picks = Array.from({ length: BLOCKS }, () => live[Math.floor(Math.random() * live.length)]!);
  let checksum = 0;
  const getStart = performance.now();
  for (let i = 0; i < picks.length; i++) checksum += store.get('self', picks[i]!)![0]!;
  const getMs = performance.now() - getStart;

  const stored = totals.blocks * BLOCK_BYTES; // data bytes (usedBytes also charges each block's overhead)
  const line = (name: string, key: keyof NodeJS.MemoryUsage, countsData: boolean): string => {
    const delta = after[key] - before[key];
    const per = countsData ? `overhead ${perBlock(delta - stored, totals.blocks)}` : perBlock(delta, totals.blocks);
    return `  ${name.padEnd(13)} ${formatSize(before[key]).padStart(10)} -> ${formatSize(after[key]).padStart(10)}  (+${formatSize(delta)})  ${per}`;
  };

  console.log(`churn: ${BLOCKS} puts of ${formatSize(BLOCK_BYTES)} into ${formatSize(CAPACITY)} (cache, sampleSize 5)`);
  console.log(`  put ${Math.round(BLOCKS / (putMs / 1000)).toLocaleString('en')} ops/s, get ${Math.round(picks.length / (getMs / 1000)).toLocaleString('en')} ops/s (checksum ${checksum})`);
  console.log(`  stored ${totals.blocks} blocks, ${formatSize(stored)} (${stored} B); ${totals.evictions} evictions`);
  console.log(line('rss', 'rss', true));
  console.log(line('heapTotal', 'heapTotal', false));
  console.log(line('heapUsed', 'heapUsed', false));
  console.log(line('arrayBuffers', 'arrayBuffers', true));
  const rssLimit = 1.05 * stored + 64 * 2 ** 20;
  console.log(`  rss ${formatSize(after.rss)} vs budget 1.05 x stored + 64 MiB = ${formatSize(rssLimit)}: ${after.rss <= rssLimit ? 'within' : 'OVER'}`);
}

/**
 * Splits the cost of a stored block: first the blocks and ids alone (held in plain arrays), then
 * the same blocks in a store, so the second step is the store's own bookkeeping.
 */
function breakdown(): void {
  const count = Math.floor(CAPACITY / BLOCK_BYTES);
  const m0 = memory();
  const { ids, data } = makeBatch(0, count);
  const m1 = memory();
  const store = new BlockStore({ capacityBytes: count * chargeOf(BLOCK_BYTES) });
  for (let i = 0; i < count; i++) store.put('self', ids[i]!, data[i]!, { durability: 'pinned' });
  const m2 = memory();
  const pointers = count * 16; // the two plain arrays holding data and ids
  const idString = 48; // a flat 32-char one-byte string: 16-byte header + 32 chars
  const js = (a: NodeJS.MemoryUsage, b: NodeJS.MemoryUsage): number => b.heapUsed - a.heapUsed + (b.arrayBuffers - a.arrayBuffers);
  console.log(`breakdown: ${count} blocks of ${formatSize(BLOCK_BYTES)} (pinned, no eviction)`);
  console.log(`  blocks + ids alone, over the data: rss ${perBlock(m1.rss - m0.rss - count * BLOCK_BYTES - pointers, count)}, ` +
    `V8 heap ${perBlock(m1.heapUsed - m0.heapUsed - pointers - count * idString, count)} for each Uint8Array + ArrayBuffer (+ ${idString} B per id string)`);
  console.log(`  the store's own bookkeeping on top: heap + typed arrays ${perBlock(js(m1, m2), count)}, rss ${perBlock(m2.rss - m1.rss, count)} (ids and data shared)`);
  if (store.totals().blocks !== ids.length) throw new Error('lost blocks');
}

if (PART === 'churn') churn();
else if (PART === 'breakdown') breakdown();
else {
  const args = [BLOCKS, BLOCK_BYTES, CAPACITY].map(String);
  for (const part of ['churn', 'breakdown']) {
    process.stdout.write(execFileSync(process.execPath, [...process.execArgv, process.argv[1]!, ...args, part]));
  }
}
