/**
 * The earthquake servers' constants come from `hazardsim calibrate`, and what a wrong constant does
 * to the estimate is known: amplitudes off by ×1.5 bias the magnitude up by ln 1.5 over the model's
 * slope; a real record (Ridgecrest M7.1 at CCC) ends within 0.5 of its magnitude.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { FastRandom } from '../../src/core/random.js';
import { G } from '../../src/core/units.js';
import { loadWorld, type World } from '../../src/world/load.js';
import { ba08 } from '../../src/physics/ba08.js';
import { cellRatioServer } from '../../src/server/cell-ratio.js';
import { CALIBRATION_RUN_OVERRIDES, QUAKE_SERVER_CALIBRATION, QUAKE_SERVER_SCENARIOS, readQuakeServerCalibration } from '../../src/server/calibration.js';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/engine/run.js';
import { builtinPlugins } from '../../src/plugins.js';
import type { AlertRecord, TriggerMessage } from '../../src/plugin/index.js';
import { ROOT, smallScenario, smallWorld, tempDir, writeScenario } from '../helpers.js';
import { writeFileSync } from 'node:fs';

const world: World = loadWorld(smallWorld(tempDir(), { sizeKm: 60, cellKm: 2 }));
const cal = readQuakeServerCalibration(QUAKE_SERVER_CALIBRATION);

/**
 * Phones on rock around an M5.8 at the centre, reporting `gain` × true PGA once the S wave passed
 * (the calibration measured phones report 1 / amplitude_to_pga × PGA), with lognormal scatter.
 */
function quakeMessages(gain: number, n = 3000): TriggerMessage[] {
  const r = FastRandom.of(5, 'phones'), out: TriggerMessage[] = [];
  for (let d = 0; d < n; d++) {
    const x = (r.uniform() - 0.5) * 60_000, y = (r.uniform() - 0.5) * 60_000, rk = Math.hypot(x, y) / 1000;
    const pga = ba08('pga', { magnitude: 5.8, rjbKm: rk, vs30: 760 }).median * Math.exp(0.3 * r.normal());
    const hypo = Math.hypot(rk, 8), tp = 10 + hypo / 6.1, ts = 10 + hypo / 3.55;
    const base = { device: d, deviceTime: 0, ratio: 5, x, y, monitoring: 1 };
    out.push({ ...base, kind: 'heartbeat', time: 0, onsetDeviceTime: 0, amplitude: 0 });
    if (pga < 0.01) continue;
    out.push({ ...base, kind: 'trigger', time: tp, onsetDeviceTime: tp, amplitude: 0.01 * G });
    out.push({ ...base, kind: 'update', time: ts + 2, onsetDeviceTime: tp, amplitude: (gain * pga * G) / cal.constants.amplitude_to_pga.value });
  }
  return out.sort((a, b) => a.time - b.time || a.device - b.device);
}

function lastMagnitude(messages: TriggerMessage[]): number {
  const plugin = cellRatioServer;
  const config = plugin.prepare!(plugin.schema.parse({ type: 'cell-ratio', cell_km: 5 }), { calibration: QUAKE_SERVER_CALIBRATION }, { file: 'test', field: 'server' });
  const server = plugin.create(config, { seed: 1, world, durationS: 60, devices: 3000 });
  const alerts: AlertRecord[] = [];
  let tick = 1;
  for (const m of messages) {
    const now = m.time + 0.5;
    while (tick <= now) alerts.push(...server.tick(tick++));
    alerts.push(...server.receive(m, now));
  }
  while (tick <= 60) alerts.push(...server.tick(tick++));
  const quake = alerts.filter((a) => a.kind === 'earthquake' && !a.cancelled);
  return quake[quake.length - 1]!.estimate.magnitude;
}

describe('calibrated server constants', () => {
  it('the shipped calibration was made by the shipped calibration scenarios as they are now', () => {
    for (const [i, file] of [QUAKE_SERVER_SCENARIOS.amplitudes, QUAKE_SERVER_SCENARIOS.quiet].entries()) {
      const s = loadScenario(file, { plugins: builtinPlugins, overrides: CALIBRATION_RUN_OVERRIDES });
      expect(cal.produced_by.scenarios[i]!.hash, `${file} (or a world or profile it names) changed since calibration/quake-server.json was made: run "hazardsim calibrate"`).toBe(s.hash);
    }
    // Published phone behaviour these should stay near: reported peak ≈ 1.2 × PGA; P shaking a third of S.
    expect(cal.constants.amplitude_to_pga.value).toBeGreaterThan(0.6);
    expect(cal.constants.amplitude_to_pga.value).toBeLessThan(1.1);
    expect(cal.constants.p_to_s_amplitude.value).toBeGreaterThan(1.5);
    expect(cal.constants.background_per_phone_hour.value).toBeGreaterThan(0.5);
  });

  it('a scenario naming a missing or malformed calibration file is refused with the file and field named', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ kind: 'hazardsim-calibration/quake-server', version: 1 }));
    const load = (calibration: string) => () => loadScenario(writeScenario(dir, smallScenario(dir, { server: { type: 'cell-ratio', calibration } })), { plugins: builtinPlugins });
    expect(load('nowhere.json')).toThrow(/server\.calibration: file not found: "nowhere\.json"/);
    expect(load('bad.json')).toThrow(/bad\.json \(.*server\.calibration\).*produced_by/);
    // A constant the scenario sets wins over the file.
    const s = loadScenario(writeScenario(dir, smallScenario(dir, { server: { type: 'cell-ratio', amplitude_to_pga: 0.5 } })), { plugins: builtinPlugins });
    expect((s.config.server as unknown as { amplitude_to_pga: number }).amplitude_to_pga).toBe(0.5);
    expect((s.config.server as unknown as { p_to_s_amplitude: number }).p_to_s_amplitude).toBe(cal.constants.p_to_s_amplitude.value);
  });

  it('a server fed what calibrated phones report estimates the magnitude within 0.15', () => {
    expect(Math.abs(lastMagnitude(quakeMessages(1)) - 5.8)).toBeLessThan(0.15);
  });

  it('amplitudes ×1.5 the calibration bias the magnitude up by ln 1.5 / (d ln PGA / dM), within 0.1', () => {
    // A gain g on every amplitude moves each phone's inverted magnitude by ln g over the model's
    // slope d ln PGA / dM at that phone (BA08 at M5.8, ~20 km on rock: about 0.84 per unit).
    const slope = (ba08('pga', { magnitude: 5.85, rjbKm: 20, vs30: 760 }).lnMedian - ba08('pga', { magnitude: 5.75, rjbKm: 20, vs30: 760 }).lnMedian) / 0.1;
    expect(slope).toBeGreaterThan(0.6);
    expect(slope).toBeLessThan(1.1);
    const bias = lastMagnitude(quakeMessages(1.5)) - lastMagnitude(quakeMessages(1));
    expect(bias).toBeGreaterThan(0);
    expect(Math.abs(bias - Math.log(1.5) / slope)).toBeLessThan(0.1);
  });

  it('replaying a real record (Ridgecrest M7.1 at CCC, 5,000 phones) ends within 0.5 of M7.1', async () => {
    const s = loadScenario(join(ROOT, 'scenarios/replay-ridgecrest.yaml'), { plugins: builtinPlugins, overrides: ['duration=80s'] });
    const r = await runScenario(s, { plugins: builtinPlugins, threads: 2 });
    const quake = r.alerts.filter((a) => a.kind === 'earthquake' && !a.cancelled && a.event === 0);
    const last = quake[quake.length - 1]!.estimate.magnitude;
    expect(Math.abs(last - 7.1)).toBeLessThan(0.5);
  });
});
