/**
 * Trigger logs for replay into a consensus server: MyShake's published shape (triggerTime, latitude,
 * longitude, pga in m/s², as in the trigger files of the 2018 M4.4 Berkeley and 2016 M5.2 Borrego
 * Springs earthquakes: one row per phone trigger) or the generic shape (phone, time, lon, lat,
 * amplitude in m/s², optional kind trigger|heartbeat and monitoring); heartbeats in their own file
 * (phone, time, lon, lat, optional monitoring). Times are ISO 8601 (UTC unless a zone is given) or
 * Unix seconds.
 */
import { readFileSync } from 'node:fs';
import { csvFields } from '../../core/csv.js';
import { describeValue, InputError } from '../../core/errors.js';
import { displayPath } from '../../core/paths.js';

export interface LoggedMessage {
  /** Phone id as the file gives it (MyShake's rows have none: each row is its own phone). */
  phone: string;
  kind: 'trigger' | 'heartbeat';
  /** Unix time, s. */
  time: number;
  lon: number;
  lat: number;
  /** Peak acceleration the phone reported, m/s² (0 for heartbeats). */
  amplitude: number;
  monitoring: number;
  line: number;
}

/** Unix seconds of an ISO 8601 time (UTC unless zoned; "2018-01-04 10:39:18.681000+00:00" too) or of a number. */
function parseTime(s: string): number {
  if (/^[-+]?\d+(\.\d+)?$/.test(s)) return Number(s);
  let iso = s.trim().replace(' ', 'T');
  if (!/([zZ]|[+-]\d\d:?\d\d)$/.test(iso)) iso += 'Z';
  // JavaScript keeps milliseconds: microseconds are cut to them.
  iso = iso.replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? NaN : ms / 1000;
}

/** Reads a trigger or heartbeat log; every problem names the file, the line and the column. */
export function readTriggerLog(file: string, kind: 'triggers' | 'heartbeats'): { shape: 'myshake' | 'generic'; rows: LoggedMessage[] } {
  const shown = displayPath(file);
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (err) { throw new InputError(shown, `cannot read the ${kind} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`); }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length && !lines.at(-1)!.trim()) lines.pop();
  if (lines.length < 2) throw new InputError(shown, `the file is empty (a header and at least one row expected)`);
  const head = csvFields(lines[0]!).map((h) => h.trim());
  const at = (...names: string[]) => head.findIndex((h) => names.includes(h) || names.includes(h.toLowerCase()));
  const myshake = at('triggerTime') >= 0;
  const cols = myshake
    ? { phone: -1, time: at('triggerTime'), lon: at('longitude'), lat: at('latitude'), amp: at('pga'), kind: -1, mon: -1 }
    : { phone: at('phone', 'phone_id', 'device', 'deviceid'), time: at('time', 'timestamp'), lon: at('lon', 'longitude'), lat: at('lat', 'latitude'), amp: at('amplitude', 'pga'), kind: at('kind'), mon: at('monitoring') };
  const required: [string, number][] = myshake ? [['latitude', cols.lat], ['longitude', cols.lon], ['pga', cols.amp]] : [['phone', cols.phone], ['time', cols.time], ['lon', cols.lon], ['lat', cols.lat], ...(kind === 'triggers' ? [['amplitude', cols.amp] as [string, number]] : [])];
  const missing = required.filter(([, i]) => i < 0).map(([n]) => n);
  if (missing.length) throw new InputError(shown, { path: 'line 1', message: `expected ${myshake ? "MyShake's columns triggerTime, latitude, longitude, pga" : `columns phone, time, lon, lat${kind === 'triggers' ? ', amplitude (m/s²), optional kind and monitoring' : ', optional monitoring'}`}; missing ${missing.join(', ')}` });
  const rows: LoggedMessage[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]!.trim()) continue;
    const f = csvFields(lines[i]!).map((x) => x.trim()), line = i + 1;
    const bad = (c: string, expected: string, v: string | undefined) => new InputError(shown, { path: `line ${line}, ${c}`, message: `expected ${expected}, found ${describeValue(v ?? '')}` });
    const time = parseTime(f[cols.time] ?? '');
    if (!Number.isFinite(time)) throw bad(head[cols.time]!, 'an ISO 8601 time or Unix seconds', f[cols.time]);
    const lon = Number(f[cols.lon]), lat = Number(f[cols.lat]);
    if (!(f[cols.lon] !== '' && lon >= -180 && lon <= 180)) throw bad(head[cols.lon]!, 'a longitude from -180 to 180', f[cols.lon]);
    if (!(f[cols.lat] !== '' && lat >= -90 && lat <= 90)) throw bad(head[cols.lat]!, 'a latitude from -90 to 90', f[cols.lat]);
    const k = cols.kind >= 0 ? f[cols.kind] : kind === 'heartbeats' ? 'heartbeat' : 'trigger';
    if (k !== 'trigger' && k !== 'heartbeat') throw bad('kind', 'trigger or heartbeat', k);
    const amplitude = k === 'heartbeat' ? 0 : Number(f[cols.amp]);
    if (k === 'trigger' && !(f[cols.amp] !== '' && amplitude >= 0 && amplitude < 1000)) throw bad(head[cols.amp]!, 'a peak acceleration in m/s² (0 to 1000)', f[cols.amp]);
    const monitoring = cols.mon >= 0 ? Number(f[cols.mon]) : 1;
    if (monitoring !== 0 && monitoring !== 1) throw bad('monitoring', '0 or 1', f[cols.mon]);
    rows.push({ phone: myshake ? `row-${line}` : f[cols.phone]!, kind: k, time, lon, lat, amplitude, monitoring, line });
  }
  if (!rows.length) throw new InputError(shown, 'the file has no rows');
  return { shape: myshake ? 'myshake' : 'generic', rows };
}
