// `npm run fuzz -- --seed S --iterations N`: structure-aware fuzzing of a live node process over
// real TCP (docs/protocol.md): raw pre-authentication bytes, handshake message 3, channel messages
// and RAM-protocol messages inside valid sessions, all mutated from valid ones. Every choice comes
// from the seed, so a run can be repeated. Reports mutated messages sent, crashes, handshakes the
// node admitted although it had to refuse them, and the node's memory; exits 1 on a crash, an
// admitted handshake, a node that stops answering, or RSS growth over the bound.

import { parseArgs } from 'node:util';
import { handshakes, inSession, preAuth, type CampaignContext, type Tally } from './campaigns';
import { identity } from './fuzz-peer';
import { Rng } from './rng';
import { problemsOf } from './verdict';
import { Victim } from './victim';

/** Shares of the iterations: pre-auth bytes, handshakes, channel messages, RAM messages. */
const SHARES = { preAuth: 0.15, handshake: 0.15, channel: 0.3, ram: 0.4 } as const;
/** Concurrent workers per campaign (most of a worker's time is waiting for the node's answer). */
const WORKERS = { preAuth: 16, handshake: 24, channel: 20, ram: 20 } as const;

function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { seed: { type: 'string', default: '1' }, iterations: { type: 'string', default: '2000' }, json: { type: 'boolean', default: false } } });
  const iterations = Number(values.iterations);
  if (!Number.isInteger(iterations) || iterations < 1) {
    console.error('fuzz: --iterations must be a positive integer');
    return 2;
  }
  const seed = values.seed!;
  const rng = new Rng(seed);
  const started = Date.now();
  const victim = await Victim.start();
  try {
    const people = rng.fork('identities');
    const trusted = Array.from({ length: WORKERS.channel + WORKERS.ram + 1 }, () => identity(people));
    const untrusted = Array.from({ length: 8 }, () => identity(people));
    await victim.trust(trusted);
    const tally: Tally = { sent: 0, accepted: [], sessions: 0, slow: 0 };
    const ctx: CampaignContext = { port: victim.port, trusted, untrusted, tally, stopped: () => !victim.running };
    const rssStart = victim.rssMiB();
    const quota = (share: number) => Math.round(iterations * share);
    const [qPre, qHs, qCh] = [quota(SHARES.preAuth), quota(SHARES.handshake), quota(SHARES.channel)];
    const qRam = iterations - qPre - qHs - qCh;
    const progress = setInterval(() => {
      process.stderr.write(`fuzz: ${tally.sent}/${iterations} messages, ${tally.sessions} sessions, node RSS ${victim.rssMiB().toFixed(1)} MiB\n`);
    }, 30_000);
    progress.unref();
    const workers: Array<Promise<void>> = [
      ...split(qPre, WORKERS.preAuth).map((n, i) => preAuth(ctx, rng.fork(`pre/${i}`), n)),
      ...split(qHs, WORKERS.handshake).map((n, i) => handshakes(ctx, rng.fork(`hs/${i}`), n)),
      ...split(qCh, WORKERS.channel).map((n, i) => inSession(ctx, rng.fork(`ch/${i}`), trusted[i]!, n, 'channel')),
      ...split(qRam, WORKERS.ram).map((n, i) => inSession(ctx, rng.fork(`ram/${i}`), trusted[WORKERS.channel + i]!, n, 'ram')),
    ];
    const failures = (await Promise.allSettled(workers)).filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    clearInterval(progress);
    const answers = victim.running && (await victim.answers());
    const samples = victim.rssSamples;
    const rssMax = Math.max(rssStart, ...samples);
    const rssEnd = victim.running ? victim.rssMiB() : Number.NaN;
    const report = {
      seed,
      iterations,
      sent: tally.sent,
      sessions: tally.sessions,
      slowProbes: tally.slow,
      crashes: victim.crashes.length,
      acceptedUntrusted: tally.accepted.length,
      nodeAnswers: answers,
      rssStartMiB: Number(rssStart.toFixed(1)),
      rssMaxMiB: Number(rssMax.toFixed(1)),
      rssEndMiB: Number(rssEnd.toFixed(1)),
      seconds: Math.round((Date.now() - started) / 1000),
    };
    const problems = problemsOf({
      crashes: victim.crashes,
      accepted: tally.accepted,
      nodeAnswers: answers,
      rssStartMiB: rssStart,
      rssMaxMiB: rssMax,
      workerFailures: failures.map((f) => String(f.reason)),
    });
    if (values.json) console.log(JSON.stringify({ ...report, problems }));
    else {
      console.log(
        `fuzz: seed ${seed}: ${report.sent} mutated messages (${iterations} asked) in ${report.sessions} sessions, ${report.seconds} s; ` +
          `crashes ${report.crashes}, accepted untrusted sessions ${report.acceptedUntrusted}, node answering ${answers ? 'yes' : 'NO'}; ` +
          `node RSS ${report.rssStartMiB} MiB at start, ${report.rssMaxMiB} MiB at most, ${report.rssEndMiB} MiB at the end`,
      );
      for (const p of problems) console.log(`fuzz: PROBLEM: ${p}`);
    }
    return problems.length === 0 ? 0 : 1;
  } finally {
    await victim.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`fuzz: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
