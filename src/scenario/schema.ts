/**
 * The scenario file schema: one YAML file says everything about a run (world, population mix,
 * hazards, detector, network, server, scoring). Hazard, detector and consensus sections are
 * composed from the plug-in set the composition root hands in, so a new plug-in's options appear here automatically.
 */
import * as z from 'zod';
import type { PluginSet } from '../plugin/index.js';
import { linkSchema } from '../network/link.js';
import { outageSchema, randomOutagesSchema } from '../network/outage.js';
import { duration, filePath } from '../plugin/fields.js';
import { phoneProfileSchema } from '../sensors/profile.js';
import { behaviourProfileSchema } from '../population/behaviour.js';
import { fleetSchema } from '../fleet/schema.js';

function union<T extends z.ZodType[]>(key: string, schemas: T) {
  return z.discriminatedUnion(key, schemas as unknown as [z.ZodObject<any>, ...z.ZodObject<any>[]]);
}

/**
 * One item or a non-empty list of items: checked as whichever the input is, so an error names the
 * item's own field (e.g. `server.type` and its valid values) instead of "invalid input" for both shapes.
 */
function oneOrList<S extends z.ZodType>(item: S) {
  const list = z.array(item).min(1);
  return z.unknown().transform((v, ctx): z.output<S> | z.output<S>[] => {
    const r = (Array.isArray(v) ? list : item).safeParse(v, { reportInput: true });
    if (r.success) return r.data as z.output<S> | z.output<S>[];
    for (const issue of r.error.issues) ctx.addIssue({ ...(issue as object), path: issue.path } as never);
    return z.NEVER;
  });
}

const mixEntry = z.strictObject({
  profile: filePath().describe('Path of a profile file, relative to the scenario file.'),
  share: z.number().positive().default(1).describe('Relative share of devices (shares are normalised).'),
});

/** The population section; phone profiles (and venue groups) may name their own detector. */
export const populationSchema = (detector: z.ZodType) => z
  .strictObject({
    devices: z.number().int().positive().max(50_000_000).optional().describe('Number of phones to place...'),
    adoption: z.number().gt(0).max(1).optional().describe('...or the fraction of the world\'s people who carry a participating phone.'),
    phones: z.array(mixEntry.extend({ detector: detector.optional().describe('Replaces the scenario\'s detector on phones of this profile.') })).min(1).describe('Phone profiles; `detector` replaces the scenario\'s detector on phones of that profile.'),
    behaviours: z.array(mixEntry).min(1).describe('Behaviour profiles (how phones move and are carried) with their shares.'),
    groups: z
      .array(
        z.strictObject({
          venue: z.string().min(1).describe('Name of a venue in the world file.'),
          devices: z.number().int().positive().describe('Phones placed in the venue.'),
          phone: filePath().describe('Phone profile file, relative to the scenario.'),
          behaviour: filePath().describe('Behaviour profile file, relative to the scenario.'),
          detector: detector.optional().describe('Replaces the scenario\'s detector on these phones.'),
        }),
      )
      .default([])
      .describe('Extra phones placed uniformly inside a named venue of the world (a stadium crowd, a concert hall).'),
    eligibility: z.enum(['steady', 'steady-charging', 'charging', 'all']).default('steady').describe('Which phones monitor for hazards: steady ones (as MyShake), steady and charging, charging, or all.'),
    steady_after: duration({ min: 0 }).default(30).describe('A phone at rest counts as steady after this long.'),
  })
  .superRefine((p, ctx) => {
    if ((p.devices === undefined) === (p.adoption === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['devices'], message: 'expected exactly one of "devices" (a count) or "adoption" (a fraction of people)', input: p.devices });
    }
    if (p.phones.length > 255) ctx.addIssue({ code: 'custom', path: ['phones'], message: 'expected at most 255 phone profiles', input: p.phones });
    if (p.behaviours.length > 255) ctx.addIssue({ code: 'custom', path: ['behaviours'], message: 'expected at most 255 behaviour profiles', input: p.behaviours });
  });

export const scoringSchema = z.strictObject({
  timely_min_s: duration({ min: 0 }).default(0).describe('An alert received at least this long before strong shaking counts as timely, s.'),
  match_window: duration({ positive: true }).default(120).describe('A server event matches a hazard when its first alert comes within this long after the hazard starts.'),
  match_distance_km: z.number().positive().default(100).describe('...and its estimated epicentre lies within this distance of the true one, km.'),
});

export const networkSchema = z.strictObject({
  heartbeat_every: duration({ positive: true }).default(60).describe('Every phone reports its position and whether it monitors this often (phase differs per phone).'),
  warmup: duration({ min: 0 }).optional().describe('Phones were already sending heartbeats for this long before the run starts (default: one heartbeat interval), so the server\'s directory is full at t = 0. 0 is a cold start: the server knows no phone until each one\'s first heartbeat or trigger.'),
  uplink: linkSchema.default({ latency: { distribution: 'lognormal', median: 0.5, sigma: 0.5 }, loss: 0 }).describe('Phone → server (triggers).'),
  push: linkSchema.default({ latency: { distribution: 'lognormal', median: 1, sigma: 0.5 }, loss: 0 }).describe('Server → phone (alert push).'),
  outages: z.array(outageSchema).default([]).describe('Regions without service for a while: messages from and alerts to phones there are lost.'),
  random_outages: randomOutagesSchema.optional().describe('Outages drawn at random (Poisson in time, centred on random phones).'),
}).transform((n) => ({ ...n, warmup: n.warmup ?? n.heartbeat_every }));

export const environmentSchema = z.strictObject({
  outdoor: z.enum(['urban', 'open-sky']).default('urban').describe('GNSS conditions outdoors: `urban` (street canyons) or `open-sky`; indoors is always `indoor`.'),
  weather_drift_pa_per_sqrt_h: z.number().min(0).default(60).describe('Regional weather: random-walk drift of the pressure field, Pa per √hour (a few hPa a day).'),
});

export function buildScenarioSchema(plugins: PluginSet) {
  const hazard = union('type', Object.values(plugins.hazards).map((h) => h.schema));
  const detector = union('type', Object.values(plugins.detectors).map((d) => d.schema));
  const server = union('type', Object.values(plugins.servers).map((c) => c.schema));
  return z
    .strictObject({
      name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'expected a short name of letters, digits, ".", "_" or "-"' }).describe('Short name; the default output folder is out/<name>.'),
      description: z.string().optional().describe('Free text: what the scenario is for.'),
      seed: z.number().int().min(0).max(2 ** 32 - 1).default(1).describe('Seed of every random draw: the same scenario and seed give identical outputs.'),
      duration: duration({ positive: true }).describe('Simulated time, s (or a duration such as 10m, 2h).'),
      tick: duration({ positive: true }).default(1).describe('Engine tick: mobility, hazard onset and detection advance in steps of this.'),
      start_utc: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date and time with a zone, e.g. 2023-02-06T01:17:00Z' }).optional().describe('Optional absolute start of the run (ISO 8601 with a zone, e.g. 2023-02-06T01:17:00Z): the row tables then carry `time_utc` beside every `time_s`, for time-playback tools.'),
      local_start: z
        .string()
        .regex(/^([01]?\d|2[0-3]):[0-5]\d$/, { error: 'expected a local time "HH:MM"' })
        .transform((t) => Number(t.split(':')[0]) * 3600 + Number(t.split(':')[1]) * 60)
        .prefault('12:00')
        .describe('Local time of day at the start of the run ("HH:MM"): schedules and hourly shares use it.'),
      fidelity: z.enum(['signal', 'trigger']).default('signal').describe('`signal` renders every sensor sample; `trigger` draws each phone\'s triggers from response curves measured in signal mode (earthquakes only; for millions of phones).'),
      response_curves: filePath().optional().describe('Trigger fidelity: the response-curve file (made by `hazardsim calibrate --responses`); default: the one in calibration/responses/ for the scenario\'s detector.'),
      world: filePath().describe('Path of the world file (GeoJSON), relative to the scenario file.'),
      population: populationSchema(detector).describe('Who carries phones: how many, which phone and behaviour profiles, who monitors.'),
      hazards: z.array(hazard).default([]).describe('The hazards that happen during the run (earthquakes, fronts, potholes...), each with its `type`.'),
      detector: detector.describe('The on-device detector every phone runs (unless its profile or group names another), with its `type`.'),
      network: networkSchema.prefault({}).describe('Heartbeats, the uplink and push links, and outages.'),
      server: oneOrList(server).describe('One consensus plug-in, or several (each takes the trigger channels it knows).'),
      scoring: scoringSchema.prefault({}).describe('How outcomes are judged against the truth.'),
      environment: environmentSchema.prefault({}).describe('Conditions every phone shares: GNSS outdoors and regional weather.'),
      fleet: fleetSchema(detector).nullish().transform((f) => f ?? undefined).describe('Fleet operations (signal fidelity): telemetry, firmware updates, a staged rollout; null or absent: none.'),
      budget: z
        .strictObject({
          model_bytes: z.number().positive().optional().describe('Largest model file a phone accepts, bytes.'),
          parameters: z.number().int().positive().optional().describe('Most model parameters (weights).'),
          macs_per_window: z.number().positive().optional().describe('Most multiply–adds per scored window.'),
          inference_calls_per_device_hour: z.number().positive().optional().describe('Windows a model may score per monitored hour (its detector\'s highest rate).'),
          latency_p99_ms: z.number().positive().optional().describe('99th-percentile inference time per window, ONNX Runtime on one thread, measured on this machine by run and validate.'),
        })
        .optional()
        .describe('On-device limits for model-based detectors: `run` and `validate` warn when a model exceeds one (hazardsim budget measures them).'),
    })
    .superRefine((c, ctx) => {
      // A tick longer than the run would simulate nothing (and score every hazard as missed).
      if (c.tick > c.duration) ctx.addIssue({ code: 'custom', path: ['tick'], message: `expected a tick no longer than the duration (${c.duration} s)`, input: c.tick });
    });
}

const cached = new WeakMap<PluginSet, ReturnType<typeof buildScenarioSchema>>();
/** The scenario schema for a plug-in set (built once per set). */
export function scenarioSchema(plugins: PluginSet): ReturnType<typeof buildScenarioSchema> {
  let s = cached.get(plugins);
  if (!s) cached.set(plugins, (s = buildScenarioSchema(plugins)));
  return s;
}

/** Options of one plug-in (hazard, detector, consensus) after validation; `type` picks the plug-in. */
export type PluginConfig = { type: string } & Record<string, any>;

type Validated = z.output<ReturnType<typeof buildScenarioSchema>>;
export type ScenarioConfig = Omit<Validated, 'hazards' | 'detector' | 'server'> & {
  hazards: PluginConfig[];
  detector: PluginConfig;
  server: PluginConfig | PluginConfig[];
};

/** The scenario's consensus plug-ins as a list. */
export const serversOf = (c: Pick<ScenarioConfig, 'server'>): PluginConfig[] => (Array.isArray(c.server) ? c.server : [c.server]);

/** JSON Schema of scenario files (what users write, before defaults and duration parsing). */
export function scenarioJsonSchema(plugins: PluginSet): unknown {
  const schema = z.toJSONSchema(scenarioSchema(plugins), { io: 'input', unrepresentable: 'any' }) as Record<string, any>;
  // `server` is parsed by shape (one or a list, for precise messages); editors get the plain union.
  const server = union('type', Object.values(plugins.servers).map((c) => c.schema));
  const { $schema: _drop, ...serverSchema } = z.toJSONSchema(z.union([server, z.array(server).min(1)]), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  schema.properties.server = { ...serverSchema, description: 'One consensus plug-in, or several (each takes the trigger channels it knows).' };
  return describeChoices({ ...schema, $id: 'https://hazardsim.dev/schema/scenario.json', title: 'hazardsim scenario' });
}

/**
 * Gives the fields that pick a variant (`type: sta-lta`, `distribution: lognormal`, `kind: walker`)
 * a description where their zod literal has none, so every field of a schema an editor shows has one.
 */
export function describeChoices<T>(json: T): T {
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) { n.forEach(walk); return; }
    if (!n || typeof n !== 'object') return;
    const o = n as Record<string, any>;
    if (o.properties && typeof o.properties === 'object') {
      for (const [key, v] of Object.entries(o.properties as Record<string, any>)) {
        if (!v || typeof v !== 'object' || v.description || typeof v.const !== 'string') continue;
        v.description = key === 'type' ? `Selects the \`${v.const}\` plug-in (\`hazardsim plugins\` lists them and their options).` : `Selects \`${v.const}\` (the options beside it belong to this choice).`;
      }
    }
    Object.values(o).forEach(walk);
  };
  walk(json);
  return json;
}

/** JSON Schema of a file kind: scenarios, phone profiles (agents/phones), behaviours (agents/behaviours) or detector files (a scenario's `detector` section on its own). */
export function fileJsonSchema(kind: 'scenario' | 'phone' | 'behaviour' | 'detector', plugins: PluginSet): unknown {
  if (kind === 'scenario') return scenarioJsonSchema(plugins);
  if (kind === 'detector') {
    const { $schema, properties } = scenarioJsonSchema(plugins) as Record<string, any>;
    return { $schema, ...properties.detector, description: 'A detector on its own (`regress --candidate`, `compare`, fleet candidates): what a scenario\'s `detector` section holds.', $id: 'https://hazardsim.dev/schema/detector.json', title: 'hazardsim detector' };
  }
  const schema = kind === 'phone' ? phoneProfileSchema : behaviourProfileSchema;
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return describeChoices({ ...json, $id: `https://hazardsim.dev/schema/${kind}.json`, title: `hazardsim ${kind === 'phone' ? 'phone profile' : 'behaviour'}` });
}
