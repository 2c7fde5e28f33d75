/**
 * Response-curve helpers against hand calculations and another implementation, and the shipped
 * curves against the calibration runs that made them (hashes) and against physics a user relies
 * on: table phones trigger at the 0.01 g threshold, hardly below it, and background rates are those
 * the quiet calibration run counted.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { sampleRankCorrelation } from 'simple-statistics';
import { ROOT, tempDir } from '../helpers.js';
import { empiricalQuantiles, isotonic, pgaBin, quantileAt, readResponseCurves, responseFileName, spClass, gridIndex, magClass, tableIndex, QUANTILE_LEVELS } from '../../src/detect/response-curves.js';
import { copula, curvesByProfile, triggerProbability } from '../../src/engine/trigger-stage.js';
import { profileHash } from '../../src/detect/response-curves.js';
import { loadScenario } from '../../src/scenario/load.js';
import { builtinPlugins } from '../../src/plugins.js';
import { CALIBRATION_RUN_OVERRIDES, RESPONSE_SCENARIOS } from '../../src/server/calibration.js';
import { FastRandom } from '../../src/core/random.js';
import { InputError } from '../../src/core/errors.js';
import { CONTEXT_CODE } from '../../src/population/behaviour.js';

describe('response-curve helpers', () => {
  it('empirical quantiles interpolate linearly between order statistics (numpy\'s default)', () => {
    // numpy.quantile([1, 2, 3, 4, 10], [0, .05, .1, .2, .3, .4, .5, .6, .7, .8, .9, .95, 1]) by hand.
    const q = empiricalQuantiles([10, 1, 3, 2, 4])!;
    expect(q).toHaveLength(QUANTILE_LEVELS.length);
    [1, 1.2, 1.4, 1.8, 2.2, 2.6, 3, 3.4, 3.8, 5.2, 7.6, 8.8, 10].forEach((v, i) => expect(q[i]).toBeCloseTo(v, 12));
    expect(quantileAt(q, 0.5)).toBeCloseTo(3, 12);
    expect(quantileAt(q, 0.925)).toBeCloseTo(8.2, 12); // halfway between the 0.9 and 0.95 levels
    expect(empiricalQuantiles([1, 2], 3)).toBeNull();
  });

  it('isotonic regression pools adjacent violators with their weights', () => {
    // (0.5·1 + 0.3·3)/4 = 0.35 for the violating pair; the rest untouched.
    expect(isotonic([0.1, 0.5, 0.3, 0.9], [1, 1, 3, 1]).map((v) => +v.toFixed(10))).toEqual([0.1, 0.35, 0.35, 0.9]);
    expect(isotonic([0.9, 0.1, 0.1], [1, 1, 1]).map((v) => +v.toFixed(10))).toEqual([0.3666666667, 0.3666666667, 0.3666666667]);
  });

  it('bins PGA in tenths of a decade from 1e-4 g and S − P times at 1.5, 3, 6 and 12 s', () => {
    expect(pgaBin(1e-4)).toBe(0);
    expect(pgaBin(0.01)).toBe(20);
    expect(pgaBin(0.0101)).toBe(20);
    expect(pgaBin(10)).toBe(44);
    expect([0, 1.49, 1.5, 2.9, 3, 5.9, 6, 11.9, 12, 40].map(spClass)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
  });

  it('the Gaussian copula gives the Spearman correlation it is asked for', () => {
    const r = FastRandom.of(3, 'copula-test');
    for (const rs of [0.3, 0.7]) {
      const u: number[] = [], v: number[] = [];
      for (let i = 0; i < 20_000; i++) { const a = r.uniform(); u.push(a); v.push(copula(a, r.uniform(), rs)); }
      expect(sampleRankCorrelation(u, v)).toBeCloseTo(rs, 1);
    }
  });
});

describe('the shipped response curves', () => {
  const scenario = loadScenario(RESPONSE_SCENARIOS.quakes, { plugins: builtinPlugins });
  const file = join(ROOT, 'calibration', responseFileName(scenario.detectors[0]!.config));
  const curves = readResponseCurves(file);

  it('were made by the calibration scenarios as they are now', () => {
    [RESPONSE_SCENARIOS.quakes, RESPONSE_SCENARIOS.quiet].forEach((f, i) => {
      const s = loadScenario(f, { plugins: builtinPlugins, overrides: CALIBRATION_RUN_OVERRIDES });
      expect(curves.produced_by.scenarios[i]!.hash, `${f} (or a world or profile it names) changed since ${file} was made: run "hazardsim calibrate --responses shipped"`).toBe(s.hash);
    });
  });

  it('cover every shipped profile in four resting contexts', () => {
    expect(curves.curves).toHaveLength(3 * 4);
    const byProfile = curvesByProfile(curves, scenario.phones.map((p) => profileHash(p as never)));
    expect(byProfile.every((set) => set.every((c) => c !== undefined))).toBe(true);
  });

  it('table phones: hardly any trigger below the 0.01 g threshold, nearly all above 0.03 g', () => {
    for (const c of curves.curves.filter((k) => k.context === 'table')) {
      const near = gridIndex(1, 0); // S − P 1.5–3 s: 10–25 km away
      expect(triggerProbability(c, 0.003, 1)).toBeLessThan(0.05);
      expect(triggerProbability(c, 0.03, 1)).toBeGreaterThan(0.9);
      expect(c.bins[near + pgaBin(0.2)]!.p).toBeGreaterThan(0.95);
    }
  });

  it('time phones by their context: at the same shaking a phone on a table triggers sooner after P than one in a pocket', () => {
    // Signal mode 35 km from an M6.5 (scenarios/agreement/m65-sparse-pocket.yaml, not a calibration
    // scenario): median delay after P 0.86 s on tables, 1.78 s in pockets. The tables, per context,
    // keep that order in the cells those phones fill (S − P 3–6 s, 0.04–0.14 g).
    for (let b = pgaBin(0.04); b <= pgaBin(0.14); b++) {
      const at = (ctx: number) => quantileAt(curves.tables[tableIndex(ctx, magClass(6.5), gridIndex(2, b))]!.delay_after_p_s!, 0.5);
      expect(at(CONTEXT_CODE.pocket) - at(CONTEXT_CODE.table), `PGA bin ${b}`).toBeGreaterThan(0.2);
    }
  });

  it('reads a table written as another\'s index as that table, and refuses an index that is not one written in full', () => {
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    const full = raw.tables.findIndex((t: { same_as?: number }) => t.same_as === undefined);
    const ref = raw.tables.findIndex((t: { same_as?: number }) => t.same_as !== undefined);
    expect(ref).toBeGreaterThan(0); // the shipped file uses them (3,600 tables, about 400 distinct)
    const dir = tempDir(), f = join(dir, 'curves.json');
    raw.tables[ref] = { same_as: full };
    writeFileSync(f, JSON.stringify(raw));
    const read = readResponseCurves(f);
    expect(read.tables[ref]).toEqual(read.tables[full]);
    expect(read.tables[ref]!.delay_after_p_s).toEqual(raw.tables[full].delay_after_p_s);
    raw.tables[ref] = { same_as: raw.tables.length };
    writeFileSync(f, JSON.stringify(raw));
    expect(() => readResponseCurves(f)).toThrow(InputError);
    expect(() => readResponseCurves(f)).toThrow(new RegExp(`tables\\.${ref}\\.same_as: expected the index of a table written in full, found 3600`));
  });

  it('background rates are the quiet run\'s triggers per monitored phone-hour, with their Poisson band', () => {
    for (const c of curves.curves) {
      const b = c.background;
      expect(b.phone_hours).toBeGreaterThan(200); // 4,000 phones for 1 h over 3 profiles × 4 contexts: about 330 each
      expect(b.per_phone_hour).toBeCloseTo(b.triggers / b.phone_hours, 2);
      expect(b.ci95[0]).toBeLessThanOrEqual(b.per_phone_hour);
      expect(b.ci95[1]).toBeGreaterThanOrEqual(b.per_phone_hour);
    }
    // On a table, the quiet run agrees with the earthquake servers' own background calibration (2.26 per phone-hour).
    const table = curves.curves.filter((c) => c.context === 'table');
    const rate = table.reduce((s, c) => s + c.background.triggers, 0) / table.reduce((s, c) => s + c.background.phone_hours, 0);
    expect(rate).toBeGreaterThan(1.9);
    expect(rate).toBeLessThan(2.6);
  });
});
