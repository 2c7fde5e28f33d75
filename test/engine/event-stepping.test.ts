/**
 * Event stepping (trigger fidelity steps a phone only at its events) over a long quiet run: the
 * background triggers it draws across skipped ticks must come at the rate the response curves give
 * for each context, counted against the seconds phones really spent monitoring in that context.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/engine/run.js';
import { curvesByProfile } from '../../src/engine/trigger-stage.js';
import { profileHash } from '../../src/detect/response-curves.js';
import { PHONE_CONTEXTS } from '../../src/population/behaviour.js';
import { CONTEXT_SLOTS } from '../../src/engine/setup.js';
import { ROOT, smallScenario, tempDir, writeScenario } from '../helpers.js';
import { builtinPlugins } from '../../src/plugins.js';

describe('event stepping over a quiet day', () => {
  it('draws background triggers at each context\'s calibrated rate per monitored hour, with phones picked up and put down by the hour', async () => {
    const dir = tempDir();
    const file = writeScenario(dir, smallScenario(dir, {
      duration: '1d', fidelity: 'trigger', hazards: [],
      population: { devices: 600, phones: [{ profile: join(ROOT, 'agents/phones/mid-range.yaml') }], behaviours: [{ profile: join(ROOT, 'agents/behaviours/stationary.yaml') }] },
    }));
    const s = loadScenario(file, { plugins: builtinPlugins });
    const r = await runScenario(s, { plugins: builtinPlugins, threads: 2 });
    const n = r.state.columns.rows, ticks = r.state.clock.ticks;
    // Phones at rest skip almost every tick of the day.
    expect(r.figures.deviceSteps / n).toBeLessThan(0.05 * ticks);
    const seconds = r.state.columns.f64('truth.context_s'), triggers = r.state.columns.u32('truth.context_triggers');
    const curves = curvesByProfile(s.responses!, [profileHash(s.phones[0] as never)])[0]!;
    let checked = 0;
    PHONE_CONTEXTS.forEach((ctx, c) => {
      let hours = 0, count = 0;
      for (let d = 0; d < n; d++) { hours += seconds[CONTEXT_SLOTS * d + c]! / 3600; count += triggers[CONTEXT_SLOTS * d + c]!; }
      if (hours < 500) return;
      // Expected from the curve file (hand arithmetic: rate × hours), Poisson band of 4σ.
      const expected = curves[c]!.background.per_phone_hour * hours;
      expect(Math.abs(count - expected), `${ctx}: ${count} triggers in ${hours.toFixed(0)} phone-hours, expected ${expected.toFixed(0)}`).toBeLessThan(4 * Math.sqrt(expected) + 1);
      checked++;
    });
    expect(checked).toBeGreaterThanOrEqual(2); // table and at least one other context saw enough hours
  });
});
