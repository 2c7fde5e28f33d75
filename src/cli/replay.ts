/**
 * `hazardsim replay <logs...> --detector <detector.yaml|scenario.yaml> [--labels FILE]`: real (or
 * rendered) phone logs through any detector exactly as the simulator runs it. Writes the triggers
 * table and a summary: triggers per hour, and with labels (intervals with a class) triggers per hour
 * of each class and the share of labelled intervals caught.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { csvFields } from '../core/csv.js';
import { describeValue, InputError } from '../core/errors.js';
import { displayPath, PACKAGE_ROOT } from '../core/paths.js';
import { InferencePool } from '../detect/inference/pool.js';
import { writeFolderAtomically } from '../output/atomic.js';
import { writeTable, type TableColumn } from '../output/tables.js';
import { builtinPlugins } from '../plugins.js';
import { fmt, fmtInt } from './common.js';
import { readLog, medianRate, type PhoneLog } from './replay/logs.js';
import { loadReplayDetector, replayLog } from './replay/replay-detector.js';
import type { TriggerMessage } from '../plugin/index.js';

export interface ReplayOptions {
  logs: string[];
  detector: string;
  phone?: string;
  labels?: string;
  out?: string;
  rate?: number;
  units?: string;
  gravity?: string;
  json?: boolean;
  quiet?: boolean;
}

export interface Label { log?: string; start: number; end: number; cls: string }

/** Labels: CSV of start, end (s from the log's first sample), class, and optionally log (a file name). */
export function readLabels(file: string): Label[] {
  const shown = displayPath(file);
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (err) { throw new InputError(shown, `cannot read the labels (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`); }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim());
  const head = csvFields(lines[0] ?? '').map((h) => h.trim().toLowerCase());
  const col = (k: string) => head.indexOf(k);
  if (col('start') < 0 || col('end') < 0 || col('class') < 0) throw new InputError(shown, { path: 'line 1', message: `expected columns start, end, class (optional log); found ${head.join(', ')}` });
  return lines.slice(1).map((l, i) => {
    const f = csvFields(l).map((x) => x.trim()), line = i + 2;
    const start = Number(f[col('start')]), end = Number(f[col('end')]), cls = f[col('class')] ?? '';
    if (!Number.isFinite(start) || !Number.isFinite(end) || !(end > start)) throw new InputError(shown, { path: `line ${line}`, message: `expected numbers start < end (s), found ${describeValue(f[col('start')])} and ${describeValue(f[col('end')])}` });
    if (!cls) throw new InputError(shown, { path: `line ${line}, class`, message: 'expected a class name, found nothing' });
    return { start, end, cls, ...(col('log') >= 0 && f[col('log')] ? { log: f[col('log')]! } : {}) };
  });
}

const TRIGGER_COLUMNS: TableColumn[] = [
  { name: 'log', type: 'string', doc: 'The log (file or folder name)' },
  { name: 'kind', type: 'string', doc: 'trigger, or update (its peak grew or it ended)' },
  { name: 'time_s', type: 'double', unit: 's', doc: 'When the message was sent, s from the log\'s first sample' },
  { name: 'onset_s', type: 'double', unit: 's', doc: 'Trigger onset' },
  { name: 'amplitude', type: 'double', unit: 'm/s^2', doc: 'Peak high-passed acceleration since the onset' },
  { name: 'ratio', type: 'double', doc: 'Peak detector ratio or score' },
  { name: 'score', type: 'double', doc: 'Model probability (model-based detectors)' },
  { name: 'channel', type: 'string', doc: 'What the trigger is about' },
  { name: 'label', type: 'string', doc: 'The class of the labelled interval holding the onset (empty: unlabelled)' },
];

export async function replayCommand(o: ReplayOptions): Promise<number> {
  if (!o.logs.length) throw new InputError('replay', 'expected at least one log');
  if (o.units !== undefined && o.units !== 'g' && o.units !== 'm/s2') throw new InputError('--units', `expected g or m/s2, found ${JSON.stringify(o.units)}`);
  if (o.gravity !== undefined && o.gravity !== 'included' && o.gravity !== 'removed') throw new InputError('--gravity', `expected included or removed, found ${JSON.stringify(o.gravity)}`);
  if (o.rate !== undefined && !(o.rate > 0 && o.rate <= 8000)) throw new InputError('--rate', `expected a rate in Hz from 1 to 8000, found ${o.rate}`);
  const plugins = builtinPlugins;
  const rd = loadReplayDetector(o.detector, plugins, o.phone ?? join(PACKAGE_ROOT, 'agents/phones/mid-range.yaml'));
  // Every input is read and checked before anything runs or is written.
  const logs: PhoneLog[] = o.logs.map((f) => readLog(resolve(f), { units: o.units as 'g' | 'm/s2' | undefined, gravity: o.gravity as 'included' | 'removed' | undefined }));
  const labels = o.labels ? readLabels(resolve(o.labels)) : [];
  const names = o.logs.map((f) => basename(resolve(f)));
  for (const l of labels) if (l.log && !names.includes(l.log)) throw new InputError(displayPath(resolve(o.labels!)), { path: 'log', message: `names ${JSON.stringify(l.log)}, which is none of the logs (${names.join(', ')})` });
  const pool = rd.det.model ? new InferencePool([rd.det.model], { threads: 1 }) : undefined;
  await pool?.start();
  const rows: Record<string, unknown>[] = [];
  const perLog: Record<string, unknown>[] = [];
  const byClass = new Map<string, { seconds: number; triggers: number; intervals: number; caught: number }>();
  const cls = (c: string) => { let v = byClass.get(c); if (!v) byClass.set(c, (v = { seconds: 0, triggers: 0, intervals: 0, caught: 0 })); return v; };
  let windows = 0;
  try {
    for (let i = 0; i < logs.length; i++) {
      const log = logs[i]!, name = names[i]!;
      const r = await replayLog(log, rd, plugins, { rateHz: o.rate, pool });
      windows += r.windows;
      const mine = labels.filter((l) => !l.log || l.log === name);
      const seconds = log.t[log.t.length - 1]!;
      const labelOf = (t: number) => mine.find((l) => t >= l.start && t < l.end)?.cls ?? '';
      const triggers = r.messages.filter((m) => m.kind === 'trigger');
      for (const m of r.messages) rows.push({ log: name, kind: m.kind, time_s: m.time, onset_s: m.onsetDeviceTime, amplitude: m.amplitude, ratio: m.ratio, score: m.score ?? null, channel: m.channel ?? 'shaking', label: labelOf(m.onsetDeviceTime) });
      let labelled = 0;
      for (const l of mine) {
        const span = Math.max(0, Math.min(l.end, seconds) - Math.max(0, l.start));
        labelled += span;
        const c = cls(l.cls);
        c.seconds += span;
        c.intervals++;
        if (triggers.some((m) => m.onsetDeviceTime >= l.start && m.onsetDeviceTime < l.end)) c.caught++;
      }
      for (const m of triggers) cls(labelOf(m.onsetDeviceTime) || 'unlabelled').triggers++;
      if (mine.length) cls('unlabelled').seconds += Math.max(0, seconds - labelled);
      perLog.push({ log: name, file: displayPath(log.file), format: log.format, units: log.units, gravity: log.gravity, samples: log.t.length, rate_hz_in: medianRate(log.t), rate_hz: r.rateHz, duration_s: seconds, triggers: triggers.length, updates: r.messages.length - triggers.length, triggers_per_hour: seconds > 0 ? (triggers.length / seconds) * 3600 : null, ...(log.speed ? {} : rd.det.config.type === 'bump' || rd.det.config.type === 'crash' ? { note: 'no GNSS speed in the log: the detector saw 0 m/s' } : {}) });
    }
  } finally {
    await pool?.close();
  }
  const totalS = perLog.reduce((s, l) => s + (l.duration_s as number), 0), totalT = perLog.reduce((s, l) => s + (l.triggers as number), 0);
  const summary = {
    schema_version: 1, command: 'replay', detector: { source: rd.source, type: rd.det.config.type, config: rd.det.config, ...(rd.det.model ? { model: displayPath(rd.det.model.path), model_sha256: rd.det.model.sha256 } : {}) },
    phone: rd.profile.name ?? null, logs: perLog, duration_h: totalS / 3600, triggers: totalT, triggers_per_hour: totalS > 0 ? (totalT / totalS) * 3600 : null, model_windows: windows,
    ...(labels.length ? { classes: Object.fromEntries([...byClass].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, { hours: v.seconds / 3600, triggers: v.triggers, triggers_per_hour: v.seconds > 0 ? (v.triggers / v.seconds) * 3600 : null, ...(k === 'unlabelled' ? {} : { intervals: v.intervals, caught: v.caught, recall: v.intervals ? v.caught / v.intervals : null }) }])) } : {}),
  };
  const outDir = resolve(o.out ?? 'out/replay');
  await writeFolderAtomically(outDir, async (tmp) => {
    await writeTable(tmp, 'triggers', TRIGGER_COLUMNS, Object.fromEntries(TRIGGER_COLUMNS.map((c) => [c.name, rows.map((r) => r[c.name] ?? null)])), rows.length);
    writeFileSync(join(tmp, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    writeFileSync(join(tmp, 'manifest.json'), JSON.stringify({ command: 'replay', logs: perLog.map((l) => l.file), detector: rd.source, labels: o.labels ? displayPath(resolve(o.labels)) : null }, null, 2) + '\n');
  });
  if (o.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  else if (!o.quiet) {
    const w = (s: string) => process.stdout.write(s + '\n');
    w(`hazardsim replay: ${logs.length} log${logs.length === 1 ? '' : 's'}, ${fmt(totalS / 3600, 2)} h, through ${rd.det.config.type} (${rd.source})`);
    for (const l of perLog) w(`  ${l.log} (${l.format}, ${fmt(l.rate_hz_in as number, 0)} Hz → ${l.rate_hz} Hz, ${l.units}, gravity ${l.gravity}): ${fmtInt(l.triggers as number)} triggers in ${fmt((l.duration_s as number) / 60, 1)} min = ${fmt(l.triggers_per_hour as number, 1)} per hour${l.note ? ` (${l.note})` : ''}`);
    if (summary.classes) for (const [k, v] of Object.entries(summary.classes)) w(`  ${k}: ${v.triggers} triggers in ${fmt(v.hours * 60, 1)} min = ${fmt(v.triggers_per_hour, 1)} per hour${'recall' in v ? `; caught ${v.caught} of ${v.intervals} intervals` : ''}`);
    w(`  wrote ${displayPath(outDir)}/: triggers (.parquet, .csv), summary.json, manifest.json`);
  }
  return 0;
}
