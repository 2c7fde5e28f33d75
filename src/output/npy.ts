/**
 * NumPy .npy files (format version 1.0): a streaming writer of little-endian float32/int32 arrays
 * with a header numpy reads as-is (`np.load`; the header reserves room for the final shape and is
 * rewritten when the writer closes), and a header reader for files other tools wrote.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00]);

function header(shape: readonly number[], descr = '<f4'): Buffer {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let text = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  // Reserve room so the header can be rewritten with larger numbers; total length multiple of 64.
  const total = Math.ceil((MAGIC.length + 2 + text.length + 1 + 32) / 64) * 64;
  text = text.padEnd(total - MAGIC.length - 2 - 1, ' ') + '\n';
  const len = Buffer.alloc(2);
  len.writeUInt16LE(text.length);
  return Buffer.concat([MAGIC, len, Buffer.from(text, 'latin1')]);
}

export type NpyDtype = 'float32' | 'float64' | 'int32';
const DESCR: Record<NpyDtype, string> = { float32: '<f4', float64: '<f8', int32: '<i4' };

/** Streams rows of float32, float64 or int32 values into an .npy file; `close()` fixes the row count. */
export class NpyWriter {
  private readonly fd: number;
  private readonly trailing: readonly number[];
  private readonly headerLength: number;
  private readonly descr: string;
  private rows = 0;
  /** Called with every chunk of bytes written after the header (e.g. to hash the data). */
  onData?: (bytes: Uint8Array) => void;

  /** `trailing`: the shape after the first (row) axis, e.g. [channels] or [channels, samples]. */
  constructor(file: string, trailing: readonly number[], dtype: NpyDtype = 'float32') {
    this.fd = openSync(file, 'w');
    this.trailing = trailing;
    this.descr = DESCR[dtype];
    const h = header([2 ** 40, ...trailing], this.descr);
    this.headerLength = h.length;
    writeSync(this.fd, h);
  }

  /** Appends rows: `data.length` must be a multiple of the row size. */
  write(data: Float32Array | Float64Array | Int32Array): void {
    const size = this.trailing.reduce((a, b) => a * b, 1);
    if (data.length % size !== 0) throw new Error(`npy rows of ${size} values expected, got ${data.length}`);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    writeSync(this.fd, bytes);
    this.onData?.(bytes);
    this.rows += data.length / size;
  }

  close(): number {
    const h = header([this.rows, ...this.trailing], this.descr);
    if (h.length !== this.headerLength) throw new Error('npy header grew beyond its reserved size');
    writeSync(this.fd, h, 0, h.length, 0);
    closeSync(this.fd);
    return this.rows;
  }
}

/** Writes a whole array at once. */
export function writeNpy(file: string, data: Float32Array | Int32Array, shape: readonly number[]): void {
  const w = new NpyWriter(file, shape.slice(1), data instanceof Int32Array ? 'int32' : 'float32');
  w.write(data);
  w.close();
}

export interface NpyHeader {
  /** numpy dtype string, e.g. `<f4`. */
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Bytes before the data. */
  dataOffset: number;
  /** Bytes the file holds after the header. */
  dataBytes: number;
}

/** Reads and checks the header of an .npy file (versions 1–3); throws an Error saying what is wrong. */
export function readNpyHeader(file: string): NpyHeader {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const pre = Buffer.alloc(12);
    const got = readSync(fd, pre, 0, 12, 0);
    if (got < 10 || pre[0] !== 0x93 || pre.toString('latin1', 1, 6) !== 'NUMPY') throw new Error('not an .npy file (no \\x93NUMPY magic)');
    const major = pre[6]!;
    const lenBytes = major === 1 ? 2 : 4;
    const len = major === 1 ? pre.readUInt16LE(8) : pre.readUInt32LE(8);
    const start = 8 + lenBytes;
    if (start + len > size) throw new Error('truncated header');
    const text = Buffer.alloc(len);
    readSync(fd, text, 0, len, start);
    const h = text.toString('latin1');
    const descr = /'descr':\s*'([^']+)'/.exec(h)?.[1];
    const fortran = /'fortran_order':\s*(True|False)/.exec(h)?.[1];
    const shapeText = /'shape':\s*\(([^)]*)\)/.exec(h)?.[1];
    if (descr === undefined || fortran === undefined || shapeText === undefined) throw new Error(`unreadable header ${JSON.stringify(h.trim())}`);
    const shape = shapeText.split(',').map((t) => t.trim()).filter((t) => t.length).map(Number);
    if (shape.some((n) => !Number.isInteger(n) || n < 0)) throw new Error(`unreadable shape (${shapeText})`);
    return { descr, fortranOrder: fortran === 'True', shape, dataOffset: start + len, dataBytes: size - start - len };
  } finally {
    closeSync(fd);
  }
}
