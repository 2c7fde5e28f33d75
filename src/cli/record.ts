/** `hazardsim record`: writes what one phone records to CSV or NPY (+ JSON sidecar), atomically. */
import { createWriteStream, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { NpyWriter } from '../output/npy.js';
import { ACTIVITIES, recordPhone, type RecordActivity } from '../engine/record.js';
import { builtinPlugins } from '../plugins.js';
import { PHONE_CONTEXTS, type PhoneContext } from '../population/behaviour.js';

export interface RecordCommandOptions {
  profile: string;
  duration: string;
  out: string;
  context?: string;
  activity?: string;
  seed?: number;
  rate?: number;
}

const UNITS: Record<string, string> = { t: 's', ax: 'm/s^2', ay: 'm/s^2', az: 'm/s^2', gx: 'rad/s', gy: 'rad/s', gz: 'rad/s', p: 'Pa' };

export async function recordCommand(o: RecordCommandOptions): Promise<number> {
  const duration = parseDuration(o.duration);
  if (duration === undefined || !(duration > 0)) throw new InputError('--duration', `expected a duration such as 90s, 10m or 1h, found ${JSON.stringify(o.duration)}`);
  if (o.context !== undefined && !PHONE_CONTEXTS.includes(o.context as PhoneContext)) throw new InputError('--context', `expected one of ${PHONE_CONTEXTS.join(', ')}, found ${JSON.stringify(o.context)}`);
  if (o.activity !== undefined && !ACTIVITIES.includes(o.activity as RecordActivity)) throw new InputError('--activity', `expected one of ${ACTIVITIES.join(', ')}, found ${JSON.stringify(o.activity)}`);
  const out = resolve(o.out);
  const csv = /\.csv$/i.test(out), npy = /\.npy$/i.test(out);
  if (!csv && !npy) throw new InputError('--out', `expected a file ending .csv or .npy, found ${JSON.stringify(o.out)}`);
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  let rows = 0;
  let stream: ReturnType<typeof createWriteStream> | undefined;
  try {
    if (csv) {
      const w = createWriteStream(tmp);
      stream = w;
      let header = false;
      let buf = '';
      const info = recordPhone({ plugins: builtinPlugins, profile: o.profile, duration, context: o.context as PhoneContext, activity: o.activity as RecordActivity, seed: o.seed, rateHz: o.rate }, (r) => {
        if (!header) {
          buf += ['t', 'ax', 'ay', 'az', ...(r.g ? ['gx', 'gy', 'gz'] : []), ...(r.p !== undefined ? ['p'] : [])].join(',') + '\n';
          header = true;
        }
        buf += [r.t.toFixed(5), ...r.a.map((v) => v.toPrecision(7)), ...(r.g ? r.g.map((v) => v.toPrecision(7)) : []), ...(r.p !== undefined ? [r.p.toFixed(3)] : [])].join(',') + '\n';
        rows++;
        if (buf.length > 1 << 20) { w.write(buf); buf = ''; }
      });
      w.write(buf);
      await new Promise<void>((res, rej) => w.end((err?: Error | null) => (err ? rej(err) : res())));
      renameSync(tmp, out);
      process.stdout.write(`wrote ${o.out}: ${rows} samples at ${info.rateHz} Hz (${info.activity}, phone in ${info.context})\n`);
    } else {
      let writer: NpyWriter | undefined;
      // float64: a float32 time loses resolution over long recordings (its step is 7.8 ms at one day, near a 100 Hz sample's 10 ms).
      let row = new Float64Array(0);
      const info = recordPhone({ plugins: builtinPlugins, profile: o.profile, duration, context: o.context as PhoneContext, activity: o.activity as RecordActivity, seed: o.seed, rateHz: o.rate }, (r) => {
        if (!writer) {
          const width = 4 + (r.g ? 3 : 0) + (r.p !== undefined ? 1 : 0);
          writer = new NpyWriter(tmp, [width], 'float64');
          row = new Float64Array(width);
        }
        let k = 0;
        row[k++] = r.t;
        for (const v of r.a) row[k++] = v;
        if (r.g) for (const v of r.g) row[k++] = v;
        if (r.p !== undefined) row[k++] = r.p;
        writer.write(row);
        rows++;
      });
      writer?.close();
      const sidecar = out.replace(/\.npy$/i, '.json');
      writeFileSync(`${sidecar}.tmp-${process.pid}`, JSON.stringify({
        channels: info.channels, units: Object.fromEntries(info.channels.map((c) => [c, UNITS[c]])), dtype: 'float64', shape: [rows, info.channels.length],
        rate_hz: info.rateHz, profile: o.profile, context: info.context, activity: info.activity, seed: o.seed ?? 1, duration_s: duration,
        frame: 'device (x right, y up the screen, z out of the screen)',
      }, null, 2) + '\n');
      renameSync(tmp, out);
      renameSync(`${sidecar}.tmp-${process.pid}`, sidecar);
      process.stdout.write(`wrote ${o.out} (float64 [${rows}, ${info.channels.length}]: ${info.channels.join(', ')}) and ${sidecar.split('/').pop()}\n`);
    }
  } catch (err) {
    // The CSV stream opens its file asynchronously: close it before removing, or the file appears after.
    const s = stream;
    if (s && !s.closed) await new Promise<void>((res) => { s.once('close', () => res()); s.destroy(); });
    rmSync(tmp, { force: true });
    throw err;
  }
  return 0;
}
