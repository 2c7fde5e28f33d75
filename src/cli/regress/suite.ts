/**
 * Regression suites: a list of cases — a scenario with overrides and seeds, and what must hold of its
 * headline metrics (the sweep table's columns: detected, alert_latency_s, false_alerts,
 * magnitude_error_last, triggers_per_phone_hour, ...) — that a detector under test must pass. The
 * detector under test replaces each case's scenario detector; cases run as sweep jobs (content-
 * hashed, cached, on the local pool).
 */
import * as z from 'zod';
import { dirname, resolve } from 'node:path';
import { describeValue, InputError } from '../../core/errors.js';
import { displayPath } from '../../core/paths.js';
import { issuesToProblems } from '../../plugin/issues.js';
import { readYaml } from '../../scenario/load.js';
import { METRICS } from '../sweep/merge.js';

const bound = z.strictObject({
  min: z.number().optional().describe('The metric must be at least this (in its own unit).'),
  max: z.number().optional().describe('...at most this.'),
  within: z.number().positive().optional().describe('|value| at most this'),
  equals: z.union([z.number(), z.boolean()]).optional().describe('...exactly this.'),
}).refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'expected at least one of min, max, within, equals' });

const metricNames = METRICS.map((m) => m.name);
/** What a phone-log case measures (replayed through the detector, as `hazardsim replay` does). */
export const LOG_METRICS = ['triggers', 'triggers_per_hour'];

export const suiteSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'expected a short name of letters, digits, ".", "_" or "-"' }).describe('Short name of the suite.'),
  description: z.string().optional().describe('Free text: what the suite guards.'),
  cases: z.array(z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'expected a short name of letters, digits, ".", "_" or "-"' }).describe('Short name of the case (unique in the suite).'),
    why: z.string().optional().describe('What the case guards against.'),
    scenario: z.string().min(1).optional().describe('Relative to the suite file.'),
    log: z.string().min(1).optional().describe('A phone log (any format `hazardsim replay` reads), relative to the suite file: replayed through the detector instead of a scenario.'),
    detector: z.string().min(1).optional().describe('Log cases: the baseline detector when --baseline is not given (a detector file or a scenario).'),
    set: z.array(z.string()).default([]).describe('Overrides of the scenario (path=value, as --set).'),
    seeds: z.array(z.number().int().min(0)).min(1).optional().describe('Default: the scenario\'s own seed.'),
    expect: z.record(z.string(), bound).refine((e) => Object.keys(e).length > 0, { message: 'expected at least one metric that must hold' }).describe('Per metric (a column of the sweep table, or triggers/triggers_per_hour for logs): the bounds it must meet.'),
  })).min(1).describe('The cases a detector must pass.'),
}).superRefine((s, ctx) => {
  const seen = new Set<string>();
  s.cases.forEach((c, i) => {
    if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: ['cases', i, 'name'], message: `expected a name no other case has, found ${JSON.stringify(c.name)} again` });
    seen.add(c.name);
    if (!c.scenario === !c.log) ctx.addIssue({ code: 'custom', path: ['cases', i], message: 'expected a scenario or a log (one of them)' });
    const names = c.log ? LOG_METRICS : metricNames;
    for (const k of Object.keys(c.expect)) if (!names.includes(k)) ctx.addIssue({ code: 'custom', path: ['cases', i, 'expect', k], message: `unknown metric; expected one of ${names.join(', ')}` });
  });
});

export type Suite = z.output<typeof suiteSchema> & { file: string; dir: string };

export function loadSuite(file: string): Suite {
  const abs = resolve(file), shown = displayPath(abs);
  const raw = readYaml(abs);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(shown, `expected a mapping (name, cases), found ${describeValue(raw)}`);
  const r = suiteSchema.safeParse(raw, { reportInput: true });
  if (!r.success) throw new InputError(shown, issuesToProblems(r.error.issues, suiteSchema, raw));
  return { ...r.data, file: shown, dir: dirname(abs) };
}

export type Bound = z.output<typeof bound>;

/** Whether a value holds a bound; the reason when it does not. */
export function check(value: unknown, b: Bound): string | null {
  if (b.equals !== undefined) return value === b.equals ? null : `expected ${b.equals}, found ${value ?? 'nothing'}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) return `expected a number, found ${value ?? 'nothing'}`;
  if (b.min !== undefined && value < b.min) return `expected at least ${b.min}, found ${+value.toPrecision(4)}`;
  if (b.max !== undefined && value > b.max) return `expected at most ${b.max}, found ${+value.toPrecision(4)}`;
  if (b.within !== undefined && Math.abs(value) > b.within) return `expected within ±${b.within}, found ${+value.toPrecision(4)}`;
  return null;
}

/** JSON Schema of suite files (schema/suite.schema.json), for editors. */
export function suiteJsonSchema(): unknown {
  const json = z.toJSONSchema(suiteSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...json, $id: 'https://hazardsim.dev/schema/suite.json', title: 'hazardsim regression suite' };
}
