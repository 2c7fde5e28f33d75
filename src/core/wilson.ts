/** The Wilson score interval of a share: used by scoring and by the response-curve calibration. */

export interface Interval {
  value: number | null;
  lo: number | null;
  hi: number | null;
}

/** Share k/n with its 95 % Wilson score interval (nulls when n = 0). */
export function wilson(k: number, n: number, z = 1.959964): Interval {
  if (n <= 0) return { value: null, lo: null, hi: null };
  const p = k / n, z2 = z * z, den = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / den, half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / den;
  return { value: p, lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}
