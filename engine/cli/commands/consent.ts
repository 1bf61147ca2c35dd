// consent list / approve / deny, and `memcloud consent` to answer requests interactively.

import { createInterface } from 'node:readline/promises';
import type { ConsentRequestInfo, EngineEvent } from '../../api/types';
import { formatSize } from '../../store/sizes';
import type { MemCloud } from '../../sdk/client';
import { withClient } from '../client';
import { writeJson, type Command, type CommandContext } from '../command';
import { displayText } from '../../text/display-text';
import { formatTable } from '../format';
import { lookalikeWarning, lookalikeWarnings } from '../lookalike-warning';

/** A request as the interactive prompt shows it: the fingerprint first, the name in brackets. */
export function describeRequest(r: ConsentRequestInfo): string {
  const warning = lookalikeWarning(r);
  const why = r.direction === 'inbound' ? 'wants to connect' : 'answered our connection';
  const line = displayText(`Device ${r.fingerprint} [${r.name}] at ${r.address} ${why}; it offers ${formatSize(r.offeredBytes)}`, 'log');
  return warning ? `${line}\n  ${warning}` : line;
}

export const consentListCommand: Command = {
  path: ['consent', 'list'],
  summary: 'List devices waiting for your consent.',
  options: { json: { type: 'boolean', description: 'print JSON' } },
  async run(ctx) {
    const list = await withClient(ctx, (c) => c.consentList());
    if (ctx.values.json) return writeJson(ctx, list);
    if (list.length === 0) return void ctx.out.write('No pending consent requests.\n');
    ctx.out.write(
      formatTable(
        ['ID', 'NAME', 'FINGERPRINT', 'ADDRESS', 'OFFERS', 'EXPIRES IN'],
        list.map((r) => [r.id, r.name, r.fingerprint, r.address, formatSize(r.offeredBytes), `${Math.max(0, Math.round((r.expiresAt - Date.now()) / 1000))} s`]),
      ),
    );
    ctx.out.write(lookalikeWarnings(list));
  },
};

export const consentApproveCommand: Command = {
  path: ['consent', 'approve'],
  summary: 'Allow a pending device for this session only, or trust it always with --always.',
  args: '<ID>',
  positionals: { min: 1, max: 1 },
  options: { always: { type: 'boolean', description: 'also add it to trusted devices' } },
  async run(ctx) {
    const answer = ctx.values.always ? 'always' : 'once';
    await withClient(ctx, (c) => c.consentAnswer(ctx.positionals[0]!, answer));
    ctx.out.write(answer === 'always' ? 'trusted always\n' : 'allowed for this session\n');
  },
};

export const consentDenyCommand: Command = {
  path: ['consent', 'deny'],
  summary: 'Refuse a pending device.',
  args: '<ID>',
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    await withClient(ctx, (c) => c.consentAnswer(ctx.positionals[0]!, 'deny'));
    ctx.out.write('denied\n');
  },
};

async function ask(ctx: CommandContext, client: MemCloud, r: ConsentRequestInfo): Promise<void> {
  const rl = createInterface({ input: ctx.stdin, output: ctx.out as NodeJS.WritableStream });
  try {
    ctx.out.write(`\n${describeRequest(r)}\n`);
    for (;;) {
      const a = (await rl.question('Allow once (o), trust always (a), deny (d)? ')).trim().toLowerCase();
      const answer = a === 'o' ? 'once' : a === 'a' ? 'always' : a === 'd' ? 'deny' : null;
      if (!answer) continue;
      await client.consentAnswer(r.id, answer).catch((err: Error) => ctx.err.write(`memcloud: ${err.message}\n`));
      return;
    }
  } finally {
    rl.close();
  }
}

export const consentPromptCommand: Command = {
  path: ['consent'],
  summary: 'Answer consent requests interactively as they arrive (Ctrl-C to stop).',
  async run(ctx) {
    await withClient(ctx, async (client) => {
      const queue: ConsentRequestInfo[] = [...(await client.consentList())];
      let wake: (() => void) | null = null;
      client.subscribe((e: EngineEvent) => {
        if (e.type === 'consent-request') {
          queue.push(e.request);
          wake?.();
        }
      });
      await client.subscribed();
      ctx.out.write('Waiting for consent requests (Ctrl-C to stop)...\n');
      let stop = false;
      const closed = new Promise<void>((r) => client.onClose(() => ((stop = true), r())));
      process.once('SIGINT', () => ((stop = true), wake?.()));
      while (!stop) {
        const next = queue.shift();
        if (!next) {
          await Promise.race([new Promise<void>((r) => (wake = r)), closed]);
          continue;
        }
        if (next.expiresAt > Date.now()) await ask(ctx, client, next);
      }
    });
  },
};
