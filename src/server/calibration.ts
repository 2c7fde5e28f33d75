/**
 * The earthquake servers' calibration file: constants measured by `hazardsim calibrate` on
 * calibration scenarios, with the hash of what produced them. Servers read it at load time (a
 * scenario may name another file, or set a constant itself); they never measure anything.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { PACKAGE_ROOT } from '../core/paths.js';
import { InputError } from '../core/errors.js';

/** Where the shipped calibration lives and the scenarios that make it. */
export const CALIBRATION_DIR = join(PACKAGE_ROOT, 'calibration');
export const QUAKE_SERVER_CALIBRATION = join(CALIBRATION_DIR, 'quake-server.json');
/** Calibration scenarios of trigger fidelity's response curves (src/calibrate/response-curves.ts). */
export const RESPONSE_SCENARIOS = { quakes: join(CALIBRATION_DIR, 'scenarios/responses-quakes.yaml'), quiet: join(CALIBRATION_DIR, 'scenarios/responses-quiet.yaml') };
export const QUAKE_SERVER_SCENARIOS = { amplitudes: join(CALIBRATION_DIR, 'scenarios/quake-amplitudes.yaml'), quiet: join(CALIBRATION_DIR, 'scenarios/quiet-background.yaml') };

/**
 * While the calibration scenarios run, their servers are given every constant explicitly (so they
 * need no calibration file: the file is what they make); what the servers do is not used.
 */
export const CALIBRATION_RUN_OVERRIDES: readonly string[] = ['server.amplitude_to_pga=1', 'server.p_to_s_amplitude=1'];

const measured = z.strictObject({ value: z.number().positive(), ci95: z.tuple([z.number(), z.number()]), n: z.number().int().min(0), how: z.string() });

/** The calibration file's schema. */
export const quakeServerCalibrationSchema = z.strictObject({
  kind: z.literal('hazardsim-calibration/quake-server'),
  version: z.literal(1),
  produced_by: z.strictObject({
    command: z.string(),
    hazardsim: z.string(),
    scenarios: z.array(z.strictObject({ file: z.string(), hash: z.string() })).describe('Calibration scenarios (paths relative to the file) and the hashes of their resolved forms.'),
    hash: z.string().describe('sha256 over the scenario hashes: two files with the same hash were made by the same runs.'),
  }),
  constants: z.strictObject({ amplitude_to_pga: measured, p_to_s_amplitude: measured, background_per_phone_hour: measured }),
});
export type QuakeServerCalibration = z.infer<typeof quakeServerCalibrationSchema>;

/** Reads and checks a calibration file; InputError naming the file and field otherwise. */
export function readQuakeServerCalibration(file: string, shown = file): QuakeServerCalibration {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(shown, `expected a calibration file made by "hazardsim calibrate" (JSON), could not read it: ${(err as Error).message}`);
  }
  const r = quakeServerCalibrationSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new InputError(shown, { path: i.path.join('.'), message: `${i.message} (make a calibration with "hazardsim calibrate")` });
  }
  return r.data;
}

/** A server configuration with the constants it names taken from the calibration unless the scenario set them. */
export function applyQuakeServerCalibration<C extends Record<string, unknown>>(config: C, cal: QuakeServerCalibration, keys: readonly (keyof QuakeServerCalibration['constants'])[]): C {
  const out: Record<string, unknown> = { ...config };
  for (const key of keys) out[key] ??= cal.constants[key].value;
  return out as C;
}
