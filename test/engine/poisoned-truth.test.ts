/**
 * The server knows phones only from what crossed the network: with every truth column (true
 * positions, mobility, phone context, hazard state) set to NaN between the devices' stages and the
 * server, its alerts and the pushes it sends are byte-identical.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/engine/run.js';
import { builtinPlugins } from '../../src/plugins.js';
import type { SimulationState } from '../../src/engine/setup.js';
import { componentKey } from '../../src/core/random.js';
import { nextHeartbeat } from '../../src/engine/setup.js';
import { ROOT, smallScenario, tempDir, writeScenario } from '../helpers.js';
import { join } from 'node:path';

/** Columns only the simulator (and scoring) may know. */
const isTruth = (name: string) => name === 'x' || name === 'y' || name === 'monitoring' || /^(mob|ctx|hazard\d+)\./.test(name);

function poison(state: SimulationState): () => void {
  const saved: [Float64Array | Float32Array, Float64Array | Float32Array][] = [];
  for (const name of state.columns.names().filter(isTruth)) {
    for (const get of [() => state.columns.f64(name), () => state.columns.f32(name)]) {
      let a: Float64Array | Float32Array;
      try { a = get(); } catch { continue; }
      saved.push([a, a.slice()]);
      a.fill(NaN);
    }
  }
  return () => { for (const [a, copy] of saved) a.set(copy); };
}

/**
 * A cold start (no heartbeats before t = 0, one every 10 minutes) where half the phones run a
 * pressure detector and never send a shaking trigger: the server can know those only from their
 * first heartbeat, which most of them have not sent by the end. A server that took positions from the
 * simulator would push alerts to all of them.
 */
function coldStart(dir: string) {
  const phone = join(ROOT, 'agents/phones/mid-range.yaml');
  return writeScenario(dir, smallScenario(dir, {
    duration: '60s',
    network: { warmup: 0, heartbeat_every: '10m' },
    population: { devices: 600, phones: [{ profile: phone }, { profile: phone, detector: { type: 'pressure-step' } }], behaviours: [{ profile: join(ROOT, 'agents/behaviours/on-table.yaml') }] },
  }));
}

describe('the truth firewall on a whole run', () => {
  it('gives the same alerts and pushes when truth columns are NaN while the server works', async () => {
    const dir = tempDir();
    const s = loadScenario(coldStart(dir), { plugins: builtinPlugins });
    const clean = await runScenario(s, { plugins: builtinPlugins, threads: 0 });
    let poisoned = 0;
    const dirty = await runScenario(s, { plugins: builtinPlugins, threads: 0, beforeServer: (state) => { poisoned++; return poison(state); } });
    expect(poisoned).toBeGreaterThan(3);
    expect(clean.alerts.length).toBeGreaterThan(0);
    expect(JSON.stringify(dirty.alerts)).toBe(JSON.stringify(clean.alerts));
    expect(JSON.stringify(dirty.receipts.toArray())).toBe(JSON.stringify(clean.receipts.toArray()));
    expect(dirty.receipts.length).toBeGreaterThan(50);
  });

  it('alerts nobody the server never heard from: on a cold start, only phones that triggered or whose first heartbeat was sent', async () => {
    const dir = tempDir();
    const s = loadScenario(coldStart(dir), { plugins: builtinPlugins });
    const r = await runScenario(s, { plugins: builtinPlugins, threads: 0 });
    const triggered = new Set(r.triggers.toArray().filter((t) => !Number.isNaN(t.arrival)).map((t) => t.message.device));
    const key = componentKey(s.config.seed, 'heartbeat');
    const phone = r.state.columns.u8('phone');
    const heard = (d: number) => triggered.has(d) || nextHeartbeat(key, d, 600, 0) < 60;
    const quietPhones = Array.from(phone.keys()).filter((d) => phone[d] === 1);
    const quietHeard = quietPhones.filter(heard).length;
    expect(quietHeard).toBeLessThan(0.2 * quietPhones.length); // about 60 s / 600 s of them
    expect(r.receipts.length).toBeGreaterThan(50);
    expect(r.receipts.toArray().filter((x) => !heard(x.device))).toEqual([]);
  });
});
