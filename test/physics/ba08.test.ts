import { describe, expect, it } from 'vitest';
import { ba08, ba08Pga, faultTypeFromRake } from '../../src/physics/ba08.js';

/** [M, Rjb km, Vs30, fault type, median PGA g] computed by an independent implementation of BA08 eqs 1–13. */
const REFERENCE: [number, number, number, string, number][] = [
  [5, 0, 760, 'SS', 0.222429],
  [5, 10, 760, 'U', 0.0580468],
  [6, 10, 760, 'SS', 0.13627],
  [6, 30, 400, 'RS', 0.0831419],
  [6.5, 50, 270, 'NS', 0.0774374],
  [7, 0, 760, 'RS', 0.536794],
  [7, 100, 760, 'SS', 0.0366352],
  [7.5, 20, 180, 'U', 0.211606],
  [8, 200, 1100, 'SS', 0.0148915],
  [5.5, 5, 300, 'SS', 0.18764],
  [6, 2, 250, 'SS', 0.312801],
  [7, 1, 200, 'RS', 0.338892],
];
const RAKE: Record<string, number | undefined> = { SS: 0, RS: 90, NS: -90, U: undefined };

describe('Boore & Atkinson (2008)', () => {
  it.each(REFERENCE)('median PGA for M%s at %s km, Vs30 %s (%s) matches the hand computation to 0.1 %%', (m, r, v, ft, expected) => {
    const got = ba08Pga({ magnitude: m, rjbKm: r, vs30: v, rake: RAKE[ft] });
    expect(Math.abs(got / expected - 1)).toBeLessThan(1e-3);
  });

  it('decreases with distance and grows with magnitude', () => {
    const a = ba08Pga({ magnitude: 6, rjbKm: 10, vs30: 760 });
    expect(ba08Pga({ magnitude: 6, rjbKm: 50, vs30: 760 })).toBeLessThan(a);
    expect(ba08Pga({ magnitude: 7, rjbKm: 10, vs30: 760 })).toBeGreaterThan(a);
  });

  it('classifies fault types from rake as BA08 does', () => {
    expect(faultTypeFromRake(0)).toBe('strike-slip');
    expect(faultTypeFromRake(180)).toBe('strike-slip');
    expect(faultTypeFromRake(-170)).toBe('strike-slip');
    expect(faultTypeFromRake(90)).toBe('reverse');
    expect(faultTypeFromRake(-90)).toBe('normal');
    expect(faultTypeFromRake(undefined)).toBe('unspecified');
  });

  it('reports Table 8 sigmas (ln units)', () => {
    const s = ba08('pga', { magnitude: 6, rjbKm: 10, vs30: 760, rake: 0 });
    expect(s.sigmaIntra).toBe(0.502);
    expect(s.sigmaInter).toBe(0.26);
    expect(s.sigmaTotal).toBe(0.564);
  });
});
