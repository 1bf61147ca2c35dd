// memcloud id: this device's identity, to give to the people who will trust it, and how its key is
// kept. memcloud id --protect FORM moves the key to another form (docs/identity.md).

import { isAbsolute } from 'node:path';
import { readOrCreateRecord } from '../../identity/identity-file';
import { DEFAULT_KEY_LABEL, protectIdentity, type ProtectTarget } from '../../identity/identity-protect';
import type { IdentityRecord } from '../../identity/identity-record';
import { defaultStores, platformStore } from '../../identity/stores/store-registry';
import { describeProtection, protectionSummary } from '../../identity/protection-summary';
import { fingerprint } from '../../identity/fingerprint';
import { cliSecret, newPassphrase } from '../secret-input';
import { stringOpt, UsageError, writeJson, type Command, type CommandContext } from '../command';

const FORMS = ['plain', 'os', 'passphrase', 'pkcs11'];

function target(ctx: CommandContext, form: string): ProtectTarget {
  switch (form) {
    case 'plain':
      return { form: 'plain' };
    case 'os':
      return { form: 'os', store: platformStore(ctx.env) };
    case 'passphrase':
      return { form: 'passphrase', newPassphrase: newPassphrase(ctx, 'new-passphrase-fd') };
    case 'pkcs11': {
      const module = stringOpt(ctx, 'pkcs11-module');
      const tokenLabel = stringOpt(ctx, 'pkcs11-token');
      if (module === undefined || tokenLabel === undefined) throw new UsageError('--protect pkcs11 needs --pkcs11-module PATH and --pkcs11-token LABEL');
      if (!isAbsolute(module)) throw new UsageError('--pkcs11-module must be an absolute path (e.g. /usr/lib/softhsm/libsofthsm2.so)');
      const pin = cliSecret(ctx, 'pin-fd');
      return {
        form: 'pkcs11',
        token: { module, tokenLabel, tokenSerial: stringOpt(ctx, 'pkcs11-token-serial') ?? '' },
        keyLabel: stringOpt(ctx, 'pkcs11-key-label') ?? DEFAULT_KEY_LABEL,
        pin: () => pin({ kind: 'pin', what: `Token "${tokenLabel}"` }),
      };
    }
    default:
      throw new UsageError(`--protect must be one of ${FORMS.join(', ')}`);
  }
}

function show(ctx: CommandContext, record: IdentityRecord): void {
  const protection = protectionSummary(record);
  if (ctx.values.json) {
    writeJson(ctx, { publicKey: record.publicKeyText, fingerprint: fingerprint(record.publicKey), createdAt: record.createdAt, protection });
    return;
  }
  ctx.out.write(`Public key:  ${record.publicKeyText}\nFingerprint: ${fingerprint(record.publicKey)}\nKey:         ${describeProtection(protection)}\n`);
  ctx.out.write(`\nOn the other device run:  memcloud trust add ${record.publicKeyText}\n`);
  ctx.out.write('and compare the fingerprint it shows with the one above.\n');
}

export const idCommand: Command = {
  path: ['id'],
  summary: "Print this device's public key, fingerprint and how its key is kept (creates the identity on first use); --protect moves the key to another form.",
  options: {
    json: { type: 'boolean', description: 'print one JSON object' },
    protect: { type: 'string', value: 'FORM', description: 'keep the key as: plain, os (the OS secret store), passphrase, or pkcs11 (a hardware token)' },
    'passphrase-fd': { type: 'string', value: 'N', description: 'read the current passphrase (or token PIN) from file descriptor N instead of asking' },
    'new-passphrase-fd': { type: 'string', value: 'N', description: 'with --protect passphrase: read the new passphrase from file descriptor N' },
    'pin-fd': { type: 'string', value: 'N', description: 'with --protect pkcs11: read the token PIN from file descriptor N' },
    'pkcs11-module': { type: 'string', value: 'PATH', description: 'with --protect pkcs11: the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so' },
    'pkcs11-token': { type: 'string', value: 'LABEL', description: 'with --protect pkcs11: the token label' },
    'pkcs11-token-serial': { type: 'string', value: 'SERIAL', description: 'with --protect pkcs11: the token serial (when labels repeat)' },
    'pkcs11-key-label': { type: 'string', value: 'LABEL', description: `with --protect pkcs11: the key's label on the token (default ${DEFAULT_KEY_LABEL})` },
  },
  async run(ctx) {
    const form = stringOpt(ctx, 'protect');
    if (form === undefined) {
      for (const o of ['new-passphrase-fd', 'pin-fd', 'pkcs11-module', 'pkcs11-token', 'pkcs11-token-serial', 'pkcs11-key-label']) {
        if (ctx.values[o] !== undefined) throw new UsageError(`--${o} goes with --protect`);
      }
      show(ctx, await readOrCreateRecord(ctx.home));
      return;
    }
    const result = await protectIdentity(ctx.home, target(ctx, form), { secret: cliSecret(ctx, 'passphrase-fd'), stores: defaultStores(ctx.env) });
    for (const w of result.warnings) ctx.err.write(`memcloud: warning: ${w}\n`);
    if (result.from === result.record.form && form !== 'passphrase') ctx.err.write(`The identity key is already kept so; nothing changed.\n`);
    else if (result.from === 'none') ctx.err.write(`Created a new identity, kept as asked.\n`);
    else ctx.err.write(`Moved the identity key from ${result.from} to ${result.record.form}; the identity is unchanged.\n`);
    show(ctx, result.record);
  },
};
