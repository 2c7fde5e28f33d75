/**
 * `hazardsim replay-triggers <triggers.csv> --scenario S --catalogue C`: real or external phone
 * triggers (MyShake's published shape, or the generic one; heartbeats optional) fed to a scenario's
 * consensus servers as if they had crossed the network, and the alerts scored against the catalogue
 * event: time of the first alert, and the first and last estimates' location, origin-time and
 * magnitude errors.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { haversineKm } from '../core/geo.js';
import { displayPath } from '../core/paths.js';
import { writeFolderAtomically } from '../output/atomic.js';
import { writeTable, type TableColumn } from '../output/tables.js';
import type { AlertRecord, TriggerMessage } from '../plugin/index.js';
import { builtinPlugins } from '../plugins.js';
import { loadScenario } from '../scenario/load.js';
import { serversOf } from '../scenario/schema.js';
import { loadWorld } from '../world/load.js';
import { fmt } from './common.js';
import { readCatalogue } from './sweep/catalogue.js';
import { readTriggerLog, type LoggedMessage } from './replay/trigger-log.js';

export interface ReplayTriggersOptions {
  triggers: string;
  heartbeats?: string;
  scenario: string;
  catalogue: string;
  event?: string;
  latency?: number;
  peakAfter?: number;
  set?: string[];
  out?: string;
  json?: boolean;
  quiet?: boolean;
}

const ALERT_COLUMNS: TableColumn[] = [
  { name: 'event', type: 'int' }, { name: 'seq', type: 'int' },
  { name: 'after_origin_s', type: 'double', unit: 's', doc: 'When the alert left the server, after the catalogue origin' },
  { name: 'lon', type: 'double' }, { name: 'lat', type: 'double' }, { name: 'magnitude', type: 'double' },
  { name: 'origin_error_s', type: 'double', unit: 's' }, { name: 'location_error_km', type: 'double', unit: 'km' }, { name: 'magnitude_error', type: 'double' },
  { name: 'be_aware_km', type: 'double', unit: 'km' }, { name: 'take_action_km', type: 'double', unit: 'km' }, { name: 'triggers', type: 'int' }, { name: 'cancelled', type: 'bool' },
];

export async function replayTriggersCommand(o: ReplayTriggersOptions): Promise<number> {
  if (o.latency !== undefined && !(o.latency >= 0 && o.latency < 600)) throw new InputError('--latency', `expected seconds from 0 to 600, found ${o.latency}`);
  if (o.peakAfter !== undefined && !(o.peakAfter >= 0 && o.peakAfter < 600)) throw new InputError('--peak-after', `expected seconds from 0 to 600, found ${o.peakAfter}`);
  const plugins = builtinPlugins;
  const scenario = loadScenario(resolve(o.scenario), { plugins, lateHazards: 'warn', overrides: o.set ?? [] });
  const servers = serversOf(scenario.config).filter((c) => (plugins.servers[c.type]!.channels ?? ['shaking']).includes('shaking'));
  if (!servers.length) throw new InputError(displayPath(resolve(o.scenario)), { path: 'server', message: 'expected an earthquake consensus server (cell-ratio, binomial), found none' });
  const events = readCatalogue(resolve(o.catalogue));
  const ev = o.event ? events.find((e) => e.name === o.event) : events[0];
  if (!ev) throw new InputError('--event', `expected one of the catalogue's events (${events.map((e) => e.name).join(', ')}), found ${JSON.stringify(o.event)}`);
  const trig = readTriggerLog(resolve(o.triggers), 'triggers');
  const beats = o.heartbeats ? readTriggerLog(resolve(o.heartbeats), 'heartbeats').rows : [];
  const world = loadWorld(scenario.worldFile), frame = world.frame;
  const latency = o.latency ?? 0.5;
  // Run time 0 is a minute before the first thing known; the phones are numbered as they appear.
  const origin = ev.originUtc.getTime() / 1000;
  const all: LoggedMessage[] = [...beats, ...trig.rows];
  // (reduce, not Math.min(...): a national trigger log has more rows than a call takes arguments)
  const t0 = all.reduce((lo, m) => Math.min(lo, m.time), origin) - 60;
  const ids = new Map<string, number>();
  for (const m of all) if (!ids.has(m.phone)) ids.set(m.phone, ids.size);
  const msg = (m: LoggedMessage, kind: TriggerMessage['kind']): TriggerMessage => {
    const [x, y] = frame.project([m.lon, m.lat]);
    const t = m.time - t0;
    return { device: ids.get(m.phone)!, kind, time: t, deviceTime: t, onsetDeviceTime: t, amplitude: m.amplitude, ratio: NaN, x: x!, y: y!, monitoring: m.monitoring };
  };
  // A logged peak is the largest the phone saw, reached after its trigger (the S wave comes later
  // than the P onset that triggered it), and the log does not say when. Sent with the trigger, the
  // server would read it as P shaking and scale it up; so the trigger goes out without an amplitude
  // and an update brings the peak `peakAfter` s later (0: the peak goes with the trigger).
  const peakAfter = o.peakAfter ?? 3;
  const messages: TriggerMessage[] = [...beats.map((m) => msg(m, 'heartbeat')), ...trig.rows.map((m) => (peakAfter > 0 && m.kind === 'trigger' ? { ...msg(m, 'trigger'), amplitude: 0 } : msg(m, m.kind)))];
  if (peakAfter > 0) for (const m of trig.rows) if (m.kind === 'trigger') { const u = msg(m, 'update'); messages.push({ ...u, time: u.time + peakAfter, deviceTime: u.time + peakAfter }); }
  // Without heartbeats the server knows the phones that triggered, and only those: each says it is
  // there and monitoring at the start.
  if (!beats.length) {
    const seen = new Set<number>();
    for (const m of trig.rows) { const d = ids.get(m.phone)!; if (!seen.has(d)) { seen.add(d); messages.push({ ...msg(m, 'heartbeat'), time: 0, deviceTime: 0, onsetDeviceTime: 0, amplitude: 0 }); } }
  }
  const until = messages.reduce((hi, m) => Math.max(hi, m.time), 0) + 120;
  messages.sort((a, b) => a.time - b.time || a.device - b.device);
  const alerts: { server: number; a: AlertRecord }[] = [];
  servers.forEach((c, si) => {
    const server = plugins.servers[c.type]!.create(c, { seed: scenario.config.seed, world, durationS: until, devices: ids.size });
    let i = 0;
    for (let tick = 1; tick <= until; tick++) {
      while (i < messages.length && messages[i]!.time + latency <= tick) { const m = messages[i++]!; for (const a of server.receive(m, m.time + latency)) alerts.push({ server: si, a }); }
      for (const a of server.tick(tick)) alerts.push({ server: si, a });
    }
  });
  const rows = alerts.map(({ a }) => {
    const [lon, lat] = frame.unproject(a.estimate.x, a.estimate.y);
    return {
      event: a.event, seq: a.seq, after_origin_s: a.time + t0 - origin, lon, lat, magnitude: a.estimate.magnitude,
      origin_error_s: a.estimate.originTime + t0 - origin, location_error_km: haversineKm(lon!, lat!, ev.lon, ev.lat), magnitude_error: a.estimate.magnitude - ev.magnitude,
      be_aware_km: a.radiusKm, take_action_km: a.takeActionRadiusKm ?? null, triggers: a.triggers, cancelled: a.cancelled,
    };
  });
  // The event that is the quake: the one whose first alert lies nearest the epicentre (within 100 km), not cancelled.
  const byEvent = new Map<number, typeof rows>();
  for (const r of rows) byEvent.set(r.event, [...(byEvent.get(r.event) ?? []), r]);
  const matched = [...byEvent.values()].filter((rs) => !rs.some((r) => r.cancelled) && rs[0]!.location_error_km <= 100).sort((a, b) => a[0]!.location_error_km - b[0]!.location_error_km)[0];
  const pick = (r: (typeof rows)[number] | undefined) => (r ? { after_origin_s: r.after_origin_s, magnitude: r.magnitude, lon: r.lon, lat: r.lat, location_error_km: r.location_error_km, origin_error_s: r.origin_error_s, magnitude_error: r.magnitude_error } : null);
  const summary = {
    schema_version: 1, command: 'replay-triggers', triggers_file: displayPath(resolve(o.triggers)), shape: trig.shape, heartbeats_file: o.heartbeats ? displayPath(resolve(o.heartbeats)) : null,
    scenario: scenario.config.name, servers: servers.map((c) => c.type), latency_s: latency, peak_after_s: peakAfter,
    event: { name: ev.name, origin_time: ev.originUtc.toISOString(), lon: ev.lon, lat: ev.lat, depth_km: ev.depthKm, magnitude: ev.magnitude },
    phones: ids.size, triggers: trig.rows.filter((m) => m.kind === 'trigger').length, heartbeats: beats.length,
    detected: !!matched, alert_latency_s: matched ? matched[0]!.after_origin_s : null, estimate_first: pick(matched?.[0]), estimate_last: pick(matched?.at(-1)),
    alerts: rows.length, false_events: [...byEvent.values()].filter((rs) => rs !== matched && !rs.some((r) => r.cancelled)).length,
  };
  const outDir = resolve(o.out ?? 'out/replay-triggers');
  await writeFolderAtomically(outDir, async (tmp) => {
    await writeTable(tmp, 'alerts', ALERT_COLUMNS, Object.fromEntries(ALERT_COLUMNS.map((c) => [c.name, rows.map((r) => (r as Record<string, unknown>)[c.name] ?? null)])), rows.length);
    writeFileSync(join(tmp, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    writeFileSync(join(tmp, 'manifest.json'), JSON.stringify({ command: 'replay-triggers', triggers: summary.triggers_file, heartbeats: summary.heartbeats_file, scenario: displayPath(resolve(o.scenario)), catalogue: displayPath(resolve(o.catalogue)), event: ev.name }, null, 2) + '\n');
  });
  if (o.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  else if (!o.quiet) {
    const w = (s: string) => process.stdout.write(s + '\n');
    w(`hazardsim replay-triggers: ${summary.triggers} triggers from ${summary.phones} phones (${trig.shape} shape${beats.length ? `, ${beats.length} heartbeats` : ', no heartbeats: the server knows only the phones that triggered'}) into ${summary.servers.join(', ')}`);
    const f = summary.estimate_first, l = summary.estimate_last;
    if (f && l) w(`  ${ev.name} (M${ev.magnitude}): alert ${fmt(f.after_origin_s, 1)} s after origin (first estimate M${fmt(f.magnitude, 1)}, ${fmt(f.location_error_km, 1)} km off, origin ${fmt(f.origin_error_s, 1)} s; last M${fmt(l.magnitude, 1)}, ${fmt(l.location_error_km, 1)} km off)`);
    else w(`  ${ev.name} (M${ev.magnitude}): MISSED — no alert within 100 km of the epicentre`);
    w(`  other events alerted: ${summary.false_events}; wrote ${displayPath(outDir)}/: alerts (.parquet, .csv), summary.json, manifest.json`);
  }
  return 0;
}
