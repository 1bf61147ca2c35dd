// Throwaway LANs made of Linux network namespaces, for tests that need real multicast or real
// routing between "machines". Each host is a namespace `mc-<id>-<i>` with one veth (`mc0`) plugged
// into a bridge that lives in its own namespace `mc-<id>-hub`: nothing touches the host's
// interfaces and no packet leaves the namespaces. Needs root and iproute2 (`ip`).

import { execFile, execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { createInterface } from 'node:readline';

export interface NetnsHost {
  readonly index: number;
  readonly ns: string;
  /** Interface name inside the namespace. */
  readonly ifname: string;
  readonly address: string;
  /** Unique-local IPv6 address, when the LAN was created with `ipv6: true`. */
  readonly address6?: string;
}

export interface NetnsLanOptions {
  /** Also give every host a ULA IPv6 address (fd00:213:<subnet>::<n>/64). */
  readonly ipv6?: boolean;
}

const PREFIX = 'mc-';
// `mc-<creator pid in base 36>x<random>-<host index | hub>`: the pid tells stale from live.
const NAME = /^mc-([0-9a-z]+)x[0-9a-f]+-(\d+|hub)$/;
const IP_TIMEOUT_MS = 15_000;

const NEEDS_ROOT =
  'This test needs root and iproute2: it builds network namespaces joined by veth pairs and a bridge. ' +
  'Run it as root (CI does), e.g. `sudo node scripts/run-tests.mjs discovery`.';

function ipSync(args: readonly string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', timeout: IP_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
}

function ip(args: readonly string[], timeoutMs = IP_TIMEOUT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, { encoding: 'utf8', timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`ip ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

function hasIp(): boolean {
  try {
    ipSync(['-V']);
    return true;
  } catch {
    return false;
  }
}

const INSTALL_IP = 'apt-get update && apt-get install -y --no-install-recommends iproute2';

/**
 * Throws (never skips) unless we are root with `ip` available. As root without `ip`, installs
 * iproute2 with apt-get first.
 */
export function assertNetnsCapable(): void {
  if (process.getuid?.() !== 0) {
    throw new Error(hasIp() ? NEEDS_ROOT : `${NEEDS_ROOT} \`ip\` is missing too; as root, run: ${INSTALL_IP}`);
  }
  if (hasIp()) return;
  try {
    execFileSync('sh', ['-c', INSTALL_IP], { stdio: 'ignore', timeout: 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } catch (err) {
    throw new Error(`${NEEDS_ROOT} \`ip\` is missing and installing it failed; run: ${INSTALL_IP} (${(err as Error).message})`);
  }
  if (!hasIp()) throw new Error(`${NEEDS_ROOT} \`ip\` is still missing after: ${INSTALL_IP}`);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function listNamespaces(): string[] {
  return ipSync(['netns', 'list'])
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n.startsWith(PREFIX));
}

/** Deletes namespaces left by earlier runs that crashed (their creating process is gone). */
export function removeStaleNamespaces(): string[] {
  const removed: string[] = [];
  for (const ns of listNamespaces()) {
    const m = NAME.exec(ns);
    if (m === null || pidAlive(parseInt(m[1]!, 36))) continue;
    try {
      ipSync(['netns', 'del', ns]);
      removed.push(ns);
    } catch {
      // raced with another cleaner
    }
  }
  return removed;
}

/** A child process inside a namespace that speaks JSON lines on stdout. */
export class NetnsProcess {
  readonly lines: unknown[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;
  private stderrText = '';
  private closed = false; // exited and stdout fully read
  private readonly waiters = new Set<() => void>();

  constructor(child: ChildProcessWithoutNullStreams) {
    this.child = child;
    child.stdin.on('error', () => {}); // EPIPE after the child is gone: nothing left to tell it
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line));
      } catch {
        this.lines.push({ raw: line });
      }
      for (const w of this.waiters) w();
    });
    child.stderr.on('data', (d: Buffer) => {
      if (this.stderrText.length < 20_000) this.stderrText += d.toString();
    });
    this.exited = new Promise((resolve) => child.on('close', (code) => {
      this.closed = true;
      for (const w of this.waiters) w();
      resolve(code);
    }));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stderr(): string {
    return this.stderrText;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  send(line: string): void {
    if (this.running) this.child.stdin.write(line + '\n');
  }

  /** Resolves with the first line (from `from` on) matching `match`; rejects after `timeoutMs`. */
  waitFor<T>(match: (line: unknown) => line is T, description: string, timeoutMs = 20_000, from = 0): Promise<T> {
    return new Promise((resolve, reject) => {
      let index = from;
      const check = (): void => {
        for (; index < this.lines.length; index++) {
          const line = this.lines[index];
          if (match(line)) {
            done();
            resolve(line);
            return;
          }
        }
        if (this.closed) {
          done();
          reject(new Error(`process ${this.pid} exited before ${description}; stderr: ${this.stderrText.slice(-2000)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${description}; stderr: ${this.stderrText.slice(-2000)}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Signals this child (by its pid) and waits for it to exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.running) this.child.kill(signal);
    await this.exited;
  }
}

export class NetnsLan {
  readonly id: string;
  readonly hub: string;
  readonly hosts: readonly NetnsHost[];
  private readonly children = new Set<NetnsProcess>();
  private destroyed = false;
  private readonly exitHook = (): void => this.destroySync();

  private constructor(id: string, hosts: NetnsHost[]) {
    this.id = id;
    this.hub = `${PREFIX}${id}-hub`;
    this.hosts = hosts;
    process.once('exit', this.exitHook);
  }

  /** Builds `count` hosts on one bridge. Cleans up after itself if any step fails. */
  static async create(count: number, opts: NetnsLanOptions = {}): Promise<NetnsLan> {
    assertNetnsCapable();
    removeStaleNamespaces();
    const id = `${process.pid.toString(36)}x${randomBytes(3).toString('hex')}`;
    // Not 0: fd00:213:0::c is not how addresses are printed (fd00:213::c), and tests compare text.
    const subnet = randomInt(1, 256);
    const hosts = Array.from({ length: count }, (_, index): NetnsHost => ({
      index,
      ns: `${PREFIX}${id}-${index}`,
      ifname: 'mc0',
      address: `10.213.${subnet}.${10 + index}`,
      ...(opts.ipv6 ? { address6: `fd00:213:${subnet.toString(16)}::${(10 + index).toString(16)}` } : {}),
    }));
    const lan = new NetnsLan(id, hosts);
    try {
      await lan.build();
    } catch (err) {
      await lan.destroy();
      throw err;
    }
    return lan;
  }

  private async build(): Promise<void> {
    const hub = this.hub;
    await ip(['netns', 'add', hub]);
    // IGMP snooping off: the bridge floods 224.0.0.251 to every port, like a plain switch.
    await ip(['-n', hub, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
    await ip(['-n', hub, 'link', 'set', 'br0', 'up']);
    await Promise.all(this.hosts.map(async (h) => {
      await ip(['netns', 'add', h.ns]);
      // Both ends are created inside namespaces: the host's own namespace never sees them.
      await ip(['-n', hub, 'link', 'add', `p${h.index}`, 'type', 'veth', 'peer', 'name', h.ifname, 'netns', h.ns]);
      await ip(['-n', hub, 'link', 'set', `p${h.index}`, 'master', 'br0', 'up']);
      await ip(['-n', h.ns, 'link', 'set', 'lo', 'up']);
      await ip(['-n', h.ns, 'addr', 'add', `${h.address}/24`, 'dev', h.ifname]);
      if (h.address6 !== undefined) await ip(['-n', h.ns, 'addr', 'add', `${h.address6}/64`, 'dev', h.ifname, 'nodad']);
      await ip(['-n', h.ns, 'link', 'set', h.ifname, 'up']);
      await ip(['-n', h.ns, 'route', 'add', '224.0.0.0/4', 'dev', h.ifname]);
    }));
  }

  /**
   * Runs `node <args>` inside a host's namespace (`ip netns exec`, which execs in place, so the
   * child's pid is node's). The child is killed after `timeoutMs` whatever happens.
   */
  spawnNode(host: NetnsHost, args: readonly string[], timeoutMs = 120_000): NetnsProcess {
    const child = spawn('ip', ['netns', 'exec', host.ns, process.execPath, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    const proc = new NetnsProcess(child);
    this.children.add(proc);
    void proc.exited.then(() => this.children.delete(proc));
    return proc;
  }

  /** Runs a command to completion inside a namespace (finite timeout). */
  exec(host: NetnsHost, argv: readonly string[], timeoutMs = IP_TIMEOUT_MS): Promise<string> {
    return ip(['netns', 'exec', host.ns, ...argv], timeoutMs);
  }

  /** Kills our children, then deletes every namespace of this LAN. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    process.removeListener('exit', this.exitHook);
    await Promise.all([...this.children].map((c) => c.kill('SIGKILL')));
    for (const ns of [...this.hosts.map((h) => h.ns), this.hub]) {
      await ip(['netns', 'del', ns]).catch(() => {});
    }
  }

  /** Last resort on process exit: synchronous, best effort. */
  private destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const c of this.children) {
      if (c.running && c.pid !== undefined) {
        try {
          process.kill(c.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    for (const ns of [...this.hosts.map((h) => h.ns), this.hub]) {
      try {
        ipSync(['netns', 'del', ns]);
      } catch {
        // already gone
      }
    }
  }

  /** Namespaces of this LAN that currently exist (for tests of the cleanup itself). */
  existingNamespaces(): string[] {
    const mine = new Set([...this.hosts.map((h) => h.ns), this.hub]);
    return listNamespaces().filter((n) => mine.has(n));
  }
}
