// The trust store: who may talk to this device. In memory it is the file's last known content
// plus the changes made here and not yet written. Before every write the file is read again: if
// another process (the CLI) changed it, its content becomes the new base and our pending changes
// are replayed on top, so neither side's edit is silently lost. A corrupt file is never written.
// Changes apply in memory at once (and emit events); their promise settles once they are on disk.
// If a write fails, the change stays applied and pending: the next write or close() retries it.
// Without a lock file, an edit landing between our re-read and our rename can still be lost.
// A file that cannot be used (corrupt, unreadable) is a problem the store reports (see
// trust-file-problem.ts) while keeping its last good state; it is never overwritten.

import { ErrorCodes, MemCloudError } from '../errors';
import { ensureHome } from '../home/home';
import { homePaths } from '../home/paths';
import { encodePublicKey, isValidPublicKey, PUBLIC_KEY_BYTES } from '../identity/public-key';
import { diffDevices, type TrustChange, type TrustListener } from './trust-changes';
import { deviceNameFromInput } from '../identity/device-name';
import { isAllowedBytes, isApproval, makeDevice, type Approval, type TrustedDevice } from './trust-file';
import { readTrustFile, writeTrustFile } from './trust-file-io';
import { isTrustFileError, TrustFileHealth, type ProblemListener, type TrustFileProblem } from './trust-file-problem';

/** How long touch() waits before writing, so frequent touches cost one write per interval. */
export const TOUCH_WRITE_DELAY_MS = 1000;

type Devices = Map<string, TrustedDevice>;
/** A change replayable onto any base: it does nothing if its device is no longer there. */
type Op = (devices: Devices) => void;

export class TrustStore {
  readonly path: string;
  #devices: Devices;
  /** Exact bytes of the file as last read or written by us; undefined when there was no file. */
  #baseBytes: Buffer | undefined;
  #ops: Op[] = [];
  /** Pending lastSeen updates, kept apart from #ops so any number of touches stays one entry each. */
  #touches = new Map<string, string>();
  readonly #listeners = new Set<TrustListener>();
  /** Every file read and write runs on this chain, one at a time. */
  #io: Promise<void> = Promise.resolve();
  #queuedWrite: Promise<void> | undefined;
  #touchTimer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;
  readonly #health: TrustFileHealth;

  private constructor(path: string, bytes: Buffer | undefined, devices: readonly TrustedDevice[]) {
    this.path = path;
    this.#baseBytes = bytes;
    this.#devices = new Map(devices.map((d) => [d.publicKey, d]));
    this.#health = new TrustFileHealth(path);
  }

  /**
   * Open the store in `home`. A missing file is an empty store. An invalid one is an error, unless
   * `tolerateProblem` (a running node): the store then opens empty with the problem reported, and
   * takes the file's devices once it is fixed.
   */
  static async open(home: string, opts: { readonly tolerateProblem?: boolean } = {}): Promise<TrustStore> {
    await ensureHome(home);
    const path = homePaths(home).trustedDevices;
    try {
      const { bytes, devices } = await readTrustFile(path);
      return new TrustStore(path, bytes, devices);
    } catch (err) {
      if (!opts.tolerateProblem || !isTrustFileError(err)) throw err;
      const store = new TrustStore(path, undefined, []);
      store.#health.failed(err);
      return store;
    }
  }

  /** Set while the file cannot be used (corrupt or unreadable); the store keeps its last good state. */
  get problem(): TrustFileProblem | undefined {
    return this.#health.problem;
  }

  /** Hear when the file becomes unusable, or usable again (undefined). Returns the unsubscribe function. */
  onProblemChange(listener: ProblemListener): () => void {
    return this.#health.onChange(listener);
  }

  /** Subscribe to changes; returns the unsubscribe function. */
  onChange(listener: TrustListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get(publicKey: Uint8Array): TrustedDevice | undefined {
    return publicKey.length === PUBLIC_KEY_BYTES ? this.#devices.get(encodePublicKey(publicKey)) : undefined;
  }

  /** Lookup by the base64url text form (what sessions and namespaces use); O(1), no decoding. */
  getByText(publicKey: string): TrustedDevice | undefined {
    return this.#devices.get(publicKey);
  }

  /** All devices, trusted and revoked, in file order. */
  list(): TrustedDevice[] {
    return [...this.#devices.values()];
  }

  isTrusted(publicKey: Uint8Array): boolean {
    return this.get(publicKey)?.status === 'trusted';
  }

  isRevoked(publicKey: Uint8Array): boolean {
    return this.get(publicKey)?.status === 'revoked';
  }

  /** Trust a device. Re-trusting a revoked one clears the revocation and keeps firstSeen. */
  async trust(publicKey: Uint8Array, opts: { readonly name: string; readonly approval: Approval }): Promise<TrustedDevice> {
    this.#assertUsable('Cannot trust the device');
    if (!isValidPublicKey(publicKey)) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'Not a valid Ed25519 public key.');
    const name = checkName(opts.name);
    if (!isApproval(opts.approval)) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `Unknown approval "${String(opts.approval)}".`);
    const key = encodePublicKey(publicKey);
    const now = new Date().toISOString();
    const { approval } = opts;
    this.#apply((devices) => {
      const was = devices.get(key);
      devices.set(key, makeDevice({
        publicKey: key, name, approval, status: 'trusted',
        firstSeen: was?.firstSeen ?? now, lastSeen: was?.lastSeen ?? now, allowedBytes: was?.allowedBytes,
      }));
    });
    await this.#scheduleWrite();
    return this.#mustGet(key);
  }

  /** Revoke a known device. The entry stays, marked revoked, so it is recognised if it returns. */
  async revoke(publicKey: Uint8Array): Promise<TrustedDevice> {
    const key = this.#known(publicKey);
    const now = new Date().toISOString();
    this.#apply((devices) => {
      const was = devices.get(key);
      if (was !== undefined && was.status !== 'revoked') devices.set(key, makeDevice({ ...was, status: 'revoked', revokedAt: now }));
    });
    await this.#writeRemoval();
    return this.#mustGet(key);
  }

  /** Remove a device entirely. Returns whether it was there. */
  async forget(publicKey: Uint8Array): Promise<boolean> {
    this.#assertOpen();
    const existed = this.get(publicKey) !== undefined;
    if (!existed) return false;
    const key = encodePublicKey(publicKey);
    this.#apply((devices) => void devices.delete(key));
    await this.#writeRemoval();
    return true;
  }

  async rename(publicKey: Uint8Array, name: string): Promise<TrustedDevice> {
    this.#assertUsable('Cannot rename the device');
    const key = this.#known(publicKey);
    const valid = checkName(name);
    this.#update(key, (was) => ({ ...was, name: valid }));
    await this.#scheduleWrite();
    return this.#mustGet(key);
  }

  /** Set the bytes this device may store here; undefined returns it to the node's default. */
  async setAllowedBytes(publicKey: Uint8Array, allowedBytes: number | undefined): Promise<TrustedDevice> {
    this.#assertUsable('Cannot change what the device may store');
    const key = this.#known(publicKey);
    if (allowedBytes !== undefined && !isAllowedBytes(allowedBytes)) {
      throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'allowedBytes must be a non-negative integer.');
    }
    this.#update(key, (was) => ({ ...was, allowedBytes }));
    await this.#scheduleWrite();
    return this.#mustGet(key);
  }

  /** Record that a device was seen. Unknown devices are ignored; writes are coalesced. */
  touch(publicKey: Uint8Array, when: Date = new Date()): void {
    if (this.#closing !== undefined) return;
    const device = this.get(publicKey);
    if (device === undefined || Number.isNaN(when.getTime())) return;
    const at = when.toISOString();
    if (at <= device.lastSeen) return; // ISO UTC strings of equal length sort by time
    this.#touches.set(device.publicKey, at);
    this.#apply((devices) => applyTouch(devices, device.publicKey, at), false);
    this.#touchTimer ??= setTimeout(() => {
      this.#touchTimer = undefined;
      // A failure leaves the touches pending: the next write or close() retries and reports.
      this.#scheduleWrite().catch(() => undefined);
    }, TOUCH_WRITE_DELAY_MS).unref();
  }

  /**
   * Apply the file's current content (another process edited it) and emit the matching events;
   * changes made here and not yet written are replayed on top. A missing file means no devices.
   * Throws TRUST_STORE_CORRUPT or TRUST_STORE_UNREADABLE if the file cannot be used; the current
   * state is then kept unchanged (fail closed: nothing becomes trusted from a bad file).
   */
  reloadFromDisk(): Promise<void> {
    return this.#enqueue(() => this.#syncFromDisk());
  }

  /** Wait until every change made so far is on disk. */
  async flush(): Promise<void> {
    if (this.#hasPending()) await this.#scheduleWrite();
    else await this.#io;
  }

  /** Write pending changes and stop. Idempotent; mutations after close() throw. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearTimeout(this.#touchTimer);
      this.#touchTimer = undefined;
      await this.flush();
    })();
    return this.#closing;
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) throw new MemCloudError(ErrorCodes.INTERNAL, 'The trust store is closed.');
  }

  /** Granting or changing trust waits until the file is usable; nothing is changed meanwhile. */
  #assertUsable(what: string): void {
    this.#assertOpen();
    const refusal = this.#health.refusal(what);
    if (refusal) throw refusal;
  }

  /**
   * Revocations apply in this process at once, even while the file is unusable (the safe
   * direction); they stay pending and are written once the file is valid again.
   */
  async #writeRemoval(): Promise<void> {
    try {
      await this.#scheduleWrite();
    } catch (err) {
      if (!isTrustFileError(err)) throw err;
      throw new MemCloudError(
        err.code,
        `${err.message} The device is revoked in the running node (its sessions are closed); the change is written once the file is valid again.`,
      );
    }
  }

  /** The text key of a device that must exist; PEER_NOT_FOUND otherwise. */
  #known(publicKey: Uint8Array): string {
    this.#assertOpen();
    const device = this.get(publicKey);
    if (device === undefined) throw new MemCloudError(ErrorCodes.PEER_NOT_FOUND, 'That device is not in the trust store.');
    return device.publicKey;
  }

  #mustGet(key: string): TrustedDevice {
    const device = this.#devices.get(key);
    // Only possible if another process removed it while our write was pending.
    if (device === undefined) throw new MemCloudError(ErrorCodes.PEER_NOT_FOUND, 'That device was removed from the trust store meanwhile.');
    return device;
  }

  #update(key: string, change: (was: TrustedDevice) => TrustedDevice): void {
    this.#apply((devices) => {
      const was = devices.get(key);
      if (was !== undefined) devices.set(key, makeDevice(change(was)));
    });
  }

  /** Apply a change now; unless told otherwise, remember it for the next write. */
  #apply(op: Op, remember = true): void {
    if (remember) this.#ops.push(op);
    const next = new Map(this.#devices);
    op(next);
    this.#replace(next);
  }

  #replace(next: Devices): void {
    const changes = diffDevices(this.#devices, next);
    this.#devices = next;
    for (const change of changes) this.#emit(change);
  }

  #emit(change: TrustChange): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch (err) {
        // A broken listener must not undo or block a trust decision; surface it like an emitter would.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  #hasPending(): boolean {
    return this.#ops.length > 0 || this.#touches.size > 0;
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.#io.then(task);
    this.#io = run.catch(() => undefined);
    return run;
  }

  /** One write covers every change made before it starts; callers arriving meanwhile share it. */
  #scheduleWrite(): Promise<void> {
    this.#queuedWrite ??= this.#enqueue(async () => {
      this.#queuedWrite = undefined;
      await this.#writeNow();
    });
    return this.#queuedWrite;
  }

  async #syncFromDisk(): Promise<void> {
    let read;
    try {
      read = await readTrustFile(this.path);
    } catch (err) {
      if (isTrustFileError(err)) this.#health.failed(err);
      throw err;
    }
    const { bytes, devices } = read;
    if (sameBytes(bytes, this.#baseBytes)) return this.#health.ok();
    const next: Devices = new Map(devices.map((d) => [d.publicKey, d]));
    for (const op of this.#ops) op(next);
    for (const [key, at] of this.#touches) applyTouch(next, key, at);
    this.#baseBytes = bytes;
    this.#replace(next);
    this.#health.ok();
  }

  async #writeNow(): Promise<void> {
    await this.#syncFromDisk();
    if (!this.#hasPending()) return;
    const opsWritten = this.#ops.length;
    const touchesWritten = new Map(this.#touches);
    this.#baseBytes = await writeTrustFile(this.path, this.#devices.values());
    this.#ops.splice(0, opsWritten);
    for (const [key, at] of touchesWritten) if (this.#touches.get(key) === at) this.#touches.delete(key);
  }
}

function applyTouch(devices: Devices, key: string, at: string): void {
  const was = devices.get(key);
  if (was !== undefined && at > was.lastSeen) devices.set(key, makeDevice({ ...was, lastSeen: at }));
}

/** A name given here (CLI, VS Code, consent) in NFC and valid by the rule, or BAD_ARGUMENT. */
function checkName(name: unknown): string {
  if (typeof name !== 'string') throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'The device name must be text.');
  return deviceNameFromInput(name);
}

function sameBytes(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.equals(b);
}
