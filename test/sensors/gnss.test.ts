import { describe, expect, it } from 'vitest';
import { ColumnSet } from '../../src/core/columns.js';
import { GNSS_COLUMNS, Gnss, switchProbability } from '../../src/sensors/gnss.js';
import { phoneProfileSchema, type PhoneProfile } from '../../src/sensors/profile.js';
import { Clocks } from '../../src/sensors/clock.js';

function track(env: 'open-sky' | 'urban' | 'indoor', seconds: number, devices = 50) {
  const profile = phoneProfileSchema.parse({ name: 'g', accelerometer: { rate_hz: 50, noise_density_ug: 100, range_g: 8 }, gnss: { accuracy_m: { open_sky: 3, urban: 12, indoor: 30 }, correlation_time: 60, indoor_fix_share: 0.3 } }) as PhoneProfile;
  const cols = ColumnSet.allocate(devices, [{ name: 'phone', type: 'u8' }, { name: 'x', type: 'f64' }, { name: 'y', type: 'f64' }, ...GNSS_COLUMNS]);
  const g = new Gnss({ seed: 4, columns: cols, phones: [profile] });
  const errors: number[][] = Array.from({ length: devices }, () => []);
  const fixes: number[] = [];
  const reported: number[] = [];
  for (let t = 0; t < seconds; t++) {
    for (let d = 0; d < devices; d++) {
      g.update(d, 1, env);
      errors[d]!.push(g.rx[d]! - cols.f64('x')[d]!);
      fixes.push(cols.u8('gnss.fix')[d]!);
      reported.push(g.acc[d]!);
      if (d === 0) errors[d]!.push(0), errors[d]!.pop();
      void reported;
    }
  }
  return { errors, fixes, g, cols };
}

describe('GNSS model', () => {
  it('puts 68 % of fixes within the configured accuracy, with errors correlated over the configured time', () => {
    const { errors, cols } = track('urban', 3600, 40);
    void cols;
    // Radial errors need both axes: rerun a small track collecting radii.
    const profile = phoneProfileSchema.parse({ name: 'g', accelerometer: { rate_hz: 50, noise_density_ug: 100, range_g: 8 }, gnss: { accuracy_m: { urban: 12 } } }) as PhoneProfile;
    const c2 = ColumnSet.allocate(40, [{ name: 'phone', type: 'u8' }, { name: 'x', type: 'f64' }, { name: 'y', type: 'f64' }, ...GNSS_COLUMNS]);
    const g2 = new Gnss({ seed: 9, columns: c2, phones: [profile] });
    let within = 0, total = 0;
    for (let t = 0; t < 3600; t++) for (let d = 0; d < 40; d++) {
      g2.update(d, 1, 'urban');
      if (Math.hypot(g2.rx[d]!, g2.ry[d]!) <= g2.acc[d]!) within++;
      total++;
    }
    expect(within / total).toBeGreaterThan(0.63);
    expect(within / total).toBeLessThan(0.73);
    // Autocorrelation at one correlation time (60 s) ≈ e^−1.
    let num = 0, den = 0;
    for (const e of errors) for (let i = 0; i + 60 < e.length; i++) { num += e[i]! * e[i + 60]!; den += e[i]! * e[i]!; }
    expect(num / den).toBeGreaterThan(Math.exp(-1) - 0.1);
    expect(num / den).toBeLessThan(Math.exp(-1) + 0.1);
  });

  it('is accurate in the open, loses fixes indoors and falls back to network positioning', () => {
    const open = track('open-sky', 600, 20);
    const rmsOpen = Math.sqrt(open.errors.flat().reduce((s, e) => s + e * e, 0) / open.errors.flat().length);
    expect(rmsOpen).toBeLessThan(3);
    const indoor = track('indoor', 3600, 40);
    const share = indoor.fixes.reduce((s: number, f) => s + f, 0) / indoor.fixes.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.4);
  });
});

describe('GNSS over long steps (trigger fidelity steps a phone at rest only at its events)', () => {
  it('switches fix state with the exact two-state probability: the product of many short steps', () => {
    // Chapman–Kolmogorov by hand: 100,000 steps of dt/100,000 with first-order rates, multiplied out.
    const stay = 60, other = 140;
    for (const dt of [1, 30, 300, 3600]) {
      const h = dt / 1e5, a = h / stay, b = h / other;
      let p = 0; // probability of being in the other state, starting in this one
      for (let k = 0; k < 1e5; k++) p = p * (1 - b) + (1 - p) * a;
      expect(switchProbability(dt, stay, other)).toBeCloseTo(p, 5);
    }
    expect(switchProbability(3600, stay, other)).toBeCloseTo(stay ** -1 / (stay ** -1 + other ** -1), 9); // the long-run share
  });

  it('keeps the indoor fix share and the error size when updated every 60 s instead of every second', () => {
    const profile = phoneProfileSchema.parse({ name: 'g', accelerometer: { rate_hz: 50, noise_density_ug: 100, range_g: 8 }, gnss: { accuracy_m: { open_sky: 3, urban: 12, indoor: 30 }, correlation_time: 60, indoor_fix_share: 0.3 } }) as PhoneProfile;
    const devices = 2000, cols = ColumnSet.allocate(devices, [{ name: 'phone', type: 'u8' }, { name: 'x', type: 'f64' }, { name: 'y', type: 'f64' }, ...GNSS_COLUMNS]);
    const g = new Gnss({ seed: 9, columns: cols, phones: [profile] });
    let fixes = 0, n = 0, sq = 0, sqNet = 0, nNet = 0;
    for (let k = 0; k < 60; k++) {
      for (let d = 0; d < devices; d++) {
        g.update(d, 60, 'indoor');
        const e = g.rx[d]! ** 2 + g.ry[d]! ** 2;
        if (cols.u8('gnss.fix')[d]) { fixes++; sq += e; } else { sqNet += e; nNet++; }
        n++;
      }
    }
    const share = fixes / n, se = Math.sqrt(0.3 * 0.7 / devices); // successive 60 s states of a phone are nearly independent
    expect(Math.abs(share - 0.3)).toBeLessThan(4 * se);
    // 68 % radius = accuracy: E[r²] = 2σ² with σ = accuracy / 1.509.
    expect(Math.sqrt(sq / fixes / 2) * 1.509).toBeCloseTo(30, -0.5);
    expect(nNet).toBeGreaterThan(0.6 * n);
  });
});

describe('phone clocks', () => {
  it('are off by the profile offset and drift', () => {
    const profile = phoneProfileSchema.parse({ name: 'c', accelerometer: { rate_hz: 50, noise_density_ug: 100, range_g: 8 }, clock: { offset: 0.2, drift_ppm: 50 } }) as PhoneProfile;
    const c = new Clocks({ seed: 1, phones: [profile], phone: new Uint8Array(2000) });
    const offsets = Array.from({ length: 2000 }, (_, d) => c.time(d, 0));
    const sd = Math.sqrt(offsets.reduce((s, v) => s + v * v, 0) / offsets.length);
    expect(sd).toBeGreaterThan(0.18);
    expect(sd).toBeLessThan(0.22);
    const drift = Array.from({ length: 2000 }, (_, d) => (c.time(d, 1e6) - 1e6 - offsets[d]!) / 1e6 / 1e-6);
    const dsd = Math.sqrt(drift.reduce((s, v) => s + v * v, 0) / drift.length);
    expect(dsd).toBeGreaterThan(45);
    expect(dsd).toBeLessThan(55);
  });
});
