/** `npm run bench [-- prefix ...]`: runs the benchmarks and writes out/bench.json. */
import { runBenches, type Bench } from './harness.js';
import { drivingBench, movingBench, pipelineBench } from './pipeline.js';
import { noiseBench } from './noise.js';
import { mobilityBench, placementBench } from './population.js';
import { hazardBench } from './hazards.js';
import { sensorBench } from './sensors.js';
import { datasetBench, datasetWriteBench } from './dataset.js';
import { inferenceBench } from './inference.js';
import { serverBench } from './server.js';
import { peerBench } from './peer.js';
import { triggerBench } from './trigger.js';
import { sweepBench } from './sweep.js';
import { fleetBench } from './fleet.js';

const BENCHES: Bench[] = [noiseBench, sensorBench, placementBench, mobilityBench, hazardBench, pipelineBench, movingBench, drivingBench, datasetBench, datasetWriteBench, inferenceBench, serverBench, peerBench, triggerBench, sweepBench, fleetBench];

runBenches(BENCHES, process.argv.slice(2)).catch((err) => {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
