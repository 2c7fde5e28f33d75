import { describe, expect, it } from 'vitest';
import { ColumnSet } from '../../src/core/columns.js';
import { G } from '../../src/core/units.js';
import { ImuModel, imuColumns } from '../../src/sensors/imu.js';
import { phoneProfileSchema, type PhoneProfile } from '../../src/sensors/profile.js';
import { allanDeviation, welchPsd } from '../../src/sensors/analysis.js';
import { loadPhoneProfile } from '../../src/scenario/load.js';

/** Records `seconds` of one accelerometer lying still (gravity on z), 1 s blocks. */
function still(accelerometer: Record<string, unknown>, seconds: number, seed = 1, input = G): { x: Float32Array; y: Float32Array; z: Float32Array; rate: number; model: ImuModel } {
  const profile = phoneProfileSchema.parse({ name: 't', accelerometer });
  const cols = ColumnSet.allocate(1, [{ name: 'phone', type: 'u8' }, ...imuColumns('accel')]);
  const model = new ImuModel('accel', { seed, columns: cols, phones: [profile as PhoneProfile] });
  const n = profile.accelerometer.rate_hz;
  const x = new Float32Array(n * seconds), y = new Float32Array(n * seconds), z = new Float32Array(n * seconds);
  for (let s = 0; s < seconds; s++) {
    const bx = x.subarray(s * n, (s + 1) * n), by = y.subarray(s * n, (s + 1) * n), bz = z.subarray(s * n, (s + 1) * n);
    bz.fill(input);
    model.apply(0, n, 1, bx, by, bz);
  }
  return { x, y, z, rate: n, model };
}

const UG = 1e-6 * G;

describe('accelerometer noise model', () => {
  it('white noise: Allan deviation slope −½ and value ND/√2 at τ = 1 s (one-sided density)', () => {
    const nd = 150; // µg/√Hz
    const r = still({ rate_hz: 50, noise_density_ug: nd, range_g: 8, resolution_bits: 24 }, 7200);
    const [a01, a1, a10] = allanDeviation(r.x, r.rate, [0.1, 1, 10]);
    const expected = (nd * UG) / Math.SQRT2;
    expect(Math.abs(a1! / expected - 1)).toBeLessThan(0.1);
    const slope1 = Math.log10(a1! / a01!), slope2 = Math.log10(a10! / a1!);
    expect(slope1).toBeCloseTo(-0.5, 1);
    expect(slope2).toBeCloseTo(-0.5, 1);
  });

  it('bias instability: the Allan deviation shows the Gauss–Markov floor (≈ 0.62 σ near 1.9 T) within 20 %', () => {
    const sigma = 60; // µg
    const r = still({ rate_hz: 10, noise_density_ug: 100, range_g: 8, resolution_bits: 24, bias_instability: { sigma, correlation_time: 100 } }, 8 * 3600);
    const taus = [20, 50, 100, 150, 190, 250, 350, 500];
    const adev = allanDeviation(r.y, r.rate, taus);
    const floor = Math.max(...adev);
    // Expected: the GM peak 0.6184 σ at τ ≈ 1.89 T, combined with the white noise there.
    const tPeak = 1.89 * 100;
    const white = (100 * UG) / Math.SQRT2 / Math.sqrt(tPeak);
    const expected = Math.hypot(0.6184 * sigma * UG, white);
    expect(Math.abs(floor / expected - 1)).toBeLessThan(0.2);
    const at = taus[adev.indexOf(floor)]!;
    expect(at).toBeGreaterThanOrEqual(100);
    expect(at).toBeLessThanOrEqual(350);
  });

  it('white-noise PSD matches the configured density within 5 %', () => {
    const nd = 200;
    const r = still({ rate_hz: 100, noise_density_ug: nd, range_g: 16, resolution_bits: 24 }, 3600);
    const [f, p] = welchPsd(r.x, r.rate, 1024);
    let sum = 0, k = 0;
    for (let i = 0; i < f.length; i++) if (f[i]! > 2 && f[i]! < 45) { sum += p[i]!; k++; }
    const density = Math.sqrt(sum / k) / UG;
    expect(Math.abs(density / nd - 1)).toBeLessThan(0.05);
  });

  it('saturates at the range and quantises to exact multiples of the LSB', () => {
    const r = still({ rate_hz: 50, noise_density_ug: 100, range_g: 2, resolution_bits: 12 }, 2, 1, 5 * G);
    const lsb = (2 * 2 * G) / 4096;
    expect(r.z[10]).toBeCloseTo(2047 * lsb, 4); // top code: 2^11 − 1
    for (const v of r.x) expect(Math.abs(v / lsb - Math.round(v / lsb))).toBeLessThan(1e-4);
    const neg = still({ rate_hz: 50, noise_density_ug: 100, range_g: 2, resolution_bits: 12 }, 1, 1, -5 * G);
    expect(neg.z[10]).toBeCloseTo(-2048 * lsb, 4);
  });

  it('holds the previous sample when one is dropped, at the configured rate', () => {
    const r = still({ rate_hz: 50, noise_density_ug: 500, range_g: 8, resolution_bits: 24, drop_probability: 0.01 }, 600);
    let held = 0;
    for (let i = 1; i < r.x.length; i++) if (r.x[i] === r.x[i - 1] && r.y[i] === r.y[i - 1]) held++;
    expect(held / r.x.length).toBeGreaterThan(0.007);
    expect(held / r.x.length).toBeLessThan(0.013);
  });

  it('draws each phone its own bias, scale and misalignment', () => {
    const cfg = { rate_hz: 50, noise_density_ug: 1, range_g: 8, resolution_bits: 24, bias: { constant: 20 }, scale_error_pct: 2 };
    const a = still(cfg, 2, 1), b = still(cfg, 2, 2);
    const mean = (v: Float32Array) => v.reduce((s, x) => s + x, 0) / v.length;
    expect(Math.abs(mean(a.x) - mean(b.x))).toBeGreaterThan(1e-3);
    expect(Math.abs(mean(a.z) - G)).toBeLessThan(0.2 * G);
  });

  it.each(['budget', 'mid-range', 'flagship'])('%s phone: stationary noise RMS is what its datasheet class implies', (name) => {
    const p = loadPhoneProfile(`agents/phones/${name}.yaml`);
    const a = p.accelerometer;
    expect(a.noise_density_ug).toBeGreaterThanOrEqual(60); // phone accelerometers: 60–300 µg/√Hz
    expect(a.noise_density_ug).toBeLessThanOrEqual(300);
    const r = still({ ...a, bias_instability: undefined, bias_random_walk: undefined, drop_probability: undefined }, 600);
    const m = r.x.reduce((s, v) => s + v, 0) / r.x.length;
    const rms = Math.sqrt(r.x.reduce((s, v) => s + (v - m) ** 2, 0) / r.x.length);
    const lsb = (2 * a.range_g * G) / 2 ** a.resolution_bits!; // this profile is quantised
    const expected = Math.hypot(a.noise_density_ug * UG * Math.sqrt(a.bandwidth_hz ?? a.rate_hz / 2), lsb / Math.sqrt(12));
    expect(Math.abs(rms / expected - 1)).toBeLessThan(0.1);
    console.log(`${name}: stationary accelerometer noise ${(rms / UG).toFixed(0)} µg RMS (density ${a.noise_density_ug} µg/√Hz over ${a.bandwidth_hz ?? a.rate_hz / 2} Hz)`);
  });
});

describe('phone profile validation', () => {
  const base = { name: 'x', accelerometer: { rate_hz: 50, noise_density_ug: 100, range_g: 8 } };
  it('refuses a negative density, a rate above the maximum and unknown sensor kinds', () => {
    const neg = phoneProfileSchema.safeParse({ ...base, accelerometer: { ...base.accelerometer, noise_density_ug: -5 } });
    expect(neg.error!.issues[0]!.message).toMatch(/expected a noise density above 0/);
    const fast = phoneProfileSchema.safeParse({ ...base, accelerometer: { ...base.accelerometer, rate_hz: 800, max_rate_hz: 400 } });
    expect(fast.error!.issues[0]!.message).toMatch(/expected a rate ≤ max_rate_hz \(400 Hz\), found 800/);
    const odd = phoneProfileSchema.safeParse({ ...base, magnetometer: { rate_hz: 50 } });
    expect(odd.error!.issues[0]!.code).toBe('unrecognized_keys');
  });
});
