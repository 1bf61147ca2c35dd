// A progress bar for long transfers, drawn on stderr only when stdout is a terminal (so output
// captured by scripts stays clean). Redraws at most 10 times a second.

import { formatSize } from '../store/sizes';
import type { CommandIO } from './command';

export class ProgressBar {
  private last = 0;
  private readonly started = Date.now();
  private drawn = false;

  constructor(
    private readonly io: CommandIO,
    private readonly label: string,
    private total: number | null,
  ) {}

  get enabled(): boolean {
    return this.io.out.isTTY === true;
  }

  update(done: number, total: number | null = this.total): void {
    this.total = total;
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100 && done !== total) return;
    this.last = now;
    const rate = done / Math.max(0.001, (now - this.started) / 1000);
    const width = 30;
    let bar = '';
    if (total && total > 0) {
      const f = Math.min(1, done / total);
      bar = `[${'#'.repeat(Math.round(f * width)).padEnd(width, '.')}] ${String(Math.floor(f * 100)).padStart(3)}% `;
    }
    const sizes = `${formatSize(done)}${total ? ` / ${formatSize(total)}` : ''}`;
    this.io.err.write(`\r${this.label} ${bar}${sizes}  ${formatSize(rate)}/s   `);
    this.drawn = true;
  }

  finish(): void {
    if (this.drawn) this.io.err.write('\n');
    this.drawn = false;
  }
}
