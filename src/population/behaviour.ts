/**
 * Behaviour profiles (agents/behaviours/*.yaml): how the people carrying phones move, where
 * their phones sit and when they charge. Four kinds: `stationary` (home/work schedule),
 * `pedestrian` (Lévy walk or random waypoint inside the boundary), `vehicle` (shortest-path trips
 * on the road network), `commuter` (home → work → home by car or on foot).
 *
 * Context shares may be given per local hour (24 numbers) or as one number for every hour.
 */
import * as z from 'zod';
import { duration, probability } from '../plugin/fields.js';

export const PHONE_CONTEXTS = ['table', 'hand', 'pocket', 'bag', 'vehicle-mount'] as const;
export type PhoneContext = (typeof PHONE_CONTEXTS)[number];
export const CONTEXT_CODE: Record<PhoneContext, number> = { table: 0, hand: 1, pocket: 2, bag: 3, 'vehicle-mount': 4 };

/** A share: one number for all hours or 24 numbers (local hours 0–23). */
const hourly = () =>
  z.union([z.number().min(0), z.array(z.number().min(0)).length(24, { error: 'expected 24 values, one per local hour 0–23' })], {
    error: 'expected a number or a list of 24 numbers (one per local hour)',
  });

/** A probability: one number in [0, 1] for all hours or 24 of them (local hours 0–23). */
const hourlyProbability = () =>
  z.union([z.number().min(0).max(1), z.array(z.number().min(0).max(1)).length(24, { error: 'expected 24 values, one per local hour 0–23' })], {
    error: 'expected a probability from 0 to 1, or a list of 24 of them (one per local hour)',
  });

/** Context shares, e.g. { table: 0.7, hand: 0.1, pocket: 0.1, bag: 0.1 }; normalised per hour. */
const contextShares = () =>
  z
    .strictObject({
      table: hourly().optional().describe('Relative share of phones lying on a table or desk: one number, or 24 by local hour.'),
      hand: hourly().optional().describe('Relative share held in the hand.'),
      pocket: hourly().optional().describe('Relative share in a trouser or jacket pocket.'),
      bag: hourly().optional().describe('Relative share in a bag.'),
      'vehicle-mount': hourly().optional().describe('Relative share in a dashboard mount (vehicles).'),
    })
    .refine((o) => Object.values(o).some((v) => v !== undefined), { error: 'expected at least one context share' })
    .refine(
      (o) => Array.from({ length: 24 }, (_, h) => Object.values(o).reduce((s: number, v) => s + (v === undefined ? 0 : atHour(v, h)), 0)).every((s) => s > 0),
      { error: 'expected context shares with a positive sum at every local hour' },
    );

/** Local time of day "HH:MM". */
const clockTime = () =>
  z.string().regex(/^([01]?\d|2[0-3]):[0-5]\d$/, { error: 'expected a local time "HH:MM"' }).transform((t) => {
    const [h, m] = t.split(':').map(Number);
    return h! * 3600 + m! * 60;
  });

/** Truncated power law P(x) ∝ x^−α on [min, max] (Lévy flights and pauses, Rhee et al. 2011). */
const powerLaw = (unit: 'm' | 's') =>
  z
    .strictObject({
      min: (unit === 's' ? duration({ positive: true }) : z.number().positive()).describe(`Shortest value, ${unit}.`),
      max: (unit === 's' ? duration({ positive: true }) : z.number().positive()).describe(`Longest value, ${unit}.`),
      alpha: z.number().gt(0).max(5).describe('Exponent α of P(x) ∝ x^−α (dimensionless).'),
    })
    .refine((p) => p.max > p.min, { error: 'expected max > min' });

const range = () => z.tuple([z.number().positive(), z.number().positive()]).refine(([a, b]) => b >= a, { error: 'expected [low, high] with high ≥ low' });

/** Everyday motion: rates per hour of events that shake phones, by where the phone is. */
export const motionSchema = z.strictObject({
  door_slam_per_h: z.number().min(0).default(1).describe('A door slams in the building (phones on tables feel it).'),
  knock_per_h: z.number().min(0).default(1).describe('Someone knocks or bumps the desk the phone lies on.'),
  drop_per_h: z.number().min(0).default(0.05).describe('The phone slips from the hand onto the floor.'),
  elevator_per_h: z.number().min(0).default(0.3).describe('Indoors: an elevator ride, or a walk up or down stairs (altitude changes the barometer sees).'),
  stairs_per_h: z.number().min(0).default(0.5).describe('Indoors: flights of stairs walked per hour (the pocketed phone sees the steps and the altitude change).'),
  sit_stand_per_h: z.number().min(0).default(3.75).describe('Indoors: sitting down or standing up, each a posture change (a pocketed phone turns with the thigh). Free-living adults do about 60 sit-to-stands a day (Dall & Kerr 2010, Appl. Ergon. 41(1):58-61), so about 7.5 transitions in both directions per waking hour-pair: 3.75 per hour.'),
  cadence_hz: z.tuple([z.number().min(0.5).max(4), z.number().min(0.5).max(4)]).default([1.6, 2.2]).describe('Walking cadence range, steps per second (scaled within it by walking speed).'),
  running_cadence_hz: z.tuple([z.number().min(0.5).max(5), z.number().min(0.5).max(5)]).default([2.6, 3.0]).describe('Running cadence range, steps per second (people run above 2.2 m/s).'),
  road_class: z.enum(['A', 'B', 'C', 'D', 'E']).optional().describe('Road roughness class (ISO 8608) for vehicle ride vibration; absent: by road type (motion/road-surface.ts).'),
});

const common = {
  name: z.string().min(1).describe('Name of the behaviour (shown in outputs).'),
  description: z.string().optional().describe('Free text: whom this models.'),
  sources: z.array(z.string()).optional().describe('Where the numbers come from (studies, measurements).'),
  charging: hourlyProbability().default(0.1).describe('Probability that the phone is charging, by local hour.'),
  motion: motionSchema.prefault({}).describe('Everyday motion that shakes phones: rates per hour of each event.'),
};

/** Shares of phones on a table by hour for people at home or work (see agents/behaviours/*.yaml for sources). */
const DEFAULT_HOME_CONTEXT = { table: 0.6, hand: 0.15, pocket: 0.15, bag: 0.1 };

export const stationarySchema = z.strictObject({
  ...common,
  kind: z.literal('stationary'),
  context: contextShares().default(DEFAULT_HOME_CONTEXT).describe('Context shares while at home or work, by local hour.'),
  work: z
    .strictObject({
      share: probability().describe('Share of people who go to work.'),
      start: clockTime().describe('Local time work starts, "HH:MM".'),
      end: clockTime().describe('Local time work ends, "HH:MM".'),
      jitter: duration({ min: 0 }).default(1800).describe('Each person\'s times are shifted by a uniform draw in ±jitter.'),
    })
    .optional()
    .describe('Optional work schedule: a share of people spend work hours at a workplace.'),
});

export const pedestrianSchema = z.strictObject({
  ...common,
  kind: z.literal('pedestrian'),
  model: z.enum(['levy', 'random-waypoint']).default('levy').describe('`levy`: truncated power-law flights and pauses; `random-waypoint`: uniform targets in the boundary.'),
  speed_mps: range().default([0.5, 1.5]).describe('Walking speed range [low, high], m/s (uniform per flight).'),
  running_share: probability().default(0).describe('Share of flights that are runs (2.5–3.5 m/s) instead of walks.'),
  flight_m: powerLaw('m').default({ min: 10, max: 3000, alpha: 1.6 }).describe('Flight lengths: a truncated power law, m (Rhee et al. 2011).'),
  pause: powerLaw('s').default({ min: 30, max: 3600, alpha: 1.6 }).describe('Pauses between flights: a truncated power law, s.'),
  context_moving: contextShares().default({ hand: 0.3, pocket: 0.5, bag: 0.2 }).describe('Where the phone is while walking.'),
  context_paused: contextShares().default({ table: 0.4, hand: 0.3, pocket: 0.2, bag: 0.1 }).describe('Where the phone is while paused.'),
});

export const vehicleSchema = z.strictObject({
  ...common,
  kind: z.literal('vehicle'),
  speed_factor: range().refine(([, b]) => b <= 1, { error: 'expected factors ≤ 1 (drivers keep to the limit)' }).default([0.7, 1.0]).describe('Drivers keep this fraction of the speed limit (uniform per trip); never more than 1.'),
  dwell: powerLaw('s').default({ min: 60, max: 1800, alpha: 1.2 }).describe('Parking time between trips: a truncated power law, s.'),
  context_driving: contextShares().default({ 'vehicle-mount': 0.4, pocket: 0.3, bag: 0.3 }).describe('Where the phone is while driving.'),
  context_parked: contextShares().default({ table: 0.3, hand: 0.3, pocket: 0.3, bag: 0.1 }).describe('Where the phone is while parked.'),
});

export const commuterSchema = z.strictObject({
  ...common,
  kind: z.literal('commuter'),
  car_share: probability().default(0.7).describe('Share of commuters who drive (the rest walk along roads)...'),
  max_walk_km: z.number().positive().default(3).describe('...but nobody walks further than this to work: longer commutes are driven, km.'),
  leave_home: clockTime().prefault('08:00').describe('Local time commuters leave home, "HH:MM".'),
  leave_work: clockTime().prefault('17:30').describe('Local time they leave work, "HH:MM".'),
  jitter: duration({ min: 0 }).default(1800).describe('Each person\'s times are shifted by a uniform draw in ±jitter, s.'),
  walk_speed_mps: range().default([0.8, 1.5]).describe('Walking speed range [low, high] of those who walk, m/s.'),
  speed_factor: range().refine(([, b]) => b <= 1, { error: 'expected factors ≤ 1 (drivers keep to the limit)' }).default([0.7, 1.0]).describe('Drivers keep this fraction of the speed limit (uniform per trip); never more than 1.'),
  context: contextShares().default(DEFAULT_HOME_CONTEXT).describe('Where the phone is at home and at work.'),
  context_driving: contextShares().default({ 'vehicle-mount': 0.4, pocket: 0.3, bag: 0.3 }).describe('Where the phone is while driving.'),
  context_walking: contextShares().default({ hand: 0.3, pocket: 0.5, bag: 0.2 }).describe('Where the phone is while walking.'),
});

export const behaviourProfileSchema = z.discriminatedUnion('kind', [stationarySchema, pedestrianSchema, vehicleSchema, commuterSchema]);

export type BehaviourProfile = z.output<typeof behaviourProfileSchema>;
export type ContextShares = z.output<ReturnType<typeof contextShares>>;
export type Hourly = number | number[];

/** Value of an hourly quantity at local hour h. */
export const atHour = (v: Hourly, h: number): number => (typeof v === 'number' ? v : v[h]!);

/**
 * Flattens context shares into a 24 × 5 table of cumulative probabilities (rows sum to 1), for
 * drawing a context with one uniform.
 */
export function contextTable(shares: ContextShares): Float64Array {
  const t = new Float64Array(24 * 5);
  for (let h = 0; h < 24; h++) {
    let sum = 0;
    for (const c of PHONE_CONTEXTS) sum += shares[c] === undefined ? 0 : atHour(shares[c]!, h);
    let acc = 0, last = 0;
    PHONE_CONTEXTS.forEach((c, i) => {
      const v = sum > 0 && shares[c] !== undefined ? atHour(shares[c]!, h) / sum : 0;
      acc += v;
      if (v > 0) last = i;
      t[h * 5 + i] = acc;
    });
    for (let i = last; i < 5; i++) t[h * 5 + i] = 1; // guard against rounding
  }
  return t;
}

/** Draws a context code from row h of a contextTable with uniform u. */
export function drawContext(table: Float64Array, h: number, u: number): number {
  for (let i = 0; i < 5; i++) if (u < table[h * 5 + i]!) return i;
  return 4;
}
