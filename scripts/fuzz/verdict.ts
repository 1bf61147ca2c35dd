// What makes a fuzz run fail (exit 1): the node crashed, admitted a handshake it had to refuse,
// stopped answering its control socket, grew its memory past the bound, or a fuzz worker broke.

/** RSS growth (MiB) over the node at the start that counts as unbounded: far above what bounded state explains. */
export const RSS_GROWTH_LIMIT_MIB = 192;

export interface RunFacts {
  readonly crashes: readonly string[];
  /** One line per handshake the node admitted although it had to refuse it. */
  readonly accepted: readonly string[];
  readonly nodeAnswers: boolean;
  readonly rssStartMiB: number;
  readonly rssMaxMiB: number;
  readonly workerFailures: readonly string[];
}

export function problemsOf(f: RunFacts): string[] {
  const growth = f.rssMaxMiB - f.rssStartMiB;
  return [
    ...f.crashes.map((c) => `the node crashed (${c})`),
    ...f.accepted,
    ...(f.nodeAnswers ? [] : ['the node stopped answering its control socket']),
    ...(!(growth <= RSS_GROWTH_LIMIT_MIB) ? [`node RSS grew ${growth.toFixed(1)} MiB (limit ${RSS_GROWTH_LIMIT_MIB})`] : []),
    ...f.workerFailures.map((w) => `a fuzz worker failed: ${w}`),
  ];
}
