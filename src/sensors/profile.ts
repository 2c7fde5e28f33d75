/**
 * Phone profiles (agents/phones/*.yaml): the sensor hardware of one class of phone. Every error
 * term is switchable: leave a field out and that effect is off.
 *
 * Noise densities are one-sided amplitude spectral densities, as datasheets quote them (µg/√Hz,
 * mdps/√Hz). With the digital low-pass at `bandwidth_hz` (default: half the output rate), a
 * sample's white noise has σ = ND·√bandwidth, and its Allan deviation at τ is ND/√(2τ).
 */
import * as z from 'zod';
import { duration, probability } from '../plugin/fields.js';

/** Options shared by accelerometers and gyroscopes (bias units: mg or °/s; instability: µg or °/s; random walk: µg/√s or °/s/√s). */
const imu = () => ({
  rate_hz: z.number().positive().max(8000).describe('Output data rate, Hz.'),
  max_rate_hz: z.number().positive().max(8000).optional().describe('Highest output rate the part supports, Hz.'),
  bandwidth_hz: z.number().positive().optional().describe('Digital low-pass bandwidth, Hz (default rate/2: white up to Nyquist).'),
  resolution_bits: z.number().int().min(4).max(32).optional().describe('Bits of the output word over the full range (quantisation step = 2·range / 2^bits); left out, outputs are not quantised.'),
  bias: z.strictObject({ constant: z.number().min(0).describe('σ of the per-device constant (factory) offset per axis: mg (accelerometer) or °/s (gyroscope).'), turn_on: z.number().min(0).default(0).describe('σ of the offset drawn anew at each power-on, same unit.') }).optional().describe('Per-device constant (factory) offset and turn-on offset, σ per axis.'),
  bias_instability: z.strictObject({ sigma: z.number().min(0).describe('σ of the Gauss–Markov bias: µg (accelerometer) or °/s (gyroscope).'), correlation_time: duration({ positive: true }).describe('Its correlation time T, s.') }).optional().describe('Bias instability: a first-order Gauss–Markov bias (σ and correlation time); its Allan deviation peaks near 0.62 σ at τ ≈ 1.9 T.'),
  bias_random_walk: z.number().min(0).optional().describe('Bias random walk, per √s.'),
  scale_error_pct: z.number().min(0).max(50).optional().describe('Scale-factor error σ, per cent.'),
  misalignment_mrad: z.number().min(0).max(200).optional().describe('Axis misalignment (cross-axis coupling) σ, mrad.'),
  jitter: duration({ min: 0 }).optional().describe('Timestamp jitter σ, s (visible in recorded timestamps).'),
  drop_probability: probability().optional().describe('Probability that a sample is dropped (the previous value is held).'),
});

export const accelerometerSchema = z.strictObject({
  ...imu(),
  noise_density_ug: z.number().positive({ error: 'expected a noise density above 0 µg/√Hz' }).max(100_000).describe('White-noise density, µg/√Hz, one-sided.'),
  range_g: z.number().positive().max(64).describe('Full-scale range, ±g.'),
});

export const gyroscopeSchema = z.strictObject({
  ...imu(),
  noise_density_mdps: z.number().positive({ error: 'expected a noise density above 0 mdps/√Hz' }).max(100_000).describe('White-noise density, mdps/√Hz (milli-degrees per second per √Hz), one-sided.'),
  range_dps: z.number().positive().max(10_000).describe('Full-scale range, ±°/s.'),
  g_sensitivity_dps_per_g: z.number().min(0).max(10).optional().describe('Linear-acceleration sensitivity, °/s per g.'),
});

export const barometerSchema = z.strictObject({
  rate_hz: z.number().positive().max(200).describe('Rate the phone logs pressure at (what apps and detectors receive), Hz; phones commonly log ~1 Hz.'),
  max_rate_hz: z.number().positive().max(200).optional().describe('Highest output rate the chip supports, Hz.'),
  odr_hz: z.number().positive().max(200).optional().describe('The chip\'s own output data rate, Hz (default: rate_hz); the phone keeps its latest reading at each log time.'),
  lowpass: z.enum(['off', 'odr/9', 'odr/20']).default('off').describe('The chip\'s digital low-pass, as a fraction of its ODR (LPS22HH LPFP_CFG: ODR/9 or ODR/20), or off.'),
  noise_pa: z.number().min(0, { error: 'expected a noise of at least 0 Pa' }).max(1000).describe('White noise at the chip\'s ODR before its low-pass, Pa RMS.'),
  resolution_pa: z.number().min(0).max(100).default(0).describe('Output resolution, Pa (quantisation step).'),
  offset_pa: z.number().min(0).max(10_000).default(0).describe('Per-device offset σ, Pa (absolute accuracy).'),
  temperature_coefficient_pa_per_k: z.number().min(0).max(100).default(0).describe('Temperature coefficient of the offset, Pa per K (the phone warms in a pocket or when charging).'),
});

export const gnssSchema = z.strictObject({
  rate_hz: z.number().positive().max(10).default(1).describe('Fix rate, Hz (fixes are taken at most once per tick).'),
  accuracy_m: z.strictObject({ open_sky: z.number().positive().default(3).describe('Under open sky, m.'), urban: z.number().positive().default(10).describe('Outdoors in a city (street canyons), m.'), indoor: z.number().positive().default(25).describe('Indoors with a fix, m.') }).prefault({}).describe('68 % horizontal accuracy by environment, m.'),
  correlation_time: duration({ positive: true }).default(60).describe('Correlation time of the position error (multipath and atmosphere change slowly).'),
  indoor_fix_share: probability().default(0.3).describe('Share of time with a fix indoors (otherwise Wi-Fi/cell positioning).'),
  network_accuracy_m: z.number().positive().default(40).describe('Accuracy of network (Wi-Fi/cell) positioning when there is no fix, m.'),
  speed_error_m_s: z.number().min(0).default(0.3).describe('Speed error σ of fixes, m/s.'),
});

export const clockSchema = z.strictObject({
  offset: duration({ min: 0 }).default(0.05).describe('σ of each phone\'s clock offset (NTP-synchronised phones: tens of ms; some are off by seconds).'),
  drift_ppm: z.number().min(0).max(1000).default(5).describe('σ of each phone\'s clock drift, ppm.'),
});

export const phoneProfileSchema = z
  .strictObject({
    name: z.string().min(1).describe('Name of the phone class (shown in outputs, e.g. the phone_model column).'),
    description: z.string().optional().describe('Free text: what hardware this models.'),
    sources: z.array(z.string()).optional().describe('Where the numbers come from (datasheets, measurements).'),
    accelerometer: accelerometerSchema.describe('The accelerometer (every phone has one).'),
    gyroscope: gyroscopeSchema.optional().describe('The gyroscope; left out, the phone has none.'),
    barometer: barometerSchema.optional().describe('The barometer; left out, the phone has none.'),
    gnss: gnssSchema.prefault({}).describe('GNSS positioning (and the network positioning used without a fix).'),
    clock: clockSchema.prefault({}).describe('The phone\'s clock against true time.'),
    power: z
      .strictObject({
        imu_current_ua: z.number().positive().describe('Supply current of the IMU while it streams (datasheet), µA.'),
        supply_v: z.number().positive().default(1.8).describe('IMU supply voltage, V.'),
        source: z.string().min(1).describe('Where the current comes from (datasheet and mode).'),
      })
      .optional()
      .describe('The sensor side of the on-device budget: what keeping the IMU on costs (hazardsim budget).'),
  })
  .superRefine((p, ctx) => {
    for (const kind of ['accelerometer', 'gyroscope', 'barometer'] as const) {
      const s = p[kind];
      if (!s) continue;
      if (s.max_rate_hz !== undefined && s.rate_hz > s.max_rate_hz) {
        ctx.addIssue({ code: 'custom', path: [kind, 'rate_hz'], message: `expected a rate ≤ max_rate_hz (${s.max_rate_hz} Hz), found ${s.rate_hz}`, input: s.rate_hz });
      }
      const odr = (s as { odr_hz?: number }).odr_hz;
      if (odr !== undefined && odr < s.rate_hz) {
        ctx.addIssue({ code: 'custom', path: [kind, 'odr_hz'], message: `expected the chip's rate to be at least the logging rate (${s.rate_hz} Hz), found ${odr}`, input: odr });
      }
      if (odr !== undefined && s.max_rate_hz !== undefined && odr > s.max_rate_hz) {
        ctx.addIssue({ code: 'custom', path: [kind, 'odr_hz'], message: `expected a rate ≤ max_rate_hz (${s.max_rate_hz} Hz), found ${odr}`, input: odr });
      }
      const bw = (s as { bandwidth_hz?: number }).bandwidth_hz;
      if (bw !== undefined && bw > s.rate_hz / 2) {
        ctx.addIssue({ code: 'custom', path: [kind, 'bandwidth_hz'], message: `expected a bandwidth ≤ half the output rate (${s.rate_hz / 2} Hz), found ${bw}`, input: bw });
      }
    }
  });

export type PhoneProfile = z.output<typeof phoneProfileSchema>;
export type AccelerometerProfile = PhoneProfile['accelerometer'];
export type GyroscopeProfile = NonNullable<PhoneProfile['gyroscope']>;

/** Effective noise bandwidth (Hz) of an IMU channel. */
export const noiseBandwidth = (s: { rate_hz: number; bandwidth_hz?: number }): number => s.bandwidth_hz ?? s.rate_hz / 2;

/** Per-sample white-noise standard deviation (m/s²) of an accelerometer axis. */
export function accelNoiseSigma(a: AccelerometerProfile): number {
  return a.noise_density_ug * 1e-6 * 9.80665 * Math.sqrt(noiseBandwidth(a));
}
