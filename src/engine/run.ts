/**
 * Runs a scenario: devices are simulated in chunks on a piscina worker pool, epoch by epoch; the
 * main thread sends each epoch's trigger messages over the uplink to the consensus server, turns
 * alerts into pushes to phones, and finally collects ground truth for scoring.
 *
 * Determinism: every chunk writes only its own devices' columns and draws only from its own
 * devices' streams; messages are merged and sorted by (time, device, kind) before the network and
 * server see them; so outputs are identical whatever the thread count, chunk size or epoch length.
 */
import { Piscina } from 'piscina';
import { compiledModule, compiledUrl } from '../core/paths.js';
import { SortedRuns } from '../core/clock.js';
import { ReceiptLog } from './receipt-log.js';
import { TriggerLog, arrivalMerge, chunkOf, compareMessages, mergeSorted, messageAt, messageInto, packMessages, type MessageBlock, type WarmupBlock } from './message-block.js';
import { latestPerPhone } from '../server/warmup.js';
import type { ResolvedScenario } from '../scenario/load.js';
import { serversOf } from '../scenario/schema.js';
import { capsuleRow, segmentDistance, type Segment } from '../core/geo.js';
import { Link, sharedLinkState } from '../network/link.js';
import { Outages } from '../network/outage.js';
import { PhoneDirectory } from '../server/directory.js';
import type { AlertRecord, PluginSet } from '../plugin/index.js';
import { CONTEXT_SLOTS, checkHazards, createPopulationRuntimes, createRuntimes, createState, hazardContext, initDevices, workerInit, type SimulationState } from './setup.js';
import type { InitTask } from './device-worker.js';
import { simulateChunk, unpackWindow, type ChunkResult, type ChunkTask } from './simulate.js';
import { stagePlan } from './fidelities.js';
import type { DetectorCoordinator, HazardTruth, TriggerMessage, WindowRequest } from '../plugin/index.js';
import { InferencePool, type InferencePoolOptions, type ModelStats } from '../detect/inference/pool.js';
import { detectorBudget, type DetectorBudget } from './budget.js';
import { TelemetryCollector, type TelemetryRow } from '../fleet/telemetry-table.js';
import { RolloutController } from '../fleet/rollout.js';
import { nextHeartbeat } from './setup.js';
import { componentKey } from '../core/random.js';

export interface RunOptions {
  /** The plug-ins the scenario's `type` names refer to (the composition root's set). */
  plugins: PluginSet;
  /** Worker threads; 0 runs everything in the calling thread. */
  threads: number;
  /** Simulated seconds per epoch (default 10 ticks' worth). */
  epochTicks?: number;
  /** Devices per chunk task (default: about 8 tasks per thread per epoch). */
  chunkSize?: number;
  /** Called with the fraction of simulated time done. */
  onProgress?: (fraction: number) => void;
  /**
   * Called while the server and its directory are set up, and after each epoch's devices are
   * simulated, before their messages cross the network to the server; what it returns is called once
   * the server is done (tests poison the truth columns here to show the server never reads them).
   */
  beforeServer?: (state: SimulationState) => (() => void) | void;
  /**
   * `event` (default): a fidelity whose stages say when they next have work (trigger) steps each
   * phone only at its events, and settles ahead of time the quakes a phone is sure not to trigger
   * on; `every-tick` steps every phone at every tick and draws each quake at the tick its shaking
   * becomes known (a check on the former: the same triggers and truth, only GNSS noise draws differ).
   */
  stepping?: 'event' | 'every-tick';
  /**
   * `grid` (default): alerts reach phones through the grid over the server's directory, skipping
   * cells whose phones already hold the tier the alert could give; `scan` visits every phone the
   * server has heard from (a check on the former: the same receipts).
   */
  alertReach?: 'grid' | 'scan';
  /**
   * Where the phones get their first mobility and context state: `main` (in createState), or
   * `workers` (split over the worker threads). Default: the workers from WORKER_INIT_FROM phones on,
   * when threads are used (the same columns either way; the determinism tests check both).
   */
  deviceInit?: 'main' | 'workers';
  /**
   * `bulk` (default): when the workers deliver the uplink and every server takes warm-up heartbeats
   * in bulk (ConsensusServer.warmup), those heard before the run's start go to the servers and the
   * directory in batches, phone by phone, instead of one by one through the network queue; `queue`
   * sends them through the queue (a check on the former: the same outputs).
   */
  warmup?: 'bulk' | 'queue';
  /** Inference pool: largest batch, and a hook for tests. */
  inference?: Pick<InferencePoolOptions, 'maxBatch' | 'crashOn'>;
}

/** A trigger or update a phone sent, and when it reached the server (NaN: lost). */
export interface SentTrigger {
  message: TriggerMessage;
  arrival: number;
}

export type { Receipt } from './receipt-log.js';

export interface RunResult {
  state: SimulationState;
  truths: HazardTruth[];
  alerts: AlertRecord[];
  /** Alerts as they reached phones (columns; iterate for Receipt objects). */
  receipts: ReceiptLog;
  /** Every trigger and update the phones sent, in sending order (columns; iterate for SentTrigger objects). */
  triggers: TriggerLog;
  messages: { sent: number; lost: number; lostToOutage: number; triggers: number; updates: number; heartbeats: number; devicesTriggered: number };
  pushes: { sent: number; lost: number; lostToOutage: number };
  /** simulateSeconds: time the device stages kept each thread busy (overlaps the server's time). */
  /** setupSeconds: loading the world and placing the devices (with the worker pool starting alongside). */
  /** deviceSteps: times a device went through the stage list (devices × ticks, fewer with event stepping). */
  figures: { samples: number; deviceSteps: number; deviceSeconds: number; wallSeconds: number; setupSeconds: number; simulateSeconds: number; serverSeconds: number; inferenceSeconds: number };
  /** The fidelity and its per-device stages, in order, with what each reads and writes. */
  plan: { fidelity: string; stages: { name: string; reads: readonly string[]; writes: readonly string[] }[] };
  /** Cost of each detector on each phone profile (the on-device budget view). */
  budget: DetectorBudget[];
  /** The fleet backend's telemetry table (scenarios with a fleet section). */
  telemetry?: TelemetryCollector;
  /** The staged rollout's decisions and state. */
  rollout?: RolloutController;
}

export { compareMessages };

/**
 * From this many phones their first state is given on the worker threads: 1.35 s of the main
 * thread at 10 M phones (about 0.4 s less setup on two workers); below it the main thread is done
 * before the workers have loaded their modules.
 */
const WORKER_INIT_FROM = 2_000_000;

/** A rollout region as the backend tests it: a lon/lat box in the world frame, and where each phone last said it was. */
function regionTest(box: readonly [number, number, number, number], frame: { project(p: readonly number[]): [number, number] }, lastXY: Float64Array) {
  const [x0, y0] = frame.project([box[0], box[1]]), [x1, y1] = frame.project([box[2], box[3]]);
  return {
    inRegion: (x: number, y: number) => x >= Math.min(x0, x1) && x <= Math.max(x0, x1) && y >= Math.min(y0, y1) && y <= Math.max(y0, y1),
    lastPosition: (d: number): [number, number] => [lastXY[4 * d]!, lastXY[4 * d + 1]!],
  };
}

export async function runScenario(scenario: ResolvedScenario, options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const threads = Math.max(0, Math.floor(options.threads));
  // Worker threads start first, so that loading their modules overlaps with placing the devices;
  // each task then carries the run's shared state (cheap: buffers are shared, not copied).
  const pool = threads > 0
    ? new Piscina({ filename: compiledModule('engine/device-worker.js'), minThreads: threads, maxThreads: threads, workerData: { pluginModule: compiledUrl(options.plugins.module), worldFile: scenario.worldFile }, idleTimeout: 60_000 })
    : undefined;
  try {
    return await runWith(pool, threads, started, scenario, options);
  } finally {
    await pool?.destroy();
  }
}

async function runWith(pool: Piscina | undefined, threads: number, started: number, scenario: ResolvedScenario, options: RunOptions): Promise<RunResult> {
  const plugins = options.plugins;
  // With worker threads, they give the phones their first state (each phone from its own streams:
  // the same columns however the phones are split), while the main thread would only wait.
  const state = createState(scenario, plugins, { initDevices: false });
  const init = workerInit(state);
  if (!pool || (options.deviceInit ?? (state.columns.rows >= WORKER_INIT_FROM ? 'workers' : 'main')) === 'main') initDevices(createPopulationRuntimes(state), 0, state.columns.rows);
  else {
    const n = state.columns.rows, size = Math.max(4096, Math.ceil(n / (4 * threads))), tasks: Promise<unknown>[] = [];
    for (let from = 0; from < n; from += size) tasks.push(pool.run({ initDevices: true, deviceFrom: from, deviceTo: Math.min(n, from + size), init } satisfies InitTask));
    await Promise.all(tasks);
  }
  const setupSeconds = (performance.now() - started) / 1000;
  const cfg = scenario.config;
  const n = state.columns.rows;
  // Model-based detectors: their coordinators, and epochs short enough that the windows of one
  // epoch stay a modest batch of memory (the length depends on the scenario only, never on threads).
  const coordinators: (DetectorCoordinator | undefined)[] = scenario.detectors.map((det) => plugins.detectors[det.config.type]!.coordinator?.(det, { devices: n }));
  const phoneOf = state.columns.u8('phone');
  let windowsPerSecond = 0;
  for (let d = 0; d < n; d++) {
    const det = scenario.detectors[scenario.phoneDetector[phoneOf[d]!]!]!;
    windowsPerSecond += plugins.detectors[det.config.type]!.cost(det).windowsPerSecond;
  }
  // Epochs of 10 s; trigger fidelity, whose phones step only at their events, takes longer ones
  // on long runs (a thousand epochs at most: a simulated week is 605 epochs of 1,000 s, not 60,000
  // of 10 s, each a round of tasks for the pool). Outputs do not depend on the epoch length.
  const defaultEpoch = Math.max(1, Math.round((cfg.fidelity === 'trigger' ? Math.max(10, cfg.duration / 1000) : 10) / cfg.tick));
  const epochTicks = Math.max(1, options.epochTicks ?? (windowsPerSecond > 0 ? Math.min(defaultEpoch, Math.max(1, Math.floor(50_000 / (windowsPerSecond * cfg.tick)))) : defaultEpoch));
  const models = scenario.detectors.filter((d, i) => d.model && coordinators[i]).map((d) => d.model!);
  const inference = models.length ? new InferencePool(models, { threads, ...options.inference }) : undefined;
  const windowCounts = scenario.detectors.map(() => new Float64Array(scenario.phones.length));
  const monitoredTicks = new Float64Array(scenario.phones.length);
  let inferenceMs = 0;
  const chunkSize = Math.max(1, options.chunkSize ?? Math.max(256, Math.ceil(n / (Math.max(1, threads) * 8))));

  // Configuration checks that need the world or the devices.
  checkHazards(state);

  const local = threads === 0 ? createRuntimes(state) : undefined;
  const plan = { fidelity: cfg.fidelity, stages: stagePlan(scenario) };
  const runChunk = (task: ChunkTask): Promise<ChunkResult> => (pool ? pool.run({ ...task, init }) : Promise.resolve(simulateChunk(local!, task)));

  const outages = new Outages({
    outages: cfg.network.outages, random: cfg.network.random_outages, frame: state.world.frame, seed: cfg.seed, durationS: cfg.duration,
    x: state.columns.f64('x'), y: state.columns.f64('y'),
  });
  // Without models (whose messages the main thread makes), workers deliver their own phones' messages
  // on the uplink as they finish an epoch: the same per-phone draws, off the main thread, which is
  // the run's critical path at a million phones.
  const uplinkState = pool && models.length === 0 && !coordinators.some((c) => c) ? sharedLinkState(n) : undefined;
  const uplink = new Link(cfg.network.uplink, cfg.seed, 'uplink', { table: scenario.latencyTables.uplink, outages, devices: n, shared: uplinkState });
  if (uplinkState) init.uplink = { state: uplinkState, outages: outages.list };
  const push = new Link(cfg.network.push, cfg.seed, 'push', { table: scenario.latencyTables.push, outages, devices: n });
  const monitoring = state.columns.u8('monitoring');
  // The server's directory of where each phone last said it was: empty at the start, then whatever
  // heartbeats and triggers that crossed the network report. Alerts are pushed to phones by it.
  const directory = new PhoneDirectory(n), lastXY = directory.xy;
  // Fleet operations: the telemetry phones upload (on the uplink, its own random stream) and a staged rollout run on it.
  const fleet = cfg.fleet, every = fleet?.telemetry_every ?? 3600;
  const telemetry = fleet ? new TelemetryCollector({
    every, periods: Math.ceil(cfg.duration / every), unproject: (x, y) => state.world.frame.unproject(x, y),
    link: new Link(cfg.network.uplink, cfg.seed, 'uplink', { table: scenario.latencyTables.uplink, outages, devices: n, stream: 'telemetry' }),
    labels: { phones: scenario.phones.map((p) => p.name), firmware: [fleet.firmware, ...fleet.updates.map((u) => u.firmware)], models: [fleet.rollout?.baseline_name ?? 'baseline', fleet.rollout?.name ?? 'candidate'] },
  }) : undefined;
  const candidate = scenario.candidate;
  const rollout = candidate && fleet?.rollout ? new RolloutController(fleet.rollout, {
    seed: cfg.seed, devices: n, phone: phoneOf, eligible: candidate.phones, tick: cfg.tick,
    target: state.columns.u8('fleet.target'), switchAt: state.columns.f64('fleet.switch_at'),
    heartbeat: (d, t) => nextHeartbeat(componentKey(cfg.seed, 'heartbeat'), d, cfg.network.heartbeat_every, t),
    ...(fleet?.rollout?.region ? regionTest(fleet.rollout.region, state.world.frame, lastXY) : {}),
  }) : undefined;
  /** The detector that produced device d's messages at time t (a rollout switches some phones). */
  const detectorAt = (d: number, t: number) => (rollout && rollout.modelAt(d, t) ? candidate!.detector : scenario.phoneDetector[phoneOf[d]!]!);
  const decisionTimes = rollout ? rollout.decisionTimes(every, cfg.duration) : [];
  /** Telemetry that crossed the network and awaits the rollout's next decision, by arrival. */
  let inbox: TelemetryRow[] = [];
  // Tests poison truth here too: nothing the server starts with may come from the simulator's state.
  const restoreSetup = options.beforeServer?.(state);
  const serverCtx = { seed: cfg.seed, world: state.world, durationS: cfg.duration, devices: n };
  const servers = serversOf(cfg).map((c) => plugins.servers[c.type]!.create(c, serverCtx));
  const heartbeatsDirect = servers.every((srv) => srv.heartbeat);
  // Servers that keep nothing of a message object get one, refilled for each message (see transientMessages).
  const transient = servers.every((srv) => srv.transientMessages === true);
  const scratch = { device: 0, kind: 'trigger', time: 0, deviceTime: 0, onsetDeviceTime: 0, amplitude: 0, ratio: 0, x: 0, y: 0, monitoring: 0, channel: undefined, score: undefined, speed: undefined, speedAfter: undefined, step: undefined } as TriggerMessage;
  // The warm-up's heartbeats (one per phone by default: ten million at a national run, most of its
  // first epoch) in bulk, phone by phone, when the workers deliver them and every server can take them so.
  const warmupInBulk = uplinkState !== undefined && options.warmup !== 'queue' && servers.length > 0 && servers.every((srv) => srv.warmup && srv.warmupDone);
  restoreSetup?.();
  // Messages in flight: references (epoch × 2³² + index) into each epoch's block of messages, kept until its last one is delivered; each epoch's arrivals join as one sorted run.
  const queue = new SortedRuns();
  /** An epoch's blocks (its messages numbered one after another, see chunkOf) while some of them are still on their way. */
  const inFlightBlocks = new Map<number, { blocks: readonly MessageBlock[]; offsets: Int32Array; pending: number }>();
  const alerts: AlertRecord[] = [];
  const receipts = new ReceiptLog();
  /** Per event: the tier each phone holds (0 none, 1 be aware, 2 take action). */
  const alerted = new Map<number, Uint8Array>();
  /** Per event: the lowest tier held by the phones of each directory cell (valid for one build of its grid). */
  const cellTiers = new Map<number, { version: number; low: Uint8Array }>();
  /** Event ids are per server; the run numbers them in the order they first alert. */
  const eventIds = new Map<string, number>();
  const triggered = new Uint8Array(n);
  // Scoring truth: triggers a model confirms count under the context the phone was in at its window
  // (the workers count the triggers detectors send directly).
  const contextTriggers = state.columns.u32('truth.context_triggers');
  const candidateTriggers = scenario.candidate ? state.columns.u32('truth.candidate_triggers') : undefined;
  const counts = { triggers: 0, updates: 0, heartbeats: 0 };
  const sentTriggers = new TriggerLog();
  const truthRows: import('../plugin/index.js').TruthRow[] = [];
  let samples = 0, deviceSteps = 0, simulateMs = 0, serverMs = 0;

  /** The columns of a row of the directory's grid within each tier's reach (see deliver). */
  const rowAct: [number, number] = [0, 0], rowAware: [number, number] = [0, 0];
  const deliver = (server: number, local: AlertRecord) => {
    const key = `${server}/${local.event}`;
    let id = eventIds.get(key);
    if (id === undefined) eventIds.set(key, (id = eventIds.size));
    const a = { ...local, event: id };
    alerts.push(a);
    let tier = alerted.get(a.event);
    if (!tier) alerted.set(a.event, (tier = new Uint8Array(n)));
    if (a.cancelled) {
      // Everyone who was alerted hears that it is off.
      for (let d = 0; d < n; d++) {
        if (!tier[d] || Number.isNaN(lastXY[4 * d]!)) continue;
        const t = push.deliver(d, a.time, lastXY[4 * d]!, lastXY[4 * d + 1]!);
        if (t !== undefined) receipts.push(d, a.event, a.seq, t, 'cancel');
      }
      return;
    }
    if (a.radiusKm <= 0) return;
    const r2 = (a.radiusKm * 1000) ** 2, act2 = (a.takeActionRadiusKm * 1000) ** 2;
    const ex = a.estimate.x, ey = a.estimate.y, seg = a.rupture;
    // The box around the alerted region (the circle, or the band around the rupture): phones outside it need no distance.
    const reach = Math.max(a.radiusKm, a.takeActionRadiusKm) * 1000;
    const x0 = (seg ? Math.min(seg.x1, seg.x2) : ex) - reach, x1 = (seg ? Math.max(seg.x1, seg.x2) : ex) + reach;
    const y0 = (seg ? Math.min(seg.y1, seg.y2) : ey) - reach, y1 = (seg ? Math.max(seg.y1, seg.y2) : ey) + reach;
    const dist2 = (px: number, py: number) => (seg ? segmentDistance(seg, px, py) ** 2 : (px - ex) ** 2 + (py - ey) ** 2);
    const raised: number[] = [];
    /** Raises phone d to the tier its reported position earns, if that is higher. */
    const visit = (d: number) => {
      if (tier[d] === 2) return; // already told to take action
      const px = lastXY[4 * d]!, py = lastXY[4 * d + 1]!;
      if (!(px >= x0 && px <= x1 && py >= y0 && py <= y1)) return; // outside, or a phone the server has never heard from (NaN)
      const r = dist2(px, py);
      const level = r <= act2 ? 2 : r <= r2 ? 1 : 0;
      if (level <= tier[d]!) return;
      raised.push(d); // once: a second visit (a loose phone is also still in its old cell) finds it raised
      tier[d] = level;
    };
    if (options.alertReach === 'scan') for (let d = 0; d < n; d++) visit(d);
    else {
      // Through the directory's grid: a cell is skipped when all its phones already hold the highest
      // tier any point of it (widened by the slack phones may drift) could earn from this alert.
      const g = directory.index();
      let state = cellTiers.get(a.event);
      if (!state || state.version !== directory.version) cellTiers.set(a.event, (state = { version: directory.version, low: new Uint8Array(g.w * g.h) }));
      const low = state.low, half = (g.size / 2 + directory.slack) * Math.SQRT2, { cx0, cx1, cy0, cy1 } = directory.cellRange(g, x0, x1, y0, y1);
      // A cell can hold a phone of a tier when its centre lies within that tier's radius plus the
      // widened cell's half diagonal of the source: per row of cells, an interval of columns (the
      // centres within reach of a segment or point form a capsule), widened by a metre so that it
      // holds every cell the exact bound does. Cells outside both intervals hold no one to raise.
      const source: Segment = seg ?? { x1: ex, y1: ey, x2: ex, y2: ey };
      const reachAct = a.takeActionRadiusKm * 1000 + half + 1, reachAware = a.radiusKm * 1000 + half + 1;
      const col = (x: number, up: boolean) => (up ? Math.floor((x - g.x0) / g.size - 0.5) : Math.ceil((x - g.x0) / g.size - 0.5));
      for (let cy = cy0; cy <= cy1; cy++) {
        const yc = g.y0 + (cy + 0.5) * g.size;
        capsuleRow(source, reachAct, yc, rowAct);
        capsuleRow(source, reachAware, yc, rowAware);
        const a0 = col(rowAct[0], false), a1 = col(rowAct[1], true), w0 = col(rowAware[0], false), w1 = col(rowAware[1], true);
        const from0 = Math.max(cx0, Math.min(a0, w0)), to0 = Math.min(cx1, Math.max(a1, w1));
        for (let cx = from0, c = cy * g.w + from0; cx <= to0; cx++, c++) {
          if (low[c] === 2) continue;
          const from = g.start[c]!, to = g.start[c + 1]!;
          if (from === to) continue;
          const best = cx >= a0 && cx <= a1 ? 2 : cx >= w0 && cx <= w1 ? 1 : 0;
          if (low[c]! >= best) continue;
          let least = 2;
          for (let k = from; k < to; k++) {
            const d = g.members[k]!;
            visit(d);
            if (tier[d]! < least) least = tier[d]!;
          }
          low[c] = least;
        }
      }
      for (const d of directory.loosePhones()) visit(d);
    }
    // Pushed in device order, as a scan of every phone would (each phone's push stream is its own);
    // a phone is raised at most once per alert, so a numeric sort of the typed copy gives that order.
    const order = Int32Array.from(raised).sort();
    for (let k = 0; k < order.length; k++) {
      const d = order[k]!;
      const t = push.deliver(d, a.time, lastXY[4 * d]!, lastXY[4 * d + 1]!);
      if (t !== undefined) receipts.push(d, a.event, a.seq, t, tier[d] === 2 ? 'take-action' : 'be-aware');
    }
  };

  let serverClock = 0; // last server tick time processed
  /** The in-flight block the last message came from (and its epoch). */
  let held: { blocks: readonly MessageBlock[]; offsets: Int32Array; pending: number } | undefined, heldEpoch = -1;
  /**
   * Lets the event loop run every few milliseconds of main-thread work: a device chunk's next epoch
   * is posted to a worker when its previous one resolves, which needs the loop; without these
   * pauses the workers idle while the server works through a long epoch (half the time at 1 M phones).
   * Order and outputs do not change: only when tasks are posted does.
   */
  let lastBreath = performance.now();
  const breathe = async () => {
    if (performance.now() - lastBreath < 4) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    lastBreath = performance.now();
  };
  /** Runs of heartbeats, for servers that take them as columns (gathered into hbColumns, with their arrivals). */
  const heartbeatsBatched = heartbeatsDirect && servers.every((srv) => srv.heartbeats);
  const hbRows = Int32Array.from({ length: 4096 }, (_, i) => i), hbTimes = new Float64Array(4096);
  /** A run's heartbeats gathered from the epoch's blocks (hbRows numbers them 0, 1, 2...). */
  const hbColumns = { device: new Int32Array(4096), x: new Float64Array(4096), y: new Float64Array(4096), monitoring: new Uint8Array(4096) };
  const advanceServer = async (until: number) => {
    let t0 = performance.now();
    for (let k = 0, breathAt = 1023; ; k++) {
      if (k >= breathAt && pool) {
        breathAt = k + 1024;
        serverMs += performance.now() - t0;
        await breathe();
        t0 = performance.now();
      }
      const nextTick = serverClock + cfg.tick;
      const nextMsg = queue.peekTime();
      if (nextMsg <= until && nextMsg <= nextTick) {
        const ref = queue.pop(), epoch = Math.floor(ref / 2 ** 32), g = ref - epoch * 2 ** 32;
        // Consecutive messages mostly come from one epoch: its entry is looked up once for them.
        if (epoch !== heldEpoch) { held = inFlightBlocks.get(epoch)!; heldEpoch = epoch; }
        const h = held!;
        if (--h.pending === 0) { inFlightBlocks.delete(epoch); heldEpoch = -1; }
        const c = chunkOf(h.offsets, g), b = h.blocks[c]!, j = g - h.offsets[c]!, d = b.device[j]!, x = b.x[j]!, y = b.y[j]!;
        directory.set(d, x, y);
        if (b.kind[j] === 2 && heartbeatsBatched) {
          // The heartbeats of this epoch that come next, before anything else and the next tick: one
          // call per server for the run (as many calls of heartbeat, in order, without an object each).
          let count = 0;
          hbColumns.device[0] = d; hbColumns.x[0] = x; hbColumns.y[0] = y; hbColumns.monitoring[0] = b.monitoring[j]!; hbTimes[count++] = nextMsg;
          const limit = Math.min(until, nextTick);
          while (count < hbRows.length) {
            const t = queue.peekTime();
            if (!(t <= limit)) break;
            const r = queue.peekRef(), ep = Math.floor(r / 2 ** 32), gg = r - ep * 2 ** 32;
            if (ep !== heldEpoch) break;
            const cc = chunkOf(h.offsets, gg), bb = h.blocks[cc]!, jj = gg - h.offsets[cc]!;
            if (bb.kind[jj] !== 2) break;
            queue.pop();
            if (--h.pending === 0) { inFlightBlocks.delete(ep); heldEpoch = -1; }
            const dd = bb.device[jj]!, xx = bb.x[jj]!, yy = bb.y[jj]!;
            directory.set(dd, xx, yy);
            hbColumns.device[count] = dd; hbColumns.x[count] = xx; hbColumns.y[count] = yy; hbColumns.monitoring[count] = bb.monitoring[jj]!; hbTimes[count++] = t;
          }
          k += count - 1;
          for (let s = 0; s < servers.length; s++) servers[s]!.heartbeats!(hbColumns, hbRows, hbTimes, count);
          continue;
        }
        if (b.kind[j] === 2 && heartbeatsDirect) {
          // Heartbeats straight from the columns to servers that take them so (no object each).
          for (let s = 0; s < servers.length; s++) servers[s]!.heartbeat!(d, x, y, b.monitoring[j]!, nextMsg);
          continue;
        }
        const m = transient ? messageInto(b, j, scratch) : messageAt(b, j);
        for (let s = 0; s < servers.length; s++) { const got = servers[s]!.receive(m, nextMsg); for (let k = 0; k < got.length; k++) deliver(s, got[k]!); }
      } else if (nextTick <= until + 1e-9) {
        serverClock = nextTick;
        servers.forEach((srv, i) => { for (const a of srv.tick(nextTick)) deliver(i, a); });
      } else break;
    }
    serverMs += performance.now() - t0;
  };

  const inFlight: Promise<ChunkResult[]>[] = [];
  try {
    await inference?.start();
    const ticks = state.clock.ticks;
    // Epochs: `epochTicks` long, cut at the rollout's decision times (a decision must be taken
    // before any phone simulates past it; the cuts depend on the scenario only).
    const cuts = decisionTimes.map((t) => Math.round(t / cfg.tick)).filter((c) => c > 0 && c < ticks);
    const bounds: number[] = [];
    for (let t = 0; t < ticks;) {
      bounds.push(t);
      let next = Math.min(ticks, t + epochTicks);
      for (const c of cuts) if (c > t && c < next) next = c;
      t = next;
    }
    bounds.push(ticks);
    const epochs = bounds.length - 1;
    /** The last task of each device chunk: a chunk's next epoch starts when its previous one is done. */
    const tails: Promise<unknown>[] = [];
    // The warm-up's batches reach the directory and the servers as the chunks of the first epoch
    // come back, while the main thread would otherwise wait for the others (at 10 M phones, five
    // seconds the workers spent idle once all were back). In chunk order, whichever chunk finishes
    // first: a server may name what it meets in the order it meets it (H3 cells get their numbers
    // so), and the order chunks finish in depends on the threads. A beforeServer hook (tests
    // poisoning truth around the server) sees them taken after the epoch, as before.
    const warmupEarly = warmupInBulk && !options.beforeServer;
    /** The first epoch's chunk results not yet taken (in chunk order), and the next chunk to take. */
    const warmBack: (ChunkResult | undefined)[] = [];
    let warmNext = 0;
    const applyWarmup = (w: WarmupBlock) => {
      const ts = performance.now();
      const latest = latestPerPhone(w);
      for (let k = 0; k < latest.length; k++) { const r = latest[k]!; directory.set(w.device[r]!, w.x[r]!, w.y[r]!); }
      for (const srv of servers) srv.warmup!(w);
      serverMs += performance.now() - ts;
    };
    /** Starts simulating the devices over epoch e, each chunk after its own previous epoch. */
    const dispatch = (e: number): Promise<ChunkResult[]> => {
      const tickFrom = bounds[e]!, tickTo = bounds[e + 1]!;
      const tasks: Promise<ChunkResult>[] = [];
      for (let from = 0, c = 0; from < n; from += chunkSize, c++) {
        const task = { tickFrom, tickTo, deviceFrom: from, deviceTo: Math.min(n, from + chunkSize), everyTick: options.stepping === 'every-tick', warmupApart: warmupInBulk && tickFrom === 0 };
        const prev = tails[c] as Promise<unknown> | undefined;
        const p = prev ? prev.then(() => runChunk(task)) : runChunk(task);
        tails[c] = p;
        tasks.push(warmupEarly && tickFrom === 0 ? p.then((r) => {
          warmBack[c] = r;
          for (let w = warmBack[warmNext]; w; w = warmBack[warmNext]) { warmBack[warmNext++] = undefined; if (w.warmup) applyWarmup(w.warmup); }
          return r;
        }) : p);
      }
      return Promise.all(tasks);
    };
    // Nothing the server does feeds back into the devices, so the workers run epochs ahead of the
    // network and the server (outputs do not change: each device's epochs run in order, and
    // the server sees the same messages in the same order). A beforeServer hook, which may touch
    // the columns, turns this off.
    // Trigger fidelity's epochs are small (messages as columns, no windows) and uneven (the first
    // carries every phone's warm-up heartbeats, the origin's every phone's shaking): workers run
    // up to eight epochs ahead, on what the main thread leaves them (they run nicer than it, see
    // thread-priority.ts), so that the quake's epochs are ready when the server comes to them. At
    // 10 M phones: 72.9–74.0 s at three ahead, 70.2–71.0 s at eight, 70.4–72.0 s with no limit
    // (two runs each; the same peak memory).
    // A rollout's decisions feed back into the phones: no epoch runs ahead of them.
    const ahead = options.beforeServer || rollout ? 0 : cfg.fidelity === 'trigger' ? 8 : 1;
    let dispatched = 0;
    const fill = () => {
      while (inFlight.length <= ahead && dispatched < epochs) inFlight.push(dispatch(dispatched++));
    };
    fill();
    for (let e = 0; e < epochs; e++) {
      const tickFrom = bounds[e]!, tickTo = bounds[e + 1]!;
      const results = await inFlight.shift()!;
      if (ahead) fill();
      const blocks: MessageBlock[] = [];
      const warmups: WarmupBlock[] = [];
      const modelMessages: TriggerMessage[] = [];
      const windows: WindowRequest[][] = scenario.detectors.map(() => []);
      const windowContext = new Map<WindowRequest, number>();
      for (const r of results) {
        samples += r.samples;
        deviceSteps += r.steps;
        simulateMs += r.busyMs;
        r.monitoredTicks.forEach((v, p) => { monitoredTicks[p] += v; });
        for (const row of r.truth) truthRows.push(row);
        telemetry?.take(r.telemetry);
        if (r.warmup) warmups.push(r.warmup);
        counts.heartbeats += r.warmupSent ?? 0;
        if (r.uplink) { uplink.sent += r.uplink.sent; uplink.lost += r.uplink.lost; uplink.lostToOutage += r.uplink.lostToOutage; }
        if (!coordinators.some((c) => c?.keep)) blocks.push(r.messages);
        else {
          // Model-based detectors may hold back some of what their phones sent (in order, so the block stays sorted).
          const kept: TriggerMessage[] = [];
          for (let i = 0; i < r.messages.count; i++) {
            const m = messageAt(r.messages, i), co = coordinators[detectorAt(m.device, m.time)];
            if (!co?.keep || co.keep(m)) kept.push(m);
          }
          blocks.push(packMessages(kept));
        }
        for (let i = 0; i < r.windows.count; i++) {
          const w = unpackWindow(r.windows, i);
          const p = phoneOf[w.device]!, det = r.windows.detector[i]!;
          windows[det]!.push(w);
          windowContext.set(w, r.windows.context[i]!);
          windowCounts[det]![p]++;
        }
      }
      // Windows to the models, in (time, device) order; their answers become messages.
      const ti = performance.now();
      for (let di = 0; di < windows.length; di++) {
        const list = windows[di]!;
        if (!list.length) continue;
        list.sort((a, b) => a.time - b.time || a.device - b.device);
        const scores = await inference!.score(scenario.detectors[di]!.model!, { count: list.length, fill: (i, out, off) => out.set(list[i]!.data, off) });
        if (telemetry) list.forEach((w, i) => telemetry.addScore(w.device, w.time, scores[i]!));
        // Each device's windows in time order, to find the window a confirmed trigger came from.
        const byDevice = new Map<number, WindowRequest[]>();
        for (const w of list) { const l = byDevice.get(w.device); if (l) l.push(w); else byDevice.set(w.device, [w]); }
        for (const m of coordinators[di]!.resolve(list, scores)) {
          modelMessages.push(m);
          if (m.kind !== 'trigger') continue;
          telemetry?.addModelTrigger(m.device, m.time);
          if (candidateTriggers && di === candidate!.detector) candidateTriggers[m.device]!++;
          let from: WindowRequest | undefined;
          for (const w of byDevice.get(m.device) ?? []) if (w.time <= m.time + 1e-9) from = w;
          if (from) contextTriggers[CONTEXT_SLOTS * m.device + windowContext.get(from)!]!++;
        }
      }
      inferenceMs += performance.now() - ti;
      if (modelMessages.length) blocks.push(packMessages(modelMessages.sort(compareMessages)));
      const epochId = e;
      let inFlightEpoch: { blocks: readonly MessageBlock[]; offsets: Int32Array }, pending = 0, restore: (() => void) | void;
      if (uplinkState) {
        // Workers delivered their phones' messages and sorted them by arrival: merged here into the
        // network queue's order and the log's sending order, without a merged copy by sending time first.
        const merged = await arrivalMerge(blocks, pool ? breathe : undefined);
        inFlightEpoch = merged;
        restore = options.beforeServer?.(state);
        if (warmupInBulk && e === 0) {
          // Heard before the start, before anything else: the directory and the servers take them phone by phone.
          if (!warmupEarly) for (const w of warmups) applyWarmup(w);
          const ts = performance.now();
          for (const srv of servers) srv.warmupDone!();
          serverMs += performance.now() - ts;
        }
        for (const b of merged.blocks) {
          for (let i = 0; i < b.count; i++) {
            const kind = b.kind[i]!;
            if (kind === 0) { counts.triggers++; triggered[b.device[i]!] = 1; } else if (kind === 1) counts.updates++; else counts.heartbeats++;
          }
        }
        sentTriggers.pushSent(merged.blocks, merged.offsets, merged.sent);
        pending = merged.rows.length;
        const runRef = new Float64Array(pending);
        for (let k = 0; k < pending; k++) runRef[k] = epochId * 2 ** 32 + merged.rows[k]!;
        queue.pushSorted(merged.arrival, runRef, pending);
      } else {
        // The epoch's messages in (time, device, kind) order (each block is sorted already), onto the network.
        const epoch = mergeSorted(blocks);
        inFlightEpoch = { blocks: [epoch], offsets: Int32Array.of(0, epoch.count) };
        restore = options.beforeServer?.(state);
        const runTime = new Float64Array(epoch.count), runRef = new Float64Array(epoch.count);
        for (let i = 0; i < epoch.count; i++) {
          if ((i & 4095) === 4095 && pool) await breathe();
          const d = epoch.device[i]!, kind = epoch.kind[i]!;
          if (kind === 0) { counts.triggers++; triggered[d] = 1; } else if (kind === 1) counts.updates++; else counts.heartbeats++;
          const arrival = uplink.deliver(d, epoch.time[i]!, epoch.x[i]!, epoch.y[i]!);
          if (arrival !== undefined) { runTime[pending] = arrival; runRef[pending] = epochId * 2 ** 32 + i; pending++; }
          if (kind !== 2) sentTriggers.push(epoch, i, arrival ?? NaN);
        }
        queue.push(runTime, runRef, pending);
      }
      if (pending) inFlightBlocks.set(epochId, { ...inFlightEpoch, pending });
      await advanceServer(state.clock.timeOf(tickTo));
      restore?.();
      // Telemetry of periods that ended crosses the network; the rollout decides on what has arrived.
      if (telemetry) { const got = telemetry.deliver(); if (rollout) for (const r of got) inbox.push(r); }
      const now = state.clock.timeOf(tickTo);
      if (rollout && cuts.includes(tickTo)) {
        inbox.sort((a, b) => a.received - b.received || a.device - b.device);
        const arrived = inbox.filter((r) => r.received <= now + 1e-9);
        inbox = inbox.filter((r) => !(r.received <= now + 1e-9));
        rollout.decide(now, arrived);
      }
      if (!ahead) fill();
      options.onProgress?.(tickTo / ticks);
    }
  } finally {
    for (const p of inFlight) p.catch(() => undefined); // epochs still running when something failed: their results no longer matter
    await inference?.close();
  }

  const truths = cfg.hazards.map((h, i) => plugins.hazards[h.type]!.truth(h, hazardContext(state, i), i));
  // Reported rows join the hazards' own items, ordered by time then device (chunk order does not matter).
  truthRows.sort((a, b) => a.hazard - b.hazard || a.time - b.time || a.device - b.device);
  for (const row of truthRows) (truths[row.hazard]!.items ??= []).push(row);
  let devicesTriggered = 0;
  for (let d = 0; d < n; d++) devicesTriggered += triggered[d]!;
  let monitored = 0;
  for (let d = 0; d < n; d++) monitored += monitoring[d]!;
  const wallSeconds = (performance.now() - started) / 1000;
  return {
    state,
    truths,
    alerts,
    receipts,
    triggers: sentTriggers,
    messages: { sent: uplink.sent, lost: uplink.lost, lostToOutage: uplink.lostToOutage, triggers: counts.triggers, updates: counts.updates, heartbeats: counts.heartbeats, devicesTriggered },
    pushes: { sent: push.sent, lost: push.lost, lostToOutage: push.lostToOutage },
    figures: { samples, deviceSteps, deviceSeconds: monitored * cfg.duration, wallSeconds, setupSeconds, simulateSeconds: simulateMs / 1000 / Math.max(1, threads), serverSeconds: serverMs / 1000, inferenceSeconds: inferenceMs / 1000 },
    plan,
    telemetry,
    rollout,
    budget: detectorBudget({ scenario, plugins, windowCounts, monitoredSeconds: monitoredTicks.map((k) => k * cfg.tick), stats: (m) => inference?.statsOf(m) as ModelStats }),
  };
}
