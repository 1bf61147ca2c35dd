// What a running node knows about teams (team.json in memory): the certificate it presents, the
// teams whose members it admits without asking, and each known team's newest revocation list.
// It decides team admissions (section 12.3) and takes revocation lists heard from peers or
// written to the file by the CLI (section 12.4), keeping only strictly newer valid ones.

import { EventEmitter } from 'node:events';
import { timingSafeEqual } from 'node:crypto';
import { ErrorCodes, MemCloudError } from '../errors';
import { encodePublicKey } from '../identity/public-key';
import type { PayloadTeam } from '../net/handshake-payload';
import { certificateSignatureValid, decodeCertificate, isExpired } from './certificate';
import { decodeRevocationList, revocationListValid, revokes, type RevocationList } from './revocation-list';
import { EMPTY_TEAM_FILE, readTeamFile, teamFileSpec, updateTeamFile, type TeamFile } from './team-file';
import { isTrustFileError, TrustFileHealth, type TrustFileProblem } from '../trust/trust-file-problem';

/** A device admitted as a member of a trusted team. */
export interface TeamMembership {
  /** Text form of the team key. */
  readonly teamKey: string;
  readonly teamName: string;
  /** The device's name in its certificate. */
  readonly deviceName: string;
  readonly expiresAt: number;
}

export type ListOutcome = 'accepted' | 'stale' | 'unknown-team';

export interface TeamStateEvents {
  /** A strictly newer list was taken: its revoked devices lose what the team gave them. */
  revocations: [list: RevocationList, teamName: string, from: object | null];
  changed: [];
}

export class TeamState extends EventEmitter<TeamStateEvents> {
  #file: TeamFile;
  /**
   * Set while team.json cannot be used (corrupt, unreadable): the same rule as trusted_devices.json
   * (trust-file-problem.ts). The node keeps running on the last good state, admits nobody by a team
   * certificate, never writes the file, and keeps lists heard meanwhile in memory until it is fixed.
   */
  readonly #health: TrustFileHealth;
  #writes: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly home: string,
    file: TeamFile,
    private readonly now: () => number,
  ) {
    super();
    this.#file = file;
    this.#health = new TrustFileHealth(teamFileSpec(home).path);
  }

  /**
   * A corrupt or unreadable team.json is an error, unless `tolerateProblem` (a running node): the
   * state then opens empty with the problem reported, and takes the file's content once it is fixed.
   */
  static async open(home: string, opts: { readonly tolerateProblem?: boolean; readonly now?: () => number } = {}): Promise<TeamState> {
    const now = opts.now ?? Date.now;
    try {
      return new TeamState(home, await readTeamFile(home), now);
    } catch (err) {
      if (!opts.tolerateProblem || !isTrustFileError(err)) throw err;
      const state = new TeamState(home, EMPTY_TEAM_FILE, now);
      state.#health.failed(err);
      return state;
    }
  }

  get path(): string {
    return teamFileSpec(this.home).path;
  }

  get file(): TeamFile {
    return this.#file;
  }

  /** Set while team.json cannot be used; undefined when it is fine. */
  get problem(): TrustFileProblem | undefined {
    return this.#health.problem;
  }

  /** What this node puts in its handshake payload: format 2 once it has anything to do with teams. */
  payloadTeam(): PayloadTeam | null {
    const f = this.#file;
    if (!f.certificate && f.trusted.length === 0) return null;
    return { certificate: f.certificate?.bytes ?? null };
  }

  /** Whether a team matters here: trusted, or the team of our own certificate. */
  knows(teamKey: string): boolean {
    const f = this.#file;
    return f.trusted.some((t) => t.publicKey === teamKey) || (f.certificate !== null && encodePublicKey(f.certificate.teamKey) === teamKey);
  }

  /** Members of this team are admitted without a prompt. */
  trusts(teamKey: string): boolean {
    return this.#file.trusted.some((t) => t.publicKey === teamKey);
  }

  teamName(teamKey: string): string {
    const f = this.#file;
    const own = f.certificate && encodePublicKey(f.certificate.teamKey) === teamKey ? f.certificate.teamName : undefined;
    return own ?? f.trusted.find((t) => t.publicKey === teamKey)?.name ?? teamKey.slice(0, 8);
  }

  /**
   * Section 12.3: the certificate in an authenticated payload admits its sender when it is well
   * formed, for the authenticated identity key, signed by a trusted team's key, not expired and not
   * on that team's newest revocation list. Anything else: null and why (the normal path follows).
   */
  admit(identityKey: Uint8Array, team: PayloadTeam | undefined): { member: TeamMembership } | { refused: string } | null {
    const bytes = team?.certificate;
    if (!bytes) return null;
    if (this.problem) return { refused: `no device is admitted by a team certificate until the team file is fixed (${this.problem.message})` };
    let cert;
    try {
      cert = decodeCertificate(bytes);
    } catch (err) {
      return { refused: (err as Error).message };
    }
    const teamKey = encodePublicKey(cert.teamKey);
    const trusted = this.#file.trusted.find((t) => t.publicKey === teamKey);
    if (cert.deviceKey.length !== identityKey.length || !timingSafeEqual(cert.deviceKey, identityKey)) return { refused: 'the certificate is for another device' };
    if (!trusted) return { refused: `team ${teamKey.slice(0, 8)} is not trusted here` };
    if (!certificateSignatureValid(cert)) return { refused: 'the certificate is not signed by its team key' };
    if (isExpired(cert, this.now())) return { refused: `the certificate expired ${new Date(cert.expiresAt * 1000).toISOString()}` };
    if (revokes(this.#file.revocations.get(teamKey), identityKey)) return { refused: `the device is revoked from team ${cert.teamName}` };
    return { member: { teamKey, teamName: cert.teamName, deviceName: cert.deviceName, expiresAt: cert.expiresAt } };
  }

  /** Lists worth giving a team-aware peer: those of teams this node knows. */
  lists(): RevocationList[] {
    return [...this.#file.revocations.values()].filter((l) => this.knows(encodePublicKey(l.teamKey)));
  }

  /**
   * A list a peer sent (section 12.4). Malformed: FRAME_MALFORMED; a known team's newer list with a
   * bad signature: FORBIDDEN (forged). Older or equal serials and unknown teams change nothing.
   */
  async offer(bytes: Uint8Array, from: object | null = null): Promise<ListOutcome> {
    const list = decodeRevocationList(bytes);
    const teamKey = encodePublicKey(list.teamKey);
    if (!this.knows(teamKey)) return 'unknown-team';
    if (list.serial <= (this.#file.revocations.get(teamKey)?.serial ?? 0)) return 'stale';
    if (!revocationListValid(list)) throw new MemCloudError(ErrorCodes.FORBIDDEN, `a revocation list for team ${this.teamName(teamKey)} (serial ${list.serial}) is not signed by the team key`);
    this.take(list, from);
    await this.persist();
    return 'accepted';
  }

  /**
   * Reads the file again (the CLI changed it): its newer lists are taken as if heard from a peer;
   * ours that it lacks are written back. A corrupt file stops team admissions until fixed; the
   * last good state is kept (and lists heard meanwhile are written once the file is valid again).
   */
  async reloadFromDisk(): Promise<void> {
    let disk: TeamFile;
    try {
      disk = await readTeamFile(this.home);
    } catch (err) {
      if (isTrustFileError(err)) this.#health.failed(err);
      this.emit('changed');
      throw err;
    }
    this.#health.ok();
    const before = this.#file.revocations;
    this.#file = { ...disk, revocations: before };
    let behind = false;
    for (const list of disk.revocations.values()) {
      if ((before.get(encodePublicKey(list.teamKey))?.serial ?? 0) < list.serial) this.take(list, null);
    }
    for (const [team, list] of before) if ((disk.revocations.get(team)?.serial ?? 0) < list.serial) behind = true;
    this.emit('changed');
    if (behind) await this.persist();
  }

  private take(list: RevocationList, from: object | null): void {
    const teamKey = encodePublicKey(list.teamKey);
    const revocations = new Map(this.#file.revocations);
    revocations.set(teamKey, list);
    this.#file = { ...this.#file, revocations };
    this.emit('revocations', list, this.teamName(teamKey), from);
    this.emit('changed');
  }

  /** Never while the file is unusable: the lists stay in memory and reloadFromDisk writes them once it is fixed. */
  private persist(): Promise<void> {
    if (this.problem) return Promise.resolve();
    const write = this.#writes.then(() => updateTeamFile(this.home, (f) => ({ ...f, revocations: this.#file.revocations })));
    this.#writes = write.catch(() => undefined);
    return write.then(() => undefined);
  }

  /** Waits for pending writes. */
  async close(): Promise<void> {
    await this.#writes;
  }
}
