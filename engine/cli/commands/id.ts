// memcloud id: this device's identity, to give to the people who will trust it.

import { loadOrCreateIdentity } from '../../identity/identity-file';
import { writeJson, type Command } from '../command';

export const idCommand: Command = {
  path: ['id'],
  summary: "Print this device's public key and fingerprint (creates the identity on first use).",
  options: { json: { type: 'boolean', description: 'print one JSON object' } },
  async run(ctx) {
    const id = await loadOrCreateIdentity(ctx.home);
    if (ctx.values.json) {
      writeJson(ctx, { publicKey: id.publicKeyText, fingerprint: id.fingerprint, createdAt: id.createdAt });
      return;
    }
    ctx.out.write(`Public key:  ${id.publicKeyText}\nFingerprint: ${id.fingerprint}\n`);
    ctx.out.write(`\nOn the other device run:  memcloud trust add ${id.publicKeyText}\n`);
    ctx.out.write('and compare the fingerprint it shows with the one above.\n');
  },
};
