/** Worker-thread entry (piscina): simulates chunks of devices over epochs on shared columns. */
import { workerData } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { initDevices, runtimesFromInit, type Runtimes, type WorkerInit } from './setup.js';
import { simulateChunk, type ChunkResult, type ChunkTask } from './simulate.js';
import { loadWorld, type World } from '../world/load.js';
import { Link } from '../network/link.js';
import { Outages } from '../network/outage.js';
import { arrivalOrder, blockBuffers, deliverBlock, splitWarmup, warmupBuffers } from './message-block.js';
import { lowerThreadPriority } from '../core/thread-priority.js';

// The main thread (network and server) is the run's critical path: devices run ahead of it on what it leaves.
lowerThreadPriority();

// Load the run's plug-ins and its world while the main thread places the devices.
const data = workerData as { pluginModule: string; worldFile: string };
const warm = import(data.pluginModule).then(() => {
  try {
    return { file: data.worldFile, world: loadWorld(data.worldFile) as World };
  } catch {
    return undefined; // the main thread reports a bad world
  }
});
warm.catch(() => undefined); // a failure surfaces in the first task, which awaits it

/** The runtimes of the run this worker serves (a pool serves one run; its tasks all carry the same init). */
let runtimes: Promise<Runtimes> | undefined;
/** The uplink, when this run's workers deliver their own phones' messages. */
let uplink: Link | undefined;

/** Gives phones [deviceFrom, deviceTo) their first state (the last step of placing them, on the workers while the main thread waits). */
export interface InitTask {
  initDevices: true;
  deviceFrom: number;
  deviceTo: number;
  init: WorkerInit;
}

export default async function simulate(task: (ChunkTask & { init: WorkerInit }) | InitTask): Promise<ChunkResult | undefined> {
  const loaded = await warm;
  runtimes ??= runtimesFromInit(task.init, loaded);
  const rt = await runtimes;
  if ('initDevices' in task) { initDevices(rt, task.deviceFrom, task.deviceTo); return undefined; }
  const r = simulateChunk(rt, task);
  if (task.init.uplink) {
    const s = rt.state.scenario;
    uplink ??= new Link(s.config.network.uplink, s.config.seed, 'uplink', { table: s.latencyTables.uplink, outages: new Outages({ list: task.init.uplink.outages }), shared: task.init.uplink.state });
    const before = { sent: uplink.sent, lost: uplink.lost, lostToOutage: uplink.lostToOutage };
    // Warm-up heartbeats first: each phone's stream draws for its messages in sending order.
    const w = r.warmup;
    if (w) for (let i = 0; i < w.count; i++) w.arrival[i] = uplink.deliver(w.device[i]!, w.time[i]!, w.x[i]!, w.y[i]!) ?? NaN;
    deliverBlock(r.messages, uplink);
    r.uplink = { sent: uplink.sent - before.sent, lost: uplink.lost - before.lost, lostToOutage: uplink.lostToOutage - before.lostToOutage };
    if (w) { const split = splitWarmup(w, r.messages); r.messages = split.messages; r.warmupSent = split.sent; }
    // Sorted here by arrival, so the main thread (the run's critical path) only merges the chunks' orders.
    r.messages.byArrival = arrivalOrder(r.messages);
  }
  // Messages (a million heartbeats in a national run's first epoch) and windows for the models go
  // back to the main thread moved, not copied: the chunk made them fresh and keeps none.
  const w = r.windows, moved = new Set([...blockBuffers(r.messages), ...(r.warmup ? warmupBuffers(r.warmup) : []), r.monitoredTicks.buffer]);
  if (w.count) for (const a of [w.data, w.offset, w.device, w.time]) moved.add(a.buffer);
  return Piscina.move({ [Piscina.transferableSymbol]: [...moved], [Piscina.valueSymbol]: r } as never) as never;
}
