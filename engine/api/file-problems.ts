// The trust files a node cannot use right now, as every front-end shows them (CLI, VS Code,
// dashboard): one rule for both files (docs/protocol.md section 4): the node keeps running on the
// last good state, refuses the admissions that depend on the broken file, never rewrites it, and
// says which file and what to do until it is valid again.

import type { NodeStatus, TrustFileProblemInfo } from './types';

export type TrustFileKind = 'trust' | 'team';

export interface ShownFileProblem extends TrustFileProblemInfo {
  readonly kind: TrustFileKind;
  /** "the trust file", "the team file". */
  readonly file: string;
  /** A short title: "The trust file is corrupt". */
  readonly title: string;
  /** What the node refuses while the problem lasts, as a sentence. */
  readonly effect: string;
  /** The same, short (a tree row's description). */
  readonly effectShort: string;
}

const EFFECTS: Readonly<Record<TrustFileKind, { file: string; effect: string; effectShort: string }>> = {
  trust: {
    file: 'the trust file',
    effect: 'No new device or session is admitted until the trust file is fixed (live sessions go on).',
    effectShort: 'no new device or session is admitted until it is fixed',
  },
  team: {
    file: 'the team file',
    effect:
      'No device is admitted by a team certificate until the team file is fixed (live sessions go on; devices trusted one by one are still admitted).',
    effectShort: 'no device is admitted by a team certificate until it is fixed',
  },
};

function shown(kind: TrustFileKind, p: TrustFileProblemInfo): ShownFileProblem {
  const e = EFFECTS[kind];
  const title = `${e.file.replace(/^the/, 'The')} ${p.code === 'TRUST_STORE_CORRUPT' ? 'is corrupt' : 'cannot be used'}`;
  return { ...p, kind, title, ...e };
}

/** The problems a status reports, trust file first; empty when both files are fine. */
export function fileProblems(status: Pick<NodeStatus, 'trustFileProblem' | 'teamFileProblem'> | undefined): ShownFileProblem[] {
  const out: ShownFileProblem[] = [];
  if (status?.trustFileProblem) out.push(shown('trust', status.trustFileProblem));
  if (status?.teamFileProblem) out.push(shown('team', status.teamFileProblem));
  return out;
}
