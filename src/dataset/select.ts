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

/** Motion groups of a window's activity: 0 still (home, work, pause, parked), 1 walking, 2 driving. */
export const motionOf = (activity: number): number => (activity === 2 ? 1 : activity === 4 ? 2 : 0);
export const MOTIONS = ['still', 'walking', 'driving'] as const;

/**
 * How many windows each class takes from each cell (context × motion) so that every class has the
 * same cell distribution, and a model cannot tell the classes apart by where the phone was. The
 * target share of cell c is proportional to min over classes of available[c] / quota (then every
 * class can fill it); when those ratios sum below 1, every class shrinks by the same factor. Counts
 * are apportioned by largest remainders (ties to the lower cell), never above what is available.
 */
export function matchedTakes(available: readonly (readonly number[])[], quotas: readonly number[]): { take: number[][]; shares: number[]; scale: number } {
  const cells = available[0]?.length ?? 0;
  const active = quotas.flatMap((q, i) => (q > 0 ? [i] : []));
  const m = Array.from({ length: cells }, (_, c) => (active.length ? Math.min(...active.map((ci) => available[ci]![c]! / quotas[ci]!)) : 0));
  const total = m.reduce((a, b) => a + b, 0);
  const shares = m.map((x) => (total > 0 ? x / total : 0));
  const scale = Math.min(1, total);
  const take = quotas.map((q, ci) => {
    const want = Math.round(q * scale);
    const exact = shares.map((s) => s * want);
    const t = exact.map((x, c) => Math.min(Math.floor(x), available[ci]![c]!));
    let left = want - t.reduce((a, b) => a + b, 0);
    const order = exact.map((x, c) => [x - Math.floor(x), c] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (const [, c] of order) { if (left <= 0) break; if (t[c]! < available[ci]![c]! && shares[c]! > 0) { t[c]!++; left--; } }
    return t;
  });
  return { take, shares, scale };
}
