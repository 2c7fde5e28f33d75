/**
 * The WebAssembly SIMD white-noise kernel (noise.wat) and the per-thread memory it works in: the
 * sensor models' innermost loop, four Gaussian draws per step. Buffers the kernel writes directly
 * (the engine's excitation block, the sensor models' scratch) are views into its memory; other
 * arrays are copied in and out, so the numbers do not depend on where an array lives.
 *
 * Streams: a noise stream has four xoshiro128** lanes, 16 int32 words stored word-major
 * (word w of lane j at 4w + j), so one v128 load reads a word of all lanes. Sample k of a block
 * takes lane k mod 4; a block of n samples takes ceil(n/4) steps, so a stream's draws depend on how
 * time is cut into blocks (in a run: the tick), never on threads or chunking.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './paths.js';
import { seedKeyed, zigguratTail, ZIGGURAT } from './random.js';

/** int32 words of state per noise stream. */
export const NOISE_STATE_WORDS = 16;

const STATE = 2048;
const BASE = 4096;

/** Seeds noise stream (key, id) into `state[off..off+16)`: lane j from the keyed hash with counter j. */
const lane = new Int32Array(4);

export function seedNoiseState(state: Int32Array, off: number, key: number, id: number): void {
  for (let j = 0; j < 4; j++) {
    seedKeyed(lane, 0, key, id, 0x6e6f6973 + j);
    for (let w = 0; w < 4; w++) state[off + 4 * w + j] = lane[w]!;
  }
}

type Run = (x: number, y: number, z: number, n: number, cap: number, sigma: number, range: number, acc: number, missp: number) => number;

export class NoiseKernel {
  private static current: NoiseKernel | undefined;
  /** This thread's kernel. */
  static get(): NoiseKernel {
    return (NoiseKernel.current ??= new NoiseKernel());
  }

  private readonly memory: WebAssembly.Memory;
  private readonly run: Run;
  private i32 = new Int32Array(0);
  /** Floats each buffer holds (a multiple of 4); views are rebuilt, and `generation` bumped, when it grows. */
  capacity = 0;
  generation = 0;
  /** The engine's excitation block (specific force east/north/up) and the sensor models' scratch. */
  block = { ae: new Float32Array(0), an: new Float32Array(0), au: new Float32Array(0) };
  scratch = { x: new Float32Array(0), y: new Float32Array(0), z: new Float32Array(0) };
  private missAt = 0;
  /** The memory's buffer when the views were made (reading `memory.buffer` costs a call). */
  private buffer: ArrayBuffer = new ArrayBuffer(0);

  private constructor() {
    const file = join(PACKAGE_ROOT, 'dist', 'src', 'core', 'noise.wasm');
    let module: WebAssembly.Module;
    try {
      module = new WebAssembly.Module(readFileSync(file));
    } catch (e) {
      throw new Error(`cannot load the noise kernel ${file} (${(e as Error).message}): run "npm run build"`);
    }
    const exports = new WebAssembly.Instance(module, {}).exports as { memory: WebAssembly.Memory; noise3: Run };
    this.memory = exports.memory;
    this.run = exports.noise3;
    this.ensure(64);
  }

  /** Makes every buffer hold at least n floats (views made before a growth are stale: check `generation`). */
  ensure(n: number): void {
    const cap = Math.ceil(n / 4) * 4;
    if (cap <= this.capacity) return;
    const floats = 6 * cap; // three block arrays, three scratch arrays
    const bytes = BASE + 4 * floats + 12 * cap; // and the miss list: (k, draw, key) per slot
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / 65536));
    const buf = this.memory.buffer;
    const at = (i: number) => new Float32Array(buf, BASE + 4 * i * cap, cap);
    this.block = { ae: at(0), an: at(1), au: at(2) };
    this.scratch = { x: at(3), y: at(4), z: at(5) };
    this.buffer = buf;
    this.missAt = BASE + 4 * floats;
    this.i32 = new Int32Array(buf);
    const f32 = new Float32Array(buf), u32 = new Uint32Array(buf);
    for (let i = 0; i < ZIGGURAT.layers; i++) {
      u32[2 * i] = Math.ceil(ZIGGURAT.KN[i]!);
      f32[2 * i + 1] = ZIGGURAT.WN[i]!;
    }
    this.capacity = cap;
    this.generation++;
  }

  /**
   * Draws 3n Gaussian deviates (× sigma) from the noise stream in `state[off..off+16)` (advanced in
   * place) into x, y and z [0, n): added and clipped to ±range when `add`, else written.
   */
  noise3(state: Int32Array, off: number, x: Float32Array, y: Float32Array, z: Float32Array, n: number, sigma: number, range: number, add: boolean): void {
    if (n <= 0) return;
    if (n > this.capacity) this.ensure(n);
    const i32 = this.i32, sc = this.scratch, bl = this.block;
    for (let w = 0; w < 16; w++) i32[STATE / 4 + w] = state[off + w]!;
    // Arrays outside the kernel's memory go through its scratch (the engine's block and the scratch itself need not).
    const isBlock = x === bl.ae && y === bl.an && z === bl.au;
    const owned = isBlock || (x === sc.x && y === sc.y && z === sc.z) || (x.buffer === this.buffer && y.buffer === this.buffer && z.buffer === this.buffer);
    const tx = owned ? x : sc.x, ty = owned ? y : sc.y, tz = owned ? z : sc.z;
    if (!owned && add) { tx.set(x.subarray(0, n)); ty.set(y.subarray(0, n)); tz.set(z.subarray(0, n)); }
    const cap4 = 4 * this.capacity;
    // Addresses: the block's and the scratch's are known; other views of the memory say theirs.
    const px = isBlock ? BASE : tx === sc.x ? BASE + 3 * cap4 : tx.byteOffset;
    const py = isBlock ? BASE + cap4 : ty === sc.y ? BASE + 4 * cap4 : ty.byteOffset;
    const pz = isBlock ? BASE + 2 * cap4 : tz === sc.z ? BASE + 5 * cap4 : tz.byteOffset;
    const cap = this.capacity;
    const nm = this.run(px, py, pz, n, cap, sigma, range, add ? 1 : 0, this.missAt);
    for (let w = 0; w < 16; w++) state[off + w] = i32[STATE / 4 + w]!;
    // Draws that missed their rectangle: the ziggurat's wedges and tail, in random.ts.
    for (let j = 0, m = this.missAt >> 2; j < nm; j++, m += 3) {
      let k = i32[m]!;
      const axis = k >= cap ? (k >= 2 * cap ? 2 : 1) : 0;
      k -= axis * cap;
      if (k >= n) continue; // a padding slot past the block
      const t = axis === 0 ? tx : axis === 1 ? ty : tz;
      const v = sigma * zigguratTail(i32[m + 1]!, i32[m + 2]!);
      if (add) { const s = t[k]! + v; t[k] = s < -range ? -range : s > range ? range : s; }
      else t[k] = v;
    }
    if (!owned) { x.set(tx.subarray(0, n)); y.set(ty.subarray(0, n)); z.set(tz.subarray(0, n)); }
  }
}
