// memcloud trust add | list | remove: who may connect to this device.

import { fingerprint } from '../../identity/fingerprint';
import { decodePublicKeyText, parsePublicKey } from '../../identity/public-key';
import { findDevice } from '../../trust/device-query';
import type { TrustedDevice } from '../../trust/trust-file';
import { TrustStore } from '../../trust/trust-store';
import { formatTable } from '../format';
import { stringOpt, writeJson, type Command, type CommandContext } from '../command';

async function withStore<T>(ctx: CommandContext, fn: (store: TrustStore) => Promise<T>): Promise<T> {
  const store = await TrustStore.open(ctx.home);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function fp(d: TrustedDevice): string {
  const key = decodePublicKeyText(d.publicKey);
  return key ? fingerprint(key) : '?';
}

export const trustAddCommand: Command = {
  path: ['trust', 'add'],
  summary: 'Trust a device by its public key (as printed by `memcloud id` on that device).',
  args: '<public-key>',
  positionals: { min: 1, max: 1 },
  options: { name: { type: 'string', value: 'NAME', description: 'a name for the device (default: derived from its fingerprint)' } },
  async run(ctx) {
    const key = parsePublicKey(ctx.positionals[0]!);
    const name = stringOpt(ctx, 'name') ?? `device-${fingerprint(key).slice(0, 4).toLowerCase()}`;
    const d = await withStore(ctx, (s) => s.trust(key, { name, approval: 'cli' }));
    ctx.out.write(`Trusted ${d.name}\n  fingerprint ${fingerprint(key)}\nCompare this fingerprint with the one \`memcloud id\` prints on that device.\n`);
  },
};

export const trustListCommand: Command = {
  path: ['trust', 'list'],
  summary: 'List trusted and revoked devices.',
  options: { json: { type: 'boolean', description: 'print JSON' } },
  async run(ctx) {
    const devices = await withStore(ctx, async (s) => s.list());
    if (ctx.values.json) return writeJson(ctx, devices.map((d) => ({ ...d, fingerprint: fp(d) })));
    if (devices.length === 0) {
      ctx.out.write('No trusted devices. Add one with: memcloud trust add <public-key>\n');
      return;
    }
    ctx.out.write(
      formatTable(
        ['NAME', 'FINGERPRINT', 'STATUS', 'APPROVED', 'FIRST SEEN', 'LAST SEEN'],
        devices.map((d) => [d.name, fp(d), d.status, d.approval, d.firstSeen.slice(0, 16).replace('T', ' '), d.lastSeen.slice(0, 16).replace('T', ' ')]),
      ),
    );
  },
};

export const trustRemoveCommand: Command = {
  path: ['trust', 'remove'],
  summary: 'Revoke a device (by name, fingerprint or public key): its sessions close and it is refused from now on.',
  args: '<device>',
  positionals: { min: 1, max: 1 },
  options: { forget: { type: 'boolean', description: 'delete the entry instead of keeping it as revoked' } },
  async run(ctx) {
    await withStore(ctx, async (s) => {
      const d = findDevice(s.list(), ctx.positionals[0]!);
      const key = parsePublicKey(d.publicKey);
      if (ctx.values.forget) await s.forget(key);
      else await s.revoke(key);
      ctx.out.write(`${ctx.values.forget ? 'Forgot' : 'Revoked'} ${d.name} (${fingerprint(key)})\n`);
    });
  },
};
