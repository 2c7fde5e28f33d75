/**
 * Sweep files: a base scenario and the parameters to vary by their `--set` paths (grids of lists,
 * ranges and zipped lists; random or Latin-hypercube samples; an earthquake catalogue), and seeds.
 * Read, validated and resolved here; expanded into points by points.ts.
 */
import * as z from 'zod';
import { dirname, resolve } from 'node:path';
import { describeValue, InputError } from '../../core/errors.js';
import { displayPath } from '../../core/paths.js';
import { readYaml } from '../../scenario/load.js';
import { issuesToProblems } from '../../plugin/issues.js';

const path = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+|\[\d+\])*$/, { error: 'expected a --set path such as population.adoption or hazards.0.magnitude' }).describe('The scenario field the axis varies, as a --set path (population.adoption, hazards.0.magnitude).');
const value = z.union([z.number(), z.string(), z.boolean()]);

const list = z.strictObject({ path, values: z.array(value).min(1, { error: 'expected at least one value (an empty list makes an empty grid)' }).describe('The values it takes, in the field\'s own unit.') });
const range = z.strictObject({
  path,
  range: z.strictObject({
    from: z.number().describe('First value, in the field\'s own unit.'),
    to: z.number().describe('Last value (included).'),
    steps: z.number().int().min(2, { error: 'expected at least 2 steps (from and to)' }).max(10_000).describe('Number of values from `from` to `to`.'),
    scale: z.enum(['linear', 'log']).default('linear').describe('`log`: steps evenly spaced in log10 (from and to must be positive).'),
    integer: z.boolean().default(false).describe('Round each value to a whole number.'),
  }).describe('Evenly spaced values.'),
});
const zip = z.strictObject({ zip: z.array(list).min(2, { error: 'expected at least two lists to zip' }).describe('Lists of equal length that vary together (their i-th values make one point).') });

const sampled = z.strictObject({
  path,
  min: z.number().describe('Lowest value, in the field\'s own unit.'),
  max: z.number().describe('Highest value.'),
  scale: z.enum(['linear', 'log']).default('linear').describe('`log`: drawn uniformly in log10 (min must be positive).'),
  integer: z.boolean().default(false).describe('Round each value to a whole number.'),
});

export const sweepSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'expected a short name of letters, digits, ".", "_" or "-"' }).describe('Short name; the default output folder is out/<name>.'),
    description: z.string().optional().describe('Free text: what the sweep asks.'),
    scenario: z.string().min(1).describe('The base scenario, relative to the sweep file.'),
    set: z.array(z.string()).default([]).describe('Overrides every point gets (path=value, as --set).'),
    seeds: z.union([z.number().int().min(1).max(1000), z.array(z.number().int().min(0).max(2 ** 32 - 1)).min(1)]).default(1).describe('A count N (the scenario\'s seed s, s+1, … s+N−1) or a list of seeds; every point runs each.'),
    grid: z.array(z.union([list, range, zip])).default([]).describe('Axes whose product makes the points: a list of values, a range, or lists zipped together.'),
    sample: z
      .strictObject({
        method: z.enum(['random', 'latin-hypercube']).describe('`random`: independent uniform draws; `latin-hypercube`: one point per stratum in each parameter.'),
        points: z.number().int().min(1).max(100_000).describe('How many points to draw.'),
        seed: z.number().int().min(0).default(1).describe('Seed of the draw (not of the runs).'),
        parameters: z.array(sampled).min(1).describe('The fields to draw and their ranges.'),
      })
      .optional()
      .describe('Points drawn at random or by Latin hypercube (one per stratum in each parameter), crossed with the grid.'),
    catalogue: z
      .strictObject({
        file: z.string().min(1).describe('CSV with origin_time (ISO 8601 UTC), lon, lat, depth_km, magnitude; optional name and world (a world file relative to the CSV).'),
        hazard: z.number().int().min(0).default(0).describe('The scenario hazard each event replaces.'),
        time_zone: z.string().optional().describe('IANA time zone for the local hour (default: solar time at the event\'s longitude, UTC + lon/15 h).'),
      })
      .optional()
      .describe('One point per event (crossed with the grid), with its local hour and, when given, its world.'),
  })
  .superRefine((s, ctx) => {
    if (!s.grid.length && !s.sample && !s.catalogue) ctx.addIssue({ code: 'custom', path: ['grid'], message: 'expected something to sweep: a grid axis, a sample or a catalogue (found none)' });
    s.grid.forEach((a, i) => {
      if ('zip' in a) {
        const n = a.zip[0]!.values.length;
        a.zip.forEach((l, k) => { if (l.values.length !== n) ctx.addIssue({ code: 'custom', path: ['grid', i, 'zip', k, 'values'], message: `expected ${n} values, as the first zipped list has; found ${l.values.length}` }); });
      }
      if ('range' in a && a.range.scale === 'log' && !(a.range.from > 0 && a.range.to > 0)) ctx.addIssue({ code: 'custom', path: ['grid', i, 'range'], message: `a log range needs positive from and to, found ${a.range.from} and ${a.range.to}` });
    });
    s.sample?.parameters.forEach((p, i) => {
      if (!(p.max > p.min)) ctx.addIssue({ code: 'custom', path: ['sample', 'parameters', i, 'max'], message: `expected max above min (${p.min}), found ${p.max}` });
      if (p.scale === 'log' && !(p.min > 0)) ctx.addIssue({ code: 'custom', path: ['sample', 'parameters', i, 'min'], message: `a log scale needs a positive min, found ${p.min}` });
    });
    if (s.catalogue?.time_zone) {
      try { new Intl.DateTimeFormat('en-US', { timeZone: s.catalogue.time_zone }); } catch { ctx.addIssue({ code: 'custom', path: ['catalogue', 'time_zone'], message: `expected an IANA time zone such as America/Los_Angeles, found ${describeValue(s.catalogue.time_zone)}` }); }
    }
  });

/** JSON Schema of sweep files (for editor autocompletion: `hazardsim schema --kind sweep`). */
export function sweepJsonSchema(): unknown {
  const json = z.toJSONSchema(sweepSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...json, $id: 'https://hazardsim.dev/schema/sweep.json', title: 'hazardsim sweep' };
}

export type SweepConfig = z.output<typeof sweepSchema>;

export interface Sweep {
  /** The sweep file as shown to users. */
  file: string;
  dir: string;
  config: SweepConfig;
  /** Absolute path of the base scenario. */
  scenarioFile: string;
}

/** Reads and validates a sweep file (InputError naming the file and field otherwise). */
export function loadSweep(file: string): Sweep {
  const abs = resolve(file), shown = displayPath(abs);
  const raw = readYaml(abs);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(shown, `expected a mapping of sweep keys (name, scenario, grid, ...), found ${describeValue(raw)}`);
  const r = sweepSchema.safeParse(raw, { reportInput: true });
  if (!r.success) throw new InputError(shown, issuesToProblems(r.error.issues, sweepSchema, raw));
  const dir = dirname(abs);
  return { file: shown, dir, config: r.data, scenarioFile: resolve(dir, r.data.scenario) };
}
