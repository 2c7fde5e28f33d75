/**
 * Scoring from a run's saved outputs (`hazardsim score <run>`): truth.json, devices, alerts and
 * receipts (Parquet) and the manifest's counts and scoring configuration give back exactly the
 * summary.json the run wrote — or a new one, when the scoring configuration is changed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import type { HazardTruth } from '../plugin/index.js';
import type { AlertRecord } from '../plugin/index.js';
import { readTable } from '../output/tables.js';
import { withFleetScore } from '../fleet/score.js';
import { score, type ReceiptRecord, type ScoringConfig, type Summary } from './score.js';

const num = (v: unknown): number => (v === null || v === undefined ? NaN : Number(v));

export async function summaryFromFiles(dir: string, o: { scoring?: Partial<ScoringConfig> } = {}): Promise<Record<string, unknown> & Summary> {
  for (const f of ['manifest.json', 'truth.json', 'devices.parquet', 'alerts.parquet', 'receipts.parquet']) {
    if (!existsSync(join(dir, f))) throw new InputError(join(dir, f), 'missing: is this a hazardsim run folder (written by `hazardsim run`)?');
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const counts = manifest.counts;
  if (!counts || typeof counts.devices !== 'number') throw new InputError(join(dir, 'manifest.json'), { path: 'counts', message: 'missing (the run was written by an older hazardsim: run it again)' });
  const n: number = counts.devices;
  const config = manifest.scenario.config;
  const truths = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as (Omit<HazardTruth, 'devices'> & { has_devices: boolean })[];
  const rows = await readTable(dir, 'devices');
  const lon = new Float64Array(n).fill(NaN), lat = new Float64Array(n).fill(NaN);
  const full: HazardTruth[] = truths.map(({ has_devices, ...t }) => {
    if (!has_devices) return t;
    return {
      ...t,
      devices: {
        reached: new Uint8Array(n), first: new Float64Array(n).fill(NaN), impact: new Float64Array(n).fill(NaN),
        intensity: new Float32Array(n).fill(NaN), mmi: new Float32Array(n).fill(NaN), shouldAlert: new Uint8Array(n),
      },
    };
  });
  for (const r of rows) {
    const d = num(r.device), dev = full[num(r.hazard)]?.devices;
    if (!dev || !(d >= 0 && d < n)) throw new InputError(join(dir, 'devices.parquet'), { path: `device ${r.device}`, message: 'refers to a phone or hazard the run does not have' });
    dev.reached[d] = r.reached ? 1 : 0;
    dev.shouldAlert[d] = r.should_alert ? 1 : 0;
    dev.intensity[d] = num(r.pga_g ?? r.pressure_step_hpa);
    dev.mmi[d] = num(r.mmi);
    dev.first[d] = num(r.first_s);
    dev.impact[d] = num(r.impact_s);
    lon[d] = num(r.lon);
    lat[d] = num(r.lat);
  }
  const alerts: AlertRecord[] = (await readTable(dir, 'alerts')).map((r) => ({
    event: num(r.event), kind: String(r.kind), seq: num(r.seq), time: num(r.time_s),
    estimate: { x: num(r.x), y: num(r.y), lon: num(r.lon), lat: num(r.lat), originTime: num(r.origin_time_s), magnitude: num(r.magnitude), depthKm: num(r.depth_km) },
    radiusKm: num(r.radius_km), mmiThreshold: num(r.mmi_threshold), takeActionRadiusKm: num(r.take_action_radius_km), takeActionMmi: num(r.take_action_mmi),
    triggers: num(r.triggers), cancelled: Boolean(r.cancelled),
    ...(r.rupture ? { rupture: JSON.parse(String(r.rupture)) } : {}),
    ...(r.details ? { details: JSON.parse(String(r.details)) } : {}),
  }));
  const receipts: ReceiptRecord[] = (await readTable(dir, 'receipts')).map((r) => ({ device: num(r.device), event: num(r.event), seq: num(r.seq), time: num(r.time_s), tier: String(r.tier) }));
  const scored = score({
    truths: full, alerts, receipts, devices: n, durationS: config.duration, config: { ...config.scoring, ...o.scoring },
    positions: { lon, lat }, phoneHours: counts.device_hours, kmDriven: counts.km_driven,
  });
  return withFleetScore({ scenario: { name: config.name, hash: manifest.scenario_hash, seed: config.seed }, ...counts, ...scored }) as Record<string, unknown> & Summary;
}
