// Faults under the build-cache endpoint, with owner and lender as real node processes: a frozen
// lender (SIGSTOP) turns reads into 404s at the read deadline instead of making the build wait, and
// a lender killed in the middle of an upload leaves no entry, and nothing stored, behind.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createCacheWorld, type CacheWorld } from '../../support/cache-world';
import { request } from 'node:http';
import { eventually } from '../../support/eventually';
import { describeProcess, freeze, isFrozen, thaw } from '../../support/frozen-process';
import { httpRequest, type HttpReply } from '../../support/http-client';

let world: CacheWorld;
let port = 0;

before(async () => {
  // A read deadline of 2 s rather than 100 ms: what these tests judge (bounded memory, no entry left
  // behind, a miss while the lender is frozen) must not depend on how loaded the machine is.
  world = await createCacheWorld({ buildCache: { enabled: false, deadlineMs: 2000 }, ownerArgs: ['--log-level', 'debug'] });
  port = Number(new URL(world.url).port);
});
after(async () => {
  if (world) thaw(world.lender.process);
  await world?.close();
});

const call = (method: string, path: string, body?: Buffer | AsyncIterable<Uint8Array>) =>
  httpRequest(port, method, path, { token: world.token, ...(body ? { body } : {}), ...(body && !Buffer.isBuffer(body) ? { headers: { 'content-length': String(48 * 1024 * 1024) } } : {}) });

/** A process's peak resident memory (VmHWM), in MiB. */
function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) / 1024;
}

/**
 * What decides why a read while the lender is frozen went wrong: how both processes are (threads
 * stopped, exited, killed by which signal), what the owner logged since the freeze and about the
 * entry, the lender's last log lines, and both nodes' data and stats (the lender's only when it
 * answers: it is thawed before this runs).
 */
function frozenReadReport(key: number, ownerLogFrom: number): string {
  const cli = (args: string[], home?: string) => {
    const r = world.mc([...args, '--json'], home);
    return r.code === 0 ? r.out.trim() : `(failed ${r.code}: ${r.err.trim()})`;
  };
  const running = (p: CacheWorld['lender']) => p.process.exitCode === null && p.process.signalCode === null;
  // The nodes' answers first: by then a process that ended has said why on its output.
  const answers = [
    `owner's data: ${cli(['ls'])}`,
    `owner's stats: ${cli(['stats'])}`,
    `lender's stats: ${running(world.lender) ? cli(['stats'], world.lender.home) : '(not running)'}`,
  ];
  const ownerLines = world.owner.log();
  const aboutEntry = ownerLines.slice(0, ownerLogFrom).filter((l) => l.includes(`nx/${key}`) || /session|lender/.test(l));
  return [
    `owner: ${describeProcess(world.owner.process)}; lender now: ${describeProcess(world.lender.process)}`,
    `owner's log before the freeze, on nx/${key} and its sessions:`,
    ...aboutEntry.slice(-20),
    `owner's log since the freeze:`,
    ...ownerLines.slice(ownerLogFrom),
    `lender's last log lines:`,
    ...world.lender.log().slice(-30),
    ...answers,
  ].join('\n');
}

test('bodies stream: 256 MiB up and back down through the endpoint, the owner node stays far below that', async () => {
  const total = 256 * 1024 * 1024;
  const piece = randomBytes(1024 * 1024);
  const up = createHash('sha256');
  async function* body(): AsyncGenerator<Buffer> {
    for (let sent = 0; sent < total; sent += piece.length) {
      up.update(piece);
      yield piece;
    }
  }
  const put = await httpRequest(port, 'PUT', '/ccache/big/256', { token: world.token, body: body(), headers: { 'content-length': String(total) } });
  assert.equal(put.status, 200);
  const down = createHash('sha256');
  let received = 0;
  await new Promise<void>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/ccache/big/256', headers: { authorization: `Bearer ${world.token}` } }, (res) => {
      assert.equal(res.statusCode, 200);
      res.on('data', (c: Buffer) => {
        received += c.length;
        down.update(c);
      });
      res.on('end', resolve);
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
  assert.equal(received, total);
  assert.equal(down.digest('hex'), up.digest('hex'));
  assert.ok(world.lenderStats().lent.usedBytes >= total, 'it went to the lender');
  const peak = peakRssMiB(world.owner.process.pid!);
  assert.ok(peak < 200, `owner node peak RSS ${peak.toFixed(0)} MiB while 256 MiB went through it twice`);
  assert.equal((await call('DELETE', '/ccache/big/256')).status, 200);
});

test('a frozen lender: reads answer 404 at the deadline, while the lender is still frozen; they hit again once it thaws', async () => {
  const body = randomBytes(50_000);
  // The 256 MiB above may have had the session reconnect on a busy machine: the entry must go to the lender.
  await eventually('the owner to be connected to the lender', () => {
    const peers = JSON.parse(world.mc(['peers', 'list', '--json']).out) as Array<{ name: string; state: string }>;
    return peers.some((p) => p.name === 'lender' && p.state === 'connected');
  });
  // The entry must be on the lender only. A block written while the owner sees no live peer (a
  // session reconnecting on a busy machine) stays in the owner's own RAM, and a read would find it
  // there: then store the entry again under a new key.
  const ownerBlocks = () => (JSON.parse(world.mc(['stats', '--json']).out) as { local: { blocks: number } }).local.blocks;
  let key = 4242;
  for (let attempt = 1; ; attempt++, key++) {
    const localBefore = ownerBlocks();
    const lentBefore = world.lenderStats().lent.usedBytes;
    assert.equal((await call('PUT', `/v1/cache/${key}`, body)).status, 200);
    if (ownerBlocks() === localBefore && world.lenderStats().lent.usedBytes >= lentBefore + body.length) break;
    assert.ok(attempt < 5, `the entry stayed in the owner's own RAM ${attempt} times: ${world.mc(['ls', '--json']).out}`);
  }
  assert.deepEqual((await call('GET', `/v1/cache/${key}`)).body, body);
  const lender = world.lender.process;
  const logFrom = world.owner.log().length;
  // Frozen means every thread stopped: kill() only queues SIGSTOP (see test/support/frozen-process.ts).
  await freeze(lender).catch((err: Error) => assert.fail(`${err.message}\n${frozenReadReport(key, logFrom)}`));
  let read: { readonly atGet: string; readonly reply: HttpReply | Error; readonly frozenAfter: boolean; readonly afterGet: string };
  try {
    const atGet = describeProcess(lender);
    const reply = await call('GET', `/v1/cache/${key}`).catch((err: Error) => err);
    read = { atGet, reply, frozenAfter: isFrozen(lender.pid!), afterGet: describeProcess(lender) };
  } finally {
    thaw(lender);
  }
  const explain = () => `lender at the GET: ${read.atGet}; after it: ${read.afterGet}\n${frozenReadReport(key, logFrom)}`;
  const status = read.reply instanceof Error ? `error ${read.reply.message}` : read.reply.status;
  assert.ok(read.frozenAfter, `the lender was not frozen through the read (answer: ${status})\n${explain()}`);
  assert.equal(status, 404, `a miss, never an error status Nx would fail on\n${explain()}`);
  await world.owner.waitFor(new RegExp(`build cache: nx/${key} counted as a miss: .*within the deadline`)).catch((err: Error) => assert.fail(`${err.message.split('\n')[0]}\n${explain()}`));
  assert.equal(world.cacheStats().protocols.nx.fallbacks, 1, explain());
  let again = await call('GET', `/v1/cache/${key}`);
  for (let i = 0; i < 50 && again.status !== 200; i++) again = await call('GET', `/v1/cache/${key}`);
  assert.equal(again.status, 200, 'a hit again once the lender answers');
  assert.deepEqual(again.body, body);
});

test('a lender killed mid-upload: the upload is refused, no entry is visible, and nothing of it stays stored', async () => {
  const entriesBefore = world.cacheStats().entries;
  const ownerUsedBefore = JSON.parse(world.mc(['stats', '--json']).out).local.usedBytes as number;
  const total = 48 * 1024 * 1024;
  let sent = 0;
  let killed = false;
  async function* upload(): AsyncGenerator<Buffer> {
    while (sent < total) {
      const piece = randomBytes(256 * 1024);
      sent += piece.length;
      yield piece;
      if (!killed && sent >= 16 * 1024 * 1024) {
        killed = true;
        world.lender.process.kill('SIGKILL');
        await new Promise<void>((r) => (world.lender.process.exitCode !== null || world.lender.process.signalCode !== null ? r() : world.lender.process.once('exit', () => r())));
      }
    }
  }
  const put = await call('PUT', '/ccache/dies/mid-upload', upload()).catch((err: Error) => ({ status: 0, error: err.message }));
  assert.ok(killed, 'the lender died while the body was being sent');
  assert.ok(put.status === 503 || put.status === 0, `the entry was not acknowledged (${JSON.stringify(put)})`);
  assert.equal((await call('GET', '/ccache/dies/mid-upload')).status, 404);
  // No entry was added (entries that lived on the killed lender may leave as well, once the owner gives it up).
  assert.ok(world.cacheStats().entries <= entriesBefore, `entries: ${world.cacheStats().entries}, before: ${entriesBefore}`);
  await eventually('the owner to free what it kept of the upload', () => JSON.parse(world.mc(['stats', '--json']).out).local.usedBytes === ownerUsedBefore);
  // Writes go on without the lender (into this node's own RAM), and are served.
  const after = randomBytes(10_000);
  assert.equal((await call('PUT', '/ccache/after/the-lender', after)).status, 200);
  assert.deepEqual((await call('GET', '/ccache/after/the-lender')).body, after);
});
