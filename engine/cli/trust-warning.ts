// What the CLI says when the node reports a trust file it cannot use (trusted_devices.json or
// team.json): on stderr, so scripts reading stdout (and --json) are not disturbed, with the file's
// path, what is refused meanwhile and the fix.

import { fileProblems } from '../api/file-problems';
import type { NodeStatus } from '../api/types';
import { displayText } from '../text/display-text';
import type { CommandIO } from './command';

type ProblemStatus = Pick<NodeStatus, 'trustFileProblem' | 'teamFileProblem'>;

/** The warning lines for a status (empty when both files are fine). */
export function trustWarning(status: ProblemStatus): string {
  return fileProblems(status)
    .map(
      (p) =>
        `WARNING: ${p.effect.replace(/^No/, 'no')}\n` +
        `  ${displayText(p.message, 'log')}\n` +
        `  The node reads the file again as soon as it changes; \`memcloud node status\` shows when it is valid.\n`,
    )
    .join('');
}

export function writeTrustWarning(io: Pick<CommandIO, 'err'>, status: ProblemStatus): void {
  const text = trustWarning(status);
  if (text !== '') io.err.write(text);
}
