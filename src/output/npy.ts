/**
 * NumPy .npy writer (format version 1.0): a little-endian float32 array with a header numpy reads
 * as-is (`np.load`). Rows can be streamed: the header reserves room for the final shape and is
 * rewritten when the writer closes.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

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

export type NpyDtype = 'float32' | 'int32';
const DESCR: Record<NpyDtype, string> = { float32: '<f4', int32: '<i4' };

/** Streams rows of float32 or int32 values into an .npy file; `close()` fixes the row count. */
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
  write(data: Float32Array | Int32Array): void {
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
