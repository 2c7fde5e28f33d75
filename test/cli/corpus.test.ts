/**
 * The bad-input corpus: malformed scenarios, --set values, profiles, behaviours and flags. Each must
 * exit 2 with a first line `hazardsim: <file or flag>: <field>: …` naming the place, print no stack
 * trace, and leave no output folder.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ROOT, cli, smallScenario, tempDir, writeScenario } from '../helpers.js';

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
    ['zero threads', ['--threads', '0'], /^hazardsim: --threads: expected a whole number of threads from 1 to 256/],
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

function expectRefused(args: string[], first: RegExp, out: string) {
  const r = cli(args);
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
  const line = r.stderr.trim().split('\n')[0]!;
  expect(line).toMatch(/^hazardsim: /);
  expect(line).toMatch(first);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
  expect(existsSync(out)).toBe(false);
}

describe('bad-input corpus', () => {
  for (const [group, cases] of Object.entries(CASES)) {
    it.each(cases)(`${group}: %s`, (_what, args, first) => {
      const out = join(dir, 'never');
      expectRefused(['run', scenario, '--out', out, ...args], first, out);
    });
  }
  it.each(PROFILES)('profiles and behaviours: %s', (_what, make, first) => {
    const out = join(dir, 'never');
    expectRefused(['run', make(), '--out', out], first, out);
  });
});
