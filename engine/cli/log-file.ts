// The background node's log file read directly, for `memcloud logs` when no node answers (stopped
// or crashed: exactly when the log is needed). Lines are as the node wrote them; rotated files
// (node.log.1, ...) supply older lines when node.log has fewer than asked for.

import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { errnoCode } from '../home/fs-errors';

/** Rotated files consulted for older lines (RotatingLog keeps 3). */
const ROTATED = 3;
/** Bytes read per poll while following, so a burst never needs a big buffer. */
const FOLLOW_READ = 64 * 1024;

/** Where a reader of the log stopped: following goes on from there. */
export interface LogPosition {
  readonly offset: number;
  readonly ino: number;
}

/** The file's lines and how far they go, read through one handle; undefined when it does not exist. */
async function readLines(path: string): Promise<{ lines: string[]; at: LogPosition } | undefined> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const ino = (await fh.stat()).ino;
    const data = await fh.readFile();
    const lines = data.toString('utf8').split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
    return { lines, at: { offset: data.length, ino } };
  } finally {
    await fh.close();
  }
}

/**
 * The last `count` lines of the log and its rotations, and the position after them; undefined
 * when there is no log at all.
 */
export async function tailLogFile(path: string, count: number): Promise<{ lines: string[]; at: LogPosition } | undefined> {
  const current = await readLines(path);
  if (current === undefined) return undefined;
  let lines = current.lines;
  for (let i = 1; i <= ROTATED && lines.length < count; i++) {
    const older = await readLines(`${path}.${i}`);
    if (older === undefined) break;
    lines = [...older.lines, ...lines];
  }
  return { lines: count === 0 ? [] : lines.slice(-count), at: current.at };
}

/**
 * Calls `onText` with what is appended to the log after `from`, until `stop` resolves. A rotation
 * (the file is replaced or shrinks) starts over at the new file's beginning.
 */
export async function followLogFile(path: string, from: LogPosition, onText: (text: string) => void, stop: Promise<void>, pollMs = 250): Promise<void> {
  let { offset, ino } = from;
  const decoder = new StringDecoder('utf8'); // a read may end inside a character
  let stopped = false;
  void stop.then(() => (stopped = true));
  while (!stopped) {
    await Promise.race([new Promise((r) => setTimeout(r, pollMs)), stop]);
    if (stopped) break;
    const now = await logStat(path);
    const size = now.size;
    if (now.ino !== ino || size < offset) offset = 0; // rotated: the new file from its start
    ino = now.ino;
    while (offset < size) {
      const chunk = await readAt(path, offset, Math.min(FOLLOW_READ, size - offset));
      if (chunk.length === 0) break;
      offset += chunk.length;
      onText(decoder.write(chunk));
    }
  }
}

/** The log's size now (0 when there is none): where a new node's lines will start. */
export async function logSize(path: string): Promise<number> {
  return (await logStat(path)).size;
}

async function logStat(path: string): Promise<{ size: number; ino: number }> {
  try {
    const st = await stat(path);
    return { size: st.size, ino: st.ino };
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { size: 0, ino: 0 };
    throw err;
  }
}

/** The last lines written after `offset` (from the start if the log was rotated meanwhile). */
export async function logLinesSince(path: string, offset: number, count = 15): Promise<string[]> {
  const size = await logSize(path);
  const from = size < offset ? 0 : offset;
  const start = Math.max(from, size - FOLLOW_READ);
  const text = (await readAt(path, start, size - start).catch(() => Buffer.alloc(0))).toString('utf8');
  return text.split('\n').filter((l) => l !== '').slice(-count);
}

async function readAt(path: string, offset: number, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
