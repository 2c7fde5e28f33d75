/**
 * Reads a dataset folder written by `hazardsim dataset` for training, checking everything on the
 * way: dataset.json's fields, X.npy and y.npy headers against the declared shape, file lengths
 * (truncation), label ids, the metadata split column, and X.npy/y.npy against their SHA-256 in
 * dataset.json. X.npy is streamed in chunks of windows, so only features stay in memory.
 */
import { csvFields } from '../core/csv.js';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import { readNpyHeader } from '../output/npy.js';

export interface DatasetInfo {
  dir: string;
  windows: number;
  channels: string[];
  samples: number;
  rateHz: number;
  windowS: number;
  units: Record<string, string>;
  labelVocabulary: string[];
  scenarios: { name: string; hash: string; seed: number }[];
  sha256: { 'X.npy': string; 'y.npy': string };
}

export type Split = 'train' | 'val' | 'test';
const SPLIT_CODE: Record<string, number> = { train: 0, val: 1, test: 2 };
export const SPLITS: Split[] = ['train', 'val', 'test'];

export interface DatasetLabels {
  /** Label id of every window. */
  y: Int32Array;
  /** 0 train, 1 val, 2 test. */
  split: Uint8Array;
  /** Peak true hazard acceleration in each window, g (NaN when the metadata lacks it). */
  peakG: Float64Array;
  /** Earthquake phase of each window: '', 'P' or 'S'. */
  phase: string[];
}

/** Reads dataset.json and checks the files against it (not yet their hashes). */
export function openDataset(dir: string): DatasetInfo & DatasetLabels {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(dir, 'expected a dataset folder written by hazardsim dataset, found no such folder');
  const infoFile = join(dir, 'dataset.json');
  if (!existsSync(infoFile)) throw new InputError(dir, 'not a dataset folder: dataset.json is missing (was it written by hazardsim dataset, and did it finish?)');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(infoFile, 'utf8'));
  } catch (err) {
    throw new InputError(infoFile, `expected JSON, found a file that does not parse (${(err as Error).message})`);
  }
  const need = <T>(field: string, ok: (v: unknown) => boolean, what: string): T => {
    if (!ok(raw[field])) throw new InputError(infoFile, { path: field, message: `expected ${what}, found ${JSON.stringify(raw[field]) ?? 'nothing'}` });
    return raw[field] as T;
  };
  const isStrings = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string');
  const shape = need<number[]>('shape', (v) => Array.isArray(v) && v.length === 3 && v.every((n) => Number.isInteger(n) && n > 0), 'the shape [windows, channels, samples]');
  const channels = need<string[]>('channels', isStrings, 'a list of channel names');
  const rateHz = need<number>('rate_hz', (v) => typeof v === 'number' && v > 0, 'a sample rate in Hz');
  const windowS = need<number>('window_s', (v) => typeof v === 'number' && v > 0, 'a window length in s');
  const labelVocabulary = need<string[]>('label_vocabulary', isStrings, 'the list of label names');
  const sha256 = need<DatasetInfo['sha256']>('sha256', (v) => typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)['X.npy'] === 'string', 'SHA-256 hashes of X.npy and y.npy');
  const scenarios = need<DatasetInfo['scenarios']>('scenarios', (v) => Array.isArray(v), 'the list of scenarios');
  const units = (raw.units ?? {}) as Record<string, string>;
  if (channels.length !== shape[1]) throw new InputError(infoFile, { path: 'channels', message: `expected ${shape[1]} channel names (shape says so), found ${channels.length}` });
  const [N, C, S] = shape as [number, number, number];

  const xFile = join(dir, 'X.npy'), yFile = join(dir, 'y.npy'), metaFile = join(dir, 'metadata.csv');
  for (const f of [xFile, yFile, metaFile]) if (!existsSync(f)) throw new InputError(f, 'file missing from the dataset folder');
  const header = (file: string) => {
    try {
      return readNpyHeader(file);
    } catch (err) {
      throw new InputError(file, (err as Error).message);
    }
  };
  const hx = header(xFile);
  if (hx.descr !== '<f4' || hx.fortranOrder) throw new InputError(xFile, `expected little-endian float32 in C order ('<f4'), found '${hx.descr}'${hx.fortranOrder ? ' in Fortran order' : ''}`);
  if (hx.shape.join(',') !== shape.join(',')) throw new InputError(xFile, `expected shape [${shape.join(', ')}] (dataset.json), found [${hx.shape.join(', ')}]`);
  if (hx.dataBytes !== N * C * S * 4) throw new InputError(xFile, `expected ${N * C * S * 4} bytes of data for shape [${shape.join(', ')}], found ${hx.dataBytes} (truncated or corrupt)`);
  const hy = header(yFile);
  if (hy.descr !== '<i4' || hy.shape.length !== 1 || hy.shape[0] !== N) throw new InputError(yFile, `expected int32 labels of shape [${N}], found '${hy.descr}' [${hy.shape.join(', ')}]`);
  if (hy.dataBytes !== N * 4) throw new InputError(yFile, `expected ${N * 4} bytes of labels, found ${hy.dataBytes} (truncated or corrupt)`);
  const yBytes = readFileSync(yFile).subarray(hy.dataOffset);
  const y = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    y[i] = yBytes.readInt32LE(4 * i);
    if (y[i]! < 0 || y[i]! >= labelVocabulary.length) throw new InputError(yFile, `window ${i}: label id ${y[i]} is outside the vocabulary (0–${labelVocabulary.length - 1})`);
  }
  const lines = readFileSync(metaFile, 'utf8').split('\n').filter((l) => l.length > 0);
  const head = csvFields(lines[0] ?? '');
  const splitCol = head.indexOf('split'), labelCol = head.indexOf('label');
  if (splitCol < 0 || labelCol < 0) throw new InputError(metaFile, `expected columns split and label in the header, found ${head.join(',')}`);
  if (lines.length - 1 !== N) throw new InputError(metaFile, `expected ${N} rows (one per window), found ${lines.length - 1}`);
  const split = new Uint8Array(N);
  const peakCol = head.indexOf('window_peak_g'), phaseCol = head.indexOf('phase');
  const peakG = new Float64Array(N).fill(NaN);
  const phase: string[] = new Array(N).fill('');
  for (let i = 0; i < N; i++) {
    const f = csvFields(lines[i + 1]!);
    if (peakCol >= 0 && f[peakCol] !== '') peakG[i] = Number(f[peakCol]);
    if (phaseCol >= 0) phase[i] = f[phaseCol] ?? '';
    const code = SPLIT_CODE[f[splitCol]!];
    if (code === undefined) throw new InputError(metaFile, { path: `row ${i + 1}.split`, message: `expected train, val or test, found ${JSON.stringify(f[splitCol])}` });
    if (f[labelCol] !== labelVocabulary[y[i]!]) throw new InputError(metaFile, { path: `row ${i + 1}.label`, message: `expected ${labelVocabulary[y[i]!]} (y.npy), found ${JSON.stringify(f[labelCol])}` });
    split[i] = code;
  }
  return { dir, windows: N, channels, samples: S, rateHz, windowS, units, labelVocabulary, scenarios, sha256, y, split, peakG, phase };
}

/**
 * Streams X.npy in chunks of windows: `visit(chunk, first, count)` sees float32 windows laid out
 * [count][channels][samples]. Checks the SHA-256 of X.npy and y.npy against dataset.json at the end.
 */
export function streamWindows(ds: DatasetInfo, visit: (chunk: Float32Array, first: number, count: number) => void, chunkWindows = 4096): void {
  const xFile = join(ds.dir, 'X.npy');
  const h = readNpyHeader(xFile);
  const per = ds.channels.length * ds.samples;
  const hash = createHash('sha256');
  const fd = openSync(xFile, 'r');
  try {
    const head = Buffer.alloc(h.dataOffset);
    readSync(fd, head, 0, h.dataOffset, 0);
    hash.update(head);
    const buf = new Float32Array(per * chunkWindows);
    const bytes = new Uint8Array(buf.buffer);
    for (let first = 0; first < ds.windows; first += chunkWindows) {
      const count = Math.min(chunkWindows, ds.windows - first);
      const want = count * per * 4;
      let got = 0;
      while (got < want) {
        const n = readSync(fd, bytes, got, want - got, h.dataOffset + first * per * 4 + got);
        if (n === 0) throw new InputError(xFile, `ended after ${first} windows (truncated)`);
        got += n;
      }
      hash.update(bytes.subarray(0, want));
      visit(buf, first, count);
    }
  } finally {
    closeSync(fd);
  }
  if (hash.digest('hex') !== ds.sha256['X.npy']) throw new InputError(xFile, 'contents do not match the SHA-256 in dataset.json: the file was changed or damaged after it was written');
  const yHash = createHash('sha256').update(readFileSync(join(ds.dir, 'y.npy'))).digest('hex');
  if (yHash !== ds.sha256['y.npy']) throw new InputError(join(ds.dir, 'y.npy'), 'contents do not match the SHA-256 in dataset.json: the file was changed or damaged after it was written');
}
