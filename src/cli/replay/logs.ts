/**
 * Real and rendered phone logs for replay: readers for phyphox exports (one CSV per sensor in a
 * folder or a ZIP, or one combined CSV), Sensor Logger exports (a folder of CSVs or its ZIP), the generic
 * `t,ax,ay,az[,gx,gy,gz][,p][,lat,lon,speed]` CSV and `hazardsim record`'s NPY (with its JSON
 * sidecar); units and gravity detected or declared; irregular timestamps resampled to a detector's
 * rate by linear interpolation between the two neighbouring samples.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { csvFields } from '../../core/csv.js';
import { describeValue, InputError } from '../../core/errors.js';
import { displayPath } from '../../core/paths.js';
import { G } from '../../core/units.js';

/** A phone log as read: times from its first sample, s; acceleration in the device frame, m/s², gravity included. */
export interface PhoneLog {
  file: string;
  format: 'phyphox' | 'sensor-logger' | 'csv' | 'npy';
  t: Float64Array;
  ax: Float64Array;
  ay: Float64Array;
  az: Float64Array;
  gyro?: { t: Float64Array; x: Float64Array; y: Float64Array; z: Float64Array };
  /** Pressure, Pa. */
  pressure?: { t: Float64Array; p: Float64Array };
  /** GNSS speed, m/s. */
  speed?: { t: Float64Array; v: Float64Array };
  /** What the accelerometer columns were found or declared to be. */
  units: 'm/s2' | 'g';
  gravity: 'included' | 'removed (added back along +z)';
}

export interface ReadOptions {
  /** Declared units of the acceleration columns (default: detected from the norm). */
  units?: 'g' | 'm/s2';
  /** Declared: whether the acceleration columns include gravity (default: detected). */
  gravity?: 'included' | 'removed';
}

interface Table { file: string; header: string[]; cols: Float64Array[]; rows: number }

/** Columns that must hold a number on every row. */
const REQUIRED = /acceleration|^a[xyz]$|^[xyz]$|^t$|^time|seconds_elapsed/i;

/** Reads a numeric CSV (header on line 1); a bad value is named by file, line and column. */
function readCsv(file: string): Table {
  const shown = displayPath(file);
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (err) { throw new InputError(shown, `cannot read the log (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`); }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length && !lines.at(-1)!.trim()) lines.pop();
  if (!lines.length || !lines[0]!.trim()) throw new InputError(shown, 'the file is empty (a header and rows expected)');
  const delim = lines[0]!.includes(';') && !lines[0]!.includes(',') ? ';' : lines[0]!.includes('\t') && !lines[0]!.includes(',') ? '\t' : ',';
  const split = (l: string) => (delim === ',' ? csvFields(l) : l.split(delim)).map((f) => f.trim().replace(/^"|"$/g, ''));
  const header = split(lines[0]!);
  const rows = lines.length - 1;
  if (rows < 2) throw new InputError(shown, { path: 'line 2', message: `expected at least 2 rows of samples, found ${rows}` });
  const cols = header.map(() => new Float64Array(rows));
  for (let i = 0; i < rows; i++) {
    const f = split(lines[i + 1]!);
    for (let c = 0; c < header.length; c++) {
      const s = f[c] ?? '', v = s === '' ? NaN : Number(s);
      // Times and accelerations must be numbers; other columns (GNSS, labels) may be empty.
      if (!Number.isFinite(v) && (c === 0 || REQUIRED.test(header[c]!))) throw new InputError(shown, { path: `line ${i + 2}, ${header[c]}`, message: `expected a number, found ${s === '' ? 'nothing' : describeValue(s)}` });
      cols[c]![i] = v;
    }
  }
  return { file, header, cols, rows };
}

/** Index of the first column whose name matches. */
const find = (t: Table, re: RegExp) => t.header.findIndex((h) => re.test(h));

/** Times must increase: names the first line where they do not. */
function checkTimes(file: string, t: Float64Array, column: string): void {
  for (let i = 1; i < t.length; i++) {
    if (!(t[i]! > t[i - 1]!)) throw new InputError(displayPath(file), { path: `line ${i + 2}, ${column}`, message: `time must increase from row to row; found ${t[i]} after ${t[i - 1]}` });
  }
}

/**
 * Units and gravity of acceleration rows from their norm, per 10 s: about 1 means g with gravity,
 * about 9.8 m/s² with gravity, near 0 gravity removed. A log whose chunks disagree (g here, m/s²
 * there) is refused, naming the line where the second kind starts.
 */
function detectUnits(file: string, t: Float64Array, x: Float64Array, y: Float64Array, z: Float64Array, declared: ReadOptions): { scale: number; gravity: 'included' | 'removed' } {
  const kinds: { kind: string; line: number; row: number }[] = [];
  const kindOf = (m: number) => (m > 0.7 && m < 1.3 ? 'g' : m > 7 && m < 12.5 ? 'm/s2' : m < 0.35 ? 'removed' : 'unclear');
  for (let i = 0; i < t.length;) {
    const norms: number[] = [];
    let j = i;
    for (; j < t.length && t[j]! < t[i]! + 10; j++) norms.push(Math.hypot(x[j]!, y[j]!, z[j]!));
    norms.sort((a, b) => a - b);
    const m = norms[norms.length >> 1]!;
    kinds.push({ kind: kindOf(m), line: i + 2, row: i });
    i = j;
  }
  const main = kinds[0]!.kind;
  const other = kinds.find((k) => k.kind !== main && k.kind !== 'unclear' && main !== 'unclear' && !(k.kind === 'removed' || main === 'removed'));
  if (other && !declared.units) {
    // The line where the other unit starts: the first row from the chunk before that is of it.
    const before = kinds[kinds.indexOf(other) - 1]!;
    let row = other.row;
    for (let i = before.row; i < other.row; i++) if (kindOf(Math.hypot(x[i]!, y[i]!, z[i]!)) === other.kind) { row = i; break; }
    other.line = row + 2;
  }
  if (other && !declared.units) throw new InputError(displayPath(file), { path: `line ${other.line}`, message: `mixed units: the acceleration norm is about ${main === 'g' ? '1 (g)' : '9.8 (m/s²)'} before this line and about ${other.kind === 'g' ? '1 (g)' : '9.8 (m/s²)'} from here on; convert the log to one unit (or declare --units to take one as given)` });
  const units = declared.units ?? (main === 'g' ? 'g' : 'm/s2');
  const gravity = declared.gravity ?? (main === 'removed' ? 'removed' : 'included');
  return { scale: units === 'g' ? G : 1, gravity };
}

function accelFrom(file: string, format: PhoneLog['format'], t: Float64Array, x: Float64Array, y: Float64Array, z: Float64Array, o: ReadOptions, knownGravity?: 'included' | 'removed'): Pick<PhoneLog, 'file' | 'format' | 't' | 'ax' | 'ay' | 'az' | 'units' | 'gravity'> {
  checkTimes(file, t, 'time');
  const d = detectUnits(file, t, x, y, z, { ...o, gravity: o.gravity ?? knownGravity });
  const ax = x.map((v) => v * d.scale), ay = y.map((v) => v * d.scale), az = z.map((v) => v * d.scale + (d.gravity === 'removed' ? G : 0));
  const t0 = t[0]!;
  return { file, format, t: t.map((v) => v - t0), ax, ay, az, units: d.scale === 1 ? 'm/s2' : 'g', gravity: d.gravity === 'removed' ? 'removed (added back along +z)' : 'included' };
}

/** phyphox: "Time (s)", "Acceleration x (m/s^2)" (or "Linear Acceleration x", gravity removed), gyroscope, pressure (hPa), velocity. */
function readPhyphox(path: string, o: ReadOptions): PhoneLog {
  const dir = statSync(path).isDirectory();
  const tables = dir ? readdirSync(path).filter((f) => f.endsWith('.csv')).sort().map((f) => readCsv(join(path, f))) : [readCsv(path)];
  const acc = tables.find((t) => find(t, /^acceleration x/i) >= 0) ?? tables.find((t) => find(t, /linear acceleration x/i) >= 0);
  if (!acc) throw new InputError(displayPath(path), { path: 'line 1', message: 'expected phyphox acceleration columns ("Acceleration x (m/s^2)" or "Linear Acceleration x (m/s^2)")' });
  const tc = find(acc, /^time/i), linear = find(acc, /^acceleration x/i) < 0;
  const ix = find(acc, /acceleration x/i), iy = find(acc, /acceleration y/i), iz = find(acc, /acceleration z/i);
  if (tc < 0 || iy < 0 || iz < 0) throw new InputError(displayPath(acc.file), { path: 'line 1', message: `expected "Time (s)" and acceleration x, y and z columns, found ${acc.header.join(', ')}` });
  const log: PhoneLog = accelFrom(path, 'phyphox', acc.cols[tc]!, acc.cols[ix]!, acc.cols[iy]!, acc.cols[iz]!, o, linear ? 'removed' : 'included');
  const t0 = acc.cols[tc]![0]!;
  for (const t of tables) {
    const ti = find(t, /^time/i);
    if (ti < 0) continue;
    const ts = t.cols[ti]!.map((v) => v - t0);
    const gx = find(t, /gyroscope x/i);
    if (gx >= 0) log.gyro = { t: ts, x: t.cols[gx]!, y: t.cols[find(t, /gyroscope y/i)]!, z: t.cols[find(t, /gyroscope z/i)]! };
    const p = find(t, /^pressure/i);
    if (p >= 0) log.pressure = { t: ts, p: t.cols[p]!.map((v) => (/hpa/i.test(t.header[p]!) ? v * 100 : v)) };
    const v = find(t, /^velocity/i);
    if (v >= 0) log.speed = { t: ts, v: t.cols[v]! };
  }
  return log;
}

/** Sensor Logger: a folder of CSVs (time ns, seconds_elapsed, z, y, x); TotalAcceleration, or Accelerometer (+ Gravity). */
function readSensorLogger(dir: string, o: ReadOptions): PhoneLog {
  const at = (name: string) => (existsSync(join(dir, name)) ? readCsv(join(dir, name)) : undefined);
  const total = at('TotalAcceleration.csv'), accel = at('Accelerometer.csv'), gravity = at('Gravity.csv');
  const a = total ?? accel;
  if (!a) throw new InputError(displayPath(dir), 'expected Accelerometer.csv or TotalAcceleration.csv in a Sensor Logger export');
  const xyz = (t: Table) => ['x', 'y', 'z'].map((k) => { const i = t.header.indexOf(k); if (i < 0) throw new InputError(displayPath(t.file), { path: 'line 1', message: `expected columns seconds_elapsed, x, y, z; found ${t.header.join(', ')}` }); return t.cols[i]!; });
  const ts = (t: Table) => { const i = t.header.indexOf('seconds_elapsed'); if (i < 0) throw new InputError(displayPath(t.file), { path: 'line 1', message: `expected a seconds_elapsed column, found ${t.header.join(', ')}` }); return t.cols[i]!; };
  let [x, y, z] = xyz(a);
  let known: 'included' | 'removed' | undefined = total ? 'included' : undefined;
  if (!total && gravity && gravity.rows === a.rows) {
    const [gx, gy, gz] = xyz(gravity);
    x = x!.map((v, i) => v + gx![i]!); y = y!.map((v, i) => v + gy![i]!); z = z!.map((v, i) => v + gz![i]!);
    known = 'included';
  }
  const log: PhoneLog = accelFrom(dir, 'sensor-logger', ts(a), x!, y!, z!, o, known);
  const t0 = ts(a)[0]!;
  const gyro = at('Gyroscope.csv');
  if (gyro) { const [gx, gy, gz] = xyz(gyro); log.gyro = { t: ts(gyro).map((v) => v - t0), x: gx!, y: gy!, z: gz! }; }
  const baro = at('Barometer.csv');
  if (baro) { const i = baro.header.indexOf('pressure'); if (i >= 0) log.pressure = { t: ts(baro).map((v) => v - t0), p: baro.cols[i]!.map((v) => v * 100) }; }
  const loc = at('Location.csv');
  if (loc) { const i = loc.header.indexOf('speed'); if (i >= 0) log.speed = { t: ts(loc).map((v) => v - t0), v: loc.cols[i]!.map((v) => Math.max(0, v)) }; }
  return log;
}

/** The generic CSV (and `hazardsim record`'s): t, ax, ay, az [, gx, gy, gz] [, p] [, lat, lon, speed]. */
function readGeneric(file: string, o: ReadOptions): PhoneLog {
  const tab = readCsv(file);
  const col = (k: string) => tab.header.findIndex((h) => h.toLowerCase() === k);
  const need = ['t', 'ax', 'ay', 'az'].filter((k) => col(k) < 0);
  if (need.length) throw new InputError(displayPath(file), { path: 'line 1', message: `expected columns t, ax, ay, az (optional gx, gy, gz, p, lat, lon, speed); missing ${need.join(', ')} (found ${tab.header.join(', ')})` });
  const c = (k: string) => tab.cols[col(k)]!;
  const log: PhoneLog = accelFrom(file, 'csv', c('t'), c('ax'), c('ay'), c('az'), o);
  if (col('gx') >= 0) log.gyro = { t: log.t, x: c('gx'), y: c('gy'), z: c('gz') };
  if (col('p') >= 0) log.pressure = { t: log.t, p: c('p') };
  if (col('speed') >= 0) log.speed = { t: log.t, v: c('speed') };
  return log;
}

/** `hazardsim record`'s NPY (float64; float32 from older versions): rows [t, ax, ay, az (, gx, gy, gz)(, p)] with FILE.json naming the channels. */
function readNpy(file: string, o: ReadOptions): PhoneLog {
  const shown = displayPath(file), buf = readFileSync(file);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') throw new InputError(shown, 'not an NPY file (no \\x93NUMPY magic)');
  // Version 1.0 has a 2-byte header length at byte 8, later versions a 4-byte one.
  const v1 = buf[6]! === 1, hlen = v1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8), start = v1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + hlen);
  const shape = /'shape':\s*\((\d+),\s*(\d+)\)/.exec(header), descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  if (!shape || (descr !== '<f4' && descr !== '<f8')) throw new InputError(shown, `expected a 2-D float32 or float64 array, found ${header.trim()}`);
  const rows = Number(shape[1]), width = Number(shape[2]);
  const data = descr === '<f4' ? new Float32Array(buf.buffer.slice(buf.byteOffset + start + hlen, buf.byteOffset + start + hlen + rows * width * 4)) : new Float64Array(buf.buffer.slice(buf.byteOffset + start + hlen, buf.byteOffset + start + hlen + rows * width * 8));
  const side = file.replace(/\.npy$/i, '.json');
  const channels: string[] = existsSync(side) ? (JSON.parse(readFileSync(side, 'utf8')).channels ?? []) : ['t', 'ax', 'ay', 'az', 'gx', 'gy', 'gz', 'p'].slice(0, width);
  if (channels.length !== width) throw new InputError(displayPath(side), { path: 'channels', message: `expected ${width} channel names for the array's ${width} columns, found ${channels.length}` });
  const col = (k: string) => { const j = channels.indexOf(k); return j < 0 ? undefined : Float64Array.from({ length: rows }, (_, i) => data[i * width + j]!); };
  const t = col('t'), ax = col('ax'), ay = col('ay'), az = col('az');
  if (!t || !ax || !ay || !az) throw new InputError(shown, `expected channels t, ax, ay, az; found ${channels.join(', ')}`);
  const log: PhoneLog = accelFrom(file, 'npy', t, ax, ay, az, o);
  const gx = col('gx');
  if (gx) log.gyro = { t: log.t, x: gx, y: col('gy')!, z: col('gz')! };
  const p = col('p');
  if (p) log.pressure = { t: log.t, p };
  return log;
}

/**
 * A zipped export (Sensor Logger's and phyphox's "share" files): unpacked into a temporary folder,
 * read from the folder holding its CSVs, and removed again. fflate unzips (small, no native code).
 */
function readZip(path: string, o: ReadOptions): PhoneLog {
  const shown = displayPath(path);
  let files: Record<string, Uint8Array>;
  try { files = unzipSync(readFileSync(path)); } catch (err) { throw new InputError(shown, `not a readable ZIP archive (${(err as Error).message})`); }
  const csvs = Object.keys(files).filter((f) => f.toLowerCase().endsWith('.csv') && !f.startsWith('__MACOSX/'));
  if (!csvs.length) throw new InputError(shown, 'the archive holds no CSV files: expected a phyphox or Sensor Logger export');
  const tmp = mkdtempSync(join(tmpdir(), 'hazardsim-log-'));
  try {
    for (const f of csvs) { const out = join(tmp, f); mkdirSync(dirname(out), { recursive: true }); writeFileSync(out, files[f]!); }
    // The folder of the export: the one holding an accelerometer file, else the first with CSVs.
    const folder = dirname(join(tmp, csvs.find((f) => /(^|\/)(TotalAcceleration|Accelerometer)\.csv$/i.test(f)) ?? csvs[0]!));
    const log = readLog(folder, o);
    return { ...log, file: path };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Reads a log in whatever format it is: a folder or .zip (phyphox or Sensor Logger), .npy, or .csv. */
export function readLog(path: string, o: ReadOptions = {}): PhoneLog {
  const shown = displayPath(path);
  if (!existsSync(path)) throw new InputError(shown, 'no such file or folder');
  if (/\.zip$/i.test(path) && statSync(path).isFile()) return readZip(path, o);
  if (statSync(path).isDirectory()) {
    const acc = join(path, 'Accelerometer.csv');
    if (existsSync(join(path, 'TotalAcceleration.csv')) || (existsSync(acc) && readFileSync(acc, 'utf8').split('\n')[0]!.includes('seconds_elapsed'))) return readSensorLogger(path, o);
    if (readdirSync(path).some((f) => f.endsWith('.csv'))) return readPhyphox(path, o);
    throw new InputError(shown, 'a folder without CSV files: expected a phyphox or Sensor Logger export');
  }
  if (/\.npy$/i.test(path)) return readNpy(path, o);
  if (/\.csv$/i.test(path)) {
    const head = readFileSync(path, 'utf8').split('\n')[0] ?? '';
    if (/Time \(s\)/i.test(head) && /acceleration/i.test(head)) return readPhyphox(path, o);
    if (/seconds_elapsed/.test(head)) throw new InputError(shown, 'a Sensor Logger CSV on its own: replay the export\'s folder (Accelerometer.csv with its Gravity.csv, or TotalAcceleration.csv)');
    return readGeneric(path, o);
  }
  throw new InputError(shown, `unknown log format (${basename(path).includes('.') ? `".${basename(path).split('.').pop()}"` : 'no extension'}): expected a .csv (generic, phyphox), a .npy from hazardsim record, or an export folder or .zip (phyphox, Sensor Logger)`);
}

/** Linear interpolation of (t, v) at `at` (clamped to the ends). */
export function interpolate(t: Float64Array, v: Float64Array, at: number, hint = { i: 0 }): number {
  let i = hint.i;
  if (at <= t[0]!) return v[0]!;
  if (at >= t[t.length - 1]!) return v[v.length - 1]!;
  while (i > 0 && t[i]! > at) i--;
  while (i < t.length - 2 && t[i + 1]! <= at) i++;
  hint.i = i;
  const f = (at - t[i]!) / (t[i + 1]! - t[i]!);
  return v[i]! + f * (v[i + 1]! - v[i]!);
}

/**
 * A series resampled at fs from its first time to its last. A log at most twice as fast as fs is
 * interpolated linearly between the two neighbouring samples; a faster one is first averaged over
 * each output sample's period (a boxcar: its first spectral null at fs, so what would alias back
 * is cut to about a fifth or less), then read at the period's centre, the mean of its samples.
 */
export function resample(t: Float64Array, v: Float64Array, fs: number): Float32Array {
  const n = Math.floor(t[t.length - 1]! * fs) + 1, out = new Float32Array(n), hint = { i: 0 };
  if (medianRate(t) <= 2 * fs) {
    for (let k = 0; k < n; k++) out[k] = interpolate(t, v, k / fs, hint);
    return out;
  }
  let i = 0;
  for (let k = 0; k < n; k++) {
    const lo = (k - 0.5) / fs, hi = (k + 0.5) / fs;
    while (i < t.length && t[i]! < lo) i++;
    let sum = 0, count = 0;
    for (let j = i; j < t.length && t[j]! < hi; j++) { sum += v[j]!; count++; }
    out[k] = count ? sum / count : interpolate(t, v, k / fs, hint);
  }
  return out;
}

/** The log's median sampling rate, Hz. */
export function medianRate(t: Float64Array): number {
  const d = Array.from({ length: t.length - 1 }, (_, i) => t[i + 1]! - t[i]!).sort((a, b) => a - b);
  return 1 / d[d.length >> 1]!;
}
