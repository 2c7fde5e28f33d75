/**
 * Builds the simulation's state and stage runtimes from a resolved scenario. The main thread
 * allocates the shared columns; every worker attaches to them and builds identical runtimes, so a
 * device block is processed the same way wherever it runs.
 */
import { PHONE_CONTEXTS } from '../population/behaviour.js';
import { ColumnSet, type ColumnSpec, type SharedColumns } from '../core/columns.js';
import { componentKey, stableUniform } from '../core/random.js';
import { SimClock } from '../core/clock.js';
import { InputError } from '../core/errors.js';
import { compiledUrl } from '../core/paths.js';
import type { ResolvedScenario } from '../scenario/load.js';
import { loadWorld, type World } from '../world/load.js';
import { placeDevices } from '../population/place.js';
import { ImuModel, imuColumns } from '../sensors/imu.js';
import { BAROMETER_COLUMNS, BarometerModel, Weather } from '../sensors/barometer.js';
import { GNSS_COLUMNS, Gnss } from '../sensors/gnss.js';
import { Clocks } from '../sensors/clock.js';
import { EverydayMotion, MOTION_COLUMNS } from '../population/motion.js';
import type { SensorOutput } from './tap.js';
import { MOBILITY_COLUMNS, Mobility } from '../population/mobility.js';
import { CONTEXT_COLUMNS, PhoneContexts } from '../population/context.js';
import { RoadNetwork } from '../world/roads.js';
import { BoundaryIndex } from '../world/boundary-index.js';
import type { DetectorContext, DetectorRuntime, HazardContext, HazardRuntime, PluginSet, TruthRow } from '../plugin/index.js';
import { RestrictedColumns } from '../plugin/columns.js';
import { TRIGGER_STAGE_COLUMNS } from './trigger-columns.js';
import { readResponseCurves } from '../detect/response-curves.js';
import { TELEMETRY_COLUMNS } from '../fleet/telemetry.js';
import { FirmwareMap } from '../fleet/firmware.js';

/** Columns of a staged rollout: the detector each phone runs, the one it was told to run and when that reaches it; truth of its exposure. */
export const ROLLOUT_COLUMNS: ColumnSpec[] = [
  { name: 'fleet.model', type: 'u8' }, { name: 'fleet.target', type: 'u8' }, { name: 'fleet.switch_at', type: 'f64', fill: Infinity },
  { name: 'truth.candidate_s', type: 'f64' }, { name: 'truth.candidate_triggers', type: 'u32' },
];

/** Prefix of hazard i's columns. */
export const hazardPrefix = (i: number): string => `hazard${i}.`;
/** Column prefix of detector i (the scenario's detector is 0). */
export const detectorPrefix = (i: number): string => (i === 0 ? 'detector.' : `detector${i}.`);

/** The phone profiles that run detector i. */
export const phonesOfDetector = (scenario: ResolvedScenario, i: number) =>
  scenario.phones.filter((_, p) => scenario.phoneDetector[p] === i || (scenario.candidate?.detector === i && scenario.candidate.phones.includes(p)));

/** Slots of the per-context scoring truth: each context not driving, then each while driving. */
export const CONTEXT_SLOTS = 2 * PHONE_CONTEXTS.length;
/** The slot of a phone in context `ctx` whose owner is (or is not) driving. */
export const contextSlot = (ctx: number, driving: boolean): number => ctx + (driving ? PHONE_CONTEXTS.length : 0);

/** Columns every stage needs beyond the device table. */
export function stageColumnSpecs(scenario: ResolvedScenario, plugins: PluginSet, rows: number): ColumnSpec[] {
  const signal = scenario.config.fidelity === 'signal';
  const specs: ColumnSpec[] = [{ name: 'monitoring', type: 'u8' }, ...MOBILITY_COLUMNS, ...CONTEXT_COLUMNS, ...GNSS_COLUMNS];
  // Trigger fidelity renders no samples: no everyday motion, sensor or detector state.
  if (signal) specs.push(...MOTION_COLUMNS, ...imuColumns('accel'));
  else specs.push(...TRIGGER_STAGE_COLUMNS(scenario.config.hazards.length));
  if (signal && scenario.phones.some((p) => p.gyroscope)) specs.push(...imuColumns('gyro'));
  if (signal && scenario.phones.some((p) => p.barometer)) specs.push(...BAROMETER_COLUMNS);
  scenario.config.hazards.forEach((h, i) => {
    for (const c of plugins.hazards[h.type]!.columns(h, rows, scenario.config.fidelity)) specs.push({ ...c, name: hazardPrefix(i) + c.name });
  });
  specs.push({ name: 'trigger.onset', type: 'f64' });
  if (scenario.config.fleet) specs.push(...TELEMETRY_COLUMNS);
  if (scenario.candidate) specs.push(...ROLLOUT_COLUMNS);
  // Truth kept for scoring only (no detector or server sees it): monitored seconds and triggers sent
  // by the phone's true context (table, hand, pocket, bag, vehicle-mount), not driving then driving.
  specs.push({ name: 'truth.context_s', type: 'f64', width: CONTEXT_SLOTS }, { name: 'truth.context_triggers', type: 'u32', width: CONTEXT_SLOTS });
  scenario.detectors.forEach((det, i) => {
    const phones = phonesOfDetector(scenario, i);
    if (!phones.length || !signal) return;
    for (const c of plugins.detectors[det.config.type]!.columns(det, rows, phones, scenario.config.tick)) specs.push({ ...c, name: detectorPrefix(i) + c.name });
  });
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
      throw new InputError(scenario.file, { path: 'tick', message: `expected a tick holding a whole number of samples at ${p.accelerometer.rate_hz} Hz (phone profile ${p.name}), found ${tick} s` });
    }
    // What the phone's detectors (its own, and a rollout's candidate) need from its sensors.
    const mine = [scenario.phoneDetector[i]!, ...(scenario.candidate?.phones.includes(i) ? [scenario.candidate.detector] : [])];
    for (const di of mine) checkModelInputs(scenario, p, scenario.detectors[di]!);
  });
}

/** Checks that phones of profile p give a model-based detector the rate and channels its model reads. */
function checkModelInputs(scenario: ResolvedScenario, p: ResolvedScenario['phones'][number], det: ResolvedScenario['detectors'][number]): void {
  const m = det.model;
  if (!m) return;
  if (p.accelerometer.rate_hz < m.rateHz) {
    throw new InputError(scenario.file, { path: `${det.field}.model`, message: `expected phones sampling at least at the model's ${m.rateHz} Hz, found phone profile ${p.name} at ${p.accelerometer.rate_hz} Hz` });
  }
  if (m.channelIndex.some((c) => c >= 3) && !p.gyroscope) {
    throw new InputError(scenario.file, { path: `${det.field}.model`, message: `the model reads the gyroscope (${m.channels.join(', ')}), but phone profile ${p.name} has none` });
  }
}

export interface SimulationState {
  scenario: ResolvedScenario;
  /** The plug-ins the scenario's `type` names refer to. */
  plugins: PluginSet;
  world: World;
  columns: ColumnSet;
  clock: SimClock;
  /** Road network when a behaviour travels on roads. */
  roads?: RoadNetwork;
  boundary: BoundaryIndex;
}

/** Whether any behaviour needs the road network. */
function needsRoads(scenario: ResolvedScenario): boolean {
  return scenario.behaviours.some((b) => b.kind === 'vehicle' || b.kind === 'commuter');
}

/** Builds the road network and checks that every behaviour can use it; throws InputError otherwise. */
export function checkRoads(scenario: ResolvedScenario, world: World): RoadNetwork | undefined {
  if (!needsRoads(scenario)) return undefined;
  const roads = new RoadNetwork(world.roads);
  scenario.behaviours.forEach((b, i) => {
    const field = `population.behaviours[${i}].profile`;
    const carNeeded = b.kind === 'vehicle' || (b.kind === 'commuter' && b.car_share > 0);
    if (world.roads.length === 0) {
      throw new InputError(scenario.file, { path: field, message: `behaviour "${b.name}" (${b.kind}) travels on roads, but world ${world.name} (${scenario.config.world}) has no road features` });
    }
    if (carNeeded && roads.carNodes.length < 2) {
      throw new InputError(scenario.file, { path: field, message: `behaviour "${b.name}" (${b.kind}) drives, but world ${world.name} has no connected drivable roads` });
    }
  });
  return roads;
}

/** Main thread: loads the world, places devices, sets up mobility and phone context, allocates every shared column. */
export function createState(scenario: ResolvedScenario, plugins: PluginSet, options: { initDevices?: boolean } = {}): SimulationState {
  checkTiming(scenario);
  const world = loadWorld(scenario.worldFile);
  const roads = checkRoads(scenario, world);
  const boundary = new BoundaryIndex(world.boundary);
  scenario.config.population.groups.forEach((g, i) => {
    if (!world.venues.some((v) => v.name === g.venue)) {
      throw new InputError(scenario.file, { path: `population.groups[${i}].venue`, message: `no venue ${JSON.stringify(g.venue)} in world ${world.name}; its venues: ${world.venues.map((v) => JSON.stringify(v.name)).join(', ') || 'none'}` });
    }
  });
  const pop = scenario.config.population;
  const devices = placeDevices(world, {
    seed: scenario.config.seed,
    devices: deviceCount(scenario, world),
    groups: scenario.groups,
    phoneShares: pop.phones.map((m) => m.share),
    behaviourShares: pop.behaviours.map((m) => m.share),
  }, boundary);
  const n = devices.rows;
  const columns = devices.merge(ColumnSet.allocate(n, stageColumnSpecs(scenario, plugins, n)));
  const clock = new SimClock({ duration: scenario.config.duration, tick: scenario.config.tick });
  const state: SimulationState = { scenario, plugins, world, columns, clock, roads, boundary };
  // Each phone's first mobility and context state (or, with initDevices false, the caller's worker
  // threads do it: see initDevices).
  if (options.initDevices !== false) initDevices(createPopulationRuntimes(state), 0, n);
  return state;
}

/**
 * Phones [from, to)'s first mobility and context state, each from its own random streams (so any
 * split of the phones over threads gives the same columns): the last step of createState.
 */
export function initDevices({ mobility, contexts }: { mobility: Mobility; contexts: PhoneContexts }, from: number, to: number): void {
  for (let d = from; d < to; d++) {
    mobility.init(d, 0);
    contexts.init(d, mobility.activity[d]!, 0);
  }
}

/** Device d's heartbeat phase in [0, every): phases are spread uniformly over the interval. */
export const heartbeatPhase = (key: number, d: number, every: number): number => stableUniform(key, d, 0) * every;

/** Time of the first heartbeat at or after t of a device with this phase (it may be before the run's start). */
export const heartbeatAfter = (phase: number, every: number, t: number): number => phase + Math.ceil((t - phase) / every - 1e-12) * every;

/** Time of device d's first heartbeat at or after t. */
export function nextHeartbeat(key: number, d: number, every: number, t: number): number {
  return heartbeatAfter(heartbeatPhase(key, d, every), every, t);
}

export function createPopulationRuntimes(state: Pick<SimulationState, 'scenario' | 'world' | 'columns' | 'roads' | 'boundary'>) {
  const cfg = state.scenario.config;
  const mobility = new Mobility({
    seed: cfg.seed, world: state.world, columns: state.columns, behaviours: state.scenario.behaviours,
    localStart: cfg.local_start, boundary: state.boundary, roads: state.roads,
  });
  const contexts = new PhoneContexts({
    seed: cfg.seed, columns: state.columns, behaviours: state.scenario.behaviours, localStart: cfg.local_start,
    steadyAfter: cfg.population.steady_after, eligibility: cfg.population.eligibility,
  });
  return { mobility, contexts };
}

/** Collects truth rows reported during a task. */
export class TruthSink {
  rows: TruthRow[] = [];
  take(): TruthRow[] {
    const r = this.rows;
    this.rows = [];
    return r;
  }
}

type ContextState = Pick<SimulationState, 'scenario' | 'world' | 'columns'> & { roads?: RoadNetwork };

/** What hazard i is given: the whole device table (hazards are the truth), its index, prefix and files. */
export function hazardContext(state: ContextState, i: number, sink?: TruthSink): HazardContext {
  const s = state.scenario, where = `hazards[${i}].`;
  const files: Record<string, string> = {};
  for (const [field, path] of Object.entries(s.hazardFiles)) if (field.startsWith(where)) files[field.slice(where.length)] = path;
  return {
    seed: s.config.seed, index: i, prefix: hazardPrefix(i), file: s.file, files, dir: s.dir, durationS: s.config.duration,
    world: state.world, roads: state.roads, columns: state.columns, phones: s.phones, behaviours: s.behaviours,
    report: (row) => {
      if (!sink) throw new Error('truth reported outside a simulation task');
      sink.rows.push(row);
    },
  };
}

/**
 * What detector i is given: its own columns and the sensor outputs it declared (`reads`), through a
 * view that throws on anything else — never positions, hazards or the scenario.
 */
export function detectorContext(state: ContextState & { plugins: PluginSet }, i: number): DetectorContext {
  const s = state.scenario, det = s.detectors[i]!, plugin = state.plugins.detectors[det.config.type]!;
  const prefix = detectorPrefix(i);
  return {
    seed: s.config.seed, prefix, tick: s.config.tick, phones: s.phones,
    columns: new RestrictedColumns(state.columns, `detector "${det.config.type}" (${det.field})`, [prefix, ...plugin.reads]),
  };
}

/** Checks every hazard's configuration against the world and the devices (InputError on problems). */
export function checkHazards(state: SimulationState): void {
  state.scenario.config.hazards.forEach((h, i) => state.plugins.hazards[h.type]!.check?.(h, hazardContext(state, i), `hazards[${i}]`));
}

/** Everything a worker needs to process device blocks. */
export interface Runtimes {
  state: Pick<SimulationState, 'scenario' | 'plugins' | 'world' | 'columns' | 'clock' | 'roads' | 'boundary'>;
  mobility: Mobility;
  contexts: PhoneContexts;
  /** Key of the per-phone heartbeat phase. */
  heartbeatKey: number;
  truth: TruthSink;
  hazards: HazardRuntime[];
  /** Detector runtimes by index (scenario.detectors), and the detector of every phone profile. */
  detectors: (DetectorRuntime | undefined)[];
  phoneDetector: number[];
  /** Whether phones of each profile need gyroscope samples for their detector. */
  detectorGyro: boolean[];
  /** Per phone profile: whether its detector reads the barometer. */
  detectorBaro: boolean[];
  accelerometer: ImuModel;
  gyroscope: ImuModel;
  barometer: BarometerModel;
  gnss: Gnss;
  clocks: Clocks;
  motion: EverydayMotion;
  /** Which firmware each phone runs when (the scenario's fleet updates). */
  firmware: FirmwareMap;
  /** Key of the battery levels phones start the run with (telemetry). */
  batteryKey: number;
  /** Render gyroscope and barometer readings even when no detector needs them. */
  wantGyro: boolean;
  wantBaro: boolean;
  /** Sees every phone's sensor output, tick by tick (hazardsim record, datasets, tests). */
  tap?: (o: SensorOutput) => void;
}

export function createRuntimes(state: Runtimes['state']): Runtimes {
  const cfg = state.scenario.config;
  const truth = new TruthSink();
  const P = state.plugins;
  const hazards = cfg.hazards.map((h, i) => P.hazards[h.type]!.create(h, hazardContext(state, i, truth)));
  const sc = state.scenario;
  const signal = cfg.fidelity === 'signal';
  const detectors = sc.detectors.map((det, i) => (signal && phonesOfDetector(sc, i).length ? P.detectors[det.config.type]!.create(det, detectorContext(state, i)) : undefined));
  // Per phone profile: its detectors (its own, and a rollout's candidate where it is eligible).
  const detectorsOf = (p: number) => [sc.phoneDetector[p]!, ...(sc.candidate?.phones.includes(p) ? [sc.candidate.detector] : [])].map((i) => sc.detectors[i]!);
  const detectorGyro = sc.phoneDetector.map((_, p) => detectorsOf(p).some((d) => P.detectors[d.config.type]!.needsGyro?.(d) ?? false));
  const detectorBaro = sc.phoneDetector.map((_, p) => detectorsOf(p).some((d) => P.detectors[d.config.type]!.needsBarometer?.(d) ?? false));
  const sensors = { seed: cfg.seed, columns: state.columns, phones: state.scenario.phones };
  const hasGyro = state.columns.has('gyro.rng'), hasBaro = state.columns.has('baro.rng');
  const firmware = new FirmwareMap({ seed: cfg.seed, fleet: cfg.fleet, phones: sc.phones, file: sc.file });
  const accelerometer = signal ? new ImuModel('accel', { ...sensors, variants: firmware.variants }) : NO_SENSOR;
  const gyroscope = hasGyro ? new ImuModel('gyro', sensors) : (accelerometer as never as ImuModel);
  const barometer = hasBaro ? new BarometerModel({ ...sensors, weather: new Weather(cfg.seed, cfg.duration, cfg.environment.weather_drift_pa_per_sqrt_h) }) : undefined;
  const { mobility, contexts } = createPopulationRuntimes(state);
  return {
    state, mobility, contexts, hazards, detectors, phoneDetector: sc.phoneDetector, detectorGyro, detectorBaro, accelerometer,
    gyroscope: hasGyro ? gyroscope : NO_SENSOR,
    barometer: barometer ?? (NO_SENSOR as never as BarometerModel),
    gnss: new Gnss(sensors),
    clocks: new Clocks({ seed: cfg.seed, phones: state.scenario.phones, phone: state.columns.u8('phone') }),
    motion: signal ? new EverydayMotion({ seed: cfg.seed, columns: state.columns, behaviours: state.scenario.behaviours, roads: state.roads }) : (undefined as never as EverydayMotion),
    firmware,
    batteryKey: componentKey(cfg.seed, 'battery'),
    wantGyro: false,
    wantBaro: false,
    heartbeatKey: componentKey(cfg.seed, 'heartbeat'),
    truth,
  };
}

/** Stands in for a sensor no phone of the run has. */
const NO_SENSOR = { has: () => false, rate: () => 0, apply: () => {}, read: () => {} } as never as ImuModel;

/** What the main thread hands to each worker once. */
export interface WorkerInit {
  scenario: ResolvedScenario;
  columns: SharedColumns;
  /** Module whose `plugins` export is the run's plug-in set (functions do not cross threads). */
  pluginModule: string;
  /**
   * When set, workers deliver their phones' messages on the uplink themselves (runs without models,
   * whose messages the main thread makes): the link's per-device streams, shared, and its outages.
   */
  uplink?: { state: import('../network/link.js').LinkState; outages: import('../network/outage.js').Outage[] };
}

/** The message a main thread hands its workers. */
export const workerInit = (state: SimulationState): WorkerInit => ({
  // Response curves (a megabyte or two) are not cloned into every task: workers read them from their file once.
  scenario: { ...state.scenario, responses: undefined }, columns: state.columns.share(), pluginModule: compiledUrl(state.plugins.module),
});

/** A worker's copy of the scenario's response curves, read from the file the scenario names. */
function workerScenario(s: ResolvedScenario): ResolvedScenario {
  if (s.config.fidelity !== 'trigger' || s.responses) return s;
  const file = s.files.find((f) => f.field === 'response_curves')!.path;
  return { ...s, responses: readResponseCurves(file) };
}

/** Worker side: attaches to the shared columns and rebuilds the runtimes (with the world, when the worker has already loaded that file). */
export async function runtimesFromInit(init: WorkerInit, loaded?: { file: string; world: World }): Promise<Runtimes> {
  const { plugins } = (await import(init.pluginModule)) as { plugins: PluginSet };
  const world = loaded?.file === init.scenario.worldFile ? loaded.world : loadWorld(init.scenario.worldFile);
  const columns = ColumnSet.attach(init.columns);
  const clock = new SimClock({ duration: init.scenario.config.duration, tick: init.scenario.config.tick });
  const roads = needsRoads(init.scenario) ? new RoadNetwork(world.roads) : undefined;
  return createRuntimes({ scenario: workerScenario(init.scenario), plugins, world, columns, clock, roads, boundary: new BoundaryIndex(world.boundary) });
}
