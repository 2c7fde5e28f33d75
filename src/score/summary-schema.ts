/**
 * The schema of a run's summary.json: every top-level field with its unit and meaning, and the
 * shape of hazards, events and the fleet block. `hazardsim schema --kind summary` prints it as JSON
 * Schema (schema/summary.schema.json); a test parses real summaries with it, so a field the code
 * adds without describing it here fails.
 */
import * as z from 'zod';

const num = z.number().nullable();
const interval = (what: string) => z.looseObject({ value: num, lo: num, hi: num }).describe(`${what} with its 95 % interval ({value, lo, hi}; nulls when undefined).`);
const quantiles = z.looseObject({ p10: num, p50: num, p90: num, n: z.number().int() }).describe('Quantiles p10, p50, p90 and the count n, s.');
const estimate = z.looseObject({
  time: z.number().describe('When the alert was issued, s after the run start.'),
  magnitude: z.number(), lon: z.number(), lat: z.number(),
  location_error_km: z.number().describe('Distance from the true epicentre, km.'),
  origin_time_error_s: z.number().describe('Estimated − true origin time, s.'),
  magnitude_error: z.number().describe('Estimated − true magnitude.'),
}).nullable();

const hazard = z.looseObject({
  index: z.number().int(), kind: z.string(), name: z.string(),
  alertable: z.boolean().describe('False for nuisance sources (any alert they cause is false).'),
  event: z.number().int().nullable().describe('Server event matched to the hazard; null when missed.'),
  alert_latency_s: num.describe('First alert of the matched event − hazard start, s.'),
  warning_time_s: quantiles.describe('Impact − first alert receipt over people who deserved an alert and got one, s.'),
  outcomes: z.looseObject({ timely: z.number().int(), late: z.number().int(), missed: z.number().int(), unnecessary: z.number().int(), correctly_quiet: z.number().int() }).describe('People by outcome.'),
  deserving: z.number().int().describe('People whose intensity reached the alert level.'),
  take_action: z.number().int().describe('Of those warned who deserved it, how many got the take-action tier.'),
  facts: z.looseObject({}).describe('The hazard\'s true parameters (source, magnitude, rupture …).'),
  estimate_first: estimate.describe('Earthquakes: the first alert\'s estimate against the truth.'),
  estimate_last: estimate.describe('Earthquakes: the last issued alert\'s estimate against the truth.'),
  estimate_evolution: z.array(z.looseObject({})).optional().describe('Earthquakes: errors at every alert and update (t_after_origin_s, magnitude_error, location_error_km, origin_time_error_s).'),
  items: z.looseObject({}).optional().describe('Hazards made of targets (potholes, crashes): total, detectable, found, recall, false reports, duplicates, delay, location error.'),
  timely_share: interval('Share of those who deserved an alert warned in time'),
  warning_p50_s: interval('Median warning time, s'),
  coverage: z.array(z.looseObject({ min_warning_s: z.number(), share: interval('Share warned at least min_warning_s before the impact') })),
  by_distance: z.array(z.looseObject({})).optional().describe('Earthquakes: outcomes and warning quantiles by epicentral distance band (km).'),
});

const event = z.looseObject({
  event: z.number().int(), kind: z.string(), first_alert_time: z.number().describe('s after the run start'), updates: z.number().int(),
  magnitude_first: num, magnitude_last: num, radius_km_last: z.number(), take_action_radius_km_last: z.number(),
  cancelled: z.boolean(), receipts: z.number().int(), matched_hazard: z.number().int().nullable().describe('null: a false alert'),
});

export const summarySchema = z
  .strictObject({
    scenario: z.strictObject({ name: z.string(), hash: z.string().describe('sha256 of the resolved scenario and its files'), seed: z.number().int() }),
    schema_version: z.literal(1),
    devices: z.number().int().describe('Phones in the run.'),
    monitoring_devices: z.number().int().describe('Phones monitoring at the end of the run.'),
    simulated_s: z.number().describe('Simulated duration, s.'),
    device_hours: z.number().describe('Phone-hours (monitoring phones at the end × duration).'),
    km_driven: z.number().describe('Kilometres phones travelled in vehicles.'),
    triggers: z.number().int().describe('Triggers phones sent.'),
    triggers_by_context: z.record(z.string(), z.looseObject({ phone_hours: z.number(), triggers: z.number(), per_phone_hour: num })).describe('Per true phone context: phone-hours monitored, triggers sent and their rate per phone-hour (and while driving).'),
    trigger_updates: z.number().int(), heartbeats: z.number().int(), devices_triggered: z.number().int(),
    messages_lost: z.number().int().describe('Uplink messages lost (at random or to outages).'),
    messages_lost_to_outage: z.number().int(),
    alerts_issued: z.number().int(), alert_receipts: z.number().int().describe('Alerts that reached phones.'),
    pushes_lost: z.number().int(), pushes_lost_to_outage: z.number().int(),
    detector_budget: z.array(z.looseObject({})).describe('Per detector and phone profile: monitored device-hours, inference calls, multiply-adds.'),
    warnings: z.array(z.string()).optional().describe('What the scenario was warned about (a hazard no phone could observe, a magnitude outside a model\'s range, a budget exceeded).'),
    fleet: z.looseObject({
      telemetry: z.looseObject({ every_s: z.number(), rows_received: z.number().int(), rows_lost: z.number().int() }),
      firmware_updates: z.array(z.looseObject({ firmware: z.string(), at_s: z.number(), phones: z.array(z.string()), share: z.number(), devices: z.number().int() })),
      rollout: z.looseObject({
        status: z.enum(['scheduled', 'running', 'completed', 'rolled_back', 'halted']),
        alarm_s: num, time_to_detect_s: num, time_to_roll_back_s: num, candidate_phone_hours: z.number(),
        candidate_false_triggers: z.number().int(), excess_false_triggers: num, false_alerts_during: z.number().int(),
        decisions: z.array(z.looseObject({})),
      }).optional().describe('A staged rollout: status, decisions, alarm, times to detect and roll back, phone-hours and false triggers on the candidate, false alerts while it ran.'),
    }).optional().describe('Fleet operations (scenarios with a fleet section).'),
    hazards: z.array(hazard),
    events: z.array(event).describe('Server events and whether they matched a hazard.'),
    false_alerts: z.number().int().describe('Events matching no hazard.'),
    false_alerts_per_day: z.number(),
    false_take_action_alerts: z.number().int(),
    false_alerts_cancelled: z.number().int(),
    false_alerts_per_million_phone_hours: num,
    missed_hazards: z.number().int().describe('Alertable hazards someone deserved an alert for, with no matching event.'),
  })
  .describe('summary.json of a hazardsim run: metrics only, identical for the same scenario and seed.');

export function summaryJsonSchema(): unknown {
  return { ...(z.toJSONSchema(summarySchema, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>), $id: 'https://hazardsim.dev/schema/summary.json', title: 'hazardsim run summary' };
}
