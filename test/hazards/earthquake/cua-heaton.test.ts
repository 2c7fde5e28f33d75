/**
 * Cua & Heaton (2007) phase amplitudes against the same relation as ShakeAlert's
 * CuaAttenuationRelation.java and the ElViS/MyShake Python module implement it (their coefficients
 * and R1 = √(Rjb² + 9)); values in cm/s² computed from those, to 6 digits. A transcription error in a
 * coefficient, or another depth term (hazardsim had √(R² + 81) until this test), fails.
 */
import { describe, expect, it } from 'vitest';
import { envelopeAt, envelopeDecayTime, phaseEnvelope } from '../../../src/hazards/earthquake/cua-heaton.js';

const cases: [phase: 'P' | 'S', comp: 'H' | 'Z', site: 'rock' | 'soil', m: number, rjb: number, cms2: number][] = [
  ['S', 'H', 'rock', 5, 10, 43.1987],
  ['S', 'H', 'rock', 6.5, 50, 44.6201],
  ['P', 'H', 'rock', 5, 10, 14.9417],
  ['P', 'H', 'soil', 6, 30, 15.0559],
  ['S', 'H', 'soil', 7, 100, 39.1099],
  ['P', 'Z', 'rock', 4.5, 5, 22.1436],
  ['S', 'Z', 'soil', 7, 100, 28.8867],
];

describe('Cua & Heaton (2007) envelopes', () => {
  it.each(cases)('%s-%s %s, M%s at %s km: %s cm/s²', (phase, comp, site, m, rjb, cms2) => {
    const hypo = Math.hypot(rjb, 8);
    expect(phaseEnvelope(phase, comp, site, m, hypo, rjb).amplitude * 100 / cms2).toBeCloseTo(1, 5);
  });

  it('rises linearly, holds, then decays as a power law, continuous throughout', () => {
    const e = phaseEnvelope('S', 'H', 'rock', 6, 30);
    expect(envelopeAt(e, -0.1)).toBe(0);
    expect(envelopeAt(e, e.rise / 2)).toBeCloseTo(0.5, 12);
    expect(envelopeAt(e, e.rise + e.plateau / 2)).toBe(1);
    expect(envelopeAt(e, e.rise + e.plateau + 1e-9)).toBeCloseTo(1, 6);
    // At t' = τ after the plateau the envelope is 2^−γ; envelopeDecayTime inverts it.
    expect(envelopeAt(e, e.rise + e.plateau + e.tau)).toBeCloseTo(2 ** -e.gamma, 12);
    expect(envelopeAt(e, envelopeDecayTime(e, 0.1))).toBeCloseTo(0.1, 9);
  });
});
