/** Time helpers of daily schedules and the truncated power law of flights, pauses and dwells. */

export const DAY = 86400;

/** Smallest t' > t at which local time of day equals `tod` (seconds after midnight). */
export function nextLocal(t: number, localStart: number, tod: number): number {
  const now = (((localStart + t) % DAY) + DAY) % DAY;
  let dt = (((tod - now) % DAY) + DAY) % DAY;
  if (dt === 0) dt = DAY;
  return t + dt;
}

/** True when local time `now` lies in the daily window [a, b) (wrapping midnight). */
export function inWindow(now: number, a: number, b: number): boolean {
  a = ((a % DAY) + DAY) % DAY;
  b = ((b % DAY) + DAY) % DAY;
  return a <= b ? now >= a && now < b : now >= a || now < b;
}

/** Draw from a truncated power law P(x) ∝ x^−α on [min, max] by inverse transform. */
export function powerLawDraw(u: number, min: number, max: number, alpha: number): number {
  if (Math.abs(alpha - 1) < 1e-9) return min * Math.pow(max / min, u);
  const a = 1 - alpha;
  const lo = Math.pow(min, a), hi = Math.pow(max, a);
  return Math.pow(lo + u * (hi - lo), 1 / a);
}

