/**
 * `hazardsim budget` on the shipped model: its size and parameters as the model's README states
 * its architecture (10 window features → 16 ReLU → 1: 10·16 + 16 + 16·1 + 1 = 193 parameters, at
 * least 10·16 + 16·1 = 176 multiply-adds in its dense layers), the energy proxy as the hand
 * product of its MACs and Horowitz's 4.6 pJ, latency measured (not bounded: speed belongs to
 * benchmarks), and bad input refused.
 */
import { describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { cli, ROOT } from '../helpers.js';

describe('hazardsim budget', () => {
  it('measures the shipped model: size, 193 parameters, its multiply-adds and their energy, latency p50 ≤ p99', () => {
    const r = cli(['budget', 'models/quake-baseline.onnx', '--windows', '50', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const b = JSON.parse(r.stdout);
    expect(b.bytes).toBe(statSync(join(ROOT, 'models/quake-baseline.onnx')).size);
    expect(b.parameters).toBe(193);
    expect(b.macs_per_window).toBeGreaterThanOrEqual(176);
    expect(b.input).toEqual({ channels: ['ax', 'ay', 'az'], samples: 100, rate_hz: 50 });
    expect(b.energy.uj_per_window).toBeCloseTo((b.macs_per_window * 4.6) / 1e6, 12);
    expect(b.energy.mj_per_hour).toBeCloseTo((b.macs_per_window * 4.6 * 3600) / 1e9, 12);
    expect(b.latency_ms.p50).toBeGreaterThan(0);
    expect(b.latency_ms.p99).toBeGreaterThanOrEqual(b.latency_ms.p50);
    // Per phone class: the shipped profiles, each with its IMU's datasheet current; by hand, the
    // LSM6DSO's 0.55 mA at 1.8 V for an hour is 3,564 mJ, 0.15 % of a 15.4 Wh battery a day with the model's arithmetic.
    expect(b.phone_classes.map((c: any) => c.phone)).toEqual(['budget', 'mid-range', 'flagship']);
    const mid = b.phone_classes.find((c: any) => c.phone === 'mid-range');
    expect(mid.imu_current_ua).toBe(550);
    expect(mid.imu_mj_per_hour).toBeCloseTo(550e-6 * 1.8 * 3600 * 1000, 9);
    expect(mid.battery_share_per_day).toBeCloseTo(((3564 + b.energy.mj_per_hour) * 24) / (15.4 * 3.6e6), 9);
    expect(mid.macs_per_window).toBe(b.macs_per_window);
    expect(mid.latency_ms.p99).toBe(b.latency_ms.p99);
    expect(b.phone_classes.find((c: any) => c.phone === 'flagship').rate_hz).toBe(100);
  });

  it('refuses what is not a model, and a bad window count, with exit 2', () => {
    const a = cli(['budget', 'README.md']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/README\.md: expected an ONNX model/);
    const b = cli(['budget', 'models/quake-baseline.onnx', '--windows', '3']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--windows: expected a whole number of windows from 10 to 100000, found 3/);
  });
});

describe('a scenario budget', () => {
  it('makes run warn, naming the model and the limit, when a model exceeds it (and stays quiet when it fits)', () => {
    const dir = join(ROOT, 'out', 'test-budget');
    const small = ['--set', 'population.devices=200', '--set', 'duration=30s', '--set', 'hazards=[]', '--json', '--out', dir];
    const over = cli(['run', 'scenarios/quickstart-onnx.yaml', ...small, '--set', 'budget={model_bytes: 1000, parameters: 100, latency_p99_ms: 0.000001}']);
    expect(over.code).toBe(0);
    expect(over.stderr).toMatch(/budget: the model of detector \(models\/quake-baseline\.onnx\) has 38599 bytes, over the budget's 1000 bytes/);
    expect(over.stderr).toMatch(/has 193 parameters, over the budget's 100 parameters/);
    expect(over.stderr).toMatch(/takes \(p99, ONNX Runtime on 1 thread, this machine\) .* ms per window, over the budget's 0\.000001 ms per window/);
    const fits = cli(['run', 'scenarios/quickstart-onnx.yaml', ...small, '--set', 'budget={model_bytes: 100000, parameters: 1000, macs_per_window: 100000}']);
    expect(fits.code).toBe(0);
    expect(fits.stderr).not.toMatch(/budget:/);
  }, 60_000);
});
