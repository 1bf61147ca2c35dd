// The background node's log file: node.log, rotated to node.log.1 .. node.log.N when it passes a
// size, so it never grows without bound. Files are 0600 (logs name devices and addresses).

import { closeSync, existsSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

export class RotatingLog {
  private fd: number;
  private size: number;

  constructor(
    readonly path: string,
    private readonly maxBytes = 5 * 1024 * 1024,
    private readonly keep = 3,
  ) {
    this.fd = openSync(path, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  write(line: string): void {
    const data = Buffer.from(line.endsWith('\n') ? line : `${line}\n`, 'utf8');
    if (this.size + data.length > this.maxBytes && this.size > 0) this.rotate();
    writeSync(this.fd, data);
    this.size += data.length;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private rotate(): void {
    closeSync(this.fd);
    rmSync(`${this.path}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i--) {
      if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    }
    renameSync(this.path, `${this.path}.1`);
    this.fd = openSync(this.path, 'a', 0o600);
    this.size = 0;
  }
}
