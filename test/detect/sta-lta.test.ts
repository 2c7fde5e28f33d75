import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ColumnSet } from '../../src/core/columns.js';
import { FastRandom } from '../../src/core/random.js';
import { G } from '../../src/core/units.js';
import { StaLtaStream, classicStaLta, recursiveStaLta, type StaLtaMethod } from '../../src/detect/sta-lta-core.js';
import { StaLtaRuntime, staLtaColumns, staLtaSchema } from '../../src/detect/sta-lta.js';
import { DeviceThreshold } from '../../src/detect/threshold.js';
import type { SensorBlock, DetectorContext, TriggerMessage } from '../../src/plugin/index.js';
import { ROOT, tempDir } from '../helpers.js';

/** 120 s at 100 Hz: noise, a 0.15 s knock at 30 s, and a 5 Hz burst from 60 s decaying over 10 s. */
function trace(): Float64Array {
  const fs = 100, n = 120 * fs, r = FastRandom.of(3, 'sta-lta-test');
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / fs;
    a[i] = 0.005 * r.normal();
    if (t >= 30 && t < 30.15) a[i] += 0.3 * Math.sin(2 * Math.PI * 20 * (t - 30));
    if (t >= 60) a[i] += 0.2 * Math.exp(-(t - 60) / 10) * Math.sin(2 * Math.PI * 5 * (t - 60));
  }
  return a;
}

/** Ratios of the streaming implementation, fed in blocks of random sizes as ticks would. */
function streamed(a: Float64Array, method: StaLtaMethod, nsta: number, nlta: number): Float64Array {
  const cols = ColumnSet.allocate(3, StaLtaStream.columns(method, nlta));
  const s = new StaLtaStream(method, cols, '');
  const out = new Float64Array(a.length), r = FastRandom.of(5, 'blocks');
  const d = 2; // not the first row: state must be per device
  s.reset(d);
  for (let i = 0; i < a.length;) {
    const n = Math.min(a.length - i, 1 + Math.floor(r.uniform() * 150));
    s.load(d, nsta, nlta);
    for (let k = 0; k < n; k++, i++) out[i] = s.step(a[i]! * a[i]!);
    s.store(d);
  }
  return out;
}

describe('STA/LTA against ObsPy', () => {
  const a = trace();
  const nsta = 50, nlta = 1000;
  const dir = tempDir();
  writeFileSync(join(dir, 'trace.f64'), Buffer.from(a.buffer));
  const py = spawnSync('python3', [join(ROOT, 'test/detect/obspy_sta_lta.py'), join(dir, 'trace.f64'), String(nsta), String(nlta), join(dir, 'classic.f64'), join(dir, 'recursive.f64')], { encoding: 'utf8' });
  const read = (f: string) => new Float64Array(new Uint8Array(readFileSync(join(dir, f))).buffer);

  it.each([['classic'], ['recursive']] as const)('%s STA/LTA equals ObsPy\'s formula to 1e-6, streamed in uneven blocks', (method) => {
    expect(py.stderr).toBe('');
    const ref = read(`${method}.f64`);
    const mine = streamed(a, method, nsta, nlta);
    const whole = method === 'classic' ? classicStaLta(a.map((v) => v * v), nsta, nlta) : recursiveStaLta(a.map((v) => v * v), nsta, nlta);
    expect(ref.length).toBe(a.length);
    let worst = 0;
    for (let i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(mine[i]! - ref[i]!) / Math.max(1, Math.abs(ref[i]!)), Math.abs(whole[i]! - ref[i]!) / Math.max(1, Math.abs(ref[i]!)));
    }
    expect(worst).toBeLessThan(1e-6);
    // Zero while warming up exactly where ObsPy is, and the burst lifts the ratio well above 4.
    const first = method === 'classic' ? nlta - 1 : nlta;
    expect(mine[first - 1]).toBe(0);
    expect(mine[first]).toBeGreaterThan(0);
    expect(Math.max(...mine.subarray(6000, 6100))).toBeGreaterThan(8);
  });
});

function runtime(config: Record<string, unknown>): { rt: StaLtaRuntime; run: (ax: Float32Array, ay: Float32Array, az: Float32Array, fs: number) => TriggerMessage[] } {
  const c = staLtaSchema.parse({ type: 'sta-lta', ...config });
  const cols = ColumnSet.allocate(1, [...staLtaColumns(c, [{ accelerometer: { rate_hz: 100 } }]).map((s) => ({ ...s, name: 'd.' + s.name })), { name: 'x', type: 'f64' }, { name: 'y', type: 'f64' }]);
  const rt = new StaLtaRuntime(c, { columns: cols, prefix: 'd.', seed: 1 } as unknown as DetectorContext);
  return {
    rt,
    run(ax, ay, az, fs) {
      const out: TriggerMessage[] = [];
      const sink = { emit: (m: TriggerMessage) => out.push(m), submit: () => {} };
      for (let k0 = 0; k0 < ax.length; k0 += fs) {
        const n = Math.min(fs, ax.length - k0);
        const b: SensorBlock = { k0, n, fs, ax: ax.subarray(k0, k0 + n), ay: ay.subarray(k0, k0 + n), az: az.subarray(k0, k0 + n), gx: null, gy: null, gz: null, p: null, pfs: 0, pk0: 0, pn: 0 };
        rt.process(0, b, sink);
      }
      return out;
    },
  };
}

describe('the sta-lta detector', () => {
  const fs = 100, a = trace();
  const ax = Float32Array.from(a), ay = new Float32Array(a.length), az = Float32Array.from(a, () => G);

  it.each([['recursive'], ['classic']] as const)('%s: triggers on the burst within 0.2 s of its onset, with its amplitude', (method) => {
    const msgs = runtime({ method, min_amplitude_g: 0.005 }).run(ax, ay, az, fs);
    const triggers = msgs.filter((m) => m.kind === 'trigger');
    const burst = triggers.find((m) => m.time >= 60 && m.time < 61);
    expect(burst).toBeDefined();
    expect(burst!.time - 60).toBeLessThan(0.2);
    const last = msgs.filter((m) => m.kind === 'update' && m.onsetDeviceTime === burst!.onsetDeviceTime).at(-1)!;
    expect(last.amplitude).toBeGreaterThan(0.15);
    expect(last.amplitude).toBeLessThan(0.25);
  });

  it('with min_duration 1 s, ignores a 0.15 s knock but not the burst, and reports at onset + min_duration', () => {
    const all = runtime({ min_amplitude_g: 0.005 }).run(ax, ay, az, fs).filter((m) => m.kind === 'trigger');
    expect(all.some((m) => m.time >= 30 && m.time < 31)).toBe(true); // the knock fools a bare STA/LTA
    const strict = runtime({ min_amplitude_g: 0.005, min_duration: 1 }).run(ax, ay, az, fs).filter((m) => m.kind === 'trigger');
    expect(strict.some((m) => m.time >= 30 && m.time < 31)).toBe(false);
    const burst = strict.find((m) => m.time >= 60 && m.time < 62)!;
    expect(burst).toBeDefined();
    expect(burst.time - burst.onsetDeviceTime).toBeCloseTo(1, 1);
    expect(burst.onsetDeviceTime - 60).toBeLessThan(0.2);
  });

  it('stays quiet below the amplitude threshold', () => {
    expect(runtime({ min_amplitude_g: 0.05 }).run(ax, ay, az, fs).filter((m) => m.kind === 'trigger')).toEqual([]);
  });
});

describe('per-phone thresholds', () => {
  it('draws thresholds lognormally around the median, the same for a device every time', () => {
    const t = new DeviceThreshold({ distribution: 'lognormal', median: 0.01, sigma: 0.3 }, 1, 'x');
    const v = Array.from({ length: 20_000 }, (_, d) => t.of(d)).sort((a, b) => a - b);
    expect(v[10_000]! / 0.01).toBeGreaterThan(0.99);
    expect(v[10_000]! / 0.01).toBeLessThan(1.01);
    const logs = v.map(Math.log), mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / logs.length);
    expect(sd).toBeGreaterThan(0.29);
    expect(sd).toBeLessThan(0.31);
    expect(new DeviceThreshold({ distribution: 'lognormal', median: 0.01, sigma: 0.3 }, 1, 'x').of(123)).toBe(t.of(123));
    expect(new DeviceThreshold(0.02, 1, 'x').of(5)).toBe(0.02);
  });
});

describe('the one-pole high-pass (highpass_order: 1)', () => {
  it('triggers on exactly the samples the numpy peer\'s formula gives, fed in uneven blocks', () => {
    // The peer (../shared/peers/numpy_signal_pipeline.py): per axis y ← a·(y + x − x_prev) with
    // a = RC/(RC + 1/fs); cf = |y|²; here with ObsPy's recursive STA/LTA and the detector's rules
    // (ratio > 4 and |y| ≥ the threshold starts a trigger; below 1.5 it ends), written out plainly.
    const fs = 100, a = trace(), n = a.length, corner = 0.5;
    const ax = Float32Array.from(a), ay = Float32Array.from(a, (v, i) => 0.5 * v + 0.001 * Math.sin(i)), az = Float32Array.from(a, (v) => G + 0.3 * v);
    const rc = 1 / (2 * Math.PI * corner), k = rc / (rc + 1 / fs), nsta = 50, nlta = 1000, minAmp = 0.005 * G;
    const y = [0, 0, 0], xp = [ax[0]!, ay[0]!, az[0]!];
    let sta = 0, lta = 2.2250738585072014e-308, on = false;
    const expected: number[] = [];
    for (let i = 0; i < n; i++) {
      const x = [ax[i]!, ay[i]!, az[i]!];
      for (let c = 0; c < 3; c++) { y[c] = k * (y[c]! + x[c]! - xp[c]!); xp[c] = x[c]!; }
      const cf = y[0]! ** 2 + y[1]! ** 2 + y[2]! ** 2;
      if (i === 0) continue;
      sta = (1 / nsta) * cf + (1 - 1 / nsta) * sta;
      lta = (1 / nlta) * cf + (1 - 1 / nlta) * lta;
      const ratio = i >= nlta ? sta / lta : 0;
      if (!on && ratio > 4 && cf >= minAmp * minAmp) { on = true; expected.push(i); }
      else if (on && (ratio < 1.5)) on = false;
    }
    expect(expected.length).toBeGreaterThan(1);
    // Uneven blocks, as ticks of any length would cut the trace.
    const c = staLtaSchema.parse({ type: 'sta-lta', highpass_order: 1, highpass_hz: corner, min_amplitude_g: 0.005, max_duration: 1000 });
    const cols = ColumnSet.allocate(1, staLtaColumns(c, [{ accelerometer: { rate_hz: fs } }]).map((s) => ({ ...s, name: 'd.' + s.name })));
    const rt = new StaLtaRuntime(c, { columns: cols, prefix: 'd.', seed: 1 } as unknown as DetectorContext);
    const got: number[] = [];
    const sink = { emit: (m: TriggerMessage) => { if (m.kind === 'trigger') got.push(Math.round(m.time * fs)); }, submit: () => {} };
    const r = FastRandom.of(9, 'blocks');
    for (let k0 = 0; k0 < n;) {
      const m = Math.min(n - k0, 1 + Math.floor(r.uniform() * 300));
      rt.process(0, { k0, n: m, fs, ax: ax.subarray(k0, k0 + m), ay: ay.subarray(k0, k0 + m), az: az.subarray(k0, k0 + m), gx: null, gy: null, gz: null, p: null, pfs: 0, pk0: 0, pn: 0 }, sink);
      k0 += m;
    }
    expect(got).toEqual(expected);
  });
});

describe('sta-lta configuration', () => {
  it('names the high-pass orders it takes', () => {
    const r = staLtaSchema.safeParse({ type: 'sta-lta', highpass_order: 3 });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/expected 1 \(a one-pole RC high-pass\) or 2/);
  });
});
