// Passphrases and PINs for the CLI: read from a file descriptor the caller opened
// (--passphrase-fd N: everything up to end of file, one trailing newline removed), or asked at the
// terminal without echo. Never from an argument or the environment, where other processes and
// shell histories see them.

import { createReadStream } from 'node:fs';
import { ErrorCodes, MemCloudError } from '../errors';
import type { IdentityRecord } from '../identity/identity-record';
import type { SecretRequest } from '../identity/identity-unlock';
import { MAX_PASSPHRASE_BYTES, MIN_PASSPHRASE_CHARS, passphraseBytes } from '../identity/passphrase-kdf';
import { stringOpt, UsageError, type CommandContext } from './command';

/** The descriptor number an option names, or undefined when the option is absent. */
export function fdOption(ctx: CommandContext, name: string): number | undefined {
  const v = stringOpt(ctx, name);
  if (v === undefined) return undefined;
  if (!/^\d{1,4}$/.test(v.trim())) throw new UsageError(`--${name} must be the number of an open file descriptor, e.g. 3 (or 0 for standard input)`);
  return Number(v);
}

/** Reads the secret written to `fd` (UTF-8, at most 1 KiB, one trailing newline dropped). */
export function readSecretFd(fd: number, option: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let stream;
    try {
      stream = createReadStream('', { fd, autoClose: true });
    } catch (err) {
      reject(new MemCloudError(ErrorCodes.BAD_ARGUMENT, `--${option} ${fd}: ${(err as Error).message}`));
      return;
    }
    const wipe = (): void => chunks.forEach((c) => c.fill(0));
    stream.on('data', (c: string | Buffer) => {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      chunks.push(b);
      size += b.length;
      if (size > MAX_PASSPHRASE_BYTES + 2) {
        stream.destroy();
        wipe();
        reject(new MemCloudError(ErrorCodes.BAD_ARGUMENT, `--${option} ${fd}: more than ${MAX_PASSPHRASE_BYTES} bytes; write only the passphrase.`));
      }
    });
    stream.on('error', (err: NodeJS.ErrnoException) => {
      wipe();
      reject(new MemCloudError(ErrorCodes.BAD_ARGUMENT, `--${option} ${fd} cannot be read (${err.code ?? err.message}); open it for reading, e.g. 3<passphrase-file.`));
    });
    stream.on('end', () => {
      const all = Buffer.concat(chunks);
      wipe();
      const text = all.toString('utf8').replace(/\r?\n$/, '');
      all.fill(0);
      resolve(text);
    });
  });
}

/** Keys typed (or pasted) past the Enter that ended one prompt, kept for the next prompt. */
const typedAhead = new WeakMap<object, string>();

/** Asks at the terminal with echo off; Ctrl-C or Ctrl-D abort. */
export function promptHidden(ctx: CommandContext, prompt: string): Promise<string> {
  const stdin = ctx.stdin as NodeJS.ReadStream;
  if (!stdin.isTTY || typeof stdin.setRawMode !== 'function') {
    return Promise.reject(new MemCloudError(ErrorCodes.IDENTITY_LOCKED, `${prompt.replace(/:\s*$/, '')}: there is no terminal to ask at; give it with --passphrase-fd N.`));
  }
  // Echo off before the prompt shows: keys typed the moment it appears must not be echoed.
  stdin.setRawMode(true);
  ctx.err.write(prompt);
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (err: Error | null): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      ctx.err.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    /** True when the prompt is answered; what follows the Enter waits for the next prompt. */
    const take = (input: string): boolean => {
      const chars = [...input];
      for (let i = 0; i < chars.length; i++) {
        const ch = chars[i]!;
        if (ch === '\r' || ch === '\n') {
          const rest = chars.slice(ch === '\r' && chars[i + 1] === '\n' ? i + 2 : i + 1).join('');
          if (rest) typedAhead.set(stdin, rest);
          done(null);
          return true;
        }
        if (ch === '\u0003' || ch === '\u0004') {
          done(new MemCloudError(ErrorCodes.CANCELLED, 'cancelled'));
          return true;
        }
        if (ch === '\u007f' || ch === '\b') text = [...text].slice(0, -1).join('');
        else if (ch >= ' ') text += ch;
      }
      return false;
    };
    const onData = (chunk: Buffer | string): void => void take(String(chunk));
    stdin.on('data', onData);
    const ahead = typedAhead.get(stdin);
    typedAhead.delete(stdin);
    if (ahead && take(ahead)) return;
    stdin.resume();
  });
}

/** The secret for `request`: from --<option> N when given, else asked at the terminal. */
export function cliSecret(ctx: CommandContext, option: string): (request: SecretRequest) => Promise<Uint8Array> {
  const fd = fdOption(ctx, option);
  return async (request) => {
    const label = request.kind === 'pin' ? 'PIN' : 'passphrase';
    const text = fd !== undefined ? await readSecretFd(fd, option) : await promptHidden(ctx, `${request.what}: ${label}: `);
    return passphraseBytes(text);
  };
}

/** A new passphrase: from --<option> N, or typed twice at the terminal. At least 8 characters. */
export function newPassphrase(ctx: CommandContext, option: string): () => Promise<Uint8Array> {
  const fd = fdOption(ctx, option);
  return async () => {
    let text: string;
    if (fd !== undefined) {
      text = await readSecretFd(fd, option);
    } else {
      text = await promptHidden(ctx, 'New passphrase for the identity key: ');
      if ((await promptHidden(ctx, 'Repeat it: ')) !== text) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'The two passphrases differ. Nothing was changed.');
    }
    if ([...text.normalize('NFC')].length < MIN_PASSPHRASE_CHARS) {
      throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `The passphrase must have at least ${MIN_PASSPHRASE_CHARS} characters. Nothing was changed.`);
    }
    return passphraseBytes(text);
  };
}

/** The passphrase or token PIN a node start needs for this identity (--passphrase-fd or asked), if any. */
export async function startSecret(ctx: CommandContext, record: IdentityRecord): Promise<Uint8Array | undefined> {
  if (record.form === 'passphrase') return cliSecret(ctx, 'passphrase-fd')({ kind: 'passphrase', what: `The identity key of ${ctx.home}` });
  if (record.form === 'pkcs11') return cliSecret(ctx, 'passphrase-fd')({ kind: 'pin', what: `Token "${record.token.tokenLabel}"` });
  return undefined;
}
