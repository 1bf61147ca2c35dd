// Revocation lists spread over the sessions that exist (docs/protocol.md section 12.4): a node
// sends every list it knows to each team-aware peer when their session opens, and forwards a
// strictly newer valid list to its other team-aware peers. A list that revokes a device ends
// what the team gave it here: its sessions close and the blocks it stored here are dropped,
// unless this node trusts the device on its own (trusted_devices.json).

import type { Cluster } from '../cluster/cluster';
import type { HolderTable } from '../cluster/holder-table';
import type { PeerRpc } from '../cluster/peer-rpc';
import { encodeTeamRevocations } from '../cluster/peer-protocol';
import { ErrorCodes, MemCloudError, toMemCloudError } from '../errors';
import { encodePublicKey } from '../identity/public-key';
import type { Session, SessionManager } from '../session/session-manager';
import type { RevocationList } from './revocation-list';
import type { TeamState } from './team-state';

export interface TeamGossipParts {
  readonly team: TeamState;
  readonly sessions: SessionManager;
  /** The sessions' RPCs, to send lists over. */
  readonly rpcs: Pick<HolderTable, 'rpcFor' | 'connectedRpcs'>;
  /** Where lists peers send arrive ('team-revocations'). */
  readonly notices: Pick<Cluster, 'on' | 'off'>;
  /** The one "trust ended" step for a device: its blocks here are dropped. */
  readonly dropDevice: (publicKey: string) => void;
  /** True when this node trusts the device itself (not through a team). */
  readonly trustedOnItsOwn: (publicKey: string) => boolean;
  readonly log: (level: 'info' | 'warn', message: string) => void;
}

export function startTeamGossip(p: TeamGossipParts): () => void {
  const teamAware = (s: Session) => s.remote.team !== undefined;

  const send = (rpc: PeerRpc, list: RevocationList) => rpc.send(encodeTeamRevocations(list.bytes));

  const onSession = (s: Session) => {
    if (!teamAware(s)) return;
    const rpc = p.rpcs.rpcFor(s.publicKey);
    if (rpc) for (const list of p.team.lists()) send(rpc, list);
  };

  const onRevocations = (list: RevocationList, teamName: string) => {
    for (const key of list.devices) {
      const device = encodePublicKey(key);
      if (p.trustedOnItsOwn(device)) continue;
      const open = p.sessions.sessionsFor(device);
      if (open.length > 0) p.log('info', `team ${teamName} revoked ${open[0]!.remote.name} (${open[0]!.fingerprint}): closing its sessions and dropping its data`);
      p.sessions.closeDevice(device, `revoked from team ${teamName}`);
      p.dropDevice(device);
    }
  };

  /** Newer lists, however they came (a peer, or the CLI through the file), go to every other team-aware peer. */
  const forward = (list: RevocationList, from: PeerRpc | null) => {
    for (const rpc of p.rpcs.connectedRpcs()) {
      if (rpc !== from && teamAware(rpc.session)) send(rpc, list);
    }
  };

  const onTaken = (list: RevocationList, teamName: string, from: object | null) => {
    onRevocations(list, teamName);
    forward(list, from as PeerRpc | null);
  };

  const onNotice = (rpc: PeerRpc, bytes: Uint8Array) => {
    p.team
      .offer(bytes, rpc)
      .catch((err: unknown) => {
        const e = toMemCloudError(err);
        if (e.code === ErrorCodes.FRAME_MALFORMED || e.code === ErrorCodes.FORBIDDEN) {
          p.log('warn', `refused a revocation list from ${rpc.name} (${rpc.fingerprint}): ${e.message}; closing the session`);
          rpc.session.channel.abort(e);
        } else {
          p.log('warn', `could not keep a revocation list from ${rpc.name}: ${e.message}`);
        }
      });
  };

  /** A team no longer trusted here (team.json changed): the sessions it admitted end. */
  const onChanged = () => {
    for (const s of p.sessions.sessions()) {
      // Admitted only by this team: a device trusted here on its own (since) keeps its session.
      if (s.admission !== 'team' || !s.team || p.team.trusts(s.team.teamKey) || p.trustedOnItsOwn(s.publicKey)) continue;
      p.log('info', `team ${s.team.teamName} is no longer trusted: closing the session with ${s.remote.name} (${s.fingerprint})`);
      s.channel.abort(new MemCloudError(ErrorCodes.PEER_REVOKED, `team ${s.team.teamName} is no longer trusted`));
    }
  };

  p.sessions.on('session', onSession);
  p.team.on('changed', onChanged);
  p.team.on('revocations', onTaken);
  p.notices.on('team-revocations', onNotice);
  return () => {
    p.sessions.off('session', onSession);
    p.team.off('changed', onChanged);
    p.team.off('revocations', onTaken);
    p.notices.off('team-revocations', onNotice);
  };
}
