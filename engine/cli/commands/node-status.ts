// memcloud node status: whether a node runs for this home, and its state (also printed by node start).

import { formatSize } from '../../store/sizes';
import type { MemCloud } from '../../sdk/client';
import { tryClient } from '../client';
import { writeJson, type Command, type CommandContext } from '../command';
import { writeTrustWarning } from '../trust-warning';

export async function describeStatus(ctx: CommandContext, client: MemCloud): Promise<void> {
  const [s, stats, peers] = await Promise.all([client.status(), client.stats(), client.peers()]);
  writeTrustWarning(ctx, s);
  if (ctx.values.json) return writeJson(ctx, { status: s, stats });
  const connected = peers.filter((p) => p.state === 'connected').length;
  ctx.out.write(
    [
      `MemCloud node "${s.name}" running (pid ${s.pid}), up ${Math.round((Date.now() - s.startedAt) / 1000)} s`,
      `  fingerprint  ${s.fingerprint}`,
      `  listening    ${s.listen.host}:${s.listen.port}   crypto ${s.crypto}   discovery ${s.discovery ? 'on' : 'off'}`,
      `  offering     ${formatSize(s.offeredBytes)} to peers, ${formatSize(stats.lent.usedBytes)} in use by ${stats.lent.peers} peer(s)`,
      `  memory       ${formatSize(stats.local.usedBytes)} of ${formatSize(stats.local.capacityBytes)}`,
      `  borrowed     ${formatSize(stats.borrowed.usedBytes)} on peers (${stats.borrowed.items} blocks${stats.borrowed.degraded ? `, ${stats.borrowed.degraded} degraded` : ''})`,
      `  peers        ${connected} connected of ${peers.length} known`,
      ...(s.teams && (s.teams.member || s.teams.trusted.length > 0)
        ? [`  teams        ${[s.teams.member ? `member of team ${s.teams.member}` : '', s.teams.trusted.length ? `trusts ${s.teams.trusted.map((t) => `team ${t}`).join(', ')}` : ''].filter(Boolean).join('; ')}`]
        : []),
      `  trust file   ${s.trustFileProblem ? `UNUSABLE (${s.trustFileProblem.code}): see the warning above` : 'ok'}`,
      ...(s.teamFileProblem ? [`  team file    UNUSABLE (${s.teamFileProblem.code}): see the warning above`] : []),
      `  home         ${s.home}`,
    ].join('\n') + '\n',
  );
}

export const nodeStatusCommand: Command = {
  path: ['node', 'status'],
  summary: 'Show whether a node runs for this home, and its state.',
  options: { json: { type: 'boolean', description: 'print JSON' } },
  async run(ctx) {
    const client = await tryClient(ctx);
    if (!client) {
      if (ctx.values.json) writeJson(ctx, { running: false, home: ctx.home });
      else ctx.out.write(`no node is running for ${ctx.home} (start one with \`memcloud node start\`)\n`);
      return 3;
    }
    try {
      await describeStatus(ctx, client);
    } finally {
      await client.close();
    }
  },
};
