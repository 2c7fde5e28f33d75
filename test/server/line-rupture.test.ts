/** The FinDer-style line rupture fitted to strongly shaken phones, against the line the points were scattered along. */
import { describe, expect, it } from 'vitest';
import { FastRandom } from '../../src/core/random.js';
import { fitLineRupture } from '../../src/server/line-rupture.js';

/** Points along a line from the origin at `strikeDeg` (clockwise from north) out to `lengthKm`, scattered ±`widthKm` across it. */
function along(strikeDeg: number, lengthKm: number, widthKm: number, n = 200, seed = 1) {
  const r = FastRandom.of(seed, 'rupture'), th = (strikeDeg * Math.PI) / 180;
  return Array.from({ length: n }, () => {
    const a = r.uniform() * lengthKm * 1000, c = (r.uniform() - 0.5) * 2 * widthKm * 1000;
    return { x: a * Math.sin(th) + c * Math.cos(th), y: a * Math.cos(th) - c * Math.sin(th) };
  });
}

const strikeOf = (s: { x1: number; y1: number; x2: number; y2: number }) => ((Math.atan2(s.x2 - s.x1, s.y2 - s.y1) * 180) / Math.PI + 360) % 360;
const lengthKm = (s: { x1: number; y1: number; x2: number; y2: number }) => Math.hypot(s.x2 - s.x1, s.y2 - s.y1) / 1000;

describe('line rupture', () => {
  it.each([[30], [135], [250]])('recovers a strike of %i° within 3° and the length as the 95th percentile of the points along it', (strike) => {
    const s = fitLineRupture(along(strike, 80, 5), { x: 0, y: 0 }, null, Infinity)!;
    expect(Math.abs(((strikeOf(s) - strike + 540) % 360) - 180)).toBeLessThan(3);
    expect(lengthKm(s)).toBeGreaterThan(0.9 * 80);
    expect(lengthKm(s)).toBeLessThan(80);
  });

  it('gives none for a round patch, for points within 20 km, or for fewer than 5 points', () => {
    const r = FastRandom.of(2, 'blob');
    const blob = Array.from({ length: 200 }, () => ({ x: 30_000 * (r.uniform() - 0.5), y: 30_000 * (r.uniform() - 0.5) }));
    expect(fitLineRupture(blob, { x: 0, y: 0 }, null, Infinity)).toBeNull();
    expect(fitLineRupture(along(0, 15, 1), { x: 0, y: 0 }, null, Infinity)).toBeNull();
    expect(fitLineRupture(along(0, 80, 1, 4), { x: 0, y: 0 }, null, Infinity)).toBeNull();
  });

  it('cannot be longer than the rupture could have run, and only grows, keeping its strike unless the points turn more than 30° and lie along the new line', () => {
    expect(lengthKm(fitLineRupture(along(90, 100, 3), { x: 0, y: 0 }, null, 40_000)!)).toBeCloseTo(40, 6);
    const first = fitLineRupture(along(90, 100, 3), { x: 0, y: 0 }, null, Infinity)!;
    const shorter = fitLineRupture(along(100, 50, 3, 200, 3), { x: 0, y: 0 }, first, Infinity)!;
    expect(lengthKm(shorter)).toBeCloseTo(lengthKm(first), 6);
    expect(Math.abs(strikeOf(shorter) - 100)).toBeLessThan(3); // within 30°: the new strike
    // 70° off, and the points lie along the new line (3 km either side of it, up to 120 km across
    // the old one): the rupture turns to it, with its own length (the 95th percentile along it).
    const turned = fitLineRupture(along(160, 120, 3, 200, 4), { x: 0, y: 0 }, first, Infinity)!;
    expect(Math.abs(strikeOf(turned) - 160)).toBeLessThan(3);
    expect(lengthKm(turned)).toBeGreaterThan(0.9 * 120);
    expect(lengthKm(turned)).toBeLessThan(120);
    // 200 points still along the old line (out to 100 km) and about 40 far ones (250–300 km out at
    // 135°) pull the principal axis about 39° away, and along it the points reach far enough to make
    // a line, but the old line lies nearer most points (median distance across): it stays, as long.
    const pulled = [...along(90, 100, 3, 200, 5), ...along(135, 300, 3, 240, 6).filter((p) => Math.hypot(p.x, p.y) > 250_000)];
    // Their principal axis through the origin, by hand: over 30° from the old strike.
    let sxx = 0, syy = 0, sxy = 0;
    for (const p of pulled) { sxx += p.x * p.x; syy += p.y * p.y; sxy += p.x * p.y; }
    const axisStrike = ((90 - (0.5 * Math.atan2(2 * sxy, sxx - syy) * 180) / Math.PI) + 360) % 180;
    expect(Math.abs(axisStrike - 90)).toBeGreaterThan(30);
    const kept = fitLineRupture(pulled, { x: 0, y: 0 }, first, Infinity)!;
    expect(Math.abs(strikeOf(kept) - strikeOf(first))).toBeLessThan(1e-9);
    expect(lengthKm(kept)).toBeGreaterThanOrEqual(lengthKm(first));
  });
});
