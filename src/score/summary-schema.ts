/**
 * The schema of a run's summary.json: every top-level field with its unit and meaning, and the
 * shape of hazards, events and the fleet block. `hazardsim schema --kind summary` prints it as JSON
 * Schema (schema/summary.schema.json); a test parses real summaries with it, so a field the code
 * adds without describing it here fails.
 */
import * as z from 'zod';

const num = z.number().nullable();
const interval = (what: string) => z.looseObject({ value: num.describe('The estimate.'), lo: num.describe('Lower end of the 95 % interval.'), hi: num.describe('Upper end of the 95 % interval.') }).describe(`${what} with its 95 % interval ({value, lo, hi}; nulls when undefined).`);
const quantiles = z.looseObject({ p10: num.describe('10th percentile, s.'), p50: num.describe('Median, s.'), p90: num.describe('90th percentile, s.'), n: z.number().int().describe('How many values.') }).describe('Quantiles p10, p50, p90 and the count n, s.');
const estimate = z.looseObject({
  time: z.number().describe('When the alert was issued, s after the run start.'),
  magnitude: z.number().describe('Estimated moment magnitude.'), lon: z.number().describe('Estimated epicentre longitude, degrees.'), lat: z.number().describe('Estimated epicentre latitude, degrees.'),
  location_error_km: z.number().describe('Distance from the true epicentre, km.'),
  origin_time_error_s: z.number().describe('Estimated − true origin time, s.'),
  magnitude_error: z.number().describe('Estimated − true magnitude.'),
}).nullable();

const hazard = z.looseObject({
  index: z.number().int().describe('Index of the hazard in the scenario.'), kind: z.string().describe('earthquake, pressure-front, road-anomaly, crash …'), name: z.string().describe('The hazard\'s name.'),
  alertable: z.boolean().describe('False for nuisance sources (any alert they cause is false).'),
  event: z.number().int().nullable().describe('Server event matched to the hazard; null when missed.'),
  alert_latency_s: num.describe('First alert of the matched event − hazard start, s.'),
  warning_time_s: quantiles.describe('Impact − first alert receipt over people who deserved an alert and got one, s.'),
  outcomes: z.looseObject({ timely: z.number().int().describe('Deserved an alert and got it before the impact (by scoring.timely_min_s).'), late: z.number().int().describe('Deserved one and got it after the impact.'), missed: z.number().int().describe('Deserved one and got none.'), unnecessary: z.number().int().describe('Did not deserve one and got one.'), correctly_quiet: z.number().int().describe('Did not deserve one and got none.') }).describe('People by outcome.'),
  deserving: z.number().int().describe('People whose intensity reached the alert level.'),
  take_action: z.number().int().describe('Of those warned who deserved it, how many got the take-action tier.'),
  facts: z.looseObject({}).describe('The hazard\'s true parameters (source, magnitude, rupture …).'),
  estimate_first: estimate.describe('Earthquakes: the first alert\'s estimate against the truth.'),
  estimate_last: estimate.describe('Earthquakes: the last issued alert\'s estimate against the truth.'),
  estimate_evolution: z.array(z.looseObject({})).optional().describe('Earthquakes: errors at every alert and update (t_after_origin_s, magnitude_error, location_error_km, origin_time_error_s).'),
  items: z.looseObject({}).optional().describe('Hazards made of targets (potholes, crashes): total, detectable, found, recall, false reports, duplicates, delay, location error.'),
  timely_share: interval('Share of those who deserved an alert warned in time'),
  warning_p50_s: interval('Median warning time, s'),
  coverage: z.array(z.looseObject({ min_warning_s: z.number().describe('Warning time threshold, s.'), share: interval('Share warned at least min_warning_s before the impact') })).describe('Share of those who deserved an alert warned at least 0, 5, 10 … s ahead.'),
  by_distance: z.array(z.looseObject({})).optional().describe('Earthquakes: outcomes and warning quantiles by epicentral distance band (km).'),
});

const event = z.looseObject({
  event: z.number().int().describe('Server event index.'), kind: z.string().describe('What the server alerted for (earthquake, pressure-front, crash …).'), first_alert_time: z.number().describe('s after the run start'), updates: z.number().int().describe('Updates after the first alert.'),
  magnitude_first: num.describe('Magnitude of the first alert (earthquakes).'), magnitude_last: num.describe('Magnitude of the last update.'), radius_km_last: z.number().describe('Be-aware radius of the last update, km.'), take_action_radius_km_last: z.number().describe('Take-action radius of the last update, km.'),
  cancelled: z.boolean().describe('The server cancelled the event.'), receipts: z.number().int().describe('Phones the event\'s alerts reached.'), matched_hazard: z.number().int().nullable().describe('null: a false alert'),
});

export const summarySchema = z
  .strictObject({
    scenario: z.strictObject({ name: z.string().describe('The scenario\'s name.'), hash: z.string().describe('sha256 of the resolved scenario and its files'), seed: z.number().int().describe('The run\'s seed.') }).describe('Which scenario and seed made this run.'),
    schema_version: z.literal(1).describe('Version of this file\'s layout (1).'),
    devices: z.number().int().describe('Phones in the run.'),
    monitoring_devices: z.number().int().describe('Phones monitoring at the end of the run.'),
    simulated_s: z.number().describe('Simulated duration, s.'),
    device_hours: z.number().describe('Phone-hours (monitoring phones at the end × duration).'),
    km_driven: z.number().describe('Kilometres phones travelled in vehicles.'),
    triggers: z.number().int().describe('Triggers phones sent.'),
    triggers_by_context: z.record(z.string(), z.looseObject({ phone_hours: z.number().describe('Phone-hours monitored in this context.'), triggers: z.number().describe('Triggers sent from it.'), per_phone_hour: num.describe('Triggers per phone-hour.') })).describe('Per true phone context: phone-hours monitored, triggers sent and their rate per phone-hour (and while driving).'),
    trigger_updates: z.number().int().describe('Update messages phones sent about their open triggers.'), heartbeats: z.number().int().describe('Heartbeats phones sent.'), devices_triggered: z.number().int().describe('Phones that triggered at least once.'),
    messages_lost: z.number().int().describe('Uplink messages lost (at random or to outages).'),
    messages_lost_to_outage: z.number().int().describe('...of which lost to outages.'),
    alerts_issued: z.number().int().describe('Alerts and updates the server issued.'), alert_receipts: z.number().int().describe('Alerts that reached phones.'),
    pushes_lost: z.number().int().describe('Alert pushes lost (at random or to outages).'), pushes_lost_to_outage: z.number().int().describe('...of which lost to outages.'),
    detector_budget: z.array(z.looseObject({})).describe('Per detector and phone profile: monitored device-hours, inference calls, multiply-adds.'),
    warnings: z.array(z.string()).optional().describe('What the scenario was warned about (a hazard no phone could observe, a magnitude outside a model\'s range, a budget exceeded).'),
    fleet: z.looseObject({
      telemetry: z.looseObject({ every_s: z.number().describe('Telemetry period, s.'), rows_received: z.number().int().describe('Rows that reached the backend.'), rows_lost: z.number().int().describe('Rows lost on the uplink.') }).describe('Telemetry uploads (telemetry.parquet).'),
      firmware_updates: z.array(z.looseObject({ firmware: z.string().describe('Firmware name.'), at_s: z.number().describe('When it went out, s after the start.'), phones: z.array(z.string()).describe('Phone models it targets.'), share: z.number().describe('Share of those phones it reaches.'), devices: z.number().int().describe('Phones it reached.') })).describe('Firmware updates and whom they reached.'),
      rollout: z.looseObject({
        status: z.enum(['scheduled', 'running', 'completed', 'rolled_back', 'halted']).describe('How the rollout ended.'),
        alarm_s: num.describe('When the alarm went off, s after the start; null: none.'), time_to_detect_s: num.describe('Alarm − the candidate\'s first step, s.'), time_to_roll_back_s: num.describe('Last phone back on the baseline − alarm, s.'), candidate_phone_hours: z.number().describe('Phone-hours monitored on the candidate.'),
        candidate_false_triggers: z.number().int().describe('False triggers sent from phones on the candidate.'), excess_false_triggers: num.describe('...beyond what the baseline\'s rate would have sent.'), false_alerts_during: z.number().int().describe('False alerts while the candidate ran.'),
        decisions: z.array(z.looseObject({})).describe('Every decision with its evidence (time_s, action, share, log_lr, phone-hours and triggers of cohort and control, score_psi, reason).'),
      }).optional().describe('A staged rollout: status, decisions, alarm, times to detect and roll back, phone-hours and false triggers on the candidate, false alerts while it ran.'),
    }).optional().describe('Fleet operations (scenarios with a fleet section).'),
    hazards: z.array(hazard).describe('Each hazard of the scenario scored against the truth.'),
    events: z.array(event).describe('Server events and whether they matched a hazard.'),
    false_alerts: z.number().int().describe('Events matching no hazard.'),
    false_alerts_per_day: z.number().describe('False alerts per simulated day.'),
    false_take_action_alerts: z.number().int().describe('False alerts with a take-action region.'),
    false_alerts_cancelled: z.number().int().describe('False alerts the server cancelled.'),
    false_alerts_per_million_phone_hours: num.describe('False alerts per million phone-hours monitored.'),
    missed_hazards: z.number().int().describe('Alertable hazards someone deserved an alert for, with no matching event.'),
  })
  .describe('summary.json of a hazardsim run: metrics only, identical for the same scenario and seed.');

export function summaryJsonSchema(): unknown {
  return { ...(z.toJSONSchema(summarySchema, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>), $id: 'https://hazardsim.dev/schema/summary.json', title: 'hazardsim run summary' };
}
