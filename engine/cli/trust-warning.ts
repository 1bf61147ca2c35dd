// What the CLI says when the node reports an unusable trust file: on stderr, so scripts reading
// stdout (and --json) are not disturbed, with the file's path and the fix.

import type { NodeStatus } from '../api/types';
import { displayText } from '../text/display-text';
import type { CommandIO } from './command';

/** The warning lines for a status (empty when the trust file is fine). */
export function trustWarning(status: Pick<NodeStatus, 'trustFileProblem'>): string {
  const problem = status.trustFileProblem;
  if (!problem) return '';
  return (
    `WARNING: no new device or session is admitted until the trust file is fixed (live sessions go on).\n` +
    `  ${displayText(problem.message, 'log')}\n` +
    `  The node reads the file again as soon as it changes; \`memcloud node status\` shows when it is valid.\n`
  );
}

export function writeTrustWarning(io: Pick<CommandIO, 'err'>, status: Pick<NodeStatus, 'trustFileProblem'>): void {
  const text = trustWarning(status);
  if (text !== '') io.err.write(text);
}
