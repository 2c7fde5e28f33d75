/** Dataset window candidates: their metadata column by column, the strata they compete in, and the slots that hold them while a cutter runs. */

/** Metadata of kept candidates, column by column (transferable). */
export interface Candidates {
  count: number;
  /** Windows labelled (whether kept or not). */
  labelled: number;
  hash: Uint32Array;
  device: Int32Array;
  window: Int32Array;
  label: Uint8Array;
  cls: Uint8Array;
  phase: Uint8Array; // 0 none, 1 P, 2 S
  triggered: Uint8Array;
  intensity: Float32Array;
  distanceKm: Float32Array;
  /** Peak true hazard acceleration inside the window, g. */
  peak: Float32Array;
  context: Uint8Array;
  activity: Uint8Array;
  x: Float64Array;
  y: Float64Array;
  /** Byte offset of the window in the temporary file. */
  offset: Float64Array;
  tempFile: string;
}

export type Meta = Omit<Candidates, 'count' | 'labelled' | 'tempFile'>;
const META_TYPES = {
  hash: Uint32Array, device: Int32Array, window: Int32Array, label: Uint8Array, cls: Uint8Array, phase: Uint8Array, triggered: Uint8Array,
  intensity: Float32Array, distanceKm: Float32Array, peak: Float32Array, context: Uint8Array, activity: Uint8Array, x: Float64Array, y: Float64Array,
  offset: Float64Array,
} as const;

export function allocMeta(n: number, from?: Meta): Meta {
  const m = {} as Record<string, { set(a: ArrayLike<number>): void }>;
  for (const [k, C] of Object.entries(META_TYPES)) {
    const a = new C(n);
    if (from) a.set((from as unknown as Record<string, ArrayLike<number>>)[k]!);
    m[k] = a;
  }
  return m as unknown as Meta;
}

/**
 * Stratum of a window: its label, its phase for earthquakes (P and S windows are kept apart) and
 * whether the detector fired in it (a quiet window that fooled the detector is a hard negative).
 */
export const stratumOf = (label: number, phase: number, triggered: number): number => label * 8 + phase * 2 + triggered;

/** Slots for candidates' metadata: taken, freed when a heap evicts one, and picked at the end. */
export class CandidateSlots {
  meta: Meta = allocMeta(64);
  private readonly free: number[] = [];
  private used = 0;

  /** A free slot (the arrays grow when all are used). */
  take(): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.used++;
      if (slot >= this.meta.hash.length) this.meta = allocMeta(2 * this.meta.hash.length, this.meta);
    }
    return slot;
  }

  release(slot: number): void {
    this.free.push(slot);
  }

  /** The candidates in `keep` (slots), as transferable columns. */
  pick(keep: readonly number[], labelled: number, tempFile: string): Candidates {
    const take = <T extends { [k: number]: number; length: number }>(a: T, C: new (n: number) => T): T => {
      const out = new C(keep.length);
      keep.forEach((slot, i) => { out[i] = a[slot]!; });
      return out;
    };
    const m = this.meta;
    return {
      count: keep.length,
      labelled,
      hash: take(m.hash, Uint32Array), device: take(m.device, Int32Array), window: take(m.window, Int32Array), label: take(m.label, Uint8Array),
      cls: take(m.cls, Uint8Array), phase: take(m.phase, Uint8Array), triggered: take(m.triggered, Uint8Array), intensity: take(m.intensity, Float32Array),
      distanceKm: take(m.distanceKm, Float32Array), peak: take(m.peak, Float32Array), context: take(m.context, Uint8Array), activity: take(m.activity, Uint8Array),
      x: take(m.x, Float64Array), y: take(m.y, Float64Array), offset: take(m.offset, Float64Array), tempFile,
    };
  }
}
