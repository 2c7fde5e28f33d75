/** Choosing windows from candidates: class quotas with spill-over, and strata filled evenly. */

/** How many windows each class gets: positives first, then hard negatives, then background; shortfalls are filled by the others. */
export function classQuotas(o: { windows: number; balance: number; hardNegatives: number; available: [number, number, number] }): [number, number, number] {
  const [pos, hard, bg] = o.available;
  const N = o.windows;
  let qPos = Math.min(pos, Math.round(N * o.balance));
  let qHard = Math.min(hard, Math.round((N - qPos) * o.hardNegatives));
  const qBg = Math.min(bg, N - qPos - qHard);
  qHard = Math.min(hard, N - qPos - qBg);
  qPos = Math.min(pos, N - qHard - qBg);
  return [qPos, qHard, qBg];
}

/**
 * Sizes to take from strata of the given sizes so that `quota` is spread as evenly as possible
 * (water-filling: a stratum with too few gives what it lacks to the others). Leftover units after
 * an even split go to the first strata in order, so the result is deterministic.
 */
export function evenShares(sizes: readonly number[], quota: number): number[] {
  const take = sizes.map(() => 0);
  let left = Math.min(quota, sizes.reduce((a, b) => a + b, 0));
  let open = sizes.map((_, i) => i).filter((i) => sizes[i]! > 0);
  while (left > 0 && open.length) {
    const each = Math.floor(left / open.length);
    if (each === 0) {
      for (const i of open.slice(0, left)) take[i]!++;
      break;
    }
    for (const i of open) {
      const add = Math.min(each, sizes[i]! - take[i]!);
      take[i]! += add;
      left -= add;
    }
    open = open.filter((i) => take[i]! < sizes[i]!);
  }
  return take;
}
