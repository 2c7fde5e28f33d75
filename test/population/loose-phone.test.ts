import { describe, expect, it } from 'vitest';
import { G } from '../../src/core/units.js';
import { newBlock, resetBlock } from '../../src/engine/block.js';
import { LOOSE, LoosePhone } from '../../src/population/motion/loose-phone.js';

/** Runs a loose phone through the car's forward force fwd(t) (m/s², + forward) at heading psi; returns the phone's forward force per sample. */
function run(fs: number, seconds: number, fwd: (t: number) => number, right: (t: number) => number = () => 0, psi = 0.7) {
  const phone = new LoosePhone(new Float64Array(4), new Uint8Array(1)), b = newBlock(fs);
  const out = { fwd: [] as number[], right: [] as number[] };
  for (let k = 0; k < seconds; k++) {
    resetBlock(b, fs, 0, G, true);
    b.t0 = k; b.t1 = k + 1; b.k0 = k * fs; b.n = fs; b.fs = fs;
    for (let i = 0; i < fs; i++) {
      const t = k + i / fs, f = fwd(t), r = right(t);
      // East/north of the car's forward (sin ψ, cos ψ) and right (cos ψ, −sin ψ) axes.
      b.ae[i] = f * Math.sin(psi) + r * Math.cos(psi); b.an[i] = f * Math.cos(psi) - r * Math.sin(psi); b.dyaw[i] = psi;
    }
    phone.apply(0, b);
    for (let i = 0; i < fs; i++) {
      out.fwd.push(b.ae[i]! * Math.sin(psi) + b.an[i]! * Math.cos(psi));
      out.right.push(b.ae[i]! * Math.cos(psi) - b.an[i]! * Math.sin(psi));
    }
  }
  return out;
}

describe('a loose phone in a car', () => {
  it('grips through a corner under μs·g: it feels exactly the car', () => {
    const corner = (t: number) => 0.3 * G * Math.sin((Math.PI * t) / 6) ** 2; // up to 0.3 g sideways, under μs = 0.35
    const r = run(100, 6, () => 0, corner);
    for (let i = 0; i < r.right.length; i++) expect(Math.abs(r.right[i]! - corner(i / 100))).toBeLessThan(1e-5); // float32 blocks
  });

  it('slides under hard braking and knocks on the tray’s edge as the hand calculation says', () => {
    // Braking at 0.5 g from t = 1 s: the phone slips forward at (0.5 − μk) g relative to the car and
    // meets the edge L = 8 cm away after √(2L / a) = 0.256 s at a·t = 0.626 m/s; the knock reverses
    // that at e = 0.3: Δv = 1.3 × 0.626 = 0.814 m/s, all within one sample.
    const fs = 1000, a = (0.5 - LOOSE.muKinetic) * G;
    const r = run(fs, 3, (t) => (t >= 1 ? -0.5 * G : 0));
    const tHit = Math.sqrt((2 * LOOSE.play) / a), vHit = a * tHit;
    let k = 0;
    for (let i = 0; i < r.fwd.length; i++) if (r.fwd[i]! < r.fwd[k]!) k = i;
    expect(Math.abs(k / fs - (1 + tHit))).toBeLessThan(2 / fs);
    // While sliding it felt only kinetic friction (μk g), not the car's 0.5 g.
    expect(r.fwd[fs + 100]!).toBeCloseTo(-LOOSE.muKinetic * G, 6);
    const dv = -(r.fwd[k]! + LOOSE.muKinetic * G) / fs; // the knock's velocity change
    expect(Math.abs(dv / ((1 + LOOSE.restitution) * vHit) - 1)).toBeLessThan(0.02);
    // It ends resting against the edge, carried by the car: the car's force again.
    expect(r.fwd[3 * fs - 1]!).toBeCloseTo(-0.5 * G, 6);
  });

  it('at a phone’s 50 Hz the knock is a spike of several g that the car itself never makes', () => {
    const r = run(50, 3, (t) => (t >= 1 ? -0.5 * G : 0));
    const peak = Math.max(...r.fwd.map(Math.abs));
    expect(peak).toBeGreaterThan(3 * G);
    expect(peak).toBeLessThan(6 * G);
  });
});
