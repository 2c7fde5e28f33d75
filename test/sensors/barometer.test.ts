import { describe, expect, it } from 'vitest';
import { builtinPlugins } from '../../src/plugins.js';
import { recordPhone, type RecordedRow } from '../../src/engine/record.js';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { phoneProfileSchema } from '../../src/sensors/profile.js';

/** What a phone on a table logs: its rows (50 Hz, each carrying the latest barometer reading). */
function readings(profile: string, seconds: number) {
  const rows: RecordedRow[] = [];
  recordPhone({ plugins: builtinPlugins, profile, duration: seconds, context: 'table', seed: 4 }, (r) => rows.push(r));
  // Times at which the logged pressure changed, and the reading held through each second.
  // Row times carry the phone's timestamp jitter (milliseconds), so each second's reading is taken
  // from its first row past mid-second, far from the update.
  const changes: number[] = [], p: number[] = [];
  let second = -1;
  rows.forEach((r, i) => {
    if (i > 0 && r.p !== rows[i - 1]!.p) changes.push(r.t);
    if (r.t - Math.floor(r.t) >= 0.5 && Math.floor(r.t) !== second) { second = Math.floor(r.t); p.push(r.p!); }
  });
  return { changes, p };
}

/** Noise per reading from second differences (the weather's drift and the phone's warming cancel): σ = RMS(Δ²p) / √6. */
function noise(p: number[]): number {
  let s = 0;
  for (let i = 2; i < p.length; i++) s += (p[i]! - 2 * p[i - 1]! + p[i - 2]!) ** 2;
  return Math.sqrt(s / (p.length - 2) / 6);
}

describe('barometer', () => {
  it('logs at the profile’s rate, and its ODR/9 low-pass leaves the noise phones show with 1 s averaging', () => {
    const profile = phoneProfileSchema.parse(parse(readFileSync('agents/phones/mid-range.yaml', 'utf8'))).barometer!;
    expect(profile.rate_hz).toBe(1);
    const r = readings('agents/phones/mid-range.yaml', 1800);
    // One reading a second: the logged value changes only on whole seconds (ties of the 0.025 Pa
    // quantisation aside, at almost every one).
    for (const t of r.changes) expect(Math.abs(t - Math.round(t))).toBeLessThan(0.03); // within a 50 Hz row and its jitter
    expect(r.changes.length).toBeGreaterThan(0.95 * 1799);
    expect(r.changes.length).toBeLessThanOrEqual(1800);
    // Hand calculation: a 2nd-order Butterworth at fc = ODR/9 passes white noise through an
    // equivalent noise bandwidth of fc·(π/4)/sin(π/4) = 1.111 fc, so σ = 0.75 Pa · √(2·1.111/9) = 0.373 Pa.
    const sigma = noise(r.p);
    expect(Math.abs(sigma / (0.75 * Math.sqrt((2 * 1.1107) / 9)) - 1)).toBeLessThan(0.1);
    // The real phones: 0.3–0.4 Pa with 1 s averaging.
    expect(sigma).toBeGreaterThan(0.3);
    expect(sigma).toBeLessThan(0.4);
  });

  it('ODR/20 filters harder, and a chip without a low-pass keeps its full noise', () => {
    const flagship = noise(readings('agents/phones/flagship.yaml', 900).p);
    expect(Math.abs(flagship / (0.9 * Math.sqrt((2 * 1.1107) / 20)) - 1)).toBeLessThan(0.1);
    const budget = noise(readings('agents/phones/budget.yaml', 1200).p);
    // 1.3 Pa raw, plus its 0.16 Pa quantisation step (uniform: 0.16/√12).
    expect(Math.abs(budget / Math.hypot(1.3, 0.16 / Math.sqrt(12)) - 1)).toBeLessThan(0.1);
  });
});
