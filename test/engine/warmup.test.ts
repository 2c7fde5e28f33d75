/**
 * The warm-up's heartbeats (each phone's heartbeats of the interval before the run's start) go to
 * the server in bulk, phone by phone, when the workers deliver the uplink: the same triggers,
 * alerts, receipts and summary as sending them one by one through the network queue, on a run whose
 * warm-up (6 min) is longer than the server's staleness (3 min), whose phones send three warm-up
 * heartbeats each, and whose late, lossy uplink brings some of them after the start.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/engine/run.js';
import { buildSummary } from '../../src/cli/run.js';
import { builtinPlugins } from '../../src/plugins.js';
import type { PluginSet, WarmupHeartbeats } from '../../src/plugin/index.js';
import { ROOT, smallScenario, tempDir, writeScenario } from '../helpers.js';

describe('warm-up heartbeats in bulk', () => {
  it('give the outputs of the network queue one by one', async () => {
    const dir = tempDir();
    const file = writeScenario(dir, smallScenario(dir, {
      world: join(ROOT, 'worlds/turkiye.geojson'), duration: '100s', local_start: '04:17', fidelity: 'trigger',
      population: { devices: 20_000, phones: [{ profile: join(ROOT, 'agents/phones/mid-range.yaml') }], behaviours: [{ profile: join(ROOT, 'agents/behaviours/stationary.yaml') }] },
      hazards: [{ type: 'earthquake', origin_time: '20s', lon: 37.014, lat: 37.226, depth_km: 10, magnitude: 7.5, rupture: { strike_deg: 50, length_km: 150, direction: 'bilateral' } }],
      network: { heartbeat_every: '2m', warmup: '6m', uplink: { latency: { distribution: 'lognormal', median: '2s', sigma: 1 }, loss: 0.1 } },
      server: { type: 'cell-ratio', cell_km: 10, min_active: 3, min_fraction: 0.3, min_cells: 2, staleness: '3m' },
    }));
    const s = loadScenario(file, { plugins: builtinPlugins });
    // The server as shipped, watched: what reaches it in bulk.
    let bulkRows = 0, bulkLate = 0;
    const firstPhones: number[] = [];
    const watched: PluginSet = {
      ...builtinPlugins,
      servers: {
        ...builtinPlugins.servers,
        'cell-ratio': {
          ...builtinPlugins.servers['cell-ratio']!,
          create(c, ctx) {
            const srv = builtinPlugins.servers['cell-ratio']!.create(c, ctx);
            const take = srv.warmup!.bind(srv);
            srv.warmup = (b: WarmupHeartbeats) => { bulkRows += b.count; if (b.count) firstPhones.push(b.device[0]!); for (let i = 0; i < b.count; i++) if (!(b.arrival[i]! < 0)) bulkLate++; take(b); };
            return srv;
          },
        },
      },
    };
    const bulk = await runScenario(s, { plugins: watched, threads: 2 });
    // Taken in chunk order, whichever chunk finished first (H3 cells are numbered as met).
    expect(firstPhones.length).toBeGreaterThan(8);
    expect(firstPhones).toEqual([...firstPhones].sort((a, b) => a - b));
    const taken = bulkRows;
    const queue = await runScenario(s, { plugins: watched, threads: 2, warmup: 'queue' });
    const inProcess = await runScenario(s, { plugins: watched, threads: 0 });
    // Three warm-up heartbeats a phone, a tenth lost, some heard after the start (those go through the queue).
    expect(taken).toBeGreaterThan(20_000 * 3 * 0.85);
    expect(taken).toBeLessThan(20_000 * 3 * 0.9);
    expect(bulkLate).toBe(0);
    expect(bulkRows).toBe(taken); // the other two runs took none in bulk
    const out = (r: typeof bulk) => JSON.stringify({ triggers: r.triggers.toArray(), alerts: r.alerts, receipts: r.receipts.toArray(), summary: buildSummary(r) });
    expect(bulk.alerts.length).toBeGreaterThan(3);
    expect(bulk.receipts.length).toBeGreaterThan(1000);
    expect(bulk.messages.heartbeats).toBe(queue.messages.heartbeats);
    expect(out(bulk)).toBe(out(queue));
    expect(out(bulk)).toBe(out(inProcess));
  }, 120_000);
});
