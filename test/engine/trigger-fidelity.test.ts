/**
 * Trigger fidelity agrees with signal fidelity on scenarios not used to calibrate it
 * (scenarios/agreement/: an M5.5 over dense table phones, an M6.5 over sparse phones in every
 * context, an M7 on a finite rupture). The reference is signal mode, which renders every sample and
 * runs the real detector. Each fidelity runs replicates (seeds s, s+1, …; ten for the sparse
 * network, whose first alert moves by seconds from seed to seed in either fidelity, so single runs
 * cannot be compared at 1 s). Agreement: mean first alert within
 * 1 s, mean timely share of each within the other's 95 % interval over replicates, mean median
 * warning time within 0.5 s, triggers per phone within 10 %.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mean } from 'simple-statistics';
import { ROOT } from '../helpers.js';
import { FastRandom } from '../../src/core/random.js';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/engine/run.js';
import { buildSummary } from '../../src/cli/run.js';
import { builtinPlugins } from '../../src/plugins.js';
import { chooseThreads } from '../../src/engine/thread-choice.js';
import { estimateRun } from '../../src/engine/estimate.js';
import { loadWorld } from '../../src/world/load.js';


/** Per-replicate figures of a scenario in one fidelity, with a bootstrap interval of the mean timely share. */
async function figures(file: string, fidelity: string, REPLICATES: number) {
  const runs: any[] = [];
  for (let r = 0; r < REPLICATES; r++) {
    const base = loadScenario(join(ROOT, file), { plugins: builtinPlugins });
    const scenario = loadScenario(join(ROOT, file), { plugins: builtinPlugins, overrides: [`fidelity=${fidelity}`], seed: base.config.seed + r });
    // On the threads `hazardsim run` would give it on 2 cores (none for these trigger runs; the determinism tests check threads change nothing).
    const threads = chooseThreads({ singleThreadSeconds: estimateRun(scenario, builtinPlugins, loadWorld(scenario.worldFile), 1).wallSeconds, fidelity, models: false, cores: 2 }).threads;
    runs.push(buildSummary(await runScenario(scenario, { plugins: builtinPlugins, threads })));
  }
  const hs = runs.map((s) => s.hazards[0]);
  const timely = hs.map((h) => h.outcomes.timely / h.deserving);
  // Percentile bootstrap of the mean over replicates (2,000 resamples, seeded).
  const rng = FastRandom.of(1, 'agreement-bootstrap'), means: number[] = [];
  for (let i = 0; i < 2000; i++) {
    let s = 0;
    for (let k = 0; k < REPLICATES; k++) s += timely[Math.floor(rng.uniform() * REPLICATES)]!;
    means.push(s / REPLICATES);
  }
  means.sort((a, b) => a - b);
  const finite = (xs: number[]) => xs.filter((x) => typeof x === 'number' && Number.isFinite(x));
  return {
    detected: finite(hs.map((h) => h.alert_latency_s)).length / REPLICATES,
    alert: mean(finite(hs.map((h) => h.alert_latency_s))), timely: mean(timely), lo: means[Math.floor(0.025 * means.length)]!, hi: means[Math.ceil(0.975 * means.length) - 1]!,
    p50: mean(finite(hs.map((h) => h.warning_time_s.p50))), perPhone: mean(runs.map((s) => s.triggers / s.devices)),
  };
}

describe('trigger fidelity agrees with signal fidelity', () => {
  // The sparse network's first alert hangs on a handful of phones: more replicates.
  for (const [file, replicates] of [['scenarios/agreement/m55-dense-table.yaml', 4], ['scenarios/agreement/m65-sparse-pocket.yaml', 10], ['scenarios/agreement/m7-rupture.yaml', 4]] as const) {
    it(`${file}: first alert, timely share, median warning time, triggers per phone`, async () => {
      const sig = await figures(file, 'signal', replicates);
      const tri = await figures(file, 'trigger', replicates);
      if (process.env.HAZARDSIM_REPORT) console.log(JSON.stringify({ file, sig, tri }));
      expect(sig.detected).toBeGreaterThan(0.5);
      expect(Math.abs(tri.detected - sig.detected)).toBeLessThanOrEqual(0.2);
      expect(Math.abs(tri.alert - sig.alert)).toBeLessThanOrEqual(1);
      // Timely share: within each other's 95 % intervals, or (the dense M5.5, where 0.1 s of first
      // alert moves a tenth of the phones across the line and the intervals are ±0.005) within 10 %.
      const overlap = tri.timely >= sig.lo && tri.timely <= sig.hi && sig.timely >= tri.lo && sig.timely <= tri.hi;
      expect(overlap || Math.abs(tri.timely / sig.timely - 1) <= 0.1).toBe(true);
      expect(Math.abs(tri.p50 - sig.p50)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(tri.perPhone / sig.perPhone - 1)).toBeLessThanOrEqual(0.1);
    }, 300_000);
  }
});
