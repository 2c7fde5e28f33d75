/**
 * Readers for real strong-motion accelerograms:
 *
 * - K-NET ASCII (NIED): 17-line header, integer counts × "Scale Factor", one component per file
 *   (.EW/.NS/.UD); the other two components are found next to the named file;
 * - CSMIP "Uncorrected Accelerogram Data" (CGS V1 text): several channels per file, 8f9.6 values in g;
 * - CDMG digitised analog records: several channels per file, time/value pairs in g/10;
 * - ESM ASCII (Engineering Strong Motion database): `KEY: value` header, one value per line, cm/s².
 *
 * Every reader returns acceleration in m/s² per component (east, north, up), the sample times or
 * rate, the peak written in the header, station position and, where the header has it, the event.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../../core/errors.js';
import { G } from '../../core/units.js';

export type RecordFormat = 'knet' | 'csmip' | 'cdmg' | 'esm';
export const RECORD_FORMATS: readonly RecordFormat[] = ['knet', 'csmip', 'cdmg', 'esm'];

export interface Component {
  /** Orientation as written in the file (`E-W`, `90 Deg`, `HNZ`, ...). */
  label: string;
  /** Horizontal azimuth in degrees clockwise from north, or 'up'. */
  azimuth: number | 'up';
  /** Uniform sample rate (Hz), or undefined for uneven records (see `times`). */
  rate?: number;
  /** Sample times (s from the record start) for uneven records. */
  times?: Float64Array;
  /** Acceleration, m/s². */
  acc: Float64Array;
  /** Peak absolute acceleration the header states, m/s². */
  headerPeak: number;
}

export interface EventInfo {
  lon: number;
  lat: number;
  depthKm: number;
  magnitude: number;
}

export interface Accelerogram {
  format: RecordFormat;
  file: string;
  station: { code: string; lon: number; lat: number };
  event?: EventInfo;
  components: Component[];
}

const fail = (file: string, msg: string): never => {
  throw new InputError(file, msg);
};

function num(file: string, text: string | undefined, what: string): number {
  const v = Number(text);
  if (text === undefined || !Number.isFinite(v)) fail(file, `expected a number for ${what}, found ${JSON.stringify(text)}`);
  return v;
}

// --- K-NET --------------------------------------------------------------------------------------

function knetHeader(file: string, text: string): Record<string, string> {
  const h: Record<string, string> = {};
  const lines = text.split(/\r?\n/).slice(0, 17);
  for (const line of lines) {
    const key = line.slice(0, 18).trim();
    h[key] = line.slice(18).trim();
  }
  if (!('Scale Factor' in h) || !('Sampling Freq(Hz)' in h)) fail(file, 'not a K-NET ASCII file (no "Scale Factor" / "Sampling Freq(Hz)" in the 17-line header)');
  return h;
}

function readKnetComponent(file: string): { h: Record<string, string>; comp: Component } {
  const text = readFileSync(file, 'latin1');
  const h = knetHeader(file, text);
  const m = /^([\d.]+)\(gal\)\/([\d.]+)$/.exec(h['Scale Factor']!.replace(/\s+/g, ''));
  if (!m) fail(file, `expected a Scale Factor like "3920(gal)/6182761", found ${JSON.stringify(h['Scale Factor'])}`);
  const factor = Number(m![1]) / Number(m![2]);
  const rate = num(file, h['Sampling Freq(Hz)']!.replace(/Hz$/i, ''), 'Sampling Freq(Hz)');
  const counts = text.split(/\r?\n/).slice(17).join(' ').trim().split(/\s+/).filter(Boolean).map(Number);
  if (counts.some((v) => !Number.isFinite(v))) fail(file, 'expected integer counts after the 17-line header');
  let mean = 0;
  for (const c of counts) mean += c;
  mean /= counts.length;
  // gal = counts × scale, then remove the mean; 1 gal = 0.01 m/s².
  const acc = Float64Array.from(counts, (c) => (c - mean) * factor * 0.01);
  const dir = h['Dir.']!;
  const azimuth = /U-?D/i.test(dir) ? 'up' : /E-?W/i.test(dir) ? 90 : /N-?S/i.test(dir) ? 0 : fail(file, `unknown direction ${JSON.stringify(dir)}`);
  return { h, comp: { label: dir, azimuth: azimuth as number | 'up', rate, acc, headerPeak: num(file, h['Max. Acc. (gal)'], 'Max. Acc. (gal)') * 0.01 } };
}

export function readKnet(file: string): Accelerogram {
  const stem = file.replace(/\.(EW|NS|UD)[12]?$/i, '');
  const files = ['EW', 'NS', 'UD'].map((e) => `${stem}.${e}`).filter(existsSync);
  if (!files.length) fail(file, 'expected K-NET component files ending .EW, .NS and .UD');
  const parts = files.map(readKnetComponent);
  const h = parts[0]!.h;
  return {
    format: 'knet',
    file,
    station: { code: h['Station Code']!, lat: num(file, h['Station Lat.'], 'Station Lat.'), lon: num(file, h['Station Long.'], 'Station Long.') },
    event: { lat: num(file, h['Lat.'], 'Lat.'), lon: num(file, h['Long.'], 'Long.'), depthKm: num(file, h['Depth. (km)'], 'Depth. (km)'), magnitude: num(file, h['Mag.'], 'Mag.') },
    components: parts.map((p) => p.comp),
  };
}

// --- CSMIP and CDMG (channel blocks ending "/&") ----------------------------------------------

function channelBlocks(text: string): string[][] {
  const blocks: string[][] = [];
  let cur: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('/&')) {
      blocks.push(cur);
      cur = [];
    } else cur.push(line);
  }
  if (cur.some((l) => l.trim())) blocks.push(cur);
  return blocks.filter((b) => b.length > 10);
}

function azimuthOf(file: string, text: string): number | 'up' {
  if (/\bup\b/i.test(text)) return 'up';
  const m = /(\d+)\s*deg/i.exec(text);
  if (!m) fail(file, `cannot read the channel orientation from ${JSON.stringify(text.trim())}`);
  return Number(m![1]) % 360;
}

function stationLine(file: string, lines: string[]): { code: string; lat: number; lon: number } {
  for (const l of lines) {
    const m = /(?:Station Id\.|STATION NO\.)\s+(\S+)\s+([\d.]+)([NS]),\s*([\d.]+)([EW])/i.exec(l);
    if (m) return { code: m[1]!, lat: Number(m[2]) * (m[3]!.toUpperCase() === 'S' ? -1 : 1), lon: Number(m[4]) * (m[5]!.toUpperCase() === 'W' ? -1 : 1) };
  }
  return fail(file, 'no station line ("Station Id." or "STATION NO.") in the header');
}

/** Values in fixed-width fields of `width` characters. */
function fixedWidth(lines: string[], width: number): number[] {
  const out: number[] = [];
  for (const line of lines) {
    const l = line.replace(/\s+$/, '');
    for (let i = 0; i < l.length; i += width) {
      const f = l.slice(i, i + width).trim();
      if (f) out.push(Number(f));
    }
  }
  return out;
}

export function readCsmip(file: string): Accelerogram {
  const text = readFileSync(file, 'latin1');
  if (!/Uncorrected Accelerogram Data/i.test(text) || /SEC AND G\/10/i.test(text)) fail(file, 'not a CSMIP uncorrected accelerogram text file');
  const blocks = channelBlocks(text);
  const components: Component[] = [];
  let station: Accelerogram['station'] | undefined;
  for (const lines of blocks) {
    station ??= stationLine(file, lines);
    const chan = lines.find((l) => /^Chan\s+\d+:/i.test(l));
    const pts = lines.findIndex((l) => /Accelerogram points at/i.test(l));
    if (!chan || pts < 0) fail(file, 'a channel block without "Chan N:" or "Accelerogram points at" line');
    const pm = /(\d+)\s+Accelerogram points at\s+([\d.]+)\s+pts\/sec in units of g/i.exec(lines[pts]!);
    if (!pm) fail(file, `cannot read ${JSON.stringify(lines[pts]!.trim())}`);
    const n = Number(pm![1]), rate = Number(pm![2]);
    const fm = /Format:\s*\((\d+)f(\d+)\.(\d+)\)/i.exec(lines[pts]!);
    const width = fm ? Number(fm[2]) : 9;
    const values = fixedWidth(lines.slice(pts + 1), width).slice(0, n);
    if (values.length !== n || values.some((v) => !Number.isFinite(v))) fail(file, `channel "${chan!.trim()}": expected ${n} values, found ${values.length}`);
    const maxLine = lines.find((l) => /Max\s*=/.test(l)) ?? '';
    const mm = /Max\s*=\s*(-?[\d.]+)\s*g/i.exec(maxLine);
    components.push({
      label: chan!.trim(), azimuth: azimuthOf(file, chan!.split(':')[1] ?? ''), rate,
      acc: Float64Array.from(values, (v) => v * G), headerPeak: mm ? Math.abs(Number(mm[1])) * G : NaN,
    });
  }
  return { format: 'csmip', file, station: station!, components };
}

export function readCdmg(file: string): Accelerogram {
  const text = readFileSync(file, 'latin1');
  if (!/UNCORRECTED ACCELEROGRAM DATA/.test(text) || !/SEC AND G\/10/i.test(text)) fail(file, 'not a CDMG uncorrected accelerogram (time/value pairs in g/10)');
  const blocks = channelBlocks(text);
  const components: Component[] = [];
  let station: Accelerogram['station'] | undefined;
  let event: EventInfo | undefined;
  for (const lines of blocks) {
    station ??= stationLine(file, lines);
    const hypo = lines.find((l) => /HYPOCENTER/i.test(l));
    const hm = hypo && /([\d.]+)([NS]),\s*([\d.]+)([EW]),\s*H=\s*([\d.]+)KM.*MW=([\d.]+)/i.exec(hypo);
    if (hm && !event) event = { lat: Number(hm[1]) * (hm[2] === 'S' ? -1 : 1), lon: Number(hm[3]) * (hm[4] === 'W' ? -1 : 1), depthKm: Number(hm[5]), magnitude: Number(hm[6]) };
    const chan = lines.find((l) => /^CHAN\s+\d+:/i.test(l));
    const npl = lines.find((l) => /NO\. OF POINTS\s*=/.test(l));
    if (!chan || !npl) fail(file, 'a channel block without "CHAN N:" or "NO. OF POINTS" line');
    const n = Number(/NO\. OF POINTS\s*=\s*(\d+)/.exec(npl!)![1]);
    // Data: after the integer block (lines of 16 ints) and the real block (lines of 8 reals): the
    // last n pairs of the block, 10 fields of 7 characters per line.
    const dataStart = lines.length - Math.ceil(n / 5);
    const values = fixedWidth(lines.slice(dataStart), 7);
    if (values.length !== 2 * n || values.some((v) => !Number.isFinite(v))) fail(file, `channel "${chan!.trim()}": expected ${n} time/value pairs, found ${values.length / 2}`);
    const times = new Float64Array(n), acc = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      times[i] = values[2 * i]!;
      acc[i] = values[2 * i + 1]! * 0.1 * G; // g/10 → m/s²
    }
    const mm = /MAX\s*=\s*(-?[\d.]+)\s*G/i.exec(lines.find((l) => /MAX\s*=/.test(l)) ?? '');
    components.push({ label: chan!.trim(), azimuth: azimuthOf(file, chan!.split(':')[1] ?? ''), times, acc, headerPeak: mm ? Math.abs(Number(mm[1])) * G : NaN });
  }
  return { format: 'cdmg', file, station: station!, event, components };
}

// --- ESM ------------------------------------------------------------------------------------------

function readEsmComponent(file: string): { h: Record<string, string>; comp: Component } {
  const lines = readFileSync(file, 'latin1').split(/\r?\n/);
  const h: Record<string, string> = {};
  let i = 0;
  for (; i < lines.length; i++) {
    const m = /^([A-Z0-9_/^.\-]+):\s?(.*)$/.exec(lines[i]!);
    if (!m) break;
    h[m[1]!] = m[2]!.trim();
  }
  if (!('SAMPLING_INTERVAL_S' in h) || !('NDATA' in h)) fail(file, 'not an ESM ASCII file (no SAMPLING_INTERVAL_S / NDATA header)');
  const n = num(file, h.NDATA, 'NDATA');
  const values = lines.slice(i).map((l) => l.trim()).filter(Boolean).map(Number).slice(0, n);
  if (values.length !== n || values.some((v) => !Number.isFinite(v))) fail(file, `expected ${n} values after the header, found ${values.length}`);
  const units = (h.UNITS ?? '').toLowerCase();
  const toSi = units === 'cm/s^2' ? 0.01 : units === 'm/s^2' ? 1 : fail(file, `UNITS: expected cm/s^2 or m/s^2, found ${JSON.stringify(h.UNITS)}`);
  const stream = h.STREAM ?? '';
  const azimuth = /Z$/.test(stream) ? 'up' : /E$/.test(stream) ? 90 : /N$/.test(stream) ? 0 : fail(file, `STREAM: expected a channel ending E, N or Z, found ${JSON.stringify(stream)}`);
  return {
    h,
    comp: { label: stream, azimuth: azimuth as number | 'up', rate: 1 / num(file, h.SAMPLING_INTERVAL_S, 'SAMPLING_INTERVAL_S'), acc: Float64Array.from(values, (v) => v * (toSi as number)), headerPeak: Math.abs(num(file, h['PGA_CM/S^2'], 'PGA_CM/S^2')) * 0.01 },
  };
}

export function readEsm(file: string): Accelerogram {
  const m = /^(.*\.\.HN)([ENZ])(\..*)$/.exec(basename(file));
  const files = m ? ['E', 'N', 'Z'].map((c) => join(dirname(file), `${m[1]}${c}${m[3]}`)).filter(existsSync) : [file];
  const parts = files.map(readEsmComponent);
  const h = parts[0]!.h;
  const mag = Number(h.MAGNITUDE_W || h.MAGNITUDE_L);
  return {
    format: 'esm',
    file,
    station: { code: `${h.NETWORK}.${h.STATION_CODE}`, lat: num(file, h.STATION_LATITUDE_DEGREE, 'STATION_LATITUDE_DEGREE'), lon: num(file, h.STATION_LONGITUDE_DEGREE, 'STATION_LONGITUDE_DEGREE') },
    event: Number.isFinite(mag) ? { lat: Number(h.EVENT_LATITUDE_DEGREE), lon: Number(h.EVENT_LONGITUDE_DEGREE), depthKm: Number(h.EVENT_DEPTH_KM), magnitude: mag } : undefined,
    components: parts.map((p) => p.comp),
  };
}

// --- detection and event files -------------------------------------------------------------------

/** Guesses the format from the first lines of a file. */
export function detectFormat(file: string): RecordFormat | undefined {
  let head: string;
  try {
    head = readFileSync(file, 'latin1').slice(0, 4000);
  } catch (err) {
    throw new InputError(file, `cannot read record (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (/^Origin Time\s/m.test(head) && /Scale Factor/.test(head)) return 'knet';
  if (/UNCORRECTED ACCELEROGRAM DATA/.test(head) && /G\/10/.test(head)) return 'cdmg';
  if (/Uncorrected Accelerogram Data/i.test(head)) return 'csmip';
  if (/^EVENT_NAME:/m.test(head) && /SAMPLING_INTERVAL_S:/.test(head)) return 'esm';
  return undefined;
}

/** Reads an accelerogram in `format` (or detects it). */
export function readAccelerogram(file: string, format: RecordFormat | 'auto' = 'auto'): Accelerogram {
  const f = format === 'auto' ? detectFormat(file) : format;
  if (!f) throw new InputError(file, `unknown record format: expected K-NET ASCII, CSMIP uncorrected text, CDMG time/value pairs or ESM ASCII (${RECORD_FORMATS.join(', ')})`);
  switch (f) {
    case 'knet': return readKnet(file);
    case 'csmip': return readCsmip(file);
    case 'cdmg': return readCdmg(file);
    case 'esm': return readEsm(file);
  }
}

/** Event next to a record: `event.json` ({lat, lon, depth, magnitude}) or a USGS GeoJSON event file. */
export function eventNextTo(file: string): EventInfo | undefined {
  const dir = dirname(file);
  for (const name of ['event.json', 'event_geojson_full.json', 'event_geojson.json']) {
    const p = join(dir, name);
    if (!existsSync(p)) continue;
    const j = JSON.parse(readFileSync(p, 'utf8'));
    if (typeof j.lat === 'number') return { lat: j.lat, lon: j.lon, depthKm: j.depth, magnitude: j.magnitude };
    if (j.geometry?.coordinates) {
      const [lon, lat, depth] = j.geometry.coordinates;
      return { lat, lon, depthKm: depth, magnitude: j.properties?.mag };
    }
  }
  return undefined;
}
