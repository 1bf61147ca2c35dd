// A peer that speaks the RAM protocol (docs/protocol.md section 7) by hand, for attacks on a holder:
// the real handshake and channel code, but its own TCP socket, so the test decides when it reads.
// It sends whatever requests it likes, with the ids it likes, and collects every reply and notice.

import { connect, type Socket } from 'node:net';
import { loadBackend } from '../../engine/crypto/backends';
import { createCryptoSetup } from '../../engine/crypto/setup';
import { ErrorCodes, MemCloudError } from '../../engine/errors';
import { DeviceIdentity } from '../../engine/identity/device-identity';
import { performHandshake } from '../../engine/net/handshake';
import { SecureChannel } from '../../engine/net/secure-channel';
import { WireConnection } from '../../engine/net/wire-connection';
import { decodePeerMessage, type PeerMessage, type PeerNotice, type PeerReply } from '../../engine/cluster/peer-protocol';
import { withTimeout } from './session-helpers';

export class RamPeer {
  /** Replies by request id, in arrival order, and notices in arrival order. */
  readonly replies: PeerReply[] = [];
  readonly notices: PeerNotice[] = [];
  /** Each notice's message exactly as received (op, id, fields). */
  readonly rawNotices: Buffer[] = [];
  /** APP bytes received, all messages together. */
  receivedBytes = 0;
  private waiters: Array<() => void> = [];

  private constructor(
    readonly identity: DeviceIdentity,
    readonly socket: Socket,
    readonly channel: SecureChannel,
  ) {
    channel.on('message', (m) => {
      this.receivedBytes += m.length;
      const msg: PeerMessage = decodePeerMessage(Buffer.from(m));
      if (msg.kind === 'reply') this.replies.push(msg.reply);
      else if (msg.kind === 'notice') {
        this.notices.push(msg.notice);
        this.rawNotices.push(Buffer.from(m));
      }
      // The holder's own requests (STAT, LIST after HELLO) go unanswered: they time out there.
      for (const w of this.waiters.splice(0)) w();
    });
    channel.once('close', () => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Connects to 127.0.0.1:port as `identity` (which the holder must trust) and opens the session. */
  static async connect(port: number, identity = DeviceIdentity.generate(), name = 'ram-peer'): Promise<RamPeer> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
    });
    const backend = await loadBackend('native');
    const { secretKey, publicKey } = backend.asym.generateX25519();
    const staticKeyPair = { secretKey, publicKey };
    const { handshakeCrypto, recordCrypto } = createCryptoSetup(backend, identity, staticKeyPair, null);
    const connection = new WireConnection(socket, { expectPreamble: false, remoteAddress: `127.0.0.1:${port}` });
    const result = await performHandshake({
      role: 'initiator', connection, crypto: handshakeCrypto, staticKeyPair,
      identityKey: identity.publicKey, name, offeredBytes: 0,
    });
    const channel = new SecureChannel({
      connection, remote: result.remote, channelId: result.channelId, sendKey: result.sendKey, receiveKey: result.receiveKey, crypto: recordCrypto,
    });
    const open = new Promise<void>((resolve, reject) => {
      channel.once('open', resolve);
      channel.once('close', (err) => reject(err ?? new Error('closed before it opened')));
    });
    channel.sendHello();
    await withTimeout(open, 15_000, 'the session to open');
    return new RamPeer(identity, socket, channel);
  }

  send(message: Uint8Array | readonly Uint8Array[]): void {
    this.channel.send(message);
  }

  /** Sends one request (already encoded with `id`) and waits for its reply. */
  async call(id: number, message: Uint8Array | readonly Uint8Array[]): Promise<PeerReply> {
    this.send(message);
    let reply: PeerReply | undefined;
    await this.until(() => (reply = this.replies.find((r) => r.id === id)) !== undefined, `the reply to request ${id}`);
    return reply!;
  }

  /** Stops reading the socket: the holder's replies pile up in its buffers and ours. */
  stopReading(): void {
    this.socket.pause();
  }

  startReading(): void {
    this.socket.resume();
  }

  /** Waits until `done()` holds, re-checking after each message; fails after `ms`. */
  async until(done: () => boolean, what: string, ms = 60_000): Promise<void> {
    const wait = async (): Promise<void> => {
      while (!done()) {
        if (this.channel.isClosed) throw new Error(`the session closed while waiting for ${what}`);
        await new Promise<void>((resolve) => this.waiters.push(resolve));
      }
    };
    await withTimeout(wait(), ms, what);
  }

  close(): void {
    this.channel.destroy(new MemCloudError(ErrorCodes.CHANNEL_CLOSED, 'the test is done'));
    this.socket.destroy();
  }
}
