import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ba08 } from '../../src/physics/ba08.js';
import { ROOT } from '../helpers.js';

const RAKE: Record<string, number | undefined> = { U: undefined, SS: 0, NS: -90, RS: 90 };

describe('BA08 over the published grid', () => {
  // An independent Python implementation written from the paper (test/reference/ba08_reference.py).
  const rows = JSON.parse(execFileSync('python3', [join(ROOT, 'test/reference/ba08_reference.py')], { encoding: 'utf8' })) as [number, number, number, string, number, number][];

  it('covers magnitudes 5–8, distances 0–200 km, Vs30 180–1100 m/s and all mechanisms', () => {
    expect(rows.length).toBe(7 * 8 * 6 * 4);
  });

  it('agrees with the hand computation to 1 % for PGA and PGV everywhere', () => {
    let worst = 0;
    for (const [m, rjb, vs30, mech, pga, pgv] of rows) {
      const a = ba08('pga', { magnitude: m, rjbKm: rjb, vs30, rake: RAKE[mech] }).median;
      const v = ba08('pgv', { magnitude: m, rjbKm: rjb, vs30, rake: RAKE[mech] }).median;
      worst = Math.max(worst, Math.abs(a / pga - 1), Math.abs(v / pgv - 1));
    }
    expect(worst).toBeLessThan(0.01);
  });
});
