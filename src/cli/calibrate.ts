/** `hazardsim calibrate`: runs the calibration scenarios and writes the earthquake servers' constants to calibration/quake-server.json (or --out). */
import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadScenario } from '../scenario/load.js';
import { runScenario } from '../engine/run.js';
import { builtinPlugins } from '../plugins.js';
import { packageVersions } from '../output/versions.js';
import { quakeServerCalibration } from '../calibrate/quake-server.js';
import { CALIBRATION_DIR, CALIBRATION_RUN_OVERRIDES, QUAKE_SERVER_CALIBRATION, QUAKE_SERVER_SCENARIOS, RESPONSE_SCENARIOS } from '../server/calibration.js';
import { InputError } from '../core/errors.js';
import { responseCurves } from '../calibrate/response-curves.js';
import { gridIndex, responseFileName, withSameAs } from '../detect/response-curves.js';

export interface CalibrateOptions {
  out?: string;
  /** Measure response curves for this scenario's detector and profiles (`shipped`: the calibration scenarios as they are). */
  responses?: string;
  threads: number;
  quiet?: boolean;
}

export async function calibrateCommand(o: CalibrateOptions): Promise<number> {
  if (o.responses !== undefined) return calibrateResponses(o);
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

/** Overrides that give the response-curve calibration scenarios a scenario's detector and phone profiles. */
export function responseOverrides(file: string): string[] {
  if (file === 'shipped') return [];
  const target = loadScenario(file, { plugins: builtinPlugins });
  if (target.detectors.length > 1) {
    throw new InputError(target.file, { path: target.detectors[1]!.field, message: 'expected one detector for all phones: response curves are measured per detector, so calibrate a scenario per detector' });
  }
  const phones = target.files.filter((f) => /^population\.phones\[\d+\]\.profile$/.test(f.field)).map((f) => ({ profile: f.path, share: 1 }));
  return [`detector=${JSON.stringify(target.detectors[0]!.config)}`, `population.phones=${JSON.stringify(phones)}`];
}

/** `hazardsim calibrate --responses`: runs the response-curve calibration scenarios and writes the curves. */
async function calibrateResponses(o: CalibrateOptions): Promise<number> {
  if (!Number.isInteger(o.threads) || o.threads < 0) throw new InputError('--threads', `expected a whole number ≥ 0, found ${o.threads}`);
  const say = (s: string) => { if (!o.quiet) process.stdout.write(s + '\n'); };
  const overrides = [...CALIBRATION_RUN_OVERRIDES, ...responseOverrides(o.responses!)];
  // Both scenarios are loaded (and --out checked) before minutes of simulation, not after.
  const scenarios = [RESPONSE_SCENARIOS.quakes, RESPONSE_SCENARIOS.quiet].map((file) => loadScenario(file, { plugins: builtinPlugins, overrides }));
  const out = o.out ?? join(CALIBRATION_DIR, responseFileName(scenarios[0]!.detectors[0]!.config));
  if (!existsSync(dirname(out)) || !statSync(dirname(out)).isDirectory()) throw new InputError('--out', `expected a file in an existing folder, found ${JSON.stringify(out)} (no folder ${dirname(out)})`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new InputError('--out', `expected a file, found the folder ${JSON.stringify(out)}`);
  const run = async (scenario: (typeof scenarios)[number]) => {
    say(`hazardsim calibrate: running ${scenario.config.name} (${scenario.config.population.devices} phones, ${scenario.config.duration} s)`);
    return { scenario, result: await runScenario(scenario, { plugins: builtinPlugins, threads: o.threads }) };
  };
  const quakes = await run(scenarios[0]!);
  const quiet = await run(scenarios[1]!);
  const curves = responseCurves({ quakes, quiet, version: packageVersions().hazardsim! });
  const tmp = join(dirname(out), `.${Date.now()}-${process.pid}.tmp`);
  const json = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === 'number' && !Number.isInteger(x) ? Number(x.toPrecision(4)) : x));
  // A table that repeats another (as written: four digits) is written as that one's index.
  writeFileSync(tmp, json({ ...curves, tables: withSameAs(curves.tables, json) }) + '\n');
  renameSync(tmp, out);
  for (const c of curves.curves) {
    // S − P class 1 (1.5–3 s: 10–25 km from the source).
    const row = c.bins.slice(gridIndex(1, 0), gridIndex(2, 0)), p50 = row.findIndex((b) => b.p >= 0.5);
    say(`  ${c.profile} ${c.context}: 50 % trigger at ${p50 < 0 ? '—' : (10 ** (curves.pga_bins.log10_min_g + p50 * curves.pga_bins.log10_step)).toPrecision(2) + ' g'} (10–25 km away); background ${c.background.per_phone_hour.toFixed(2)} per phone-hour`);
  }
  say(`→ ${out}`);
  return 0;
}
