// memcloud trust add | list | remove: who may connect to this device.

import { ErrorCodes, MemCloudError } from '../../errors';
import { fingerprint } from '../../identity/fingerprint';
import { readOrCreateRecord } from '../../identity/identity-file';
import { decodePublicKeyText, parsePublicKey } from '../../identity/public-key';
import { fallbackDeviceName, findDevice } from '../../trust/device-query';
import type { TrustedDevice } from '../../trust/trust-file';
import { TrustStore } from '../../trust/trust-store';
import { formatTable } from '../format';
import { stringOpt, UsageError, writeJson, type Command, type CommandContext } from '../command';
import { trustTeam, untrustTeam } from '../../team/team-member';
import { isTrustFileError } from '../../trust/trust-file-problem';
import { displayText } from '../../text/display-text';
import { describeTeams } from '../../team/team-view';
import { tryClient } from '../client';
import { writeTrustWarning } from '../trust-warning';
import type { MemCloud } from '../../sdk/client';

/** With a node running, trust changes go through it (it owns the file and closes sessions at once). */
async function viaNode<T>(ctx: CommandContext, fn: (client: MemCloud) => Promise<T>): Promise<T | undefined> {
  const client = await tryClient(ctx);
  if (!client) return undefined;
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

async function withStore<T>(ctx: CommandContext, fn: (store: TrustStore) => Promise<T>): Promise<T> {
  const store = await TrustStore.open(ctx.home);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function fingerprintOfText(publicKey: string): string {
  const key = decodePublicKeyText(publicKey);
  return key ? fingerprint(key) : '?';
}

function fp(d: TrustedDevice): string {
  return fingerprintOfText(d.publicKey);
}

export const trustAddCommand: Command = {
  path: ['trust', 'add'],
  summary: 'Trust a device by its public key (as printed by `memcloud id` on that device), or with --team every member of a team.',
  args: '<public-key>',
  positionals: { min: 0, max: 1 },
  options: {
    name: { type: 'string', value: 'NAME', description: 'a name for the device or team (default: derived from its fingerprint)' },
    team: { type: 'string', value: 'TEAM_KEY', description: 'admit every device with a valid certificate of this team without asking (no <public-key> then)' },
  },
  async run(ctx) {
    const teamKey = stringOpt(ctx, 'team');
    if (teamKey !== undefined) {
      if (ctx.positionals.length > 0) throw new UsageError('give either <public-key> or --team TEAM_KEY, not both', trustAddCommand);
      const t = await trustTeam(ctx.home, teamKey, stringOpt(ctx, 'name'));
      const key = parsePublicKey(t.publicKey);
      return void ctx.out.write(`Trusted team ${t.name}
  fingerprint ${fingerprint(key)}
Devices with a valid certificate of this team are admitted without a prompt.
`);
    }
    if (ctx.positionals.length === 0) throw new UsageError('missing argument: <public-key> (or --team TEAM_KEY)', trustAddCommand);
    const key = parsePublicKey(ctx.positionals[0]!);
    const own = await readOrCreateRecord(ctx.home); // its public key only: never unlocks
    if (own.publicKeyText === Buffer.from(key).toString('base64url')) {
      throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, "that is this device's own key; add the key printed by `memcloud id` on the other device");
    }
    const given = stringOpt(ctx, 'name');
    const text = Buffer.from(key).toString('base64url');
    const d =
      (await viaNode(ctx, (c) => c.trustAdd(text, given === undefined ? {} : { name: given }))) ??
      (await withStore(ctx, (s) => {
        // Trusting a known device again (e.g. after revoking it) keeps the name it has unless --name.
        const name = given ?? s.get(key)?.name ?? fallbackDeviceName(key);
        return s.trust(key, { name, approval: 'cli' });
      }));
    ctx.out.write(`Trusted ${d.name}\n  fingerprint ${fingerprint(key)}\nCompare this fingerprint with the one \`memcloud id\` prints on that device.\n`);
  },
};

/** The teams whose members are admitted without a prompt; an unusable team.json is said on stderr, the devices still listed. */
async function trustedTeamLines(ctx: CommandContext): Promise<string> {
  let teams;
  try {
    teams = (await describeTeams(ctx.home)).filter((t) => t.roles.includes('trusted'));
  } catch (err) {
    if (!isTrustFileError(err)) throw err;
    ctx.err.write(`WARNING: trusted teams cannot be listed: ${displayText(err.message, 'log')}\n`);
    return '';
  }
  if (teams.length === 0) return '';
  return `\nTeams (every member with a valid certificate is admitted without a prompt):\n${teams.map((t) => `  team ${displayText(t.name, 'terminal')}  ${t.fingerprint}\n`).join('')}`;
}

export const trustListCommand: Command = {
  path: ['trust', 'list'],
  summary: 'List trusted and revoked devices.',
  options: { json: { type: 'boolean', description: 'print JSON' } },
  async run(ctx) {
    const devices =
      (await viaNode(ctx, async (c) => {
        writeTrustWarning(ctx, await c.status());
        return c.trustList();
      })) ??
      (await withStore(ctx, async (s) => s.list().map((d) => ({ ...d, fingerprint: fp(d), allowedBytes: d.allowedBytes ?? null, connected: false }))));
    if (ctx.values.json) return writeJson(ctx, devices);
    const teamLines = await trustedTeamLines(ctx);
    if (devices.length === 0) {
      ctx.out.write(`No trusted devices. Add one with: memcloud trust add <public-key>\n${teamLines}`);
      return;
    }
    ctx.out.write(
      formatTable(
        ['NAME', 'FINGERPRINT', 'STATUS', 'APPROVED', 'FIRST SEEN', 'LAST SEEN'],
        devices.map((d) => [
          d.name,
          d.fingerprint,
          d.status + (d.connected ? ', connected' : ''),
          d.approval,
          d.firstSeen.slice(0, 16).replace('T', ' '),
          d.lastSeen.slice(0, 16).replace('T', ' '),
        ]),
      ) + teamLines,
    );
  },
};

export const trustRemoveCommand: Command = {
  path: ['trust', 'remove'],
  summary: 'Revoke a device (by name, fingerprint or public key): its sessions close and it is refused from now on. With --team, stop admitting a team\'s members.',
  args: '<device>',
  positionals: { min: 0, max: 1 },
  options: {
    forget: { type: 'boolean', description: 'delete the entry instead of keeping it as revoked' },
    team: { type: 'string', value: 'TEAM_KEY', description: 'stop admitting members of this team (key or name): sessions admitted only by it close (no <device> then)' },
  },
  async run(ctx) {
    const team = stringOpt(ctx, 'team');
    if (team !== undefined) {
      if (ctx.positionals.length > 0 || ctx.values.forget) throw new UsageError('give either <device> or --team TEAM_KEY, not both (and no --forget with --team)', trustRemoveCommand);
      const t = await untrustTeam(ctx.home, team);
      return void ctx.out.write(
        `No longer trusting team ${displayText(t.name, 'terminal')} (${fingerprintOfText(t.publicKey)})\n` +
          `Its members are no longer admitted by their certificates; a running node closes the sessions admitted only by this team within about a second.\n` +
          `Devices you trust one by one (memcloud trust list) stay trusted.\n`,
      );
    }
    if (ctx.positionals.length === 0) throw new UsageError('missing argument: <device> (or --team TEAM_KEY)', trustRemoveCommand);
    const forget = ctx.values.forget === true;
    const removed = await viaNode(ctx, (c) => c.trustRemove(ctx.positionals[0]!, forget ? { forget } : undefined));
    if (removed) {
      return void ctx.out.write(`${forget ? 'Forgot' : 'Revoked'} ${removed.name} (${removed.fingerprint}); its sessions are closed\n`);
    }
    await withStore(ctx, async (s) => {
      const d = findDevice(s.list(), ctx.positionals[0]!);
      const key = parsePublicKey(d.publicKey);
      if (ctx.values.forget) await s.forget(key);
      else await s.revoke(key);
      ctx.out.write(`${ctx.values.forget ? 'Forgot' : 'Revoked'} ${d.name} (${fingerprint(key)})\n`);
    });
  },
};
