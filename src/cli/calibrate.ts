/** `hazardsim calibrate`: runs the calibration scenarios and writes the earthquake servers' constants to calibration/quake-server.json (or --out). */
import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadScenario } from '../scenario/load.js';
import { runScenario } from '../engine/run.js';
import { builtinPlugins } from '../plugins.js';
import { packageVersions } from '../output/versions.js';
import { quakeServerCalibration } from '../calibrate/quake-server.js';
import { CALIBRATION_RUN_OVERRIDES, QUAKE_SERVER_CALIBRATION, QUAKE_SERVER_SCENARIOS } from '../server/calibration.js';
import { InputError } from '../core/errors.js';

export interface CalibrateOptions {
  out?: string;
  threads: number;
  quiet?: boolean;
}

export async function calibrateCommand(o: CalibrateOptions): Promise<number> {
  const out = o.out ?? QUAKE_SERVER_CALIBRATION;
  // Refuse a place it cannot write before minutes of simulation, not after.
  if (!existsSync(dirname(out)) || !statSync(dirname(out)).isDirectory()) throw new InputError('--out', `expected a file in an existing folder, found ${JSON.stringify(out)} (no folder ${dirname(out)})`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new InputError('--out', `expected a file, found the folder ${JSON.stringify(out)}`);
  if (!Number.isInteger(o.threads) || o.threads < 0) throw new InputError('--threads', `expected a whole number ≥ 0, found ${o.threads}`);
  const say = (s: string) => { if (!o.quiet) process.stdout.write(s + '\n'); };
  const run = async (file: string) => {
    const scenario = loadScenario(file, { plugins: builtinPlugins, overrides: CALIBRATION_RUN_OVERRIDES });
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
