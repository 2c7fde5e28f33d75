/**
 * Phone profiles (agents/phones/*.yaml): the sensor hardware of one class of phone.
 * Noise densities are one-sided amplitude spectral densities as datasheets quote them
 * (µg/√Hz for accelerometers); the white-noise standard deviation of a sample at output rate f_s
 * with the usual ODR/2 bandwidth is σ = ND·√(f_s/2).
 */
import * as z from 'zod';

export const accelerometerSchema = z.strictObject({
  /** Output data rate, Hz. */
  rate_hz: z.number().positive().max(2000),
  /** Highest rate the part supports, Hz (defaults to rate_hz). */
  max_rate_hz: z.number().positive().max(8000).optional(),
  /** White-noise density, µg/√Hz, one-sided. */
  noise_density_ug: z.number().positive().max(10_000),
  /** Full-scale range, ±g. */
  range_g: z.number().positive().max(64),
});

export const barometerSchema = z.strictObject({
  /** Output data rate, Hz. */
  rate_hz: z.number().positive().max(200),
  /** White noise, Pa RMS. */
  noise_pa: z.number().min(0).max(1000),
  /** Output resolution, Pa (quantisation step). */
  resolution_pa: z.number().min(0).max(100).default(0),
});

export const phoneProfileSchema = z
  .strictObject({
    name: z.string().min(1),
    description: z.string().optional(),
    /** Where the numbers come from (datasheets, measurements). */
    sources: z.array(z.string()).optional(),
    accelerometer: accelerometerSchema,
    barometer: barometerSchema.optional(),
  })
  .superRefine((p, ctx) => {
    const max = p.accelerometer.max_rate_hz;
    if (max !== undefined && p.accelerometer.rate_hz > max) {
      ctx.addIssue({ code: 'custom', path: ['accelerometer', 'rate_hz'], message: `expected a rate ≤ max_rate_hz (${max} Hz), found ${p.accelerometer.rate_hz}`, input: p.accelerometer.rate_hz });
    }
  });

export type PhoneProfile = z.output<typeof phoneProfileSchema>;

/** Per-sample white-noise standard deviation (m/s²) of an accelerometer axis. */
export function accelNoiseSigma(a: PhoneProfile['accelerometer']): number {
  return a.noise_density_ug * 1e-6 * 9.80665 * Math.sqrt(a.rate_hz / 2);
}
