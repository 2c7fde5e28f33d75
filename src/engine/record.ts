/**
 * What one phone of a profile records, for looking at a noise model before trusting it: a single
 * device in a small world (3 × 3 km with a road loop), holding its phone in a chosen context while
 * doing a chosen activity, rendered by the same engine pipeline as a full run (gravity, pose,
 * everyday motion, sensor models), tapped sample by sample.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { InputError } from '../core/errors.js';
import { FastRandom } from '../core/random.js';
import { loadPhoneProfile, loadScenario } from '../scenario/load.js';
import { createRuntimes, createState } from './setup.js';
import { simulateChunk, type SensorOutput } from './simulate.js';
import { buildGridCity } from '../world/build/grid-city.js';
import { PHONE_CONTEXTS, type PhoneContext } from '../population/behaviour.js';
import type { PluginSet } from '../plugin/index.js';

export const ACTIVITIES = ['still', 'walking', 'running', 'driving', 'stairs', 'elevator'] as const;
export type RecordActivity = (typeof ACTIVITIES)[number];

export interface RecordOptions {
  /** The plug-ins (the recording runs a one-phone scenario through the engine). */
  plugins: PluginSet;
  profile: string;
  /** Seconds. */
  duration: number;
  context?: PhoneContext;
  activity?: RecordActivity;
  seed?: number;
  /** Accelerometer (and gyroscope) rate override, Hz; must not exceed the profile's maximum. */
  rateHz?: number;
  /** Walking cadence range, steps/s (default the behaviour default, 1.6–2.2). */
  cadenceHz?: [number, number];
}

export interface RecordedRow {
  t: number;
  a: [number, number, number];
  g?: [number, number, number];
  p?: number;
}

export const DEFAULT_CONTEXT: Record<RecordActivity, PhoneContext> = {
  still: 'table', walking: 'pocket', running: 'pocket', driving: 'vehicle-mount', stairs: 'pocket', elevator: 'hand',
};

function behaviourFor(activity: RecordActivity, context: PhoneContext): Record<string, unknown> {
  const ctx = { [context]: 1 };
  const quiet = { door_slam_per_h: 1, knock_per_h: 1, drop_per_h: 0, elevator_per_h: 0, stairs_per_h: 0 };
  switch (activity) {
    case 'still':
      return { name: 'record-still', kind: 'stationary', context: ctx, charging: 0, motion: quiet };
    case 'walking':
      return {
        name: 'record-walking', kind: 'pedestrian', model: 'random-waypoint', pause: { min: 1, max: 2, alpha: 2 },
        context_moving: ctx, context_paused: ctx, charging: 0, motion: { ...quiet, door_slam_per_h: 0, knock_per_h: 0 },
      };
    case 'running':
      return {
        name: 'record-running', kind: 'pedestrian', model: 'random-waypoint', running_share: 1, pause: { min: 1, max: 2, alpha: 2 },
        context_moving: ctx, context_paused: ctx, charging: 0, motion: { ...quiet, door_slam_per_h: 0, knock_per_h: 0 },
      };
    case 'driving':
      return { name: 'record-driving', kind: 'vehicle', dwell: { min: 1, max: 3, alpha: 1.5 }, context_driving: ctx, context_parked: ctx, charging: 0, motion: { ...quiet, door_slam_per_h: 0, knock_per_h: 0 } };
    case 'stairs':
      return { name: 'record-stairs', kind: 'stationary', context: ctx, charging: 0, motion: { ...quiet, door_slam_per_h: 0, knock_per_h: 0, stairs_per_h: 60 } };
    case 'elevator':
      return { name: 'record-elevator', kind: 'stationary', context: ctx, charging: 0, motion: { ...quiet, door_slam_per_h: 0, knock_per_h: 0, elevator_per_h: 40 } };
  }
}

/** Channel names of a profile's recording, in order: t, then the sensors it has. */
export function recordChannels(hasGyro: boolean, hasBaro: boolean): string[] {
  return ['t', 'ax', 'ay', 'az', ...(hasGyro ? ['gx', 'gy', 'gz'] : []), ...(hasBaro ? ['p'] : [])];
}

/**
 * Renders the recording and hands rows to `sink` in time order. Returns the channels and rate.
 * Dropped samples are left out, as a phone's log would have gaps.
 */
export function recordPhone(o: RecordOptions, sink: (row: RecordedRow) => void): { channels: string[]; rateHz: number; context: PhoneContext; activity: RecordActivity } {
  const profile = loadPhoneProfile(resolve(o.profile));
  const activity = o.activity ?? 'still';
  const context = o.context ?? DEFAULT_CONTEXT[activity];
  if (!PHONE_CONTEXTS.includes(context)) throw new InputError('--context', `expected one of ${PHONE_CONTEXTS.join(', ')}, found ${JSON.stringify(context)}`);
  if (!(o.duration > 0)) throw new InputError('--duration', `expected a duration above 0, found ${o.duration}`);
  const acc = profile.accelerometer;
  if (o.rateHz !== undefined) {
    const max = acc.max_rate_hz ?? acc.rate_hz;
    if (!(o.rateHz > 0) || o.rateHz > max) throw new InputError('--rate', `expected a rate from above 0 to the profile's maximum ${max} Hz (accelerometer.max_rate_hz), found ${o.rateHz}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'hazardsim-record-'));
  try {
    const phone = { ...profile } as Record<string, unknown>;
    delete phone.sources;
    if (o.rateHz !== undefined) {
      phone.accelerometer = { ...acc, rate_hz: o.rateHz, bandwidth_hz: acc.bandwidth_hz !== undefined ? Math.min(acc.bandwidth_hz, o.rateHz / 2) : undefined };
      if (profile.gyroscope) phone.gyroscope = { ...profile.gyroscope, rate_hz: o.rateHz, max_rate_hz: Math.max(profile.gyroscope.max_rate_hz ?? 0, o.rateHz), bandwidth_hz: profile.gyroscope.bandwidth_hz !== undefined ? Math.min(profile.gyroscope.bandwidth_hz, o.rateHz / 2) : undefined };
    }
    // Undo the parsed forms the YAML loader will parse again (durations are numbers already: fine).
    writeFileSync(join(dir, 'phone.yaml'), stringify(phone));
    const behaviour = behaviourFor(activity, context);
    if (o.cadenceHz) (behaviour.motion as Record<string, unknown>).cadence_hz = o.cadenceHz;
    writeFileSync(join(dir, 'behaviour.yaml'), stringify(behaviour));
    writeFileSync(join(dir, 'world.geojson'), JSON.stringify(buildGridCity({ name: 'record', sizeKm: 3, cellKm: 3, roadSpacingKm: 1, primarySpacingKm: 1 })));
    const rate = o.rateHz ?? acc.rate_hz;
    const scenario = {
      name: 'record', seed: o.seed ?? 1, duration: o.duration, tick: 1, local_start: '12:00', world: 'world.geojson',
      population: { devices: 1, phones: [{ profile: 'phone.yaml' }], behaviours: [{ profile: 'behaviour.yaml' }], eligibility: 'all' },
      detector: { type: 'sta-lta' }, server: { type: 'cell-ratio' },
    };
    writeFileSync(join(dir, 'scenario.yaml'), stringify(scenario));
    const s = loadScenario(join(dir, 'scenario.yaml'), { plugins: o.plugins });
    if ((rate * s.config.tick) % 1 !== 0) throw new InputError('--rate', `expected a rate giving a whole number of samples per second, found ${rate} Hz`);
    const state = createState(s, o.plugins);
    const rt = createRuntimes(state);
    const jitterSigma = (o.rateHz !== undefined ? acc.jitter : profile.accelerometer.jitter) ?? 0;
    const jitter = FastRandom.of(s.config.seed, 'timestamp-jitter');
    let lastP = NaN;
    rt.wantGyro = true;
    rt.wantBaro = true;
    rt.tap = (out: SensorOutput) => {
      const b = out.block;
      const dropped = rt.accelerometer.dropped;
      let pi = 0;
      for (let i = 0; i < b.n; i++) {
        const t = (b.k0 + i) / b.fs;
        if (out.p) {
          while (pi < b.pn && (b.pk0 + pi) / b.pfs <= t + 1e-9) lastP = out.p[pi++]!;
        }
        if (dropped[i]) continue;
        sink({
          t: t + (jitterSigma > 0 ? jitterSigma * jitter.normal() : 0),
          a: [out.ax[i]!, out.ay[i]!, out.az[i]!],
          g: out.gx ? [out.gx[i]!, out.gy![i]!, out.gz![i]!] : undefined,
          p: out.p ? lastP : undefined,
        });
      }
    };
    const ticks = state.clock.ticks;
    for (let t = 0; t < ticks; t += 60) simulateChunk(rt, { tickFrom: t, tickTo: Math.min(ticks, t + 60), deviceFrom: 0, deviceTo: 1 });
    return { channels: recordChannels(profile.gyroscope !== undefined, profile.barometer !== undefined), rateHz: rate, context, activity };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
