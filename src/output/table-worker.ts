/** Worker-thread entry (piscina): writes one table of a run's outputs (tables.ts) while others are written alongside. */
import { writeTableTask, type TableTask } from './tables.js';

export default function writeOne(task: TableTask): Promise<string[]> {
  return writeTableTask(task);
}
