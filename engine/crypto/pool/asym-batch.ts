// Runs a list of asymmetric ops in order; every output lands in one packed ArrayBuffer.
import { ErrorCodes, MemCloudError } from '../../errors';
import { ed25519SignOnce, x25519Once } from '../asym/asym';
import type { CryptoBackendName } from '../backend-name';
import { backend as loadedBackend } from '../backends';
import { DH_LENGTH, KEY_LENGTH, SIGNATURE_LENGTH } from '../constants';
import type { AsymOp, AsymResult } from './crypto-messages';
import { carve } from './packed-bytes';

function outputLengths(op: AsymOp): number[] {
  switch (op.op) {
    case 'x25519-keypair':
      return [KEY_LENGTH, KEY_LENGTH];
    case 'x25519-dh':
      return [DH_LENGTH];
    case 'ed25519-sign':
      return [SIGNATURE_LENGTH];
    case 'ed25519-verify':
      return [];
  }
}

/** Inputs are validated by the caller; the backend is loaded. A failing op (low-order DH) fails the whole list. */
export function runAsymOps(backend: CryptoBackendName, ops: readonly AsymOp[]): AsymResult[] {
  const impl = loadedBackend(backend).asym;
  const lengths = ops.map(outputLengths);
  const slots = carve(lengths.flat());
  const results: AsymResult[] = [];
  let s = 0;
  try {
    for (const op of ops) {
      switch (op.op) {
        case 'x25519-keypair': {
          const secretKey = slots[s++]!;
          const publicKey = slots[s++]!;
          const generated = impl.generateX25519();
          secretKey.set(generated.secretKey);
          publicKey.set(generated.publicKey);
          generated.key.destroy(); // zeroes generated.secretKey
          results.push({ op: op.op, secretKey, publicKey });
          break;
        }
        case 'x25519-dh': {
          const sharedSecret = slots[s++]!;
          x25519Once(impl, op.secretKey, op.publicKey, sharedSecret);
          results.push({ op: op.op, sharedSecret });
          break;
        }
        case 'ed25519-sign': {
          const signature = slots[s++]!;
          ed25519SignOnce(impl, op.secretKey, op.message, signature);
          results.push({ op: op.op, signature });
          break;
        }
        case 'ed25519-verify':
          results.push({ op: op.op, valid: impl.ed25519Verify(op.publicKey, op.message, op.signature) });
          break;
        default: {
          const unknown: never = op; // parseCryptoTask rejects unknown ops before they get here
          throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `unknown asym op: ${String((unknown as AsymOp).op)}`);
        }
      }
    }
  } catch (err) {
    // Outputs may already hold secrets (new key pairs, shared secrets): wipe before failing.
    if (slots.length > 0) new Uint8Array(slots[0]!.buffer).fill(0);
    throw err;
  }
  return results;
}
