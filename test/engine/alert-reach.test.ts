/**
 * Alerts reach phones through the grid over the server's directory, skipping cells whose phones
 * already hold the tier an update could give: the same receipts, phone for phone, as visiting
 * every phone the server has heard from (`alertReach: 'scan'`), on a national-style event whose
 * regions grow across a country over dozens of updates, with phones the server first hears of after
 * its grid was built.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/engine/run.js';
import { builtinPlugins } from '../../src/plugins.js';
import { ROOT, smallScenario, tempDir, writeScenario } from '../helpers.js';

describe('alert reach', () => {
  it('through the grid gives the receipts of a scan of every phone', async () => {
    const dir = tempDir();
    const file = writeScenario(dir, smallScenario(dir, {
      world: join(ROOT, 'worlds/turkiye.geojson'), duration: '150s', local_start: '04:17', fidelity: 'trigger',
      population: {
        devices: 30_000, phones: [{ profile: join(ROOT, 'agents/phones/mid-range.yaml') }],
        behaviours: [{ profile: join(ROOT, 'agents/behaviours/stationary.yaml'), share: 0.9 }, { profile: join(ROOT, 'agents/behaviours/pedestrian.yaml'), share: 0.1 }],
      },
      hazards: [{ type: 'earthquake', origin_time: '20s', lon: 37.014, lat: 37.226, depth_km: 10, magnitude: 7.8, rupture: { strike_deg: 50, length_km: 350, direction: 'bilateral' } }],
      // A fifth of messages lost: phones first heard after the grid was built (loose until it is rebuilt) get their alerts too.
      network: { heartbeat_every: '2m', uplink: { latency: { distribution: 'lognormal', median: '0.5s', sigma: 0.5 }, loss: 0.2 } }, server: { type: 'cell-ratio', cell_km: 10, min_active: 3, min_fraction: 0.3, min_cells: 2 },
    }));
    const s = loadScenario(file, { plugins: builtinPlugins });
    const [grid, scan] = [await runScenario(s, { plugins: builtinPlugins, threads: 2 }), await runScenario(s, { plugins: builtinPlugins, threads: 2, alertReach: 'scan' })];
    const updates = grid.alerts.filter((a) => !a.cancelled).length;
    expect(updates).toBeGreaterThan(10);
    const tiers = (r: typeof grid) => { const t = { 'be-aware': 0, 'take-action': 0 } as Record<string, number>; for (const x of r.receipts) t[x.tier] = (t[x.tier] ?? 0) + 1; return t; };
    // Both tiers are given, so cells on both boundaries are tested for skipping.
    expect(tiers(scan)['be-aware']).toBeGreaterThan(1000);
    expect(tiers(scan)['take-action']).toBeGreaterThan(1000);
    expect(grid.receipts.length).toBe(scan.receipts.length);
    expect(JSON.stringify(grid.receipts.toArray())).toBe(JSON.stringify(scan.receipts.toArray()));
  });

  it('cancels a false event to the phones it alerted, in device order, with the receipts of a scan of every phone', async () => {
    // An hour of the quiet city in trigger fidelity (08:00, a seed whose hour has one): its sensitive server
    // declares a false event from chance coincidences of everyday triggers, alerts the city and cancels it.
    const s = loadScenario(join(ROOT, 'scenarios/agreement/quiet-city.yaml'), { plugins: builtinPlugins, overrides: ['fidelity=trigger', 'duration=1h', 'local_start=08:00', 'seed=18'] });
    const [grid, scan] = [await runScenario(s, { plugins: builtinPlugins, threads: 0 }), await runScenario(s, { plugins: builtinPlugins, threads: 0, alertReach: 'scan' })];
    expect(grid.alerts.filter((a) => a.cancelled).length).toBeGreaterThan(0);
    const cancels = grid.receipts.toArray().filter((r) => r.tier === 'cancel');
    expect(cancels.length).toBeGreaterThan(1000);
    // In device order, each to a phone the event had alerted.
    for (let k = 1; k < cancels.length; k++) if (cancels[k]!.event === cancels[k - 1]!.event) expect(cancels[k]!.device).toBeGreaterThan(cancels[k - 1]!.device);
    // To phones the event alerted: all but those whose alert push was lost (1 %) hold its receipt.
    const alerted = new Set(grid.receipts.toArray().filter((r) => r.tier !== 'cancel').map((r) => `${r.event}/${r.device}`));
    expect(cancels.filter((r) => alerted.has(`${r.event}/${r.device}`)).length / cancels.length).toBeGreaterThan(0.97);
    expect(JSON.stringify(grid.receipts.toArray())).toBe(JSON.stringify(scan.receipts.toArray()));
  }, 120_000);
});
