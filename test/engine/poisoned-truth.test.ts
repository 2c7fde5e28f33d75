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
import { smallScenario, tempDir, writeScenario } from '../helpers.js';

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

describe('the truth firewall on a whole run', () => {
  it('gives the same alerts and pushes when truth columns are NaN while the server works', async () => {
    const dir = tempDir();
    const file = writeScenario(dir, smallScenario(dir, { duration: '60s' }));
    const s = loadScenario(file, { plugins: builtinPlugins });
    const clean = await runScenario(s, { plugins: builtinPlugins, threads: 0 });
    let poisoned = 0;
    const dirty = await runScenario(s, { plugins: builtinPlugins, threads: 0, beforeServer: (state) => { poisoned++; return poison(state); } });
    expect(poisoned).toBeGreaterThan(3);
    expect(clean.alerts.length).toBeGreaterThan(0);
    expect(JSON.stringify(dirty.alerts)).toBe(JSON.stringify(clean.alerts));
    expect(JSON.stringify(dirty.receipts)).toBe(JSON.stringify(clean.receipts));
    expect(dirty.receipts.length).toBeGreaterThan(100);
  });

  it('alerts nobody the server never heard from: with a cold start and no heartbeat before the quake, pushes go only to phones that triggered', async () => {
    const dir = tempDir();
    const s = loadScenario(writeScenario(dir, smallScenario(dir, { duration: '60s', network: { warmup: 0, heartbeat_every: '10m' } })), { plugins: builtinPlugins });
    const r = await runScenario(s, { plugins: builtinPlugins, threads: 0 });
    const triggered = new Set(r.triggers.filter((t) => !Number.isNaN(t.arrival)).map((t) => t.message.device));
    const heard = new Set([...triggered]);
    expect(r.receipts.length).toBeGreaterThan(0);
    expect(r.receipts.every((x) => heard.has(x.device))).toBe(true);
  });
});
