/** Worker-thread entry (piscina): writes one table of a run's outputs, or one part of a large one (tables.ts), while others are written alongside. */
import { writeTableTask, type TableTask } from './tables.js';
import type { ParquetPart } from './parquet-chunks.js';

export default function writeOne(task: TableTask): Promise<string[] | ParquetPart> {
  return writeTableTask(task);
}
