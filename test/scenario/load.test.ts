import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { applyOverrides, loadScenario } from '../../src/scenario/load.js';
import { scenarioJsonSchema } from '../../src/scenario/schema.js';
import { smallScenario, tempDir, writeScenario } from '../helpers.js';
import { builtinPlugins } from '../../src/plugins.js';

function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('scenario files', () => {
  it('parse durations, apply defaults, and resolve files relative to the scenario', () => {
    const dir = tempDir();
    const s = loadScenario(writeScenario(dir, smallScenario(dir)), { plugins: builtinPlugins });
    expect(s.config.duration).toBe(90);
    expect(s.config.hazards[0]!.origin_time).toBe(20);
    expect(s.config.hazards[0]!.vp_km_s).toBe(6.1);
    expect(s.config.hazards[0]!.vs_km_s).toBe(3.55);
    expect(s.phones[0]!.name).toBe('mid-range');
    expect(s.files.map((f) => f.field)).toEqual(['world', 'population.phones[0].profile', 'population.behaviours[0].profile', 'server.calibration']);
    expect(s.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('--set overrides any field, parses values as YAML, and changes the hash', () => {
    const dir = tempDir();
    const file = writeScenario(dir, smallScenario(dir));
    const a = loadScenario(file, { plugins: builtinPlugins });
    const b = loadScenario(file, { plugins: builtinPlugins, overrides: ['hazards.0.magnitude=7', 'network.uplink.loss=0.1', 'hazards[0].name=big one'] });
    expect(b.config.hazards[0]!.magnitude).toBe(7);
    expect(b.config.network.uplink.loss).toBe(0.1);
    expect(b.config.hazards[0]!.name).toBe('big one');
    expect(b.hash).not.toBe(a.hash);
  });

  it('names the file, the field path and what was expected', () => {
    const dir = tempDir();
    const neg = problem(() => loadScenario(writeScenario(dir, smallScenario(dir, { hazards: [{ type: 'earthquake', origin_time: 10, lon: -120, lat: 36, magnitude: -1 }] })), { plugins: builtinPlugins }));
    expect(neg).toMatch(/scenario\.yaml: hazards\[0\]\.magnitude: expected a moment magnitude between 3 and 9\.5.*found -1/);
    const typo = problem(() => loadScenario(writeScenario(dir, smallScenario(dir, { duraton: '5m' })), { plugins: builtinPlugins }));
    expect(typo).toMatch(/scenario\.yaml: duraton: unknown key "duraton" \(did you mean "duration"\?\)/);
    const kind = problem(() => loadScenario(writeScenario(dir, smallScenario(dir, { hazards: [{ type: 'volcano' }] })), { plugins: builtinPlugins }));
    expect(kind).toMatch(/hazards\[0\]\.type: unknown value "volcano"; expected one of "earthquake"/);
    const dur = problem(() => loadScenario(writeScenario(dir, smallScenario(dir, { duration: 'ten minutes' })), { plugins: builtinPlugins }));
    expect(dur).toMatch(/duration: expected a duration such as 90s, 10m or 2h/);
    const world = problem(() => loadScenario(writeScenario(dir, smallScenario(dir, { world: 'nowhere.geojson' })), { plugins: builtinPlugins }));
    expect(world).toMatch(/scenario\.yaml: world: file not found: "nowhere\.geojson"/);
    const yaml = problem(() => loadScenario(writeScenario(dir, 'name: x\nduration: [1,\n'), { plugins: builtinPlugins }));
    expect(yaml).toMatch(/scenario\.yaml: line \d+, column \d+: YAML syntax error/);
  });

  it('rejects --set paths into lists beyond their end', () => {
    expect(() => applyOverrides({ hazards: [] }, ['hazards.3.magnitude=5'], 's.yaml')).toThrow(/hazards\[3\]: --set hazards\.3\.magnitude: expected an index from 0 to 0/);
  });

  it('has a JSON Schema editors can use', () => {
    const schema = scenarioJsonSchema(builtinPlugins) as any;
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'duration', 'world', 'population', 'detector', 'server']));
    expect(schema.additionalProperties).toBe(false);
    expect(JSON.stringify(schema)).toContain('"earthquake"');
  });
});

describe('section defaults', () => {
  it('fill every field of sections the scenario leaves out', () => {
    const dir = tempDir();
    const sc = smallScenario(dir) as Record<string, unknown>;
    delete sc.network;
    delete sc.scoring;
    const s = loadScenario(writeScenario(dir, sc), { plugins: builtinPlugins });
    expect(s.config.scoring).toEqual({ timely_min_s: 0, match_window: 120, match_distance_km: 100 });
    expect(s.config.network.heartbeat_every).toBe(60);
    expect(s.config.network.uplink.latency).toEqual({ distribution: 'lognormal', median: 0.5, sigma: 0.5 });
  });
});

describe('warnings', () => {
  it('say when the earthquake server forgets phones between their heartbeats (staleness shorter than the heartbeat interval), with the share missing', () => {
    const dir = tempDir();
    const file = writeScenario(dir, smallScenario(dir));
    const load = (overrides: string[]) => loadScenario(file, { plugins: builtinPlugins, overrides }).warnings.filter((w) => w.includes('staleness'));
    // The defaults (a heartbeat a minute, counted for 3 min) and a 5 min heartbeat counted for 15 min: nothing to say.
    expect(load([])).toEqual([]);
    expect(load(['network.heartbeat_every=5m', 'server.staleness=15m'])).toEqual([]);
    // A 5 min heartbeat counted for the default 3 min: 1 − 180/300 = 40 % of monitoring phones are missing at any moment.
    const [w] = load(['network.heartbeat_every=5m']);
    expect(w).toMatch(/^server\.staleness \(180 s\) is shorter than network\.heartbeat_every \(300 s\)/);
    expect(w).toMatch(/about 40 % of the monitoring phones are missing/);
    expect(w).toMatch(/900 s, three intervals/);
    // Each server of a list is named by its index (binomial shares the rule).
    const list = loadScenario(file, { plugins: builtinPlugins, overrides: ['network.heartbeat_every=10m', 'server=[{type: cell-ratio}, {type: binomial, staleness: 20m}]'] }).warnings.filter((x) => x.includes('staleness'));
    expect(list).toHaveLength(1);
    expect(list[0]).toMatch(/^server\[0\]\.staleness \(180 s\).*about 70 % /);
  });
});
