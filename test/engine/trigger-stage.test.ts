/**
 * The trigger stage's update times: when a trigger's reported amplitude first reaches a level, from
 * the growth curves. Checked against hand-computed crossings and against a fine forward scan of the
 * amplitude itself (logAmplitudeFrom), which the closed form must agree with to the scan's step.
 */
import { describe, expect, it } from 'vitest';
import { FastRandom } from '../../src/core/random.js';
import { AMP_OFFSETS_P, AMP_OFFSETS_S, type ResponseTables } from '../../src/detect/response-curves.js';
import { logAmplitudeFrom, offsetOfLevel, timeOfLogLevel } from '../../src/engine/trigger-stage.js';

describe('when a trigger reaches a level', () => {
  it('inverts a growth curve where its segment says (hand-computed)', () => {
    const q = Float64Array.from([0, 0.2, 0.5, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0]);
    // 0.35 lies halfway between 0.2 (at 0.5 s) and 0.5 (at 1 s): 0.75 s.
    expect(offsetOfLevel(q, AMP_OFFSETS_P, 0.35)).toBeCloseTo(0.75, 12);
    expect(offsetOfLevel(q, AMP_OFFSETS_P, 0.5)).toBeCloseTo(1.0, 12);
    // 0.75 between 0.5 (1.5 s) and 1.0 (2 s): 1.75 s.
    expect(offsetOfLevel(q, AMP_OFFSETS_P, 0.75)).toBeCloseTo(1.75, 12);
    expect(offsetOfLevel(q, AMP_OFFSETS_P, -1)).toBe(0);
    expect(offsetOfLevel(q, AMP_OFFSETS_P, 2)).toBe(Infinity);
    expect(offsetOfLevel(Float64Array.from([0, 0.3, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]), AMP_OFFSETS_P, 0.35)).toBeNaN();
    expect(offsetOfLevel(Float64Array.from([0, NaN, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]), AMP_OFFSETS_P, 0.35)).toBeNaN();
  });

  it('finds the first time the amplitude reaches a level, as a 0.1 ms scan of the amplitude does', () => {
    const r = FastRandom.of(11, 'time-of-level');
    const tables = { log_amp_p: [[0]], log_amp_s: [[0]] } as unknown as ResponseTables;
    /** A random nondecreasing curve starting near `base`. */
    const curve = (n: number, base: number) => { const q = new Float64Array(n); let v = base; for (let j = 0; j < n; j++) { v += j ? 0.3 * r.uniform() * (r.uniform() < 0.3 ? 0 : 1) : 0; q[j] = v; } return q; };
    let checked = 0;
    for (let k = 0; k < 300; k++) {
      const pq = curve(AMP_OFFSETS_P.length, -1 + r.uniform()), sq = curve(AMP_OFFSETS_S.length, -1.5 + 2 * r.uniform());
      const tTrig = 10 * r.uniform(), ts = k % 5 === 0 ? tTrig - 2 * r.uniform() : tTrig + 12 * r.uniform();
      const lg = -1 + 3 * r.uniform();
      const t = timeOfLogLevel(tables, pq, sq, tTrig, ts, lg);
      // The scan: from the trigger on, in steps of 10 ms, then of 0.1 ms over the step where it got there.
      let scan = Infinity;
      for (let u = tTrig; u <= tTrig + 60; u += 1e-2) {
        if (!(logAmplitudeFrom(tables, pq, sq, u, tTrig, ts) >= lg)) continue;
        for (let v = Math.max(tTrig, u - 1e-2); v <= u; v += 1e-4) if (logAmplitudeFrom(tables, pq, sq, v, tTrig, ts) >= lg) { scan = v; break; }
        if (scan === Infinity) scan = u;
        break;
      }
      if (scan === Infinity) { expect(t === Infinity || t > tTrig + 60 - 1e-4).toBe(true); continue; }
      expect(Math.abs(t - scan)).toBeLessThan(1.5e-4);
      // And the amplitude there has (all but rounding) reached the level.
      expect(logAmplitudeFrom(tables, pq, sq, Math.max(t, tTrig), tTrig, ts)).toBeGreaterThanOrEqual(lg - 1e-9);
      checked++;
    }
    expect(checked).toBeGreaterThan(150);
  });
});
