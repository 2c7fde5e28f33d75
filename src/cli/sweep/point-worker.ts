/** Worker-thread entry (piscina) of a sweep's pool: runs point jobs, keeping worlds loaded across them. */
import { keepWorldsLoaded } from '../../world/load.js';
import { runPointJob, type JobResult, type PointJob } from './job.js';

keepWorldsLoaded();

export default function run(job: PointJob): Promise<JobResult> {
  return runPointJob(job);
}
