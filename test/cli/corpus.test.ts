/**
 * The bad-input corpus: malformed scenarios, --set values, profiles, behaviours and flags. Each must
 * exit 2 with a first line `hazardsim: <file or flag>: <field>: …` naming the place, print no stack
 * trace, and leave no output folder.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ROOT, cliAsync, smallScenario, tempDir, writeScenario } from '../helpers.js';

const dir = tempDir();
const base = smallScenario(dir);
const scenario = writeScenario(dir, base, 'base.yaml');
const phone = parse(readFileSync(join(ROOT, 'agents/phones/mid-range.yaml'), 'utf8'));
const behaviour = parse(readFileSync(join(ROOT, 'agents/behaviours/vehicle.yaml'), 'utf8'));

/** A profile variant written beside the scenario; the scenario that uses it. */
function withPhone(name: string, patch: (p: any) => void): string {
  const p = structuredClone(phone);
  patch(p);
  writeFileSync(join(dir, `${name}.yaml`), stringify(p));
  return writeScenario(dir, { ...base, population: { ...(base.population as object), phones: [{ profile: join(dir, `${name}.yaml`) }] } }, `uses-${name}.yaml`);
}
function withBehaviour(name: string, patch: (b: any) => void): string {
  const b = structuredClone(behaviour);
  patch(b);
  writeFileSync(join(dir, `${name}.yaml`), stringify(b));
  return writeScenario(dir, { ...base, population: { ...(base.population as object), behaviours: [{ profile: join(dir, `${name}.yaml`) }] } }, `uses-${name}.yaml`);
}

type Case = [what: string, args: string[], first: RegExp];
const set = (...kv: string[]): string[] => kv.flatMap((x) => ['--set', x]);

const CASES: Record<string, Case[]> = {
  'scenario fields': [
    ['a name with a space', set('name=my run'), /base\.yaml: name: expected a short name/],
    ['a negative seed', set('seed=-1'), /base\.yaml: seed: expected a value ≥ 0/],
    ['a zero duration', set('duration=0s'), /base\.yaml: duration: /],
    ['a duration without a unit that is text', set('duration=soon'), /base\.yaml: duration: expected/],
    ['a zero tick', set('tick=0'), /base\.yaml: tick: /],
    ['a local start of 25:00', set('local_start=25:00'), /base\.yaml: local_start: expected a local time "HH:MM"/],
    ['an unknown fidelity', set('fidelity=fast'), /base\.yaml: fidelity: expected one of "signal", "trigger"/],
    ['trigger fidelity for a detector nobody calibrated', set('fidelity=trigger', 'detector.on_ratio=5'), /base\.yaml: fidelity: no response curves for this detector \(sta-lta, configuration hash [0-9a-f]{12}\) in calibration\/responses\/; make them with "hazardsim calibrate --responses .*base\.yaml"/],
    ['trigger fidelity with curves of another detector', set('fidelity=trigger', 'detector.on_ratio=5', `response_curves=${join(ROOT, 'calibration/responses/sta-lta-09266c3f5e1e.json')}`), /base\.yaml: response_curves: the response curves in .* were measured for another detector configuration/],
    ['trigger fidelity with a hazard it cannot draw', set('fidelity=trigger', 'hazards.0={type: pressure-front, time: 10s, lon: -120.0, lat: 36.0, heading_deg: 90, speed_m_s: 15}'), /base\.yaml: hazards\[0\]\.type: fidelity: trigger draws earthquake triggers from response curves; a pressure-front hazard needs fidelity: signal/],
    ['trigger fidelity with a phone profile nobody calibrated', set('fidelity=trigger', `population.phones=[{profile: ${join(ROOT, 'agents/phones/white-noise.yaml')}}]`), /base\.yaml: population\.phones\[0\]\.profile: the response curves in .* have none for phone profile/],
    ['a world that does not exist', set('world=nowhere.geojson'), /base\.yaml: world: /],
    ['an unknown top-level key', set('hazard=[]'), /base\.yaml: hazard: unknown key "hazard" \(did you mean "hazards"\?\)/],
  ],
  population: [
    ['no devices', set('population.devices=0'), /base\.yaml: population\.devices: expected a value > 0/],
    ['fractional devices', set('population.devices=10.5'), /base\.yaml: population\.devices: expected a whole number, found 10\.5$/],
    ['an adoption above 1', set('population.devices=null', 'population.adoption=2'), /base\.yaml: population\.(adoption|devices): /],
    ['no phone profiles', set('population.phones=[]'), /base\.yaml: population\.phones: expected a list with length ≥ 1/],
    ['a missing phone profile', set('population.phones.0.profile=missing.yaml'), /population\.phones\[0\]\.profile: /],
    ['a negative share', set('population.behaviours.0.share=-1'), /population\.behaviours\[0\]\.share: expected a value > 0/],
    ['an unknown eligibility', set('population.eligibility=sometimes'), /population\.eligibility: expected one of/],
    ['a group in a venue the world lacks', set('population.groups=[{venue: Nowhere Arena, devices: 10, phone: x.yaml, behaviour: y.yaml}]'), /population\.groups\[0\]\.(venue|phone|behaviour): /],
  ],
  hazards: [
    ['an unknown hazard type', set('hazards.0.type=volcano'), /hazards\[0\]\.type: unknown value "volcano"; expected one of/],
    ['a magnitude of 12', set('hazards.0.magnitude=12'), /hazards\[0\]\.magnitude: expected a moment magnitude between 3 and 9\.5/],
    ['a negative depth', set('hazards.0.depth_km=-3'), /hazards\[0\]\.depth_km: /],
    ['a longitude of 200', set('hazards.0.lon=200'), /hazards\[0\]\.lon: /],
    ['a latitude of 100', set('hazards.0.lat=100'), /hazards\[0\]\.lat: /],
    ['an unknown earthquake option', set('hazards.0.magnitud=6'), /hazards\[0\]\.magnitud: unknown key "magnitud" \(did you mean "magnitude"\?\)/],
    ['a negative origin time', set('hazards.0.origin_time=-5s'), /hazards\[0\]\.origin_time: /],
    ['an origin after the end', set('hazards.0.origin_time=100s'), /hazards\[0\]\.origin_time: begins at 100 s, at or after the end/],
    ['a crash hazard with nothing to crash', set('hazards=[{type: crash}]'), /hazards\[0\]: expected crashes or random/],
    ['a road anomaly with a severity of 0', set('hazards=[{type: road-anomaly, random: {count: 3, severity_g: [0, 1]}}]'), /hazards\[0\]\.random\.severity_g/],
  ],
  detector: [
    ['an unknown detector type', set('detector.type=magic'), /detector\.type: unknown value "magic"; expected one of/],
    ['an STA/LTA on-ratio of 0', set('detector.on_ratio=0'), /detector\.on_ratio: /],
    ['an STA longer than the LTA', set('detector.sta=20s', 'detector.lta=10s'), /detector\.(sta|lta): /],
    ['a highpass order of 3', set('detector.highpass_order=3'), /detector\.highpass_order: /],
    ['a negative amplitude gate', set('detector.min_amplitude_g=-0.1'), /detector\.min_amplitude_g: /],
    ['a two-stage detector without a model', set('detector={type: two-stage, gate: {type: sta-lta}}'), /detector\.model: missing/],
    ['a model file that does not exist', set('detector={type: onnx-window, model: none.onnx}'), /detector\.model: /],
  ],
  'network and server': [
    ['a loss of 2', set('network.uplink.loss=2'), /network\.uplink\.loss: expected a value ≤ 1/],
    ['an unknown latency distribution', set('network.uplink.latency.distribution=normal'), /network\.uplink\.latency\.distribution: /],
    ['a negative latency median', set('network.uplink.latency.median=-1s'), /network\.uplink\.latency\.median: /],
    ['an unknown server type', set('server.type=quake'), /server\.type: unknown value "quake"; expected one of/],
    ['a cell of 0 km', set('server.cell_km=0'), /server\.cell_km: expected a value > 0/],
    ['a share above 1', set('server.min_fraction=1.5'), /server\.min_fraction: /],
    ['an empty server list', set('server=[]'), /server: expected a list with length ≥ 1/],
    ['an unknown scoring key', set('scoring.warn_s=5'), /scoring\.warn_s: unknown key "warn_s" \(allowed here: timely_min_s/],
    ['an unknown outdoor environment', set('environment.outdoor=moon'), /environment\.outdoor: expected one of "urban", "open-sky"/],
  ],
  '--set': [
    ['no equals sign', ['--set', 'seed'], /^hazardsim: --set: expected path=value/],
    ['an empty path segment', set('hazards..magnitude=6'), /^hazardsim: --set: hazards\.\.magnitude: empty segment/],
    ['an index past the end of a list', set('hazards.5.magnitude=6'), /hazards\[5\]: --set hazards\.5\.magnitude: expected an index from 0 to 1 in a list of 1/],
    ['a field inside a number', set('seed.value=3'), /seed: --set seed\.value: cannot set a field inside/],
    ['unclosed YAML', set('population.devices=[1,'), /^hazardsim: --set: population\.devices: the value "\[1," is not valid YAML/],
  ],
  flags: [
    ['negative threads', ['--threads', '-1'], /^hazardsim: --threads: expected a whole number of threads from 0 \(the main thread only\) to 256/],
    ['fractional threads', ['--threads', '1.5'], /^hazardsim: --threads: /],
    ['zero replicates', ['--replicates', '0'], /^hazardsim: --replicates: expected a whole number of runs from 1 to 1000/],
    ['a plug-in module that does not exist', ['--plugins', 'nowhere.js'], /^hazardsim: --plugins: file not found: "nowhere\.js"/],
  ],
};

const PROFILES: [string, () => string, RegExp][] = [
  ['an accelerometer rate of 0', () => withPhone('rate0', (p) => { p.accelerometer.rate_hz = 0; }), /rate0\.yaml: accelerometer\.rate_hz: expected a value > 0/],
  ['a rate above the maximum', () => withPhone('fast', (p) => { p.accelerometer.rate_hz = 1000; }), /fast\.yaml: accelerometer\.rate_hz: expected a rate ≤ max_rate_hz/],
  ['a negative noise density', () => withPhone('neg', (p) => { p.accelerometer.noise_density_ug = -1; }), /neg\.yaml: accelerometer\.noise_density_ug: /],
  ['a barometer chip slower than its logging', () => withPhone('odr', (p) => { p.barometer.odr_hz = 0.5; }), /odr\.yaml: barometer\.odr_hz: expected the chip's rate to be at least the logging rate/],
  ['an unknown barometer low-pass', () => withPhone('lpf', (p) => { p.barometer.lowpass = 'odr/3'; }), /lpf\.yaml: barometer\.lowpass: expected one of "off", "odr\/9", "odr\/20"/],
  ['an unknown profile key', () => withPhone('key', (p) => { p.acelerometer = {}; }), /key\.yaml: acelerometer: unknown key "acelerometer" \(did you mean "accelerometer"\?\)/],
  ['a charging probability of 3', () => withBehaviour('charge', (b) => { b.charging = 3; }), /charge\.yaml: charging: expected a value ≤ 1, found 3/],
  ['an unknown behaviour kind', () => withBehaviour('kind', (b) => { b.kind = 'teleporter'; }), /kind\.yaml: kind: /],
  ['an unknown context', () => withBehaviour('ctx', (b) => { b.context_driving = { dashboard: 1 }; }), /ctx\.yaml: context_driving\.dashboard: unknown key "dashboard" \(allowed here: table, hand, pocket, bag, vehicle-mount\)/],
  ['context shares that sum to 0', () => withBehaviour('zero', (b) => { b.context_driving = { pocket: 0 }; }), /zero\.yaml: context_driving: expected context shares with a positive sum/],
  ['a negative sit-stand rate', () => withBehaviour('sit', (b) => { b.motion = { sit_stand_per_h: -1 }; }), /sit\.yaml: motion\.sit_stand_per_h: expected a value ≥ 0/],
  ['an unknown road class', () => withBehaviour('road', (b) => { b.motion = { road_class: 'F' }; }), /road\.yaml: motion\.road_class: expected one of "A", "B", "C", "D", "E"/],
];

/** Files the other groups need, written beside the scenario. */
function file(name: string, text: string | Buffer): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}
const grid = JSON.parse(readFileSync(join(ROOT, 'worlds/grid-city.geojson'), 'utf8'));
function world(name: string, patch: (w: any) => void): string {
  const w = structuredClone(grid);
  patch(w);
  return file(`${name}.geojson`, JSON.stringify(w));
}
const swap = (c: any): any => (typeof c[0] === 'number' ? [c[1], c[0], ...c.slice(2)] : c.map(swap));
function model(name: string, sidecar: ((s: any) => void) | null, bytes?: Buffer): string {
  const onnx = join(dir, `${name}.onnx`);
  writeFileSync(onnx, bytes ?? readFileSync(join(ROOT, 'models/quake-baseline.onnx')));
  if (sidecar) {
    const s = JSON.parse(readFileSync(join(ROOT, 'models/quake-baseline.json'), 'utf8'));
    sidecar(s);
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(s));
  }
  return onnx;
}
const onnxScenario = writeScenario(dir, { ...base, detector: { type: 'two-stage', gate: { type: 'sta-lta' }, model: join(ROOT, 'models/quake-baseline.onnx') } }, 'onnx.yaml');
function sweep(name: string, body: Record<string, unknown>): string {
  return file(`${name}.yaml`, stringify({ name, scenario: scenario, ...body }));
}
const log = join(ROOT, 'data/phone-logs/oxford-pixel-walk-in-hand.csv'), detector = join(ROOT, 'suites/detectors/sta-lta.yaml');
const fleet = (f: unknown) => set(`fleet=${JSON.stringify(f)}`);

/** Every other kind of input: worlds, models, phone logs, sweeps, fleets and flags. Each makes its own arguments (files written when the case runs). */
const OTHERS: Record<string, [string, () => string[], RegExp][]> = {
  worlds: [
    ['swapped longitude and latitude (one message, with a count)', () => ['run', scenario, ...set(`world=${world('swapped', (w) => { for (const f of w.features) if (f.geometry) f.geometry.coordinates = swap(f.geometry.coordinates); })}`)], /swapped\.geojson: \d+ coordinates have a latitude outside −90…90, e\.g\. .*are longitude and latitude swapped\?/],
    ['truncated JSON', () => ['run', scenario, ...set(`world=${file('cut.geojson', '{"type": "FeatureCollection", "features": [')}`)], /cut\.geojson: not valid JSON/],
    ['no boundary', () => ['run', scenario, ...set(`world=${world('noboundary', (w) => { w.features = w.features.filter((f: any) => f.properties.role !== 'boundary'); })}`)], /noboundary\.geojson: a world needs one feature with properties\.role "boundary"/],
    ['a missing world file', () => ['run', scenario, ...set(`world=${join(dir, 'nowhere.geojson')}`)], /base\.yaml: world: file not found/],
  ],
  models: [
    ['bytes that are not ONNX', () => ['run', onnxScenario, ...set(`detector.model=${model('garbage', (s) => s, Buffer.from('not a model at all'.repeat(8)))}`)], /garbage\.onnx: not an ONNX model/],
    ['no sidecar', () => ['run', onnxScenario, ...set(`detector.model=${model('lonely', null)}`)], /lonely\.onnx: its sidecar JSON is missing: expected .*lonely\.json/],
    ['a sidecar rate of 0', () => ['run', onnxScenario, ...set(`detector.model=${model('rate0', (s) => { s.rate_hz = 0; })}`)], /rate0\.json: rate_hz: expected the sample rate in Hz, found 0/],
    ['a sidecar whose channels do not match the input', () => ['run', onnxScenario, ...set(`detector.model=${model('chans', (s) => { s.channels = ['ax', 'ay']; })}`)], /chans\.json: input\.shape: expected 2 channels/],
    ['budget of a file that is not a model', () => ['budget', join(ROOT, 'README.md')], /README\.md: expected an ONNX model/],
  ],
  'phone logs': [
    ['an empty CSV', () => ['replay', file('empty.csv', ''), '--detector', detector, '--out', join(dir, 'never')], /empty\.csv: the file is empty/],
    ['a sample that is text', () => ['replay', file('text.csv', 'time,ax,ay,az\n0,x,y,z\n0.02,1,2,3\n'), '--detector', detector, '--out', join(dir, 'never')], /text\.csv: line 2, ax: expected a number, found "x"/],
    ['a ZIP that is not one', () => ['replay', file('bad.zip', Buffer.from('PK\x03\x04garbage')), '--detector', detector, '--out', join(dir, 'never')], /bad\.zip: not a readable ZIP archive/],
    ['units no phone writes', () => ['replay', log, '--detector', detector, '--units', 'furlongs', '--out', join(dir, 'never')], /^hazardsim: --units: expected one of "g", "m\/s2", found "furlongs"/],
  ],
  sweeps: [
    ['a misspelt key', () => ['sweep', sweep('misspelt', { grdi: [{ path: 'seed', values: [1] }] }), '--out', join(dir, 'never')], /misspelt\.yaml: grdi: unknown key "grdi" \(did you mean "grid"\?\)/],
    ['an empty grid axis', () => ['sweep', sweep('empty-axis', { grid: [{ path: 'seed', values: [] }] }), '--out', join(dir, 'never')], /empty-axis\.yaml: grid\[0\]\.values: expected at least one value/],
    ['a grid path the scenario does not have', () => ['sweep', sweep('devicez', { grid: [{ path: 'population.devicez', values: [10] }] }), '--out', join(dir, 'never')], /devicez\.yaml: grid\[0\]\.path: point 1 \(population\.devicez=10\): .*unknown key "devicez" \(did you mean "devices"\?\)/],
    ['a value the scenario refuses', () => ['sweep', sweep('negative', { grid: [{ path: 'population.devices', values: [-100] }] }), '--out', join(dir, 'never')], /negative\.yaml: grid\[0\]\.path: point 1 \(population\.devices=-100\): .*population\.devices: expected a value > 0/],
    ['no seeds', () => ['sweep', sweep('seedless', { seeds: 0, grid: [{ path: 'seed', values: [1] }] }), '--out', join(dir, 'never')], /seedless\.yaml: seeds: expected a value ≥ 1/],
  ],
  fleets: [
    ['a firmware update for a phone model the population lacks', () => ['run', scenario, ...fleet({ updates: [{ firmware: '2', at: '10s', phones: ['nokia-3310'] }] }), '--out', join(dir, 'never')], /base\.yaml: fleet\.updates\[0\]\.phones\[0\]: expected the name of a phone profile of the population \("mid-range"\), found "nokia-3310"/],
    ['a rollout step that shrinks', () => ['run', scenario, ...fleet({ rollout: { candidate: { type: 'sta-lta' }, steps: [{ share: 0.5, at: '10s' }, { share: 0.1, at: '20s' }] } }), '--out', join(dir, 'never')], /base\.yaml: fleet\.rollout\.steps\[1\]\.share: expected a share above the previous step's 0\.5/],
    ['a rollout region with its corners swapped', () => ['run', scenario, ...fleet({ rollout: { candidate: { type: 'sta-lta' }, region: [-119, 37, -121, 35] } }), '--out', join(dir, 'never')], /base\.yaml: fleet\.rollout\.region: expected \[lon_min, lat_min, lon_max, lat_max\] with min < max/],
    ['telemetry more often than a minute', () => ['run', scenario, ...set('fleet.telemetry_every=10s'), '--out', join(dir, 'never')], /base\.yaml: fleet\.telemetry_every: expected a duration of at least 60 s/],
  ],
  flags: [
    ['a single-valued flag given twice', () => ['run', scenario, '--out', join(dir, 'never'), '--out', join(dir, 'never2')], /^hazardsim: --out: given 2 times \(.*\); give it once/],
    ['text for a number', () => ['run', scenario, '--seed', 'abc', '--out', join(dir, 'never')], /^hazardsim: --seed: expected a number, found "abc"/],
    ['too many threads', () => ['run', scenario, '--threads', '300', '--out', join(dir, 'never')], /^hazardsim: --threads: expected a whole number of threads from 0 \(the main thread only\) to 256, found 300/],
    ['a missing required flag', () => ['worker'], /^hazardsim: --redis: missing; this command needs it/],
    ['a misspelt command', () => ['runn', scenario], /^hazardsim: unknown command "runn"; did you mean run\?/],
    ['a drift reference that is a dataset', () => ['drift', (mkdirSync(join(dir, 'ds'), { recursive: true }), file('ds/dataset.json', '{}'), join(dir, 'ds')), join(dir, 'ds')], /ds: a dataset: /],
  ],
};

async function expectRefused(args: string[], first: RegExp, out: string) {
  const r = await cliAsync(args);
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
  const line = r.stderr.trim().split('\n')[0]!;
  expect(line).toMatch(/^hazardsim: /);
  expect(line).toMatch(first);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
  expect(existsSync(out)).toBe(false);
}

// Each case is a separate process: they run side by side (the corpus is a hundred CLI starts).
describe.concurrent('bad-input corpus', () => {
  for (const [group, cases] of Object.entries(CASES)) {
    it.each(cases)(`${group}: %s`, async (_what, args, first) => {
      const out = join(dir, 'never');
      await expectRefused(['run', scenario, '--out', out, ...args], first, out);
    });
  }
  it.each(PROFILES)('profiles and behaviours: %s', async (_what, make, first) => {
    const out = join(dir, 'never');
    await expectRefused(['run', make(), '--out', out], first, out);
  });
  for (const [group, cases] of Object.entries(OTHERS)) {
    it.each(cases)(`${group}: %s`, async (_what, make, first) => {
      const args = make();
      await expectRefused(args.includes('--out') || args[0] !== 'run' ? args : [...args, '--out', join(dir, 'never')], first, join(dir, 'never'));
    });
  }
  it('holds at least 80 cases across scenarios, --set, profiles, worlds, models, phone logs, sweeps, fleets and flags', () => {
    const n = Object.values(CASES).flat().length + PROFILES.length + Object.values(OTHERS).flat().length;
    expect(n).toBeGreaterThanOrEqual(80);
  });
});
