/**
 * Builds the simulation's state and stage runtimes from a resolved scenario. The main thread
 * allocates the shared columns; every worker attaches to them and builds identical runtimes, so a
 * device block is processed the same way wherever it runs.
 */
import { ColumnSet, type ColumnSpec, type SharedColumns } from '../core/columns.js';
import { SimClock } from '../core/clock.js';
import { InputError } from '../core/errors.js';
import type { ResolvedScenario } from '../scenario/load.js';
import { HAZARDS } from '../hazards/registry.js';
import { DETECTORS } from '../detect/registry.js';
import { loadWorld, type World } from '../world/load.js';
import { placeDevices } from '../population/place.js';
import { ACCELEROMETER_COLUMNS, AccelerometerModel } from '../sensors/accelerometer.js';
import type { DetectorRuntime, HazardRuntime, StageContext } from './types.js';

/** Prefix of hazard i's columns. */
export const hazardPrefix = (i: number): string => `hazard${i}.`;
export const DETECTOR_PREFIX = 'detector.';

/** Columns every stage needs beyond the device table. */
export function stageColumnSpecs(scenario: ResolvedScenario, rows: number): ColumnSpec[] {
  const specs: ColumnSpec[] = [{ name: 'monitoring', type: 'u8' }, ...ACCELEROMETER_COLUMNS];
  scenario.config.hazards.forEach((h, i) => {
    for (const c of HAZARDS[h.type]!.columns(h, rows)) specs.push({ ...c, name: hazardPrefix(i) + c.name });
  });
  const det = scenario.config.detector;
  for (const c of DETECTORS[det.type]!.columns(det, rows)) specs.push({ ...c, name: DETECTOR_PREFIX + c.name });
  return specs;
}

/** Number of devices the population section asks for in this world. */
export function deviceCount(scenario: ResolvedScenario, world: World): number {
  const p = scenario.config.population;
  if (p.devices !== undefined) return p.devices;
  const n = Math.round(p.adoption! * world.totalPopulation);
  if (n < 1) throw new InputError(scenario.file, { path: 'population.adoption', message: `adoption ${p.adoption} of ${Math.round(world.totalPopulation)} people gives no devices` });
  return n;
}

/** Checks scenario settings that depend on profiles (sample grid alignment). */
export function checkTiming(scenario: ResolvedScenario): void {
  const tick = scenario.config.tick;
  scenario.phones.forEach((p, i) => {
    const per = tick * p.accelerometer.rate_hz;
    if (Math.abs(per - Math.round(per)) > 1e-6) {
      throw new InputError(scenario.file, { path: 'tick', message: `expected a tick holding a whole number of samples at ${p.accelerometer.rate_hz} Hz (phone profile ${scenario.config.population.phones[i]!.profile}), found ${tick} s` });
    }
  });
}

export interface SimulationState {
  scenario: ResolvedScenario;
  world: World;
  columns: ColumnSet;
  clock: SimClock;
}

/** Main thread: loads the world, places devices and allocates every shared column. */
export function createState(scenario: ResolvedScenario): SimulationState {
  checkTiming(scenario);
  const world = loadWorld(scenario.worldFile);
  const n = deviceCount(scenario, world);
  const pop = scenario.config.population;
  const devices = placeDevices(world, {
    seed: scenario.config.seed,
    devices: n,
    phoneShares: pop.phones.map((m) => m.share),
    behaviourShares: pop.behaviours.map((m) => m.share),
  });
  const columns = devices.merge(ColumnSet.allocate(n, stageColumnSpecs(scenario, n)));
  // Stationary phones all monitor (eligibility rules arrive with richer behaviours).
  columns.u8('monitoring').fill(1);
  const clock = new SimClock({ duration: scenario.config.duration, tick: scenario.config.tick });
  return { scenario, world, columns, clock };
}

export function stageContext(state: Pick<SimulationState, 'scenario' | 'world' | 'columns'>, prefix: string): StageContext {
  return {
    seed: state.scenario.config.seed,
    scenario: state.scenario,
    world: state.world,
    columns: state.columns,
    phones: state.scenario.phones,
    behaviours: state.scenario.behaviours,
    prefix,
  };
}

/** Everything a worker needs to process device blocks. */
export interface Runtimes {
  state: Pick<SimulationState, 'scenario' | 'world' | 'columns' | 'clock'>;
  hazards: HazardRuntime[];
  detector: DetectorRuntime;
  accelerometer: AccelerometerModel;
}

export function createRuntimes(state: Runtimes['state']): Runtimes {
  const cfg = state.scenario.config;
  const hazards = cfg.hazards.map((h, i) => HAZARDS[h.type]!.create(h, stageContext(state, hazardPrefix(i))));
  const detector = DETECTORS[cfg.detector.type]!.create(cfg.detector, stageContext(state, DETECTOR_PREFIX));
  const accelerometer = new AccelerometerModel(stageContext(state, ''));
  return { state, hazards, detector, accelerometer };
}

/** What the main thread hands to each worker once. */
export interface WorkerInit {
  scenario: ResolvedScenario;
  columns: SharedColumns;
}

/** Worker side: attaches to the shared columns and rebuilds the runtimes. */
export function runtimesFromInit(init: WorkerInit): Runtimes {
  const world = loadWorld(init.scenario.worldFile);
  const columns = ColumnSet.attach(init.columns);
  const clock = new SimClock({ duration: init.scenario.config.duration, tick: init.scenario.config.tick });
  return createRuntimes({ scenario: init.scenario, world, columns, clock });
}
