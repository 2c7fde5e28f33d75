/** What fleet operations cost a signal-mode run: the firmware-update scenario for 2 hours with and without its fleet section, and a rollout's pace. */
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { loadScenario } from '../src/scenario/load.js';
import { runScenario } from '../src/engine/run.js';
import { builtinPlugins } from '../src/plugins.js';
import type { Bench } from './harness.js';

export const fleetBench: Bench = {
  name: 'fleet',
  description: 'scenarios/firmware-update.yaml for 2 h (400 phones) with and without telemetry, and scenarios/rollout-bad.yaml for 1 h (a rollout holds workers to its decisions), 2 threads',
  async run(record) {
    const file = join(PACKAGE_ROOT, 'scenarios/firmware-update.yaml');
    for (const [label, overrides] of [['without', ['duration=2h', 'fleet=null']], ['with', ['duration=2h']]] as const) {
      const r = await runScenario(loadScenario(file, { plugins: builtinPlugins, overrides: [...overrides] }), { plugins: builtinPlugins, threads: 2 });
      record(`fleet.telemetry.${label}.device_seconds_per_s`, r.figures.deviceSeconds / r.figures.wallSeconds, 'device-s/s');
      if (r.telemetry) record('fleet.telemetry.rows', r.telemetry.rows, 'rows');
    }
    const rollout = join(PACKAGE_ROOT, 'scenarios/rollout-bad.yaml');
    const plain = await runScenario(loadScenario(rollout, { plugins: builtinPlugins, overrides: ['duration=1h', 'hazards=[]', 'fleet=null'] }), { plugins: builtinPlugins, threads: 2 });
    record('fleet.rollout.without_fleet.device_seconds_per_s', plain.figures.deviceSeconds / plain.figures.wallSeconds, 'device-s/s');
    const r = await runScenario(loadScenario(rollout, { plugins: builtinPlugins, overrides: ['duration=1h', 'hazards=[]'] }), { plugins: builtinPlugins, threads: 2 });
    record('fleet.rollout.device_seconds_per_s', r.figures.deviceSeconds / r.figures.wallSeconds, 'device-s/s');
    record('fleet.rollout.time_to_detect_s', r.rollout!.alarmAt - r.rollout!.startedAt, 's');
  },
};
