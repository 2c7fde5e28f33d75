import { describe, expect, it } from 'vitest';
import { ba08 } from '../../src/physics/ba08.js';
import { mmiFromPgaPgv } from '../../src/physics/worden2012.js';
import { cli } from '../helpers.js';

describe('hazardsim shaking', () => {
  it('prints median PGA, PGV, MMI and P/S arrivals as JSON', () => {
    const r = cli(['shaking', '--magnitude', '6.5', '--rjb', '20', '--vs30', '400', '--depth', '10', '--rake', '90', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['pga_g', 'pgv_cms', 'mmi', 'p_arrival_s', 's_arrival_s']);
    const pga = ba08('pga', { magnitude: 6.5, rjbKm: 20, vs30: 400, rake: 90 }).median;
    const pgv = ba08('pgv', { magnitude: 6.5, rjbKm: 20, vs30: 400, rake: 90 }).median;
    expect(j.pga_g).toBeCloseTo(pga, 12);
    expect(j.pgv_cms).toBeCloseTo(pgv, 12);
    expect(j.mmi).toBeCloseTo(mmiFromPgaPgv(pga, pgv), 12);
    expect(j.p_arrival_s).toBeCloseTo(Math.hypot(20, 10) / 6.1, 12);
    expect(j.s_arrival_s).toBeCloseTo(Math.hypot(20, 10) / 3.55, 12);
  });

  it('prints a human table by default', () => {
    const r = cli(['shaking', '--magnitude', '7', '--rjb', '10', '--vs30', '760']);
    expect(r.stdout).toMatch(/median PGA\s+0\.\d+ g/);
    expect(r.stdout).toMatch(/S arrival\s+3\.61 s after origin/);
  });

  it('warns outside the fitted magnitude range and refuses nonsense with exit 2', () => {
    const w = cli(['shaking', '--magnitude', '8.6', '--rjb', '10', '--vs30', '760', '--json']);
    expect(w.code).toBe(0);
    expect(w.stderr).toMatch(/warning: magnitude: M8\.6 is outside the range BA08 was fitted for \(5–8\)/);
    const bad = cli(['shaking', '--magnitude', '11', '--rjb', '10', '--vs30', '760']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--magnitude: expected a moment magnitude from 3 to 9\.5, found 11/);
    const neg = cli(['shaking', '--magnitude', '6', '--rjb', '-4', '--vs30', '760']);
    expect(neg.code).toBe(2);
  });
});
