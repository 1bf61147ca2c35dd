// peers list / connect / disconnect / update, and the `connect` shortcut.

import { parsePublicKey } from '../../identity/public-key';
import { parseHostPort } from '../../session/peer-address';
import { formatSize } from '../../store/sizes';
import { withClient } from '../client';
import { UsageError, stringOpt, writeJson, type Command } from '../command';
import { formatTable } from '../format';
import { lookalikeWarnings } from '../lookalike-warning';
import { writeTrustWarning } from '../trust-warning';
import { sizeOption } from './options';

export const peersListCommand: Command = {
  path: ['peers', 'list'],
  summary: 'List connected, pending, discovered and offline trusted devices.',
  options: { json: { type: 'boolean', description: 'print JSON' } },
  async run(ctx) {
    const peers = await withClient(ctx, async (c) => {
      writeTrustWarning(ctx, await c.status());
      return c.peers();
    });
    if (ctx.values.json) return writeJson(ctx, peers);
    if (peers.length === 0) {
      ctx.out.write('No peers. Trust a device (memcloud trust add <key>) and connect (memcloud connect HOST:PORT).\n');
      return;
    }
    ctx.out.write(
      formatTable(
        ['NAME', 'FINGERPRINT', 'STATE', 'ADDRESS', 'OFFERS', 'WE USE', 'STORES HERE', 'ALLOWED', 'LATENCY'],
        peers.map((p) => [
          p.name,
          p.fingerprint,
          p.state + (p.consentId ? ` (${p.consentId})` : '') + (p.team ? `, team ${p.team}` : ''),
          p.addresses[0] ?? '-',
          formatSize(p.offeredBytes),
          formatSize(p.usedByUsBytes),
          formatSize(p.storedHereBytes),
          formatSize(p.allowedBytes),
          p.latencyMs === null ? '-' : `${p.latencyMs} ms`,
        ]),
      ),
    );
    ctx.out.write(lookalikeWarnings(peers));
  },
};

const connectOptions = { key: { type: 'string' as const, value: 'PUBLIC_KEY', description: 'refuse unless the device there has this identity' } };

async function connectTo(ctx: Parameters<Command['run']>[0]): Promise<void> {
  const address = ctx.positionals[0]!;
  const key = stringOpt(ctx, 'key');
  parseHostPort(address); // bad usage is reported without a node
  if (key !== undefined) parsePublicKey(key);
  const peer = await withClient(ctx, (c) => c.connect(address, key === undefined ? {} : { expectedKey: key }));
  ctx.out.write(`connected to ${peer.name} (${peer.fingerprint})\n`);
}

export const peersConnectCommand: Command = {
  path: ['peers', 'connect'],
  summary: 'Open a session with the device at HOST:PORT (it must be trusted, or approved when asked).',
  args: '<HOST:PORT>',
  positionals: { min: 1, max: 1 },
  options: connectOptions,
  run: connectTo,
};

export const connectCommand: Command = { ...peersConnectCommand, path: ['connect'] };

export const peersDisconnectCommand: Command = {
  path: ['peers', 'disconnect'],
  summary: 'Close the sessions with a device (by name, fingerprint or key).',
  args: '<PEER>',
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    await withClient(ctx, (c) => c.disconnect(ctx.positionals[0]!));
    ctx.out.write(`disconnected ${ctx.positionals[0]}\n`);
  },
};

export const peersUpdateCommand: Command = {
  path: ['peers', 'update'],
  summary: 'Change how much a trusted device may store here (takes effect at once).',
  args: '<PEER>',
  positionals: { min: 1, max: 1 },
  options: { allowed: { type: 'string', value: 'SIZE', description: 'e.g. 2gb; 0 stops new writes' } },
  async run(ctx) {
    const allowedBytes = sizeOption(ctx, 'allowed');
    if (allowedBytes === undefined) throw new UsageError('--allowed SIZE is required');
    const p = await withClient(ctx, (c) => c.updatePeer(ctx.positionals[0]!, { allowedBytes }));
    ctx.out.write(`${p.name} may now store ${formatSize(p.allowedBytes)} here (uses ${formatSize(p.storedHereBytes)})\n`);
  },
};
