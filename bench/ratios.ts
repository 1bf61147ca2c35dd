// Prints measured ratios against issue 10's targets (both benchmarks): ratios of the same run on the
// same machine, so a busy machine moves numerator and denominator together.

export interface RatioRow {
  readonly name: string;
  readonly value: number;
  /** null: printed for reference, no target. */
  readonly op: '<=' | '>=' | null;
  readonly target: number | null;
}

export function printRatios(rows: readonly RatioRow[]): void {
  const width = Math.max(...rows.map((r) => r.name.length));
  process.stdout.write(`${'ratio'.padEnd(width)}   measured   target   ok\n`);
  for (const r of rows) {
    const ok = r.op === null || r.target === null ? '' : (r.op === '<=' ? r.value <= r.target : r.value >= r.target) ? 'yes' : 'NO';
    const target = r.op === null || r.target === null ? '' : `${r.op} ${r.target}`;
    process.stdout.write(`${r.name.padEnd(width)}   ${r.value.toFixed(2).padStart(8)}   ${target.padStart(6)}   ${ok}\n`);
  }
}
