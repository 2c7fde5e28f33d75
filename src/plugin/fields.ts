/** Reusable schema fields for scenario and profile files (durations, probabilities, file paths). */
import * as z from 'zod';
import { DURATION_REGEX, parseDuration } from '../core/duration.js';

const DURATION_HINT = 'a duration such as 90s, 10m or 2h (or a number of seconds)';

/** A duration written `90s`, `10m`, `2h`, `250ms` or as seconds; parsed to seconds. */
export function duration(opts: { min?: number; positive?: boolean } = {}) {
  return z
    .union([z.number(), z.string().regex(new RegExp(DURATION_REGEX, 'i'), { error: `expected ${DURATION_HINT}` })], { error: `expected ${DURATION_HINT}` })
    .transform((v, ctx) => {
      const s = parseDuration(v);
      if (s === undefined) {
        ctx.issues.push({ code: 'custom', message: `expected ${DURATION_HINT}`, input: v });
        return z.NEVER;
      }
      if (opts.positive && !(s > 0)) {
        ctx.issues.push({ code: 'custom', message: 'expected a duration greater than zero', input: v });
        return z.NEVER;
      }
      if (opts.min !== undefined && s < opts.min) {
        ctx.issues.push({ code: 'custom', message: `expected a duration of at least ${opts.min} s`, input: v });
        return z.NEVER;
      }
      return s;
    });
}

/** A probability in [0, 1]. */
export const probability = () => z.number().min(0).max(1);

/** A path to another file, resolved relative to the file that names it. */
export const filePath = () => z.string().min(1, { error: 'expected a file path' });

/** A longitude in degrees. */
export const longitude = () => z.number().min(-180).max(180);
/** A latitude in degrees. */
export const latitude = () => z.number().min(-90).max(90);

/**
 * A latency distribution: lognormal (median and log-sigma), fixed, uniform, or empirical (a table of
 * measured latencies in a file, drawn by inverse CDF). Values are seconds; `median`/`value`/`min`/`max`
 * accept durations.
 */
export const latencyDistribution = () =>
  z.discriminatedUnion('distribution', [
    z.strictObject({
      distribution: z.literal('lognormal'),
      median: duration({ positive: true }).describe('Median latency, s (or a duration such as 500ms).'),
      sigma: z.number().min(0).max(5).describe('Standard deviation of the natural log of the latency (dimensionless).'),
    }),
    z.strictObject({ distribution: z.literal('fixed'), value: duration({ min: 0 }).describe('The latency every message has, s.') }),
    z.strictObject({
      distribution: z.literal('uniform'),
      min: duration({ min: 0 }).describe('Shortest latency, s.'),
      max: duration({ min: 0 }).describe('Longest latency, s.'),
    }),
    z.strictObject({
      distribution: z.literal('empirical'),
      file: filePath().describe('Text or CSV file of measured latencies in seconds (the first column; a header line is skipped), relative to the scenario.'),
    }),
  ]);

export type LatencyDistribution = z.output<ReturnType<typeof latencyDistribution>>;
