import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/engine/run.js';
import { buildSummary } from '../../src/cli/run.js';
import { createRuntimes, createState, hazardPrefix } from '../../src/engine/setup.js';
import { simulateChunk } from '../../src/engine/simulate.js';
import { ROOT, smallScenario, tempDir, writeScenario } from '../helpers.js';
import { builtinPlugins } from '../../src/plugins.js';

describe('determinism with moving phones', () => {
  const dir = tempDir();
  const behaviours = ['stationary.yaml', 'pedestrian.yaml', 'vehicle.yaml', 'commuter.yaml'].map((b) => ({ profile: join(ROOT, 'agents/behaviours', b) }));
  const file = writeScenario(dir, smallScenario(dir, {
    world: join(ROOT, 'worlds/monaco.geojson'),
    duration: '4m',
    local_start: '07:58',
    hazards: [{ type: 'earthquake', origin_time: '2m', lon: 7.42, lat: 43.70, depth_km: 10, magnitude: 5.8 }],
    population: { devices: 600, phones: [{ profile: join(ROOT, 'agents/phones/mid-range.yaml') }], behaviours, eligibility: 'all' },
  }));

  it('moves every device identically in-process, on 1 thread and on 2 threads, whatever the chunking and wherever phones get their first state', async () => {
    const s = loadScenario(file, { plugins: builtinPlugins });
    const runs = [
      await runScenario(s, { plugins: builtinPlugins, threads: 0 }),
      await runScenario(s, { plugins: builtinPlugins, threads: 1, chunkSize: 97, epochTicks: 7, deviceInit: 'workers' }),
      await runScenario(s, { plugins: builtinPlugins, threads: 2, deviceInit: 'workers' }),
    ];
    const cols = (r: (typeof runs)[0]) => ({
      x: Array.from(r.state.columns.f64('x')),
      y: Array.from(r.state.columns.f64('y')),
      activity: Array.from(r.state.columns.u8('mob.activity')),
      context: Array.from(r.state.columns.u8('ctx.context')),
      pga: Array.from(r.state.columns.f32('hazard0.pga_g')),
      lastAccel: Array.from(r.state.columns.f32('accel.hold')),
      accelStream: Array.from(r.state.columns.i32('accel.rng')),
      gnss: Array.from(r.state.columns.f64('gnss.x')),
      altitude: Array.from(r.state.columns.f32('motion.alt')),
      pose: Array.from(r.state.columns.f32('pose')),
    });
    const ref = cols(runs[0]!);
    const moved = ref.activity.filter((a) => a === 2 || a === 4).length;
    expect(moved).toBeGreaterThan(20); // people are walking and driving at 08:00
    for (const r of runs.slice(1)) expect(cols(r)).toEqual(ref);
    const summaries = runs.map((r) => JSON.stringify(buildSummary(r)));
    expect(summaries[1]).toBe(summaries[0]);
    expect(summaries[2]).toBe(summaries[0]);
    expect(runs[0]!.messages.triggers).toBeGreaterThan(0);
  });

  it('trigger fidelity: identical triggers, alerts and summary in-process, on 1 and on 2 threads, whatever the chunking and wherever phones get their first state', async () => {
    const s = loadScenario(file, { plugins: builtinPlugins, overrides: ['fidelity=trigger'] });
    const runs = [
      await runScenario(s, { plugins: builtinPlugins, threads: 0 }),
      await runScenario(s, { plugins: builtinPlugins, threads: 1, chunkSize: 97, epochTicks: 7 }),
      await runScenario(s, { plugins: builtinPlugins, threads: 2, deviceInit: 'workers' }),
    ];
    const out = (r: (typeof runs)[0]) => JSON.stringify({ triggers: r.triggers.toArray(), alerts: r.alerts, receipts: r.receipts.toArray(), summary: buildSummary(r) });
    expect(runs[0]!.messages.triggers).toBeGreaterThan(20);
    expect(out(runs[1]!)).toBe(out(runs[0]!));
    expect(out(runs[2]!)).toBe(out(runs[0]!));
  });

  /**
   * The scenario with `overrides` run with event stepping and stepping every tick: the same triggers
   * (at least `least` of them) by phone, kind and amplitude, their times to milliseconds (background
   * triggers' exponential clock, kept in float32, is run down in one step instead of tick by tick,
   * and a float32 rounding of it is worth ~0.1 ms at 2 triggers per phone-hour).
   */
  const bothSteppings = async (overrides: string[], least: number) => {
    const s = loadScenario(file, { plugins: builtinPlugins, overrides });
    const [byEvent, everyTick] = [await runScenario(s, { plugins: builtinPlugins, threads: 0 }), await runScenario(s, { plugins: builtinPlugins, threads: 0, stepping: 'every-tick' })];
    const sent = (r: typeof byEvent) => r.triggers.toArray().map(({ message: m }) => ({ key: `${m.device} ${m.kind} ${m.amplitude.toPrecision(9)}`, time: m.time }));
    const a = sent(byEvent), b = sent(everyTick);
    expect(a.length).toBeGreaterThan(least);
    expect(a.map((m) => m.key)).toEqual(b.map((m) => m.key));
    expect(Math.max(...a.map((m, i) => Math.abs(m.time - b[i]!.time)))).toBeLessThan(5e-3);
    return { byEvent, everyTick };
  };

  it('trigger fidelity: stepping phones only at their events draws the same triggers and monitored time as stepping every tick', async () => {
    // Monaco at 07:58 with walking and driving people: phones are picked up, put down and carried,
    // contexts change at 08:00, the quake arrives at 2 min; a phone at rest skips the ticks between.
    const { byEvent, everyTick } = await bothSteppings(['fidelity=trigger'], 1000);
    expect(byEvent.messages.heartbeats).toBe(everyTick.messages.heartbeats);
    // Seconds monitored in each context and whole ticks monitored per profile: the same sums, whichever way time was stepped.
    const exposure = (r: typeof byEvent) => { const c = r.state.columns.f64('truth.context_s'), out = new Array(10).fill(0); c.forEach((v, i) => { out[i % 10] += v; }); return out; };
    exposure(byEvent).forEach((v, i) => expect(v).toBeCloseTo(exposure(everyTick)[i]!, 6));
    expect(byEvent.budget.map((b) => b.monitored_device_hours)).toEqual(everyTick.budget.map((b) => b.monitored_device_hours));
    // Phones at rest skip ticks: fewer device steps than devices × ticks (which stepping every tick takes).
    const n = byEvent.state.columns.rows, ticks = byEvent.state.clock.ticks;
    expect(everyTick.figures.deviceSteps).toBe(n * ticks);
    expect(byEvent.figures.deviceSteps).toBeLessThan(0.6 * n * ticks);
    expect(Math.min(...byEvent.state.columns.i32('step.last'))).toBe(ticks - 1); // every phone's last tick is accounted for (stepped, or closed)
  });

  it('trigger fidelity: phones settled ahead of a quake they will not trigger on (no step at its origin) send what drawing them at the origin sends, and keep the same truth', async () => {
    // The quake at 1 min: phones at rest whose context holds until then are settled at their first
    // step; stepping every tick draws every phone at the tick the shaking becomes known instead.
    const { byEvent, everyTick } = await bothSteppings(['fidelity=trigger', 'hazards.0.origin_time=60s', 'hazards.0.magnitude=5', 'population.eligibility=steady'], 100);
    // Shaking at every phone, monitoring or not, triggered or not: the scoring truth is the same.
    const h = hazardPrefix(0), cols = (r: typeof byEvent) => ({
      pga: Array.from(r.state.columns.f32(`${h}pga_g`)), pgv: Array.from(r.state.columns.f32(`${h}pgv_cms`)), mmi: Array.from(r.state.columns.f32(`${h}mmi`)),
      rjb: Array.from(r.state.columns.f32(`${h}rjb_km`)), tp: Array.from(r.state.columns.f64(`${h}tp`)), ts: Array.from(r.state.columns.f64(`${h}ts`)),
    });
    expect(cols(byEvent)).toEqual(cols(everyTick));
    const pga = byEvent.state.columns.f32(`${h}pga_g`);
    expect(pga.filter((g) => g > 0).length).toBe(pga.length); // every phone's shaking was computed
    // Most phones (those at rest) were settled ahead: no step at the origin, so at most one step in the quake's first minute.
    const n = byEvent.state.columns.rows, last = byEvent.state.columns.i32('step.last');
    expect(byEvent.figures.deviceSteps / n).toBeLessThan(0.5 * everyTick.figures.deviceSteps / n);
    expect(last.length).toBe(n);
  });

  it('with a 0.1 s tick, gives identical outputs and integer budget counters on 1 and 2 threads and any chunking', async () => {
    const s = loadScenario(file, { plugins: builtinPlugins, overrides: ['tick=0.1s', 'duration=150s', 'hazards.0.origin_time=60s'] });
    const runs = [
      await runScenario(s, { plugins: builtinPlugins, threads: 1, chunkSize: 53, epochTicks: 37 }),
      await runScenario(s, { plugins: builtinPlugins, threads: 2 }),
    ];
    const summaries = runs.map((r) => JSON.stringify(buildSummary(r)));
    expect(summaries[1]).toBe(summaries[0]);
    expect(JSON.stringify(runs[1]!.alerts)).toBe(JSON.stringify(runs[0]!.alerts));
    // Monitored time is a whole number of ticks, summed exactly however the work was cut.
    const hours = runs.map((r) => r.budget.map((b) => b.monitored_device_hours));
    expect(hours[1]).toEqual(hours[0]);
    const ticks = hours[0]!.reduce((a, h) => a + h, 0) * 3600 / 0.1;
    expect(Math.abs(ticks - Math.round(ticks))).toBeLessThan(1e-6);
    expect(runs[0]!.messages.triggers).toBeGreaterThan(0);
  });

  it("gives a device the same sensor samples whatever chunk or epoch renders it", () => {
    const samples = (chunk: number, epoch: number) => {
      const s = loadScenario(file, { plugins: builtinPlugins });
      const state = createState(s, builtinPlugins);
      const rt = createRuntimes(state);
      const out: number[] = [];
      rt.tap = (o) => { if (o.d === 37) for (let i = 0; i < o.block.n; i++) out.push(o.ax[i]!, o.ay[i]!, o.az[i]!, o.gx?.[i] ?? 0, o.p?.[0] ?? 0); };
      const n = state.columns.rows, ticks = state.clock.ticks;
      for (let t = 0; t < ticks; t += epoch) for (let d = 0; d < n; d += chunk) simulateChunk(rt, { tickFrom: t, tickTo: Math.min(ticks, t + epoch), deviceFrom: d, deviceTo: Math.min(n, d + chunk) });
      return out;
    };
    const a = samples(1, 1), b = samples(600, 7), c = samples(64, 30);
    expect(a.length).toBeGreaterThan(4 * 60 * 50);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });
});
