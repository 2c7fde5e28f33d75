/**
 * Distribution shift between a reference sample and a current one, as production monitoring tools
 * measure it: the population stability index (10 bins at the reference's deciles), the two-sample
 * Kolmogorov–Smirnov statistic with its asymptotic p-value (the Kolmogorov distribution with
 * Stephens' small-sample correction, Numerical Recipes §14.3), the Wasserstein-1 distance (and
 * normed by the reference's standard deviation), and the Page–Hinkley test that says when a
 * stream's mean began to move (river's defaults: δ = 0.005, λ = 50, α = 0.9999, 30 values first).
 */

const sorted = (xs: readonly number[]) => Float64Array.from(xs.filter(Number.isFinite)).sort();

/** Population stability index over 10 bins at the reference's deciles (empty bins count as 0.0001). */
export function psi(reference: readonly number[], current: readonly number[], bins = 10): number {
  const r = sorted(reference), c = sorted(current);
  if (!r.length || !c.length) return NaN;
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) edges.push(r[Math.min(r.length - 1, Math.floor((k * r.length) / bins))]!);
  const share = (s: Float64Array) => {
    const counts = new Array<number>(bins).fill(0);
    for (const v of s) { let b = 0; while (b < edges.length && v >= edges[b]!) b++; counts[b]!++; }
    return counts.map((n) => Math.max(1e-4, n / s.length));
  };
  const pr = share(r), pc = share(c);
  return pr.reduce((sum, p, i) => sum + (pc[i]! - p) * Math.log(pc[i]! / p), 0);
}

/** Kolmogorov's Q(λ) = 2 Σ (−1)^(k−1) e^(−2k²λ²). */
function kolmogorovQ(lambda: number): number {
  if (lambda < 1e-3) return 1;
  let sum = 0;
  for (let k = 1; k <= 100; k++) { const t = 2 * (k % 2 ? 1 : -1) * Math.exp(-2 * k * k * lambda * lambda); sum += t; if (Math.abs(t) < 1e-12) break; }
  return Math.min(1, Math.max(0, sum));
}

/** Two-sample Kolmogorov–Smirnov: the largest gap between the empirical CDFs, and its asymptotic p-value. */
export function ks2(reference: readonly number[], current: readonly number[]): { d: number; p: number } {
  const a = sorted(reference), b = sorted(current), n = a.length, m = b.length;
  if (!n || !m) return { d: NaN, p: NaN };
  let i = 0, j = 0, d = 0;
  while (i < n && j < m) {
    const v = Math.min(a[i]!, b[j]!);
    while (i < n && a[i]! <= v) i++;
    while (j < m && b[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  const en = Math.sqrt((n * m) / (n + m));
  return { d, p: kolmogorovQ((en + 0.12 + 0.11 / en) * d) };
}

/** Wasserstein-1 distance between two samples: the area between their empirical CDFs. */
export function wasserstein(reference: readonly number[], current: readonly number[]): number {
  const a = sorted(reference), b = sorted(current), n = a.length, m = b.length;
  if (!n || !m) return NaN;
  const all = Float64Array.from([...a, ...b]).sort();
  let i = 0, j = 0, area = 0;
  for (let k = 0; k < all.length - 1; k++) {
    const x = all[k]!;
    while (i < n && a[i]! <= x) i++;
    while (j < m && b[j]! <= x) j++;
    area += Math.abs(i / n - j / m) * (all[k + 1]! - x);
  }
  return area;
}

/**
 * Page–Hinkley test for an increase or a decrease of a stream's mean: the index of the first value
 * at which either cumulative statistic exceeds λ (after `minInstances` values), or −1.
 */
export function pageHinkley(values: readonly number[], o: { delta?: number; lambda?: number; alpha?: number; minInstances?: number } = {}): number {
  const delta = o.delta ?? 0.005, lambda = o.lambda ?? 50, alpha = o.alpha ?? 0.9999, min = o.minInstances ?? 30;
  let mean = 0, up = 0, upMin = 0, down = 0, downMax = 0;
  for (let t = 0; t < values.length; t++) {
    const x = values[t]!;
    mean += (x - mean) / (t + 1);
    up = alpha * up + (x - mean - delta); upMin = Math.min(upMin, up);
    down = alpha * down + (x - mean + delta); downMax = Math.max(downMax, down);
    if (t + 1 >= min && (up - upMin > lambda || downMax - down > lambda)) return t;
  }
  return -1;
}
