import { describe, expect, it } from 'vitest';
import { angleDeg, madgwickUp } from '../reference/madgwick.js';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinPlugins } from '../../src/plugins.js';
import { recordPhone, type RecordedRow } from '../../src/engine/record.js';
import { ROOT, tempDir } from '../helpers.js';

/** Real walking statistics (scripts/reference_walking.py on the Oxford step-counter data, CC BY 4.0). */
const REAL = JSON.parse(readFileSync(join(ROOT, 'calibration/motion/walking.json'), 'utf8')) as {
  placements: Record<string, Record<string, { median: number; min: number; max: number }>>;
  /** Walks of two other people on a fourth phone, kept apart: no constant was set on them. */
  heldout: { placements: Record<string, Record<string, number>[]> };
};

function walk(context: 'hand' | 'pocket' | 'bag', seed: number, seconds = 120) {
  const rows: RecordedRow[] = [];
  const info = recordPhone({ plugins: builtinPlugins, profile: 'agents/phones/mid-range.yaml', duration: seconds, activity: 'walking', context, seed, rateHz: 50 }, (r) => rows.push(r));
  return { rows, rateHz: info.rateHz };
}

/** The same statistics scripts/motion_stats.py computes on real logs, on rendered ones. */
function stats(files: string[]): Record<string, number>[] {
  const r = spawnSync('python3', [join(ROOT, 'scripts/motion_stats.py'), '--rate', '50', ...files], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

describe('walking against real phones', () => {
  it.each([['hand'], ['pocket'], ['bag']] as const)('phone in %s: RMS, peaks and the spectrum fall in the band of real walks (Oxford step-counter data)', (context) => {
    const dir = tempDir();
    const files = [1, 2, 3].map((seed) => {
      const f = join(dir, `${context}-${seed}.csv`);
      writeFileSync(f, 't,ax,ay,az\n' + walk(context, seed).rows.map((r) => `${r.t},${r.a[0]},${r.a[1]},${r.a[2]}`).join('\n'));
      return f;
    });
    const s = stats(files);
    const real = REAL.placements[context]!;
    for (const key of ['linear_rms_ms2', 'linear_p99_ms2', 'share_0p5_3hz', 'share_3_10hz', 'share_above_10hz']) {
      const m = median(s.map((x) => x[key]!));
      expect(m, `${context} ${key}: rendered ${m}, real ${real[key]!.min}–${real[key]!.max}`).toBeGreaterThanOrEqual(real[key]!.min);
      expect(m, `${context} ${key}: rendered ${m}, real ${real[key]!.min}–${real[key]!.max}`).toBeLessThanOrEqual(real[key]!.max);
    }
    // The held-out walks: RMS and p99 within 35 % of their mean.
    for (const key of ['linear_rms_ms2', 'linear_p99_ms2']) {
      const held = REAL.heldout.placements[context]!.map((x) => x[key]!);
      const mean = held.reduce((a, b) => a + b, 0) / held.length, m = median(s.map((x) => x[key]!));
      expect(Math.abs(m / mean - 1), `${context} ${key}: rendered ${m}, held-out mean ${mean}`).toBeLessThan(0.35);
    }
    // Heel strikes put power above 10 Hz (pure sinusoids put none).
    expect(median(s.map((x) => x.share_above_10hz!))).toBeGreaterThan(0.005);
    expect(Math.abs(median(s.map((x) => x.cadence_hz!)) - real.cadence_hz!.median)).toBeLessThan(0.15);
  });

  it('phone in pocket: the same walks fall in the band of a second, independent source (Matey-Sanz et al. 2023, 23 people)', () => {
    // calibration/motion/walking-tug.json: scripts/reference_walking_tug.py on timed-up-and-go
    // walks with a phone in a trouser pocket (CC BY 4.0); no constant of the gait was set on them.
    const tug = (JSON.parse(readFileSync(join(ROOT, 'calibration/motion/walking-tug.json'), 'utf8')) as { pocket: Record<string, number[]> }).pocket;
    const dir = tempDir();
    const s = [1, 2, 3].map((seed) => {
      const f = join(dir, `pocket-${seed}.csv`);
      writeFileSync(f, 't,ax,ay,az\n' + walk('pocket', seed).rows.map((r) => `${r.t},${r.a[0]},${r.a[1]},${r.a[2]}`).join('\n'));
      const r = spawnSync('python3', [join(ROOT, 'scripts/reference_walking_tug.py'), '--record', f], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout) as Record<string, number>;
    });
    for (const key of ['linear_rms_ms2', 'linear_p99_ms2', 'share_0p5_3hz', 'share_3_10hz', 'share_above_10hz']) {
      const m = median(s.map((x) => x[key]!)), [p10, , p90] = tug[key]!;
      expect(m, `pocket ${key}: rendered ${m}, real p10–p90 ${p10}–${p90}`).toBeGreaterThanOrEqual(p10!);
      expect(m, `pocket ${key}: rendered ${m}, real p10–p90 ${p10}–${p90}`).toBeLessThanOrEqual(p90!);
    }
  });

  it('a phone swinging in a pocket is a rigid body: gravity tilts in its frame by the angle its gyroscope integrates', () => {
    const { rows, rateHz } = walk('pocket', 4, 30);
    const n = rows.length, dt = 1 / rateHz;
    // The gyroscope's x rate integrated, its mean and drift removed.
    const ang = new Float64Array(n);
    for (let i = 1; i < n; i++) ang[i] = ang[i - 1]! + rows[i]!.g![0] * dt;
    const detrend = (v: Float64Array) => {
      const tm = (n - 1) / 2, vm = v.reduce((a, b) => a + b, 0) / n;
      let num = 0, den = 0;
      for (let i = 0; i < n; i++) { num += (i - tm) * (v[i]! - vm); den += (i - tm) ** 2; }
      return v.map((x, i) => x - vm - (num / den) * (i - tm));
    };
    const gyroAngle = detrend(ang);
    // The tilt of gravity about the phone's x axis, from the accelerometer averaged over a step (0.5 s).
    const w = Math.round(0.5 * rateHz);
    const tilt = new Float64Array(n);
    let sy = 0, sz = 0;
    for (let i = 0; i < n; i++) {
      sy += rows[i]!.a[1]; sz += rows[i]!.a[2];
      if (i >= w) { sy -= rows[i - w]!.a[1]; sz -= rows[i - w]!.a[2]; }
      tilt[i] = Math.atan2(sy, sz);
    }
    const tiltAngle = detrend(tilt);
    // Compare after the averaging window's delay, away from the edges.
    const lag = Math.floor(w / 2);
    let xy = 0, xx = 0, yy = 0;
    for (let i = w; i < n - w; i++) { const a = gyroAngle[i - lag]!, b = tiltAngle[i]!; xy += a * b; xx += a * a; yy += b * b; }
    const corr = xy / Math.sqrt(xx * yy), gain = Math.sqrt(yy / xx);
    // The sign depends on the pose's convention; the size must agree (a 0.5 s average of a 0.95 Hz swing keeps about 0.8 of it).
    expect(Math.abs(corr)).toBeGreaterThan(0.8);
    expect(gain).toBeGreaterThan(0.6);
    expect(gain).toBeLessThan(1.1);
  });
});

describe('walking orientation, through an orientation filter', () => {
  it('Madgwick\'s filter fed the rendered gyroscope and accelerometer recovers the rendered tilt within 5°', async () => {
    // Render a pocketed walker directly through the motion model and the sense stage's rotations
    // (pose, then swing), at 100 Hz, keeping the true direction of gravity in the phone's frame.
    const { renderGait } = await import('../../src/population/motion/gait.js');
    const { newBlock, resetBlock } = await import('../../src/engine/block.js');
    const { rotation, rotateBlock, swingBlock } = await import('../../src/sensors/pose.js');
    const { G } = await import('../../src/core/units.js');
    const fs = 100, ticks = 30, R = new Float64Array(9);
    rotation(0.2, -1.4, 0.7, R); // a phone upright in a trouser pocket, screen sideways
    const b = newBlock(fs);
    const acc: number[][] = [], gyr: number[][] = [], up: number[][] = [];
    for (let i = 0; i < ticks; i++) {
      resetBlock(b, fs, 0, G, true);
      b.t0 = i; b.t1 = i + 1; b.k0 = i * fs; b.n = fs; b.fs = fs;
      renderGait(12345, 7, b, 2, 1.3, 0.4, [1.9, 1.9]);
      const gx = Float32Array.from(b.au.subarray(0, fs), () => 0), gy = gx.slice(), gz = Float32Array.from(gx, () => 1); // true "up" in ENU
      rotateBlock(R, fs, b.ae, b.an, b.au); rotateBlock(R, fs, gx, gy, gz);
      swingBlock(fs, b.sx, b.sy, b.sz, b.ae, b.an, b.au); swingBlock(fs, b.sx, b.sy, b.sz, gx, gy, gz);
      for (let k = 0; k < fs; k++) { acc.push([b.ae[k]!, b.an[k]!, b.au[k]!]); gyr.push([b.wx[k]!, b.wy[k]!, b.wz[k]!]); up.push([gx[k]!, gy[k]!, gz[k]!]); }
    }
    // Madgwick's filter (β = 0.1) against the rendered "up", after 5 s to settle.
    const est = madgwickUp(acc, gyr, fs, 0.1);
    let worst = 0;
    for (let i = 5 * fs; i < acc.length; i++) worst = Math.max(worst, angleDeg(est[i]!, up[i]!));
    expect(worst).toBeLessThan(5);
  });
});
