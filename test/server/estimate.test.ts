/**
 * The server's numerical building blocks against outside references: Nelder–Mead on the Rosenbrock
 * function (minimum at (1, 1), Lagarias et al. 1998's test case), and locating an epicentre from
 * noisy onsets with false triggers mixed in (the truth they were made from).
 */
import { describe, expect, it } from 'vitest';
import { FastRandom } from '../../src/core/random.js';
import { locate, nelderMead, type Pick } from '../../src/server/estimate.js';

const rosenbrock = ([x, y]: number[]) => 100 * (y! - x! ** 2) ** 2 + (1 - x!) ** 2;

describe('Nelder–Mead', () => {
  it('finds the Rosenbrock minimum (1, 1) from the classic start (−1.2, 1)', () => {
    const r = nelderMead(rosenbrock, [-1.2, 1], { step: [0.1, 0.1], tol: 1e-14, maxIter: 2000 });
    expect(r.x[0]).toBeCloseTo(1, 4);
    expect(r.x[1]).toBeCloseTo(1, 4);
    expect(r.value).toBeLessThan(1e-8);
  });

  it('finds the minimum of a 4-D shifted, scaled quadratic', () => {
    const c = [3, -2, 0.5, 10], w = [1, 10, 0.1, 5];
    const f = (x: number[]) => x.reduce((s, v, i) => s + w[i]! * (v - c[i]!) ** 2, 0);
    const r = nelderMead(f, [0, 0, 0, 0], { step: [1, 1, 1, 1], tol: 1e-16, maxIter: 5000 });
    r.x.forEach((v, i) => expect(v).toBeCloseTo(c[i]!, 3));
  });
});

describe('locating an epicentre from phone onsets', () => {
  /** Onsets of phones scattered over 80 × 80 km from a source at (ex, ey), 8 km deep, with Gaussian timing noise and a share of false triggers at random times. */
  function picks(ex: number, ey: number, t0: number, o: { n: number; noiseS: number; falseShare: number; seed: number }): Pick[] {
    const r = FastRandom.of(o.seed, 'picks'), out: Pick[] = [];
    for (let i = 0; i < o.n; i++) {
      const x = (r.uniform() - 0.5) * 80_000, y = (r.uniform() - 0.5) * 80_000;
      const hypo = Math.hypot(x - ex, y - ey, 8000);
      const t = r.uniform() < o.falseShare ? t0 + r.uniform() * 15 : t0 + hypo / 6100 + o.noiseS * r.normal();
      out.push({ x, y, t, amplitude: 0.1 });
    }
    return out;
  }

  it.each([[0, 0], [12_000, -7_000], [-25_000, 18_000]])('within 1.5 km and 0.3 s of a source at (%i, %i) m from 200 onsets with 0.3 s noise and 10 %% false triggers', (ex, ey) => {
    const p = picks(ex, ey, 100, { n: 200, noiseS: 0.3, falseShare: 0.1, seed: ex + 3 * ey });
    const loc = locate(p, { depthKm: 8, vpKmS: 6.1 });
    expect(Math.hypot(loc.x - ex, loc.y - ey)).toBeLessThan(1500);
    expect(Math.abs(loc.originTime - 100)).toBeLessThan(0.3);
  });

  it('its error shrinks with the timing noise (0.05 s → a few hundred metres)', () => {
    const p = picks(5_000, 5_000, 50, { n: 200, noiseS: 0.05, falseShare: 0, seed: 9 });
    const loc = locate(p, { depthKm: 8, vpKmS: 6.1 });
    expect(Math.hypot(loc.x - 5_000, loc.y - 5_000)).toBeLessThan(400);
    expect(loc.residual).toBeLessThan(0.06);
  });
});

describe('locating with candidates ruled out', () => {
  const truth = { x: 10_000, y: 0 };
  const p: Pick[] = [];
  const r = FastRandom.of(4, 'admissible');
  for (let i = 0; i < 100; i++) {
    const x = (r.uniform() - 0.5) * 60_000, y = (r.uniform() - 0.5) * 60_000;
    p.push({ x, y, t: 20 + Math.hypot(x - truth.x, y - truth.y, 8000) / 6100 + 0.1 * r.normal(), amplitude: 0.1 });
  }

  it('never returns a source the caller rules out (here: east of x = 0), and takes the best one left', () => {
    const loc = locate(p, { depthKm: 8, vpKmS: 6.1, admissible: (x) => x <= 0 });
    expect(loc.x).toBeLessThanOrEqual(0);
    // Nearest the truth on the allowed side: the boundary, within a grid step.
    expect(Math.abs(loc.y - truth.y)).toBeLessThan(3000);
    expect(loc.x).toBeGreaterThan(-3000);
  });

  it('drops a constraint that rules out every candidate rather than the search', () => {
    const loc = locate(p, { depthKm: 8, vpKmS: 6.1, admissible: () => false });
    expect(Math.hypot(loc.x - truth.x, loc.y - truth.y)).toBeLessThan(1500);
  });
});
