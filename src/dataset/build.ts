/**
 * `hazardsim dataset`: labelled windows from scenarios, written as files ML tools read as-is.
 *
 * Stage 1 simulates every scenario (device partitions on the worker pool) and keeps, per class, the
 * candidates with the smallest hashes in temporary files. Stage 2 fills the class quotas (positive
 * share, hard-negative share of the negatives; shortfalls are filled from the other classes),
 * orders the windows by (scenario, device, time), assigns train/val/test splits by device (or by
 * scenario), and streams X.npy (float32 [N, channels, samples]), y.npy (int32 label ids), the
 * metadata table (Parquet and CSV, one row per window) and dataset.json. Nothing is held in memory
 * but metadata; everything is written into a temporary folder renamed into place when complete.
 */
import { closeSync, createReadStream, createWriteStream, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { ParquetWriter, fileWriter } from 'hyparquet-writer';
import { InputError } from '../core/errors.js';
import { componentKey, mix32 } from '../core/random.js';
import { compiledModule } from '../core/paths.js';
import type { ResolvedScenario } from '../scenario/load.js';
import { checkHazards, createRuntimes, createState, workerInit, type SimulationState } from '../engine/setup.js';
import { ACTIVITY_NAMES } from '../population/mobility.js';
import { PHONE_CONTEXTS } from '../population/behaviour.js';
import { NpyWriter } from '../output/npy.js';
import { packageVersions } from '../output/versions.js';
import { CLASSES, LABELS } from './labels.js';
import { simulateCandidates, type PartitionTask } from './simulate.js';
import { stratumOf, type Candidates } from './cutter.js';
import { rocAuc } from '../train/metrics.js';
import { classQuotas, evenShares, matchedTakes, motionOf, MOTIONS } from './select.js';
import type { PluginSet } from '../plugin/index.js';

export interface DatasetOptions {
  /** Loaded scenarios (the CLI loads them with their overrides and seed). */
  scenarios: ResolvedScenario[];
  /** Told the share of the simulation done (0–1) as partitions finish. */
  onProgress?: (fraction: number) => void;
  plugins: PluginSet;
  out: string;
  windows: number;
  windowS: number;
  hopS: number;
  rateHz?: number;
  channels: 'accel' | 'accel+gyro';
  /** Share of windows that are positives. */
  balance: number;
  /** Share of the negatives that are hard negatives. */
  hardNegatives: number;
  /** Hazard windows need at least this much true hazard acceleration inside them, g. */
  minSignalG: number;
  split: 'device' | 'scenario';
  /** Spread each class evenly over its labels (and earthquake phases), or keep natural proportions. */
  stratify: 'label' | 'none';
  /** Give every class the same mix of phone context × motion (default), or take each class as it comes. */
  match?: 'context' | 'none';
  valShare: number;
  testShare: number;
  force: boolean;
  threads: number;
  overrides?: string[];
  seed?: number;
  /** Devices per partition task. */
  partitionSize?: number;
}

export interface DatasetSummary {
  dir: string;
  windows: number;
  counts: Record<string, number>;
  seconds: number;
  /** Shortfalls against what was asked for. */
  warnings: string[];
  /** Windows labelled while simulating (the candidates the dataset was chosen from). */
  labelled: number;
  /** Wall time of simulating and cutting, and of choosing and writing the files, s. */
  simulateSeconds: number;
  writeSeconds: number;
}

const UNITS = { ax: 'm/s^2', ay: 'm/s^2', az: 'm/s^2', gx: 'rad/s', gy: 'rad/s', gz: 'rad/s' };

/** SHA-256 of a file, read in chunks. */
async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 22 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface ScenarioCandidates {
  parts: Candidates[];
  /** Projects device positions back to lon/lat. */
  frame: SimulationState['world']['frame'];
  /** Phone and behaviour profile index of every device. */
  phone: Uint8Array;
  behaviour: Uint8Array;
}

/** Runs stage 1 for one scenario: candidates of every partition. */
async function candidatesOf(s: ResolvedScenario, si: number, o: DatasetOptions, tmp: string, rateHz: number, channels: 3 | 6): Promise<ScenarioCandidates> {
  const state = createState(s, o.plugins);
  const cfg = s.config;
  checkHazards(state);
  const n = state.columns.rows;
  const warmup = Math.min(15, cfg.duration / 4);
  const perDevice = Math.max(1, Math.floor((cfg.duration - warmup - o.windowS) / o.hopS) + 1);
  const backgroundShare = Math.min(1, (3 * o.windows) / (n * perDevice));
  const base = { windowS: o.windowS, hopS: o.hopS, rateHz, channels, capacity: o.windows, backgroundShare, minSignalG: o.minSignalG, key: componentKey(cfg.seed, 'dataset'), scenario: si, warmupS: warmup };
  const size = o.partitionSize ?? Math.max(64, Math.ceil(n / Math.max(1, o.threads * 2)));
  const tasks: PartitionTask[] = [];
  for (let from = 0, p = 0; from < n; from += size, p++) {
    tasks.push({ deviceFrom: from, deviceTo: Math.min(n, from + size), cutter: { ...base, tempFile: join(tmp, `s${si}-p${p}.bin`) } });
  }
  const result = (parts: Candidates[]): ScenarioCandidates => ({
    parts, frame: state.world.frame, phone: Uint8Array.from(state.columns.u8('phone')), behaviour: Uint8Array.from(state.columns.u8('behaviour')),
  });
  if (o.threads <= 0) {
    const rt = createRuntimes(state);
    return result(tasks.map((t, k) => {
      const c = simulateCandidates(rt, t);
      o.onProgress?.((si + (k + 1) / tasks.length) / o.scenarios.length);
      return c;
    }));
  }
  // Profiles and positions are read before the workers mutate the shared columns.
  const fixed = result([]);
  const init = workerInit(state);
  const pool = new Piscina({ filename: compiledModule('dataset/worker.js'), minThreads: o.threads, maxThreads: o.threads, workerData: init });
  try {
    let done = 0;
    fixed.parts = await Promise.all(tasks.map((t) => (pool.run(t) as Promise<Candidates>).then((c) => {
      o.onProgress?.((si + ++done / tasks.length) / o.scenarios.length);
      return c;
    })));
    return fixed;
  } finally {
    await pool.destroy();
  }
}

interface Pick { part: Candidates; i: number; scenario: number }

export async function buildDataset(o: DatasetOptions): Promise<DatasetSummary> {
  const started = performance.now();
  if (!Number.isInteger(o.windows) || o.windows < 1) throw new InputError('--windows', `expected a whole number of windows ≥ 1, found ${o.windows}`);
  if (!(o.windowS > 0) || !(o.hopS > 0)) throw new InputError('--window', 'expected a window and a hop longer than 0 s');
  for (const [flag, v] of [['--balance', o.balance], ['--hard-negatives', o.hardNegatives], ['--val-share', o.valShare], ['--test-share', o.testShare]] as const) {
    if (!(v >= 0 && v <= 1)) throw new InputError(flag, `expected a share from 0 to 1, found ${v}`);
  }
  if (o.valShare + o.testShare >= 1) throw new InputError('--test-share', `expected validation and test shares that leave room for training, found ${o.valShare} + ${o.testShare}`);
  const out = resolve(o.out);
  if (existsSync(out) && !o.force) throw new InputError(o.out, 'output folder exists: choose another or pass --force to replace it');
  const scenarios = o.scenarios;
  if (o.split === 'scenario' && scenarios.length < 2) throw new InputError('--split', 'splitting by scenario needs at least two scenarios');
  if (o.balance > 0) {
    for (const s of scenarios) {
      if (!s.config.hazards.some((h) => o.plugins.hazards[h.type]!.category === 'hazard')) {
        throw new InputError(s.file, { path: 'hazards', message: `no hazard to cut positive windows from (--balance ${o.balance} asks for positives); add one, or pass --balance 0 for negatives only` });
      }
    }
  }
  const channels = o.channels === 'accel+gyro' ? 6 : 3;
  if (channels === 6) for (const s of scenarios) s.phones.forEach((p, i) => {
    if (!p.gyroscope) throw new InputError(s.file, { path: `population.phones[${i}].profile`, message: `--channels accel+gyro needs gyroscopes, but phone profile "${p.name}" has none` });
  });
  const rateHz = o.rateHz ?? Math.min(...scenarios.flatMap((s) => s.phones.map((p) => p.accelerometer.rate_hz)));
  const samples = Math.round(o.windowS * rateHz);
  if (Math.abs(samples - o.windowS * rateHz) > 1e-6) throw new InputError('--window', `expected a window holding a whole number of samples at ${rateHz} Hz, found ${o.windowS} s`);
  const channelNames = channels === 6 ? ['ax', 'ay', 'az', 'gx', 'gy', 'gz'] : ['ax', 'ay', 'az'];

  mkdirSync(dirname(out), { recursive: true });
  const tmp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    // Stage 1: candidates.
    const parts: { part: Candidates; scenario: number }[] = [];
    const stage1: ScenarioCandidates[] = [];
    for (let si = 0; si < scenarios.length; si++) {
      const sc = await candidatesOf(scenarios[si]!, si, o, tmp, rateHz, channels);
      stage1.push(sc);
      for (const part of sc.parts) parts.push({ part, scenario: si });
    }
    const simulated = performance.now();
    // Stage 2: quotas by class; inside a class, strata filled evenly (or in natural proportions), smallest hashes first.
    const byHash = (a: Pick, b: Pick) => a.part.hash[a.i]! - b.part.hash[b.i]! || a.scenario - b.scenario || a.part.device[a.i]! - b.part.device[b.i]! || a.part.window[a.i]! - b.part.window[b.i]!;
    const strata: Map<number, Pick[]>[] = CLASSES.map(() => new Map());
    for (const { part, scenario } of parts) {
      for (let i = 0; i < part.count; i++) {
        const m = strata[part.cls[i]!]!, key = stratumOf(part.label[i]!, part.phase[i]!, part.triggered[i]!);
        let list = m.get(key);
        if (!list) m.set(key, (list = []));
        list.push({ part, i, scenario });
      }
    }
    const available = strata.map((m) => [...m.values()].reduce((a, l) => a + l.length, 0)) as [number, number, number];
    const [pos, hard, bg] = available;
    const N = o.windows;
    const quotas = classQuotas({ windows: N, balance: o.balance, hardNegatives: o.hardNegatives, available });
    // Splits: by device from stable hashes; or by scenario: the last scenarios given are the test set
    // (a --test-share of them, at least one) and validation devices are drawn from the others.
    const splitKey = componentKey(scenarios[0]!.config.seed, 'dataset-split');
    const testFrom = o.split === 'scenario' ? scenarios.length - Math.max(1, Math.round(o.testShare * scenarios.length)) : Infinity;
    const splitOf = (scenario: number, device: number) => {
      const u = (mix32(mix32(splitKey ^ mix32(scenario + 0x2545f491)) ^ mix32(device + 0x68e31da4)) >>> 0) / 4294967296;
      if (o.split === 'scenario') return scenario >= testFrom ? 'test' : u < o.valShare / (1 - o.testShare) ? 'val' : 'train';
      return u < o.testShare ? 'test' : u < o.testShare + o.valShare ? 'val' : 'train';
    };

    const chosen: Pick[] = [];
    // Cells of phone context × motion: with matching, every class takes the same mix of them, in
    // every split (cells are split × context × motion), so a model trained on the training split
    // cannot learn where the phone was instead of the hazard, nor be tested on a different mix.
    const CELLS = PHONE_CONTEXTS.length * MOTIONS.length;
    const SPLITS = ['train', 'val', 'test'];
    const cellOf = (p: Pick) => p.part.context[p.i]! * MOTIONS.length + motionOf(p.part.activity[p.i]!);
    const matchCellOf = (p: Pick) => SPLITS.indexOf(splitOf(p.scenario, p.part.device[p.i]!)) * CELLS + cellOf(p);
    const byCell = strata.map((m) => {
      const cells = Array.from({ length: SPLITS.length * CELLS }, () => new Map<number, Pick[]>());
      // Each stratum's candidates: its smallest hashes, as many as a partition keeps (the same set whatever the partitioning).
      for (const [key, list] of [...m.entries()].sort((a, b) => a[0] - b[0])) {
        for (const p of list.sort(byHash).slice(0, N)) { const g = cells[matchCellOf(p)]!; let l = g.get(key); if (!l) g.set(key, (l = [])); l.push(p); }
      }
      return cells.map((g) => [...g.values()].map((l) => l.sort(byHash)));
    });
    const match = (o.match ?? 'context') === 'context';
    // Positives against all negatives (hard and background together): nothing to match without positives.
    const avail = byCell.map((cells) => cells.map((lists) => lists.reduce((a, l) => a + l.length, 0)));
    const matched = match && quotas[0]! > 0 && quotas[1]! + quotas[2]! > 0 ? splitNegatives(matchedTakes([avail[0]!, avail[1]!.map((h, c) => h + avail[2]![c]!)], [quotas[0]!, quotas[1]! + quotas[2]!]), avail, quotas) : undefined;
    strata.forEach((m, ci) => {
      if (!matched) {
        const lists = [...m.entries()].sort((a, b) => a[0] - b[0]).map(([, l]) => l.sort(byHash));
        if (o.stratify === 'none') { chosen.push(...lists.flat().sort(byHash).slice(0, quotas[ci])); return; }
        const take = evenShares(lists.map((l) => l.length), quotas[ci]!);
        lists.forEach((l, k) => chosen.push(...l.slice(0, take[k])));
        return;
      }
      byCell[ci]!.forEach((lists, c) => {
        const q = matched.take[ci]![c]!;
        if (o.stratify === 'none') { chosen.push(...lists.flat().sort(byHash).slice(0, q)); return; }
        const take = evenShares(lists.map((l) => l.length), q);
        lists.forEach((l, k) => chosen.push(...l.slice(0, take[k])));
      });
    });
    const warnings: string[] = [];
    const askedPos = Math.round(N * o.balance);
    if (pos < askedPos) warnings.push(`only ${pos} positive windows (asked for ${askedPos}): the scenarios hold no more hazard windows strong enough (--min-signal-g ${o.minSignalG}); lengthen them, add devices near hazards, or lower --windows`);
    const askedHard = Math.round((N - askedPos) * o.hardNegatives);
    if (hard < askedHard) warnings.push(`only ${hard} hard-negative windows available (asked for ${askedHard})`);
    if (matched && matched.scale < 1) warnings.push(`matching context and motion between positives and negatives leaves ${chosen.length} windows (asked for ${N}): the classes share too few contexts; add scenarios with the missing contexts, or pass --match none`);
    else if (chosen.length > 0 && chosen.length < N) warnings.push(`only ${chosen.length} windows available (asked for ${N})`);
    if (chosen.length === 0) throw new InputError(o.scenarios.join(', '), 'the window set is empty: no candidate windows (is the scenario shorter than a window, or --windows 0?)');
    chosen.sort((a, b) => a.scenario - b.scenario || a.part.device[a.i]! - b.part.device[b.i]! || a.part.window[a.i]! - b.part.window[b.i]!);

    // Stream the files.
    const X = new NpyWriter(join(tmp, 'X.npy'), [channels, samples]);
    const Y = new NpyWriter(join(tmp, 'y.npy'), [], 'int32');
    const csv = createWriteStream(join(tmp, 'metadata.csv'));
    const columns = ['index', 'scenario', 'scenario_hash', 'device', 'split', 'start_s', 'label', 'label_id', 'class', 'phase', 'triggered', 'pga_g', 'window_peak_g', 'distance_km', 'context', 'activity', 'phone', 'behaviour', 'lon', 'lat'];
    csv.write(columns.join(',') + '\n');
    const parquet = new ParquetWriter({
      writer: fileWriter(join(tmp, 'metadata.parquet')),
      schema: [
        { name: 'root', num_children: columns.length },
        { name: 'index', type: 'INT32', repetition_type: 'REQUIRED' },
        { name: 'scenario', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'scenario_hash', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'device', type: 'INT32', repetition_type: 'REQUIRED' },
        { name: 'split', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'start_s', type: 'DOUBLE', repetition_type: 'REQUIRED' },
        { name: 'label', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'label_id', type: 'INT32', repetition_type: 'REQUIRED' },
        { name: 'class', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'phase', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
        { name: 'triggered', type: 'BOOLEAN', repetition_type: 'REQUIRED' },
        { name: 'pga_g', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
        { name: 'window_peak_g', type: 'DOUBLE', repetition_type: 'REQUIRED' },
        { name: 'distance_km', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
        { name: 'context', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'activity', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'phone', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'behaviour', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'lon', type: 'DOUBLE', repetition_type: 'REQUIRED' },
        { name: 'lat', type: 'DOUBLE', repetition_type: 'REQUIRED' },
      ],
    });
    const fds = new Map<string, number>();
    const win = new Float32Array(channels * samples);
    const label = new Int32Array(1);
    const counts: Record<string, number> = {};
    const bump = (k: string) => { counts[k] = (counts[k] ?? 0) + 1; };
    const batch: Record<string, unknown[]> = Object.fromEntries(columns.map((c) => [c, []]));
    const flush = () => {
      if (!batch.index!.length) return;
      parquet.write({ columnData: columns.map((c) => ({ name: c, data: batch[c]! })), rowGroupSize: 100_000 });
      for (const c of columns) batch[c] = [];
    };
    let csvBuf = '';
    /** Per window: split, positive or not, context × motion cell (for the shortcut check). */
    const shortcut: [string, number, number][] = [];
    chosen.forEach((c, index) => {
      const p = c.part, i = c.i;
      let fd = fds.get(p.tempFile);
      if (fd === undefined) fds.set(p.tempFile, (fd = openSync(p.tempFile, 'r')));
      readSync(fd, new Uint8Array(win.buffer), 0, win.byteLength, p.offset[i]!);
      X.write(win);
      label[0] = p.label[i]!;
      Y.write(label);
      const s = scenarios[c.scenario]!, d = p.device[i]!;
      const split = splitOf(c.scenario, d);
      shortcut.push([split, p.cls[i] === 0 ? 1 : 0, cellOf(c)]);
      const [lon, lat] = stage1[c.scenario]!.frame.unproject(p.x[i]!, p.y[i]!);
      const row: Record<string, unknown> = {
        index, scenario: s.config.name, scenario_hash: s.hash, device: d, split,
        start_s: p.window[i]! * o.hopS, label: LABELS[p.label[i]!], label_id: p.label[i]!, class: CLASSES[p.cls[i]!],
        phase: p.phase[i] === 1 ? 'P' : p.phase[i] === 2 ? 'S' : null, triggered: p.triggered[i] === 1,
        pga_g: Number.isNaN(p.intensity[i]!) ? null : p.intensity[i]!, window_peak_g: p.peak[i]!, distance_km: Number.isNaN(p.distanceKm[i]!) ? null : p.distanceKm[i]!,
        context: PHONE_CONTEXTS[p.context[i]!] ?? String(p.context[i]), activity: ACTIVITY_NAMES[p.activity[i]!] ?? String(p.activity[i]),
        phone: s.phones[stage1[c.scenario]!.phone[d]!]!.name, behaviour: s.behaviours[stage1[c.scenario]!.behaviour[d]!]!.name, lon, lat,
      };
      for (const col of columns) batch[col]!.push(row[col]);
      csvBuf += columns.map((col) => { const v = row[col]; return v === null || v === undefined ? '' : typeof v === 'string' && /[,"]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v); }).join(',') + '\n';
      if (csvBuf.length > 1 << 20) { csv.write(csvBuf); csvBuf = ''; }
      if (batch.index!.length >= 50_000) flush();
      bump(`class:${row.class}`); bump(`label:${row.label}`); bump(`split:${split}`);
    });
    for (const fd of fds.values()) closeSync(fd);
    flush();
    parquet.finish();
    csv.write(csvBuf);
    await new Promise<void>((res, rej) => csv.end((err?: Error | null) => (err ? rej(err) : res())));
    X.close();
    Y.close();
    const info = {
      hazardsim_dataset: 1,
      created: new Date().toISOString(),
      versions: packageVersions(),
      scenarios: scenarios.map((s) => ({ name: s.config.name, file: s.file, hash: s.hash, seed: s.config.seed })),
      windows: chosen.length,
      shape: [chosen.length, channels, samples],
      channels: channelNames,
      units: Object.fromEntries(channelNames.map((c) => [c, UNITS[c as keyof typeof UNITS]])),
      frame: 'device (x right, y up the screen, z out of the screen); accelerometers read +1 g up when still',
      rate_hz: rateHz,
      window_s: o.windowS,
      hop_s: o.hopS,
      label_vocabulary: LABELS,
      classes: { positive: ['earthquake', 'road-anomaly', 'crash'], 'hard-negative': ['door-slam', 'knock', 'drop', 'handling', 'stairs', 'elevator', 'crowd', 'construction', 'traffic-vibration', 'any window where the detector fired'], background: ['quiet', 'walking', 'running', 'driving'] },
      counts,
      candidates_available: { positive: pos, 'hard-negative': hard, background: bg },
      /** Each class's mix of phone context and motion (shares), and the largest difference between two classes' mixes (total variation). */
      shortcut: contextOnlyAuc(shortcut, CELLS),
      balance: balanceReport(chosen.map((p) => [p.part.cls[p.i]!, p.part.context[p.i]!, motionOf(p.part.activity[p.i]!)])),
      warnings,
      options: { windows: o.windows, balance: o.balance, hard_negatives: o.hardNegatives, min_signal_g: o.minSignalG, split: o.split, stratify: o.stratify, match: o.match ?? 'context', val_share: o.valShare, test_share: o.testShare },
      files: { X: 'X.npy', y: 'y.npy', metadata: ['metadata.parquet', 'metadata.csv'] },
      sha256: { 'X.npy': await sha256File(join(tmp, 'X.npy')), 'y.npy': await sha256File(join(tmp, 'y.npy')) },
    };
    writeFileSync(join(tmp, 'dataset.json'), JSON.stringify(info, null, 2) + '\n');
    for (const { part } of parts) rmSync(part.tempFile, { force: true });
    if (existsSync(out)) rmSync(out, { recursive: true, force: true });
    renameSync(tmp, out);
    const labelled = parts.reduce((a, { part }) => a + part.labelled, 0);
    return { dir: out, windows: chosen.length, counts, seconds: (performance.now() - started) / 1000, warnings, labelled, simulateSeconds: (simulated - started) / 1000, writeSeconds: (performance.now() - simulated) / 1000 };
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

export const defaultThreads = () => Math.min(availableParallelism(), 4);

/**
 * Shares a matched negative take between hard negatives and background cell by cell, in proportion
 * to their quotas where both have windows (what one lacks the other gives, as far as it can).
 */
export function splitNegatives(m: { take: number[][]; scale: number }, avail: number[][], quotas: readonly number[]): { take: number[][]; scale: number } {
  const [pos, neg] = m.take as [number[], number[]];
  const hard = neg.map(() => 0), bg = neg.map(() => 0);
  const share = quotas[1]! / Math.max(1, quotas[1]! + quotas[2]!);
  neg.forEach((t, c) => {
    let h = Math.min(avail[1]![c]!, Math.round(t * share));
    const b = Math.min(avail[2]![c]!, t - h);
    h = Math.min(avail[1]![c]!, t - b);
    hard[c] = h; bg[c] = b;
  });
  return { take: [pos, hard, bg], scale: m.scale };
}

/**
 * The shortcut check: how well a model that sees only the phone's context and motion could tell
 * positives from negatives — the best such model scores a window by its cell's positive rate in the
 * training split (Laplace-smoothed); its ROC AUC on the test split (0.5: no shortcut).
 */
export function contextOnlyAuc(rows: readonly (readonly [string, number, number])[], cells: number): { context_only_test_auc: number | null; context_only_train_auc: number | null } {
  const pos = new Float64Array(cells), all = new Float64Array(cells);
  for (const [split, y, c] of rows) if (split === 'train') { pos[c] += y; all[c]++; }
  const rate = (c: number) => (pos[c]! + 1) / (all[c]! + 2);
  const auc = (split: string) => {
    const sel = rows.filter((r) => r[0] === split);
    return rocAuc(sel.map((r) => rate(r[2])), sel.map((r) => r[1]));
  };
  return { context_only_test_auc: auc('test'), context_only_train_auc: auc('train') };
}

/** Shares of each context and motion per class, and the total-variation distance between the context × motion mixes of positives and negatives. */
export function balanceReport(rows: readonly (readonly [number, number, number])[]): Record<string, unknown> {
  const per = CLASSES.map((name, ci) => {
    const mine = rows.filter((r) => r[0] === ci), n = mine.length;
    const share = (f: (r: readonly [number, number, number]) => boolean) => (n ? mine.filter(f).length / n : 0);
    return {
      name, n,
      context: Object.fromEntries(PHONE_CONTEXTS.map((c, k) => [c, share((r) => r[1] === k)])),
      motion: Object.fromEntries(MOTIONS.map((m, k) => [m, share((r) => r[2] === k)])),
      cells: PHONE_CONTEXTS.flatMap((_, k) => MOTIONS.map((__, j) => share((r) => r[1] === k && r[2] === j))),
    };
  }).filter((c) => c.n > 0);
  // Positives against all negatives together: what a model could use to tell them apart.
  const cellsOf = (f: (r: readonly [number, number, number]) => boolean) => {
    const sel = rows.filter(f), n = sel.length;
    return PHONE_CONTEXTS.flatMap((_, k) => MOTIONS.map((__, j) => (n ? sel.filter((r) => r[1] === k && r[2] === j).length / n : 0)));
  };
  const a = cellsOf((r) => r[0] === 0), b = cellsOf((r) => r[0] !== 0);
  return {
    by_class: Object.fromEntries(per.map(({ name, n, context, motion }) => [name, { windows: n, context, motion }])),
    /** Total variation distance between the context × motion mixes of positives and of all negatives (0: identical). */
    positive_negative_total_variation: 0.5 * a.reduce((s, x, i) => s + Math.abs(x - b[i]!), 0),
  };
}
