/**
 * The scenario's `fleet` section: what phones report (telemetry per phone and period), firmware
 * updates that change a share of one phone model's sensors at a given time, and a staged rollout of
 * a candidate detector with monitors and a rollback rule.
 */
import * as z from 'zod';
import { duration } from '../plugin/fields.js';

/** A firmware update: from `at` on, a share of the named phone models run `firmware`, whose accelerometer differs. */
export const firmwareUpdateSchema = z.strictObject({
  firmware: z.string().min(1).max(40).describe('Version label the updated phones report in telemetry.'),
  at: duration({ min: 0 }).describe('When the update reaches the phones (s after the start).'),
  phones: z.array(z.string().min(1)).min(1).optional().describe('Phone profile names (their `name`) it reaches; default: every profile.'),
  share: z.number().min(0).max(1).default(1).describe('Share of those phones that take it (the same phones whatever the seed of the run\'s other parts).'),
  accelerometer: z
    .strictObject({
      noise_scale: z.number().positive().max(100).default(1).describe('Multiplies the white noise (noise density) of the accelerometer.'),
      gain: z.number().positive().max(10).default(1).describe('Multiplies the accelerometer\'s output (a gain error the update brings).'),
      lowpass_hz: z.number().positive().optional().describe('A new digital low-pass bandwidth, Hz (replaces the profile\'s bandwidth_hz).'),
    })
    .prefault({})
    .describe('What the update changes in the accelerometer.'),
});

/** Cohort steps of a rollout: the share of eligible phones on the candidate from `at` on. */
const rolloutStepSchema = z.strictObject({
  share: z.number().gt(0).max(1).describe('Share of eligible phones on the candidate during this step.'),
  at: duration({ min: 0 }).describe('Earliest start of this step (s after the start); a step waits until the monitors clear the previous one.'),
});

export const rolloutSchema = (detector: z.ZodType) => z
  .strictObject({
    candidate: detector.describe('The candidate detector (any detector type), replacing the phone\'s detector on the phones of the cohort.'),
    name: z.string().min(1).max(40).default('candidate').describe('Label of the candidate in telemetry (`model`).'),
    baseline_name: z.string().min(1).max(40).default('baseline').describe('Label of the detector phones run otherwise.'),
    phones: z.array(z.string().min(1)).min(1).optional().describe('Phone profile names eligible for the rollout; default: every profile.'),
    region: z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90), z.number().min(-180).max(180), z.number().min(-90).max(90)]).optional()
      .describe('Only phones whose last reported position lies in this box are eligible: [lon_min, lat_min, lon_max, lat_max].'),
    steps: z.array(rolloutStepSchema).min(1).default([{ share: 0.01, at: 3600 }, { share: 0.1, at: 3 * 3600 }, { share: 0.5, at: 6 * 3600 }, { share: 1, at: 9 * 3600 }] as never)
      .describe('The cohort schedule (default 1 % → 10 % → 50 % → 100 % at hours 1, 3, 6, 9).'),
    monitor: z
      .strictObject({
        delay: duration({ min: 0 }).default(300).describe('The monitors decide this long after each telemetry period ends (rows still in flight are left for the next decision).'),
        min_windows: z.number().int().positive().default(200).describe('Score monitor: windows needed in the reference and in a period before it compares them.'),
        false_trigger_ratio: z.number().gt(1).default(2).describe('Wald SPRT: alarm when the candidate\'s triggers per phone-hour are this many times the control\'s rather than equal.'),
        alpha: z.number().gt(0).lt(0.5).default(0.05).describe('SPRT: chance of rolling back a candidate that triggers no more than the control.'),
        beta: z.number().gt(0).lt(0.5).default(0.1).describe('SPRT: chance of missing a candidate that triggers `false_trigger_ratio` times as often.'),
        score_psi: z.number().positive().default(0.25).describe('Alarm when the candidate cohort\'s model-score histogram differs from its first step\'s by this population stability index (model detectors only).'),
      })
      .prefault({})
      .describe('Cohort monitors, evaluated on telemetry that reached the server, at every telemetry period.'),
    on_alarm: z.enum(['rollback', 'halt']).default('rollback').describe('`rollback`: every phone returns to the baseline; `halt`: the cohort stays, no further steps.'),
  })
  .superRefine((r, ctx) => {
    if (r.region && !(r.region[0] < r.region[2] && r.region[1] < r.region[3])) ctx.addIssue({ code: 'custom', path: ['region'], message: 'expected [lon_min, lat_min, lon_max, lat_max] with min < max', input: r.region });
    r.steps.forEach((s, i) => {
      const prev = r.steps[i - 1];
      if (prev && !(s.share > prev.share)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'share'], message: `expected a share above the previous step's ${prev.share}`, input: s.share });
      if (prev && s.at < prev.at) ctx.addIssue({ code: 'custom', path: ['steps', i, 'at'], message: `expected a time no earlier than the previous step's ${prev.at} s`, input: s.at });
    });
  });

export const fleetSchema = (detector: z.ZodType) => z
  .strictObject({
    telemetry_every: duration({ min: 60 }).default(3600).describe('Period of the per-phone telemetry summaries (default one hour).'),
    firmware: z.string().min(1).max(40).default('base').describe('Firmware version every phone starts on.'),
    updates: z.array(firmwareUpdateSchema).default([]).describe('Firmware updates during the run.'),
    arrivals: z.array(z.strictObject({
      phones: z.array(z.string().min(1)).min(1).describe('Phone profile names that join the fleet.'),
      at: duration({ min: 0 }).describe('When they join: before it they neither monitor, report nor send heartbeats.'),
    })).default([]).describe('New phone models joining the fleet during the run.'),
    rollout: rolloutSchema(detector).nullish().transform((r) => r ?? undefined).describe('A staged rollout of a candidate detector with monitors and a rollback rule.'),
  })
  .describe('Fleet operations: telemetry (written to telemetry.parquet), firmware updates and a staged rollout (signal fidelity).');

export type FleetConfig = z.output<ReturnType<typeof fleetSchema>>;
export type FirmwareUpdate = z.output<typeof firmwareUpdateSchema>;
export type RolloutConfig = NonNullable<FleetConfig['rollout']>;
