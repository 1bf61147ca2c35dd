// Turns the engine's progress events (bytes done so far) into what VS Code's progress API wants:
// increments in percent and a message (no vscode; unit-tested).

import type { TransferProgress } from '../../engine/api/types';
import { formatSize } from '../views/format';

export interface ProgressStep {
  /** Percent to add since the last step (VS Code sums increments); absent when the total is unknown. */
  readonly increment?: number;
  readonly message: string;
}

export class ProgressTracker {
  private reportedPercent = 0;

  constructor(private total: number | null = null) {}

  update(p: Pick<TransferProgress, 'doneBytes' | 'totalBytes'>): ProgressStep {
    if (p.totalBytes !== null && p.totalBytes >= 0) this.total = p.totalBytes;
    const done = Math.max(0, p.doneBytes);
    if (this.total === null) return { message: `${formatSize(done)} so far` };
    const percent = this.total === 0 ? 100 : Math.min(100, (done / this.total) * 100);
    // Progress never goes backwards on screen, even if a retry reports fewer bytes.
    const increment = Math.max(0, percent - this.reportedPercent);
    this.reportedPercent = Math.max(this.reportedPercent, percent);
    return { increment, message: `${formatSize(done)} of ${formatSize(this.total)} (${Math.floor(this.reportedPercent)}%)` };
  }
}
