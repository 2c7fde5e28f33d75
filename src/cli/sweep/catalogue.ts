/**
 * Earthquake catalogues for sweeps: a CSV of origin_time (ISO 8601 UTC), lon, lat, depth_km and
 * magnitude (optional name, and world: a world file relative to the CSV), one event per row; and
 * the local hour of each event (in an IANA time zone, or solar time at its longitude).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describeValue, InputError } from '../../core/errors.js';
import { displayPath } from '../../core/paths.js';
import { csvFields } from '../../core/csv.js';

export interface CatalogueEvent {
  /** Line in the file (1 = header). */
  line: number;
  name: string;
  originUtc: Date;
  lon: number;
  lat: number;
  depthKm: number;
  magnitude: number;
  /** Absolute path of the event's world file, when the row names one. */
  world?: string;
}

const REQUIRED = ['origin_time', 'lon', 'lat', 'depth_km', 'magnitude'] as const;

/** Reads a catalogue CSV; every problem names the file, the line and the column. */
export function readCatalogue(file: string): CatalogueEvent[] {
  const shown = displayPath(file);
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (err) { throw new InputError(shown, `cannot read the catalogue (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`); }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = csvFields(lines[0] ?? '').map((f) => f.trim()).map((h) => h.toLowerCase());
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length) throw new InputError(shown, { path: 'line 1', message: `expected columns ${REQUIRED.join(', ')} (optional: name, world); missing ${missing.join(', ')}` });
  const col = (name: string) => header.indexOf(name);
  const events: CatalogueEvent[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]!.trim() || lines[i]!.trimStart().startsWith('#')) continue;
    const f = csvFields(lines[i]!).map((x) => x.trim()), line = i + 1;
    const bad = (c: string, expected: string) => new InputError(shown, { path: `line ${line}, ${c}`, message: `expected ${expected}, found ${describeValue(f[col(c)] ?? '')}` });
    const num = (c: string, lo: number, hi: number, what: string) => {
      const s = f[col(c)] ?? '', v = Number(s);
      if (s === '' || !Number.isFinite(v) || v < lo || v > hi) throw bad(c, what);
      return v;
    };
    const t = f[col('origin_time')] ?? '';
    const originUtc = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(t) ? t : `${t}Z`);
    if (!/^\d{4}-\d\d-\d\d/.test(t) || Number.isNaN(originUtc.getTime())) throw bad('origin_time', 'an ISO 8601 date and time such as 2019-07-06T03:19:53Z');
    const name = col('name') >= 0 && f[col('name')] ? f[col('name')]! : `event ${events.length + 1}`;
    const world = col('world') >= 0 && f[col('world')] ? resolve(dirname(file), f[col('world')]!) : undefined;
    events.push({
      line, name, originUtc,
      lon: num('lon', -180, 180, 'a longitude from -180 to 180'),
      lat: num('lat', -90, 90, 'a latitude from -90 to 90'),
      depthKm: num('depth_km', 0, 700, 'a depth from 0 to 700 km'),
      magnitude: num('magnitude', 0, 10, 'a magnitude from 0 to 10'),
      ...(world ? { world } : {}),
    });
  }
  if (!events.length) throw new InputError(shown, 'the catalogue has no events (a header and at least one row expected)');
  return events;
}

/** Local clock time ("HH:MM") of an instant in an IANA zone, or solar time at a longitude. */
export function localClock(utc: Date, lon: number, timeZone?: string): string {
  if (timeZone) {
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(utc);
    return `${parts.find((p) => p.type === 'hour')!.value}:${parts.find((p) => p.type === 'minute')!.value}`;
  }
  const minutes = ((utc.getUTCHours() * 60 + utc.getUTCMinutes() + Math.round((lon / 15) * 60)) % 1440 + 1440) % 1440;
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
