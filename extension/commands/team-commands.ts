// Join Team, Revoke Team Member, Stop Trusting Team. Like `memcloud team join/revoke` and
// `memcloud trust remove --team`, they change the team files in the node's home
// (engine/team/team-member.ts, team-admin.ts); the node sees team.json change within about a second:
// it presents the new certificate, spreads the new revocation list, closes what a removed team admitted.

import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { ErrorCodes, isMemCloudError } from '../../engine/errors';
import { parsePublicKey } from '../../engine/identity/public-key';
import { delimitedName } from '../../engine/text/display-text';
import { revokeMember } from '../../engine/team/team-admin';
import { parseCertificateText } from '../../engine/team/certificate';
import { readTeamFile } from '../../engine/team/team-file';
import { joinTeam, trustTeam, untrustTeam } from '../../engine/team/team-member';
import type { TeamInfo } from '../../engine/team/team-view';
import { Commands } from '../constants';
import { registerCommand, requireClient, type Services } from '../services';
import { askModal, askText, notify, pick } from '../ui/safe-ui';
import { day } from '../views/format';
import { TeamMemberNode } from '../views/tree-nodes';
import { teamOf } from './targets';
import { certificateFromFile, certificateInputProblem, memberFor, revocableMembers, trustedTeams, type MemberChoice } from './team-candidates';

/** A certificate's problems (bad, expired, another device's) are the user's to fix: said plainly, no settings button. */
async function said<T>(what: string, action: () => Promise<T>): Promise<T | undefined> {
  try {
    return await action();
  } catch (err) {
    if (!isMemCloudError(err) || (err.code !== ErrorCodes.BAD_ARGUMENT && err.code !== ErrorCodes.NOT_FOUND)) throw err;
    void notify('error', `Could not ${what}: ${err.message}`);
    return undefined;
  }
}

async function askCertificate(): Promise<string | undefined> {
  const how = await pick(
    [
      { icon: 'clippy', label: 'Paste a certificate', detail: 'The line `memcloud team add` printed on the administrator\'s device (mcteam1....)', value: 'paste' as const },
      { icon: 'file', label: 'Choose a certificate file...', detail: 'A file holding that line', value: 'file' as const },
    ],
    { placeHolder: 'Join a team with the certificate its administrator issued to this device' },
  );
  if (how === 'paste') {
    return askText({ title: 'Join Team', prompt: 'Paste the team certificate issued to this device', ignoreFocusOut: true, validateInput: certificateInputProblem });
  }
  if (how !== 'file') return undefined;
  const uris = await vscode.window.showOpenDialog({ canSelectMany: false, canSelectFolders: false, openLabel: 'Join Team', title: 'Team certificate file' });
  const uri = uris?.[0];
  if (!uri) return undefined;
  return certificateFromFile(await readFile(uri.fsPath), uri.fsPath);
}

const LEAVE_AND_JOIN = 'Leave and Join';

/**
 * Joins with the certificate. Leaving the team this device belongs to (a device carries one team
 * certificate) takes the user's explicit yes first, in a modal naming both teams; undefined when
 * they say no.
 */
async function joinConfirmed(home: string, text: string, ownKey: Uint8Array): Promise<Awaited<ReturnType<typeof joinTeam>> | undefined> {
  try {
    return await joinTeam(home, text, ownKey);
  } catch (err) {
    if (!isMemCloudError(err) || err.code !== ErrorCodes.CONFIRMATION_REQUIRED) throw err;
  }
  const current = (await readTeamFile(home)).certificate;
  const cert = parseCertificateText(text);
  const until = current ? `, valid until ${day(new Date(current.expiresAt * 1000).toISOString())}` : '';
  const answer = await askModal(
    'warning',
    `Leave team ${delimitedName(current?.teamName ?? '?')} to join team ${delimitedName(cert.teamName)}?`,
    `A device carries one team certificate. This device's certificate of team ${delimitedName(current?.teamName ?? '?')}${until} is replaced: ` +
      `devices that admit it as a member of that team will ask for consent again.`,
    LEAVE_AND_JOIN,
  );
  return answer === LEAVE_AND_JOIN ? joinTeam(home, text, ownKey, { replace: true }) : undefined;
}

export function registerTeamCommands(context: vscode.ExtensionContext, services: Services): void {
  const home = () => services.link.nodeHome;
  const teams = async (): Promise<readonly TeamInfo[]> => {
    await services.model.refresh(['teams']);
    return services.model.snapshot.teams;
  };

  registerCommand(context, services, Commands.joinTeam, 'join the team', async (arg?: unknown) => {
    const text = typeof arg === 'string' ? arg : await said('join the team', askCertificate);
    if (text === undefined) return undefined;
    const ownKey = parsePublicKey((await requireClient(services).status()).publicKey);
    const joined = await said('join the team', () => joinConfirmed(home(), text, ownKey));
    if (!joined) return undefined;
    const { cert, replaced } = joined;
    services.log.info(`joined team ${cert.teamName} as ${cert.deviceName}`);
    await services.model.refresh(['teams', 'status']);
    const trusted = services.model.snapshot.teams.some((t) => t.name === cert.teamName && t.roles.includes('trusted'));
    const message =
      `This device is now a member of team ${delimitedName(cert.teamName)} as ${delimitedName(cert.deviceName)}, until ${day(new Date(cert.expiresAt * 1000).toISOString())}.` +
      (replaced && replaced.teamName !== cert.teamName ? ` It replaces its certificate of team ${delimitedName(replaced.teamName)}.` : '') +
      (trusted ? '' : ' Devices that trust the team admit it without asking. Admit the team\'s members here too?');
    if (typeof arg === 'string') void notify('info', message);
    else if (!trusted) {
      void notify('info', message, 'Trust Team Members').then(async (picked) => {
        if (picked !== 'Trust Team Members') return;
        const t = await said('trust the team', () => trustTeam(home(), Buffer.from(cert.teamKey).toString('base64url'), undefined));
        if (t) await services.model.refresh(['teams', 'status']);
      });
    } else void notify('info', message);
    return { teamName: cert.teamName, deviceName: cert.deviceName, expiresAt: cert.expiresAt };
  });

  registerCommand(context, services, Commands.revokeTeamMember, 'revoke the team member', async (arg?: unknown, teamArg?: unknown) => {
    const all = await teams();
    if (!all.some((t) => t.roles.includes('administrator'))) {
      void notify('info', 'This device administers no team: only the device that created a team can revoke its members (memcloud team create NAME).');
      return undefined;
    }
    const target = memberTarget(all, arg, teamArg);
    const entries = revocableMembers(all);
    if (!target && entries.length === 0) {
      void notify('info', 'No member of your teams can be revoked: every certificate you issued is revoked already.');
      return undefined;
    }
    const member = target ?? (await pick(entries, { placeHolder: 'Revoke which member? Every member closes its sessions with it.', matchOnDetail: true, matchOnDescription: true }));
    if (!member) return undefined;
    if (typeof arg !== 'string') {
      const ok = await askModal(
        'warning',
        `Revoke ${delimitedName(member.name)} from team ${delimitedName(member.teamName)}?`,
        `Fingerprint ${member.fingerprint}. The new revocation list spreads to every member: they close their sessions with this device and drop what it stored there. Its certificate never admits it again.`,
        'Revoke',
      );
      if (ok !== 'Revoke') return undefined;
    }
    const r = await revokeMember(home(), member.teamKey, member.deviceKey);
    services.log.info(`revoked ${r.name} from team ${r.team.name} (revocation list serial ${r.list.serial})`);
    await services.model.refresh(['teams']);
    void notify('info', `Revoked ${member.fingerprint} ${delimitedName(r.name)} from team ${delimitedName(r.team.name)} (list ${r.list.serial}); the node spreads it to the members it is connected to.`);
    return { name: r.name, teamName: r.team.name, serial: r.list.serial };
  });

  registerCommand(context, services, Commands.untrustTeam, 'stop trusting the team', async (arg?: unknown) => {
    const all = await teams();
    const entries = trustedTeams(all);
    const team = teamOf(arg) ?? (typeof arg === 'string' ? all.find((t) => t.publicKey === arg || t.name === arg) : undefined);
    if (!team && entries.length === 0) {
      void notify('info', 'This device trusts no team.');
      return undefined;
    }
    const chosen = team ?? (await pick(entries, { placeHolder: 'Stop admitting the members of which team?', matchOnDetail: true }));
    if (!chosen) return undefined;
    if (typeof arg !== 'string') {
      const ok = await askModal(
        'warning',
        `Stop trusting team ${delimitedName(chosen.name)}?`,
        `Team key fingerprint ${chosen.fingerprint}. Its members are no longer admitted by their certificates; the sessions this team alone admitted close. Devices you trust one by one stay trusted.`,
        'Stop Trusting',
      );
      if (ok !== 'Stop Trusting') return undefined;
    }
    const removed = await said('stop trusting the team', () => untrustTeam(home(), chosen.publicKey));
    if (!removed) return undefined;
    services.log.info(`no longer trusting team ${removed.name}`);
    await services.model.refresh(['teams', 'status', 'peers']);
    return removed;
  });
}

/** A member row of the Trusted Devices view (its id carries the key), or (device key, team key) strings. */
function memberTarget(teams: readonly TeamInfo[], arg: unknown, teamArg: unknown): MemberChoice | undefined {
  if (arg instanceof TeamMemberNode) {
    const deviceKey = arg.memberKey;
    return deviceKey ? memberFor(teams, arg.value.publicKey, deviceKey) : undefined;
  }
  if (typeof arg === 'string') return memberFor(teams, typeof teamArg === 'string' ? teamArg : undefined, arg);
  return undefined;
}
