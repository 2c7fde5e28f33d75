/** Worker-thread entry (piscina): writes one table of a run's outputs, or makes one part of a large one (tables.ts), while others are written alongside. */
import { Piscina } from 'piscina';
import { writeTableTask, type TableTask } from './tables.js';
import type { ParquetPart } from './parquet-chunks.js';
import { lowerThreadPriority } from '../core/thread-priority.js';

// Tables are written while the main thread scores the run (the critical path then): they take what it leaves.
lowerThreadPriority();

export default async function writeOne(task: TableTask): Promise<string[] | ParquetPart> {
  const out = await writeTableTask(task);
  // A part's bytes (tens of MB) go back to the main thread moved, not copied.
  return Array.isArray(out) ? out : Piscina.move({ [Piscina.transferableSymbol]: [out.bytes.buffer], [Piscina.valueSymbol]: out } as never) as never;
}
