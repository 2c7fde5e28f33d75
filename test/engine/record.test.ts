import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { G } from '../../src/core/units.js';
import { builtinPlugins } from '../../src/plugins.js';
import { recordPhone, type RecordedRow } from '../../src/engine/record.js';
import { dominantFrequency } from '../../src/sensors/analysis.js';
import { cli, tempDir } from '../helpers.js';

function collect(o: Parameters<typeof recordPhone>[0]) {
  const rows: RecordedRow[] = [];
  const info = recordPhone(o, (r) => rows.push(r));
  return { rows, ...info };
}

describe('hazardsim record', () => {
  it('writes CSV with the header t,ax,ay,az,gx,gy,gz,p and NPY that numpy loads, with a sidecar', () => {
    const dir = tempDir();
    const r1 = cli(['record', 'agents/phones/mid-range.yaml', '--duration', '30s', '--context', 'table', '--out', join(dir, 'a.csv')]);
    expect(r1.code).toBe(0);
    const lines = readFileSync(join(dir, 'a.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('t,ax,ay,az,gx,gy,gz,p');
    expect(lines.length).toBeGreaterThan(1400); // 50 Hz × 30 s, less a few dropped samples
    const r2 = cli(['record', 'agents/phones/budget.yaml', '--duration', '20s', '--activity', 'walking', '--out', join(dir, 'w.npy')]);
    expect(r2.code).toBe(0);
    const side = JSON.parse(readFileSync(join(dir, 'w.json'), 'utf8'));
    expect(side.channels).toEqual(['t', 'ax', 'ay', 'az', 'gx', 'gy', 'gz', 'p']);
    const py = execFileSync('python3', ['-c', `import numpy as np, json; a = np.load(${JSON.stringify(join(dir, 'w.npy'))}); print(json.dumps([list(a.shape), str(a.dtype), float(np.abs(a[:, 1:4]).max())]))`], { encoding: 'utf8' });
    const [shape, dtype, maxAcc] = JSON.parse(py);
    expect(dtype).toBe('float64'); // t keeps its resolution over long recordings
    expect(shape).toEqual(side.shape);
    expect(shape[1]).toBe(8);
    expect(maxAcc).toBeGreaterThan(G); // walking: beyond gravity
  });

  it('leaves out the columns of sensors the profile lacks', () => {
    const dir = tempDir();
    const profile = join(dir, 'bare.yaml');
    writeFileSync(profile, 'name: bare\naccelerometer: { rate_hz: 50, noise_density_ug: 200, range_g: 4 }\n');
    expect(cli(['record', profile, '--duration', '5s', '--out', join(dir, 'b.csv')]).code).toBe(0);
    expect(readFileSync(join(dir, 'b.csv'), 'utf8').split('\n')[0]).toBe('t,ax,ay,az');
  });

  it('refuses a rate above the profile maximum, unknown contexts and bad output names, leaving nothing behind', () => {
    const dir = tempDir();
    const fast = cli(['record', 'agents/phones/budget.yaml', '--duration', '5s', '--rate', '3200', '--out', join(dir, 'f.csv')]);
    expect(fast.code).toBe(2);
    expect(fast.stderr).toMatch(/--rate: expected a rate from above 0 to the profile's maximum 1600 Hz/);
    expect(cli(['record', 'agents/phones/budget.yaml', '--duration', '5s', '--context', 'sock', '--out', join(dir, 'c.csv')]).stderr).toMatch(/--context: expected one of table, hand, pocket, bag, vehicle-mount/);
    expect(cli(['record', 'agents/phones/budget.yaml', '--duration', '5s', '--out', join(dir, 'x.txt')]).code).toBe(2);
    expect(existsSync(join(dir, 'f.csv')) || existsSync(join(dir, 'c.csv'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]); // no half-written .tmp file either
  });

  it('gives the same samples for the same seed and different ones for another', () => {
    const a = collect({ plugins: builtinPlugins, profile: 'agents/phones/mid-range.yaml', duration: 20, context: 'hand', seed: 5 });
    const b = collect({ plugins: builtinPlugins, profile: 'agents/phones/mid-range.yaml', duration: 20, context: 'hand', seed: 5 });
    const c = collect({ plugins: builtinPlugins, profile: 'agents/phones/mid-range.yaml', duration: 20, context: 'hand', seed: 6 });
    expect(b.rows).toEqual(a.rows);
    expect(c.rows[100]!.a).not.toEqual(a.rows[100]!.a);
  });
});

describe('everyday motion against real phone recordings', () => {
  // Walking recordings of phones at the thigh, waist and in the hand (Straczkiewicz et al. 2023,
  // npj Digital Medicine 6:29; Urbanek et al. 2018, Physiol. Meas. 39:02NT02): step frequency
  // 1.4–2.3 Hz (Urbanek: 1.7 steps/s on average), stride excursions of the order of ±1 g about
  // gravity at the thigh, less in the hand; trunk accelerometry finds about 1–3 m/s² RMS of
  // dynamic acceleration at normal speeds (Moe-Nilssen & Helbostad 2004, J Biomech 37:121–126).
  it.each([['pocket', 1.5, 5], ['hand', 0.5, 3], ['bag', 0.7, 4]] as const)('walking, phone in %s: dynamic RMS in the reported range and a step-frequency peak', (context, lo, hi) => {
    const w = collect({ plugins: builtinPlugins, profile: 'agents/phones/mid-range.yaml', duration: 120, activity: 'walking', context, cadenceHz: [1.9, 1.9] });
    const mag = w.rows.map((r) => Math.hypot(...r.a) - G);
    const m = mag.reduce((s, v) => s + v, 0) / mag.length;
    const rms = Math.sqrt(mag.reduce((s, v) => s + (v - m) ** 2, 0) / mag.length);
    expect(rms).toBeGreaterThan(lo);
    expect(rms).toBeLessThan(hi);
    // Heel strikes: real front-pocket walks peak at 1.4–3.5 g off gravity (Oxford step-counter data, six walks).
    expect(Math.max(...mag.map(Math.abs)) / G).toBeLessThan(3.6);
    const f = dominantFrequency(mag, w.rateHz, 1, 4);
    expect(f).toBeGreaterThan(1.9 - 0.1);
    expect(f).toBeLessThan(1.9 + 0.1);
    console.log(`walking, ${context}: dynamic RMS ${rms.toFixed(2)} m/s², dominant ${f.toFixed(2)} Hz`);
  });

  it('the gait spectrum follows the configured cadence', () => {
    for (const cadence of [1.6, 2.1]) {
      const w = collect({ plugins: builtinPlugins, profile: 'agents/phones/flagship.yaml', duration: 90, activity: 'walking', context: 'pocket', cadenceHz: [cadence, cadence] });
      const f = dominantFrequency(w.rows.map((r) => Math.hypot(...r.a)), w.rateHz, 1, 4);
      expect(Math.abs(f - cadence)).toBeLessThan(0.08);
    }
  });

  it('the barometer sees elevator rides (about −12 Pa per metre) and the phone warms in a pocket', () => {
    const e = collect({ plugins: builtinPlugins, profile: 'agents/phones/flagship.yaml', duration: 600, activity: 'elevator', context: 'hand' });
    const p = e.rows.map((r) => r.p!);
    const span = Math.max(...p) - Math.min(...p);
    expect(span).toBeGreaterThan(30); // at least a floor (3 m ≈ 36 Pa)
    const still = collect({ plugins: builtinPlugins, profile: 'agents/phones/flagship.yaml', duration: 300, context: 'table' });
    const ps = still.rows.map((r) => r.p!);
    const sd = Math.sqrt(ps.reduce((s, v) => s + (v - ps[0]!) ** 2, 0) / ps.length);
    expect(sd).toBeLessThan(10); // a quiet table: noise and slow weather only
  });

  it('a phone on a table reads +1 g on its screen axis (face up) and walking swings the gyroscope', () => {
    const t = collect({ plugins: builtinPlugins, profile: 'agents/phones/mid-range.yaml', duration: 10, context: 'table', seed: 2 });
    const az = t.rows.reduce((s, r) => s + r.a[2], 0) / t.rows.length;
    // Face up or (1 in 10) face down, give or take this phone's zero-g offset (σ 20 mg) and scale error (1 %).
    expect(Math.abs(Math.abs(az) - G)).toBeLessThan(1);
    const w = collect({ plugins: builtinPlugins, profile: 'agents/phones/mid-range.yaml', duration: 30, activity: 'walking', context: 'pocket' });
    const gmax = Math.max(...w.rows.map((r) => Math.hypot(...r.g!)));
    expect(gmax).toBeGreaterThan(1); // rad/s: the thigh swings the pocket
  });
});
