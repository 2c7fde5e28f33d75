/** p10 / p50 / p90 of a set of values (nulls when empty), as every score reports them. */
import { quantileSorted } from 'simple-statistics';

export interface Quantiles {
  p10: number | null;
  p50: number | null;
  p90: number | null;
  n: number;
}

export function quantiles(values: number[]): Quantiles {
  if (!values.length) return { p10: null, p50: null, p90: null, n: 0 };
  const s = Float64Array.from(values).sort() as unknown as number[]; // numeric typed sort: a national run has a million values
  return { p10: quantileSorted(s, 0.1), p50: quantileSorted(s, 0.5), p90: quantileSorted(s, 0.9), n: s.length };
}
