/** `hazardsim calibrate`: runs the calibration scenarios and writes the earthquake servers' constants to calibration/quake-server.json (or --out). */
import { writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadScenario } from '../scenario/load.js';
import { runScenario } from '../engine/run.js';
import { builtinPlugins } from '../plugins.js';
import { packageVersions } from '../output/versions.js';
import { quakeServerCalibration } from '../calibrate/quake-server.js';
import { QUAKE_SERVER_CALIBRATION, QUAKE_SERVER_SCENARIOS } from '../server/calibration.js';

export interface CalibrateOptions {
  out?: string;
  threads: number;
  quiet?: boolean;
}

export async function calibrateCommand(o: CalibrateOptions): Promise<number> {
  const out = o.out ?? QUAKE_SERVER_CALIBRATION;
  const say = (s: string) => { if (!o.quiet) process.stdout.write(s + '\n'); };
  const run = async (file: string) => {
    // The calibration scenarios' servers must not need the file being made.
    const scenario = loadScenario(file, { plugins: builtinPlugins, overrides: ['server.amplitude_to_pga=1', 'server.p_to_s_amplitude=1'] });
    say(`hazardsim calibrate: running ${scenario.config.name} (${scenario.config.population.devices} phones, ${scenario.config.duration} s)`);
    return { scenario, result: await runScenario(scenario, { plugins: builtinPlugins, threads: o.threads }) };
  };
  const amplitudes = await run(QUAKE_SERVER_SCENARIOS.amplitudes);
  const quiet = await run(QUAKE_SERVER_SCENARIOS.quiet);
  const cal = quakeServerCalibration({ amplitudes, quiet, version: packageVersions().hazardsim! });
  const tmp = join(dirname(out), `.${Date.now()}-${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(cal, null, 2) + '\n');
  renameSync(tmp, out);
  for (const [k, m] of Object.entries(cal.constants)) say(`  ${k} = ${m.value.toPrecision(4)} (95 % ${m.ci95.map((v) => v.toPrecision(3)).join('–')}, n = ${m.n})`);
  say(`→ ${out}`);
  return 0;
}
