/** The earthquake hazard's scenario options: epicentre, magnitude, rupture, variability, and the warnings when they leave BA08's fitted range. */
import * as z from 'zod';
import { duration, latitude, longitude } from '../../plugin/fields.js';
import { BA08_RANGE } from '../../physics/ba08.js';

const MAGNITUDE_ERROR = 'expected a moment magnitude between 3 and 9.5 (BA08 is fitted for 5–8)';

export const ruptureSchema = z.strictObject({
  strike_deg: z.number().min(0).max(360).describe('Strike of the fault, degrees clockwise from north (the rupture runs this way from the hypocentre).'),
  length_km: z.number().positive().max(2000).optional().describe('Rupture length, km; default from magnitude (Wells & Coppersmith 1994, surface rupture length).'),
  direction: z.enum(['unilateral', 'bilateral']).default('unilateral').describe('`unilateral`: the hypocentre is at one end; `bilateral`: in the middle.'),
  velocity_km_s: z.number().positive().optional().describe('Rupture front speed, km/s (default 0.8 × the S velocity).'),
  subevents: z.number().int().min(1).max(64).optional().describe('Subevents per rupture (default one per 10 km, 2 to 16).'),
  second_segment: z.strictObject({
    strike_deg: z.number().min(0).max(360).describe('Strike of the second segment, degrees clockwise from north: it runs this way from the hypocentre.'),
    length_km: z.number().positive().max(2000).describe('Length of the second segment, km.'),
  }).optional().describe('A second segment that breaks from the hypocentre the other way at the same time (a bilateral rupture with a bend, as the 2023 Kahramanmaraş M7.8); the magnitude\'s moment is shared by length.'),
}).superRefine((r, ctx) => {
  if (r.second_segment && r.direction === 'bilateral') ctx.addIssue({ code: 'custom', path: ['second_segment'], message: 'expected either direction: bilateral or a second_segment (which already makes the rupture bilateral), found both', input: r.second_segment });
});

/** Options shared by the synthetic and the recorded earthquake types. */
export const earthquakeFields = {
  name: z.string().optional().describe('Label shown in outputs (default: "M<magnitude> earthquake").'),
  origin_time: duration({ min: 0 }).describe('Origin time after scenario start.'),
  lon: longitude().describe('Epicentre longitude, degrees (WGS84).'),
  lat: latitude().describe('Epicentre latitude, degrees (WGS84).'),
  depth_km: z.number().min(0).max(700).default(8).describe('Hypocentre depth, km.'),
  magnitude: z.number().min(3, { error: MAGNITUDE_ERROR }).max(9.5, { error: MAGNITUDE_ERROR }).describe('Moment magnitude. BA08 is fitted for 5–8; 3–9.5 is accepted with a warning outside the fitted range.'),
  rake: z.number().min(-180).max(180).optional().describe('Rake in degrees; omit for an unspecified fault type.'),
  vp_km_s: z.number().positive().default(6.1).describe('P-wave velocity for arrival times, km/s.'),
  vs_km_s: z.number().positive().default(3.55).describe('S-wave velocity for arrival times, km/s.'),
  variability: z.enum(['none', 'inter', 'intra', 'both']).default('none').describe('Aleatory variability drawn around the BA08 median: none, between-event, within-event, or both.'),
  vs30: z.number().min(100).max(3000).optional().describe('Vs30 for every device (m/s); by default taken from the world\'s site features, else 760.'),
  alert_mmi: z.number().min(1).max(10).default(4).describe('Truth: a device deserves an alert when its MMI reaches this.'),
  render_floor_g: z.number().min(0).default(0.0005).describe('Devices whose PGA is below this (g) get truth but no rendered shaking.'),
};

export const earthquakeSchema = z
  .strictObject({
    type: z.literal('earthquake'),
    ...earthquakeFields,
    stress_drop_bar: z.number().positive().default(100).describe('Brune stress drop, bar (sets the corner frequency).'),
    fmax_hz: z.number().positive().default(10).describe('Upper corner of the band-limited noise, Hz (capped at 0.45 × sample rate).'),
    /** A finite line rupture instead of a point source. */
    rupture: ruptureSchema.optional().describe('A finite line rupture (default: a point source).'),
  })
  .superRefine((c, ctx) => {
    if (c.vs_km_s >= c.vp_km_s) ctx.addIssue({ code: 'custom', path: ['vs_km_s'], message: `expected an S velocity below the P velocity (${c.vp_km_s} km/s), found ${c.vs_km_s}`, input: c.vs_km_s });
  });

export type EarthquakeConfig = z.output<typeof earthquakeSchema>;

/** Warnings for options outside the fitted range of the models. */
export function earthquakeWarnings(c: { magnitude: number }, where: string): string[] {
  const [lo, hi] = BA08_RANGE.magnitude;
  return c.magnitude < lo || c.magnitude > hi ? [`${where ? where + '.' : ''}magnitude: M${c.magnitude} is outside the range BA08 was fitted for (${lo}–${hi}); ground motion is extrapolated`] : [];
}
