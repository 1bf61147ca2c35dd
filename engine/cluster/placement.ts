// Where new replicas go: the power of two choices. Pick two eligible holders at random and take the
// one with more free capacity; repeat without replacement. Nearly as balanced as always taking the
// emptiest holder, without every owner herding onto the same one.

export interface Candidate {
  readonly id: string;
  /** Bytes the holder can still take from us (its last STAT, minus what we sent since). */
  readonly available: number;
}

export function chooseHolders(
  candidates: readonly Candidate[],
  count: number,
  size: number,
  random: () => number = Math.random,
): string[] {
  const pool = candidates.filter((c) => c.available >= size);
  const chosen: string[] = [];
  while (chosen.length < count && pool.length > 0) {
    const i = Math.floor(random() * pool.length);
    let pick = i;
    if (pool.length > 1) {
      let j = Math.floor(random() * (pool.length - 1));
      if (j >= i) j++;
      pick = pool[j]!.available > pool[i]!.available ? j : i;
    }
    chosen.push(pool[pick]!.id);
    pool.splice(pick, 1);
  }
  return chosen;
}
