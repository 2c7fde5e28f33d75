/** The per-phone columns of trigger fidelity's trigger stage (kept apart so setup.ts can allocate them without importing the stage). */
import type { ColumnSpec } from '../core/columns.js';

/** Columns of the trigger stage (one trigger in progress per phone). */
export const TRIGGER_STAGE_COLUMNS = (hazards: number): ColumnSpec[] => [
  { name: 'tf.drawn', type: 'u8', width: Math.max(1, hazards) },
  { name: 'tf.on', type: 'u8' },
  { name: 'tf.t', type: 'f64', width: 4 }, // trigger, end, last message, S arrival (s)
  { name: 'tf.a', type: 'f32', width: 2 }, // PGA (m/s²) or a background trigger's amplitude; last amplitude sent
  { name: 'tf.u', type: 'f32' }, // the phone's amplitude quantile for this trigger
  { name: 'tf.bin', type: 'u16' }, // table (context × magnitude class × S − P class × PGA bin); BACKGROUND: a background trigger (constant amplitude)
  { name: 'tf.bg_left', type: 'f32' },
  { name: 'tf.bg_n', type: 'u32' },
  // Event stepping (simulate.ts): the last tick each phone was stepped at, and the next one due.
  { name: 'step.last', type: 'i32', fill: -1 },
  { name: 'step.next', type: 'i32' },
];
