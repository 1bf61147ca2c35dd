// Live sessions with peers: runs the handshake on every connection, decides who is admitted
// (trusted, approved by consent, or refused), and closes a device's sessions the moment its trust
// is removed. Refusals all look the same on the wire (the generic ABORT).

import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { ErrorCodes, MemCloudError, isMemCloudError, toMemCloudError } from '../errors';
import type { ConsentQueue } from '../consent/consent-queue';
import { trustedLookalike } from '../consent/lookalike';
import type { KeyPair } from '../crypto/noise/dh';
import type { DeviceIdentity } from '../identity/device-identity';
import { storableDeviceName } from '../identity/device-name';
import { fingerprint } from '../identity/fingerprint';
import { encodePublicKey, publicKeysEqual } from '../identity/public-key';
import type { TrustStore } from '../trust/trust-store';
import { performHandshake, type RemoteDevice } from '../net/handshake';
import type { HandshakeCrypto } from '../crypto/handshake/handshake-crypto';
import type { RecordCrypto } from '../crypto/record-crypto';
import { SecureChannel, type SecureChannelOptions } from '../net/secure-channel';
import { WireConnection } from '../net/wire-connection';
import { sourceOf, type HalfOpenLimitOptions, type HalfOpenSlot } from './half-open-limits';
import { InboundGate } from './inbound-gate';
import { RefusalLog } from './refusal-log';
import type { PayloadTeam } from '../net/handshake-payload';
import type { TeamMembership } from '../team/team-state';
import { Resumption } from './resumption';
import type { ResumeTicket } from '../net/resume-handshake';

/** `team`: admitted by a trusted team's certificate (docs/protocol.md section 12.3). */
export type Admission = 'trusted' | 'once' | 'always' | 'team';

/** Team trust as the session manager needs it (engine/team/team-state.ts). */
export interface TeamAdmitter {
  payloadTeam(): PayloadTeam | null;
  admit(identityKey: Uint8Array, team: PayloadTeam | undefined): { member: TeamMembership } | { refused: string } | null;
}

/** Section 4: from the end of the handshake to the open session, with the default 60 s consent timeout. */
export const DEFAULT_ADMISSION_TIMEOUT_MS = 90_000;

export interface Session {
  readonly channel: SecureChannel;
  readonly remote: RemoteDevice;
  readonly publicKey: string;
  readonly fingerprint: string;
  readonly address: string;
  /** The peer's IP address (inbound) or the host we dialed (outbound), and the port: where it authenticated from. */
  readonly remoteHost: string;
  readonly remotePort: number;
  readonly direction: 'inbound' | 'outbound';
  readonly admission: Admission;
  /** The team whose certificate the peer presented, when that certificate is valid here. */
  readonly team?: TeamMembership;
  readonly openedAt: number;
  /** Opened by resuming an earlier session with a ticket (docs/protocol.md section 13). */
  readonly resumed: boolean;
}

export interface SessionManagerOptions {
  readonly identity: DeviceIdentity;
  readonly staticKeyPair: KeyPair;
  readonly trust: TrustStore;
  readonly consent: ConsentQueue;
  readonly handshakeCrypto: HandshakeCrypto;
  readonly recordCrypto: RecordCrypto;
  readonly name: () => string;
  readonly offeredBytes: () => number;
  readonly team?: TeamAdmitter;
  readonly handshakeTimeoutMs?: number;
  /** Inbound: the preamble and message 1 must arrive within this (docs/protocol.md section 3.5). */
  readonly firstMessageTimeoutMs?: number;
  /** From the end of the handshake to the open session: both sides' admission (consent on either side). */
  readonly admissionTimeoutMs?: number;
  /** Half-open inbound connections allowed per source and in all (section 4.1). */
  readonly halfOpen?: HalfOpenLimitOptions;
  readonly channel?: Partial<Pick<SecureChannelOptions, 'keepAliveMs' | 'idleTimeoutMs' | 'rekeyInterval' | 'highWaterMark' | 'flow'>>;
  readonly log?: (level: 'info' | 'warn', message: string) => void;
  /** Session resumption (section 13); on by default. Off: no tickets are asked for, issued or used. */
  readonly resumption?: boolean;
  /** How often a responder gives an open session's initiator a fresh ticket (section 13.4: hourly). */
  readonly ticketRefreshMs?: number;
}

export interface SessionManagerEvents {
  session: [Session];
  'session-closed': [Session, MemCloudError | null];
}

interface EstablishOptions {
  readonly direction: 'inbound' | 'outbound';
  readonly remote: { readonly host: string; readonly port: number };
  readonly expectedKey?: Uint8Array | undefined;
  /** Inbound: this connection's half-open place. */
  readonly slot?: HalfOpenSlot;
  /** Outbound: the ephemeral key pair made before connecting. */
  readonly ephemeral?: KeyPair;
  /** Outbound: resume with this ticket (section 13.2). */
  readonly ticket?: ResumeTicket;
}

export interface DialOptions {
  /** Refuse (PEER_KEY_CHANGED) unless the device at this address has this identity key. */
  readonly expectedKey?: Uint8Array;
  readonly connectTimeoutMs?: number;
  /** Use a resumption ticket if one is held (default true); false forces the full handshake. */
  readonly resume?: boolean;
}

export class SessionManager extends EventEmitter<SessionManagerEvents> {
  private readonly opts: SessionManagerOptions;
  private readonly live = new Set<Session>();
  private readonly pendingSockets = new Set<Socket | WireConnection>();
  private readonly gate: InboundGate;
  private readonly refusals: RefusalLog;
  private closed = false;
  private readonly unsubscribe: () => void;
  /** Null when resumption is off. */
  readonly resumption: Resumption | null;
  /** Sessions opened by a full handshake and by resumption, since start. */
  readonly handshakeCounts = { full: 0, resumed: 0 };

  constructor(opts: SessionManagerOptions) {
    super();
    this.opts = opts;
    this.gate = new InboundGate({ ...(opts.halfOpen ? { halfOpen: opts.halfOpen } : {}), log: (m) => opts.log?.('warn', m) });
    this.refusals = new RefusalLog({ log: (m) => opts.log?.('warn', m) });
    this.unsubscribe = opts.trust.onChange((change) => {
      if (change.kind === 'revoked' || change.kind === 'forgotten') this.closeDevice(change.publicKey, 'trust removed');
    });
    this.resumption = opts.resumption === false ? null : new Resumption({
      ownKey: opts.identity.publicKey,
      mayResume: (k, t) => this.mayResume(k, t),
      log: (m) => opts.log?.('info', m),
      ...(opts.ticketRefreshMs !== undefined ? { refreshMs: opts.ticketRefreshMs } : {}),
    });
  }

  sessions(): Session[] {
    return [...this.live];
  }

  sessionsFor(publicKey: string): Session[] {
    return [...this.live].filter((s) => s.publicKey === publicKey);
  }

  /** Runs the responder side on an accepted socket. Never throws; failures are logged. */
  accept(socket: Socket): void {
    const address = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.setNoDelay(true);
    const connection = new WireConnection(socket, { expectPreamble: true, remoteAddress: address });
    const refused = () => connection.abort(new MemCloudError(ErrorCodes.HANDSHAKE_FAILED, 'too many half-open connections'));
    const slot = this.closed ? null : this.gate.enter(sourceOf(socket.remoteAddress), refused);
    if (!slot) return refused();
    const remote = { host: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 };
    this.establish(connection, { direction: 'inbound', slot, remote }).catch((err: unknown) => {
      this.refusals.note(address, describe(err));
    });
  }

  /** Inbound connections that have not finished their handshake. */
  get halfOpenCount(): number {
    return this.gate.halfOpenCount;
  }

  /** Dials host:port and resolves with an open session, or rejects with a MemCloudError. */
  async dial(host: string, port: number, opts: DialOptions = {}): Promise<Session> {
    if (this.closed) throw new MemCloudError(ErrorCodes.CHANNEL_CLOSED, 'the session manager is closed');
    const ticket = opts.resume === false ? undefined : this.resumption?.ticketFor(opts.expectedKey, `${host}:${port}`);
    if (!ticket) return this.dialOnce(host, port, opts, undefined);
    try {
      return await this.dialOnce(host, port, opts, ticket);
    } catch (err) {
      // Section 13.5: a responder that cannot take the resume message at all (it no longer speaks
      // resumption) refuses it; the full handshake on a new connection follows, without an error.
      // Nothing to retry when nobody answered at that address.
      if (this.closed || (isMemCloudError(err) && err.code === ErrorCodes.CONNECT_FAILED)) throw err;
      this.opts.log?.('info', `resuming the session at ${host}:${port} failed (${describe(err)}); full handshake`);
      return this.dialOnce(host, port, opts, undefined);
    }
  }

  private async dialOnce(host: string, port: number, opts: DialOptions, ticket: EstablishOptions['ticket']): Promise<Session> {
    // Message 1 is ready before the connection exists: the responder's 3 s deadline is all network.
    const ephemeral = await this.opts.handshakeCrypto.ephemeral();
    let socket: Socket;
    try {
      socket = await openSocket(host, port, opts.connectTimeoutMs ?? 5000);
    } catch (err) {
      ephemeral.secretKey.fill(0);
      throw err;
    }
    const connection = new WireConnection(socket, { expectPreamble: false, remoteAddress: `${host}:${port}` });
    return this.establish(connection, { direction: 'outbound', expectedKey: opts.expectedKey, ephemeral, remote: { host, port }, ...(ticket ? { ticket } : {}) });
  }

  /** Closes every session with this device at once (trust removed). */
  closeDevice(publicKey: string, why: string): void {
    this.resumption?.forget(publicKey);
    for (const s of this.sessionsFor(publicKey)) {
      this.opts.log?.('info', `closing session with ${s.remote.name} (${s.fingerprint}): ${why}`);
      s.channel.abort(new MemCloudError(ErrorCodes.PEER_REVOKED, why));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.resumption?.close();
    this.refusals.close();
    for (const p of this.pendingSockets) p instanceof WireConnection ? p.close(null) : p.destroy();
    await Promise.all([...this.live].map((s) => s.channel.close(1)));
  }

  private async establish(connection: WireConnection, how: EstablishOptions): Promise<Session> {
    const { opts } = this;
    const { direction, expectedKey, slot, ephemeral } = how;
    this.pendingSockets.add(connection);
    let channel: SecureChannel | null = null;
    let endWait: (() => void) | null = null;
    let secret: Uint8Array | null = null;
    let earlyTicket: Buffer | null = null;
    const onEarlyTicket = (t: Buffer) => (earlyTicket = t);
    try {
      const result = await performHandshake({
        role: direction === 'outbound' ? 'initiator' : 'responder',
        connection,
        crypto: opts.handshakeCrypto,
        staticKeyPair: opts.staticKeyPair,
        identityKey: opts.identity.publicKey,
        name: opts.name(),
        offeredBytes: opts.offeredBytes(),
        team: opts.team?.payloadTeam() ?? null,
        timeoutMs: opts.handshakeTimeoutMs,
        firstMessageTimeoutMs: opts.firstMessageTimeoutMs,
        checkRemote: (remote) => this.checkRemote(remote, expectedKey),
        ...(slot ? { onFirstMessage: () => this.gate.started(slot) } : {}),
        ...(ephemeral ? { ephemeral } : {}),
        ...(this.resumption ? { acceptTickets: true, resumeResponder: (id: Uint8Array) => this.resumption!.grant(id) } : {}),
        ...(how.ticket ? { resume: how.ticket } : {}),
      });
      secret = result.resumptionSecret;
      if (slot) this.gate.leave(slot);
      // Section 4.1: consent waits are counted apart from handshakes, at most 2 per identity.
      const admissionEnds = Date.now() + (opts.admissionTimeoutMs ?? DEFAULT_ADMISSION_TIMEOUT_MS);
      endWait = this.gate.waitFor(encodePublicKey(result.remote.identityKey));
      if (!endWait) throw new MemCloudError(ErrorCodes.HANDSHAKE_FAILED, `${fingerprint(result.remote.identityKey)} already has connections waiting`);
      channel = new SecureChannel({
        connection,
        remote: result.remote,
        channelId: result.channelId,
        sendKey: result.sendKey,
        receiveKey: result.receiveKey,
        crypto: opts.recordCrypto,
        holdMessages: true,
        acceptTickets: direction === 'outbound' && this.resumption !== null,
        ...opts.channel,
      });
      // The responder's first TICKET may share a record with its HELLO: kept until the session is ours.
      channel.on('ticket', onEarlyTicket);
      const team = this.teamCheck(result.remote);
      const admission = await this.admit(channel, direction, team);
      channel.sendHello();
      await this.waitOpen(channel, admissionEnds - Date.now());
      endWait();
      const session: Session = {
        channel,
        remote: result.remote,
        publicKey: encodePublicKey(result.remote.identityKey),
        fingerprint: fingerprint(result.remote.identityKey),
        address: connection.remoteAddress,
        remoteHost: how.remote.host,
        remotePort: how.remote.port,
        direction,
        admission,
        ...(team ? { team } : {}),
        openedAt: Date.now(),
        resumed: result.resumed,
      };
      const kept = this.resolveDuplicate(session);
      if (kept !== session) return kept;
      this.live.add(session);
      opts.trust.touch(result.remote.identityKey);
      this.handshakeCounts[result.resumed ? 'resumed' : 'full']++;
      if (this.resumption) {
        channel.off('ticket', onEarlyTicket);
        this.resumption.opened(session, result.resumptionSecret, result.peerAcceptsTickets, result.remote.team, earlyTicket);
        secret = null; // resumption zeroes it when the session closes
      }
      channel.once('close', (err) => {
        this.live.delete(session);
        this.emit('session-closed', session, err);
      });
      this.emit('session', session);
      // Listeners subscribed in 'session' handlers: what the peer sent right behind its HELLO goes to them.
      channel.startDelivery();
      return session;
    } catch (err) {
      const e = toMemCloudError(err);
      connection.abort(e);
      channel?.destroy(e);
      throw e;
    } finally {
      secret?.fill(0);
      if (slot) this.gate.leave(slot);
      endWait?.();
      this.pendingSockets.delete(connection);
    }
  }

  /**
   * Section 4.2: two nodes that dial each other at once end up with two sessions. Both sides keep
   * the one initiated by the smaller identity key (its 32 bytes compared as unsigned bytes: the
   * same decision on both ends) and close the other with CLOSE; between two sessions from the same
   * initiator the newer wins (the older may be a dead link).
   */
  private resolveDuplicate(session: Session): Session {
    const existing = this.sessionsFor(session.publicKey)[0];
    if (!existing) return session;
    const own = this.opts.identity.publicKey;
    const initiator = (s: Session) => (s.direction === 'outbound' ? own : s.remote.identityKey);
    const keepExisting = Buffer.compare(initiator(existing), initiator(session)) < 0;
    const [keep, drop] = keepExisting ? [existing, session] : [session, existing];
    this.opts.log?.('info', `two sessions with ${session.remote.name}; keeping the one ${keep.direction === 'outbound' ? 'we' : 'it'} initiated`);
    void drop.channel.close();
    if (drop === existing) this.live.delete(existing);
    return keep;
  }

  /** New sessions wait while the trust file is unusable (protocol.md section 4); live ones go on. */
  private assertTrustUsable(): void {
    const refusal = this.opts.trust.problem;
    if (refusal) throw new MemCloudError(refusal.code, `no new session is admitted until the trust file is fixed: ${refusal.message}`);
  }

  /** During the handshake: refuse revoked devices and unexpected keys before completing it. */
  private checkRemote(remote: RemoteDevice, expectedKey: Uint8Array | undefined): void {
    this.assertTrustUsable();
    if (expectedKey && !publicKeysEqual(expectedKey, remote.identityKey)) {
      throw new MemCloudError(
        ErrorCodes.PEER_KEY_CHANGED,
        `the device at this address presented identity ${fingerprint(remote.identityKey)}, not the expected ${fingerprint(expectedKey)}`,
      );
    }
    if (this.opts.trust.isRevoked(remote.identityKey)) {
      throw new MemCloudError(ErrorCodes.PEER_REVOKED, `device ${fingerprint(remote.identityKey)} is revoked`);
    }
  }

  /** Section 13.5: a ticket is used only while its device is admitted without asking (trusted, or by its team). */
  private mayResume(identityKey: Uint8Array, team: PayloadTeam | undefined): boolean {
    const { trust } = this.opts;
    if (trust.problem || trust.isRevoked(identityKey)) return false;
    if (trust.get(identityKey)?.status === 'trusted') return true;
    const verdict = this.opts.team?.admit(identityKey, team);
    return verdict !== null && verdict !== undefined && 'member' in verdict;
  }

  /** A valid certificate of a trusted team, or undefined (an invalid one is logged and ignored). */
  private teamCheck(remote: RemoteDevice): TeamMembership | undefined {
    const verdict = this.opts.team?.admit(remote.identityKey, remote.team);
    if (verdict && 'refused' in verdict) this.opts.log?.('info', `team certificate of ${remote.name} (${fingerprint(remote.identityKey)}) not used: ${verdict.refused}`);
    return verdict && 'member' in verdict ? verdict.member : undefined;
  }

  /** After the handshake: trusted devices and members of trusted teams pass; unknown ones need consent. */
  private async admit(channel: SecureChannel, direction: 'inbound' | 'outbound', team: TeamMembership | undefined): Promise<Admission> {
    const { remote } = channel;
    const trusted = this.opts.trust.get(remote.identityKey);
    if (trusted?.status === 'trusted') return 'trusted';
    if (trusted?.status === 'revoked') throw new MemCloudError(ErrorCodes.PEER_REVOKED, 'device is revoked');
    if (team) return 'team';
    const publicKey = encodePublicKey(remote.identityKey);
    const lookalike = trustedLookalike(remote.name, this.opts.trust.list());
    const { decision } = this.opts.consent.ask({
      publicKey,
      fingerprint: fingerprint(remote.identityKey),
      name: remote.name,
      address: channel.remoteAddress,
      offeredBytes: remote.offeredBytes,
      direction,
      ...(lookalike ? { nameMatchesTrustedFingerprint: lookalike } : {}),
    });
    const onClose = () => this.opts.consent.cancel(publicKey);
    channel.once('close', onClose);
    const answer = await decision;
    channel.off('close', onClose);
    if (answer === 'deny') throw new MemCloudError(ErrorCodes.CONSENT_DENIED, `consent for ${remote.name} was denied or expired`);
    this.assertTrustUsable();
    if (answer === 'always') {
      // The user approved: neither a name we cannot store (a generated one is stored instead) nor a
      // failed write (retried by the store) may turn that into a refusal.
      const name = storableDeviceName(remote.name, fingerprint(remote.identityKey));
      await this.opts.trust.trust(remote.identityKey, { name, approval: 'consent-always' }).catch((err: unknown) => {
        this.opts.log?.('warn', `${remote.name} (${fingerprint(remote.identityKey)}) is admitted, but trusting it always was not saved: ${describe(err)}`);
      });
      return 'always';
    }
    return 'once';
  }

  private waitOpen(channel: SecureChannel, ms: number): Promise<void> {
    if (channel.isOpen) return Promise.resolve();
    if (channel.isClosed) return Promise.reject(new MemCloudError(ErrorCodes.CHANNEL_CLOSED, 'closed before opening'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new MemCloudError(ErrorCodes.TIMEOUT, `the peer did not admit us within ${ms} ms`)), ms);
      timer.unref();
      const onOpen = () => done(null);
      const onClose = (err: MemCloudError | null) => done(err ?? new MemCloudError(ErrorCodes.CHANNEL_CLOSED, 'closed before opening'));
      const done = (err: MemCloudError | null) => {
        clearTimeout(timer);
        channel.off('open', onOpen);
        channel.off('close', onClose);
        err ? reject(err) : resolve();
      };
      channel.on('open', onOpen);
      channel.on('close', onClose);
    });
  }
}

function openSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new MemCloudError(ErrorCodes.CONNECT_FAILED, `could not connect to ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new MemCloudError(ErrorCodes.CONNECT_FAILED, `could not connect to ${host}:${port}: ${err.message}`));
    });
  });
}

function describe(err: unknown): string {
  return isMemCloudError(err) ? `${err.code}: ${err.message}` : String(err);
}
