// memcloud team create | add | join | revoke | list | show: team keys, certificates, revocations
// (engine/team). Everything works on the home's files; a running node picks the changes up.

import { ErrorCodes, MemCloudError, isMemCloudError } from '../../errors';
import { fingerprint } from '../../identity/fingerprint';
import { readOrCreateRecord } from '../../identity/identity-file';
import { decodePublicKeyText, encodePublicKey, parsePublicKey } from '../../identity/public-key';
import { defaultDeviceName } from '../../node/engine-options';
import { certificateText } from '../../team/certificate';
import { DEFAULT_EXPIRY, parseExpiry } from '../../team/expiry';
import { addMember, createTeam, revokeMember } from '../../team/team-admin';
import { joinTeam } from '../../team/team-member';
import { describeTeams, findTeam } from '../../team/team-view';
import { stringOpt, writeJson, type Command } from '../command';
import { formatTable } from '../format';

const expiresOption = { type: 'string', value: 'DURATION', description: `how long the certificate is valid: 12h, 90d, 8w, 1y (default ${DEFAULT_EXPIRY})` } as const;
const teamOption = { type: 'string', value: 'TEAM', description: 'the team (name or key) when this device administers several' } as const;
const jsonOption = { type: 'boolean', description: 'print JSON' } as const;

const fp = (keyText: string) => {
  const k = decodePublicKeyText(keyText);
  return k ? fingerprint(k) : '?';
};
const day = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

export const teamCreateCommand: Command = {
  path: ['team', 'create'],
  summary: 'Make a team key on this device (its administrator); this device joins and trusts the team.',
  args: '<name>',
  positionals: { min: 1, max: 1 },
  options: {
    'device-name': { type: 'string', value: 'NAME', description: "this device's name in its own certificate (default: the host name)" },
    expires: expiresOption,
    json: jsonOption,
  },
  async run(ctx) {
    const seconds = parseExpiry(stringOpt(ctx, 'expires') ?? DEFAULT_EXPIRY);
    const own = await readOrCreateRecord(ctx.home);
    const created = await createTeam(ctx.home, ctx.positionals[0]!, { key: parsePublicKey(own.publicKeyText), name: stringOpt(ctx, 'device-name') ?? defaultDeviceName() }, seconds);
    if (ctx.values.json) return writeJson(ctx, { name: created.team.name, publicKey: created.team.publicKey, fingerprint: fp(created.team.publicKey), certificateInstalled: created.installed });
    ctx.out.write(
      `Created team ${created.team.name}\n  team key    ${created.team.publicKey}\n  fingerprint ${fp(created.team.publicKey)}\n` +
        (created.installed ? 'This device is a member (certificate installed) and trusts the team.\n' : 'This device trusts the team; it keeps its certificate of another team.\n') +
        'Add a device:   memcloud team add <its public key> --name NAME   (then on it: memcloud team join <certificate>)\n' +
        `On every device that should admit the members without asking: memcloud trust add --team ${created.team.publicKey}\n`,
    );
  },
};

export const teamAddCommand: Command = {
  path: ['team', 'add'],
  summary: "Issue a team certificate for a device (by the public key `memcloud id` prints on it); prints the certificate.",
  args: '<device-key>',
  positionals: { min: 1, max: 1 },
  options: { name: { type: 'string', value: 'NAME', description: "the device's name in the certificate (default: from its fingerprint)" }, expires: expiresOption, team: teamOption, json: jsonOption },
  async run(ctx) {
    const seconds = parseExpiry(stringOpt(ctx, 'expires') ?? DEFAULT_EXPIRY);
    const cert = await addMember(ctx.home, stringOpt(ctx, 'team'), ctx.positionals[0]!, stringOpt(ctx, 'name'), seconds);
    const text = certificateText(cert);
    if (ctx.values.json) return writeJson(ctx, { team: cert.teamName, device: cert.deviceName, serial: cert.serial, expiresAt: cert.expiresAt, certificate: text });
    ctx.out.write(`${text}\n`);
    ctx.err.write(`Certificate ${cert.serial} of team ${cert.teamName} for ${cert.deviceName} (${fingerprint(cert.deviceKey)}), valid until ${day(cert.expiresAt)}.\nOn that device run: memcloud team join <the line above>\n`);
  },
};

export const teamJoinCommand: Command = {
  path: ['team', 'join'],
  summary: 'Install the team certificate an administrator issued for this device; its handshakes carry it from now on.',
  args: '<certificate>',
  positionals: { min: 1, max: 1 },
  options: { replace: { type: 'boolean', description: "confirm leaving the team this device belongs to (a device carries one team's certificate)" } },
  async run(ctx) {
    const own = await readOrCreateRecord(ctx.home);
    let joined: Awaited<ReturnType<typeof joinTeam>>;
    try {
      joined = await joinTeam(ctx.home, ctx.positionals[0]!, parsePublicKey(own.publicKeyText), { replace: ctx.values.replace === true });
    } catch (err) {
      if (isMemCloudError(err) && err.code === ErrorCodes.CONFIRMATION_REQUIRED) {
        throw new MemCloudError(err.code, `${err.message}. To leave it and join, run the command again with --replace`);
      }
      throw err;
    }
    const { cert, replaced } = joined;
    const teamKey = encodePublicKey(cert.teamKey);
    ctx.out.write(
      `Joined team ${cert.teamName} as ${cert.deviceName} (certificate ${cert.serial}, valid until ${day(cert.expiresAt)})\n  team key ${teamKey}\n` +
        (replaced ? `It replaces this device's certificate of team ${replaced.teamName}.\n` : '') +
        `To admit the other members without a prompt here too: memcloud trust add --team ${teamKey}\n`,
    );
  },
};

export const teamRevokeCommand: Command = {
  path: ['team', 'revoke'],
  summary: "Revoke a device from a team you administer: the signed list spreads to every member, which close its sessions and drop its data.",
  args: '<device>',
  positionals: { min: 1, max: 1 },
  options: { team: teamOption },
  async run(ctx) {
    const r = await revokeMember(ctx.home, stringOpt(ctx, 'team'), ctx.positionals[0]!);
    ctx.out.write(
      `Revoked ${r.name} (${fp(r.deviceKey)}) from team ${r.team.name} (revocation list ${r.list.serial}, ${r.list.devices.length} device${r.list.devices.length === 1 ? '' : 's'}).\n` +
        'A running node here sends the list to its peers, and they pass it on.\n',
    );
  },
};

export const teamListCommand: Command = {
  path: ['team', 'list'],
  summary: 'List the teams this device administers, belongs to or trusts.',
  options: { json: jsonOption },
  async run(ctx) {
    const teams = await describeTeams(ctx.home);
    if (ctx.values.json) return writeJson(ctx, teams);
    if (teams.length === 0) return void ctx.out.write('No teams. Make one with: memcloud team create NAME, or join one with: memcloud team join <certificate>\n');
    ctx.out.write(formatTable(['TEAM', 'FINGERPRINT', 'ROLE', 'MEMBERS', 'REVOKED'], teams.map((t) => [t.name, t.fingerprint, t.roles.join(', '), t.members === null ? '-' : String(t.members.length), String(t.revoked.length)])));
  },
};

export const teamShowCommand: Command = {
  path: ['team', 'show'],
  summary: 'Show one team: its key, this device\'s role, its members (administrator) and revoked devices.',
  args: '<team>',
  positionals: { min: 1, max: 1 },
  options: { json: jsonOption },
  async run(ctx) {
    const t = findTeam(await describeTeams(ctx.home), ctx.positionals[0]!);
    if (ctx.values.json) return writeJson(ctx, t);
    const lines = [`team ${t.name}`, `  key          ${t.publicKey}`, `  fingerprint  ${t.fingerprint}`, `  this device  ${t.roles.join(', ')}`];
    if (t.certificate) lines.push(`  certificate  ${t.certificate.serial} as ${t.certificate.deviceName}, ${t.certificate.expired ? 'EXPIRED' : 'valid until'} ${day(t.certificate.expiresAt)}`);
    lines.push(`  revocations  list ${t.revocationSerial}, ${t.revoked.length} device${t.revoked.length === 1 ? '' : 's'}`);
    ctx.out.write(lines.join('\n') + '\n');
    if (t.members && t.members.length > 0) {
      ctx.out.write('\n' + formatTable(['MEMBER', 'FINGERPRINT', 'CERTIFICATE', 'EXPIRES', 'STATUS'], t.members.map((m) => [m.name, m.fingerprint, String(m.serial), day(m.expiresAt), m.status])));
    }
    if (t.revoked.length > 0) ctx.out.write('\nRevoked:\n' + t.revoked.map((r) => `  ${r.name ?? '-'} ${r.fingerprint}\n`).join(''));
  },
};

export const teamCommands: readonly Command[] = [teamCreateCommand, teamAddCommand, teamJoinCommand, teamRevokeCommand, teamListCommand, teamShowCommand];

