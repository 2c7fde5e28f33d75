/** Worker-thread entry (piscina): writes one table of a run's outputs, or one part of a large one, or copies a part into its table's file (tables.ts), while others are written alongside. */
import { writeTableTask, type AppendTask, type TableTask } from './tables.js';
import type { ParquetPart } from './parquet-chunks.js';
import { lowerThreadPriority } from '../core/thread-priority.js';

// Tables are written while the main thread scores the run (the critical path then): they take what it leaves.
lowerThreadPriority();

export default function writeOne(task: TableTask | AppendTask): Promise<string[] | ParquetPart | undefined> {
  return writeTableTask(task);
}
