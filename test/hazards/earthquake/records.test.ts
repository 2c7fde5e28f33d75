import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../../src/core/errors.js';
import { G } from '../../../src/core/units.js';
import { detectFormat, eventNextTo, readAccelerogram } from '../../../src/hazards/earthquake/records.js';
import { resample } from '../../../src/core/resample.js';
import { ba08 } from '../../../src/physics/ba08.js';
import { haversineKm } from '../../../src/core/geo.js';
import { ROOT, tempDir } from '../../helpers.js';
import { writeFileSync } from 'node:fs';

const DATA = join(ROOT, 'data/strong-motion');
const files = readdirSync(DATA).flatMap((d) => readdirSync(join(DATA, d)).filter((f) => !/\.(txt|json)$/i.test(f)).map((f) => join(DATA, d, f)));

describe('strong-motion readers', () => {
  it('find every record format in the shared data', () => {
    expect(new Set(files.map(detectFormat))).toEqual(new Set(['knet', 'csmip', 'cdmg', 'esm']));
  });

  it.each(files.map((f) => [f.split('/').slice(-2).join('/'), f]))('%s reproduces the peak written in its header within 1 %%', (_name, file) => {
    const r = readAccelerogram(file);
    expect(r.components.length).toBe(3);
    for (const c of r.components) {
      const peak = c.acc.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(Math.abs(peak / c.headerPeak - 1)).toBeLessThan(0.01);
    }
  });

  it('resamples uneven and 200 Hz records to 50 Hz without moving the peak more than a few %', () => {
    const cdmg = readAccelerogram(join(DATA, 'northridge-1994-m6.7/LA116TH.RAW'));
    const c = cdmg.components[0]!;
    const r = resample({ times: c.times, values: c.acc }, 50);
    expect(r.length).toBeCloseTo(60 * 50, -2);
    const peak = r.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(peak / c.headerPeak).toBeGreaterThan(0.8); // a 20 Hz low-pass trims the sharpest spike a little
    expect(peak / c.headerPeak).toBeLessThan(1.02);
  });

  it('refuses files in no known format', () => {
    const f = join(tempDir(), 'mystery.txt');
    writeFileSync(f, 'time,acc\n0,0.1\n');
    expect(() => readAccelerogram(f)).toThrow(InputError);
    expect(() => readAccelerogram(f)).toThrow(/unknown record format: expected K-NET ASCII, CSMIP uncorrected text, CDMG time\/value pairs or ESM ASCII/);
  });
});

describe('real against synthetic: K-NET Aomori 2018 Mw 6.3, 88–138 km', () => {
  it('the recorded peaks lie within ±2σ of the BA08 median (ratios reported)', () => {
    const dir = join(DATA, 'knet-aomori-2018-m6.3');
    const event = eventNextTo(join(dir, 'event.json'))!;
    const stations = readdirSync(dir).filter((f) => f.endsWith('.EW'));
    expect(stations).toHaveLength(9);
    const lines: string[] = [];
    const lnRatios: number[] = [];
    for (const f of stations) {
      const r = readAccelerogram(join(dir, f));
      const [ew, ns] = r.components;
      const peak = (c: typeof ew) => c!.acc.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const recorded = Math.sqrt(peak(ew) * peak(ns)) / G; // geometric mean of horizontals, like BA08
      const rjb = haversineKm(event.lon, event.lat, r.station.lon, r.station.lat);
      const model = ba08('pga', { magnitude: event.magnitude, rjbKm: rjb, vs30: 760 });
      const z = Math.log(recorded / model.median) / model.sigmaTotal;
      lnRatios.push(Math.log(recorded / model.median));
      lines.push(`${r.station.code} ${rjb.toFixed(0)} km: recorded ${recorded.toFixed(4)} g, BA08 median ${model.median.toFixed(4)} g, ratio ${(recorded / model.median).toFixed(2)} (${z.toFixed(2)} σ)`);
      expect(Math.abs(z)).toBeLessThan(2);
    }
    const mean = Math.exp(lnRatios.reduce((s, v) => s + v, 0) / lnRatios.length);
    console.log(`K-NET Aomori Mw 6.3 (Vs30 760 assumed):\n  ${lines.join('\n  ')}\n  geometric-mean ratio recorded/model: ${mean.toFixed(2)}`);
  });
});
