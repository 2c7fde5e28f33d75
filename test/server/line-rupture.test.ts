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

  it('draws a bilateral rupture both ways from the epicentre, each arm its own 95th percentile', () => {
    // Türkiye 2023's shape: 200 km at 55° and 150 km at 235° from the epicentre, points ±8 km across.
    const pts = [...along(55, 200, 8, 400, 7), ...along(235, 150, 8, 300, 8)];
    const s = fitLineRupture(pts, { x: 0, y: 0 }, null, Infinity)!;
    // Ends by hand: uniform points out to L have their 95th percentile near 0.95 L.
    const tip = (deg: number, km: number) => ({ x: km * 1000 * Math.sin((deg * Math.PI) / 180), y: km * 1000 * Math.cos((deg * Math.PI) / 180) });
    const ne = tip(55, 190), sw = tip(235, 142.5);
    expect(Math.hypot(s.x2 - ne.x, s.y2 - ne.y)).toBeLessThan(10_000);
    expect(Math.hypot(s.x1 - sw.x, s.y1 - sw.y)).toBeLessThan(10_000);
    expect(lengthKm(s)).toBeGreaterThan(320);
    expect(lengthKm(s)).toBeLessThan(350);
    // Each arm is bounded by how far the rupture can have run from the epicentre.
    const early = fitLineRupture(pts, { x: 0, y: 0 }, null, 60_000)!;
    expect(lengthKm(early)).toBeCloseTo(120, 6);
  });

  it('adds no rear arm for the strong shaking round the epicentre of a one-way rupture', () => {
    // Strong shaking evenly within R = 30 km of a 120 km one-way rupture at 70°: a band with a
    // half-disc at each end, the one behind the epicentre reaching 30 km back (its 95th percentile
    // along about 0.78 R, by hand) but no farther than the shaking reaches across the line.
    const r = FastRandom.of(9, 'stadium'), R = 30_000, L = 120_000, th = (70 * Math.PI) / 180, pts: { x: number; y: number }[] = [];
    while (pts.length < 2000) {
      const a = -R + r.uniform() * (L + 2 * R), c = (r.uniform() - 0.5) * 2 * R;
      const beyond = a < 0 ? -a : a > L ? a - L : 0;
      if (beyond * beyond + c * c > R * R) continue;
      pts.push({ x: a * Math.sin(th) + c * Math.cos(th), y: a * Math.cos(th) - c * Math.sin(th) });
    }
    const s = fitLineRupture(pts, { x: 0, y: 0 }, null, Infinity)!;
    expect(Math.hypot(s.x1, s.y1)).toBe(0); // starts at the epicentre
    expect(lengthKm(s)).toBeGreaterThan(120);
    expect(lengthKm(s)).toBeLessThan(150);
    // Phones behind the epicentre in a valley along the strike (50 km back, 3 km across), as in
    // the Imperial Valley behind ShakeOut's epicentre: they reach farther along the line than the
    // shaking's reach across it, but not beyond the 60 km an M7.8 shakes at 0.1 g from a point
    // source (BA08 at Vs30 760, pgaRadiusKm), so with that near field they make no arm.
    const valley = along(250, 50, 3, 200, 16);
    const withValley = [...along(70, 120, 3, 400, 17), ...valley];
    expect(Math.hypot(...Object.values(fitLineRupture(withValley, { x: 0, y: 0 }, null, Infinity)!).slice(0, 2) as [number, number])).toBeGreaterThan(40_000);
    expect(Math.hypot(...Object.values(fitLineRupture(withValley, { x: 0, y: 0 }, null, Infinity, 60_000)!).slice(0, 2) as [number, number])).toBe(0);
    // The same shaking with the rupture also running 100 km the other way: now an arm.
    const both = fitLineRupture(pts.map((p) => (p.x * Math.sin(th) + p.y * Math.cos(th) < 0 ? { x: p.x - 100_000 * Math.sin(th), y: p.y - 100_000 * Math.cos(th) } : p)).concat(along(250, 100, 25, 500, 15)), { x: 0, y: 0 }, null, Infinity)!;
    expect(Math.hypot(both.x1, both.y1) / 1000).toBeGreaterThan(100);
  });

  it('keeps the arms it had when a later fit sees the line the other way round, and grows the rear arm when the points reach it', () => {
    const first = fitLineRupture(along(55, 100, 5, 200, 11), { x: 0, y: 0 }, null, Infinity)!;
    expect(Math.hypot(first.x1, first.y1)).toBe(0);
    // Later most strong points lie south-west: the same line, its main side flipped.
    const later = fitLineRupture([...along(55, 60, 5, 100, 12), ...along(235, 150, 5, 300, 13)], { x: 0, y: 0 }, first, Infinity)!;
    expect(Math.hypot(later.x2 - first.x2, later.y2 - first.y2)).toBeLessThan(3_000); // the north-east tip stays
    expect(lengthKm(later)).toBeGreaterThan(100 * 0.9 + 150 * 0.9);
    expect(Math.abs(((strikeOf(later) - 55 + 540) % 360) - 180)).toBeLessThan(3);
  });
});
