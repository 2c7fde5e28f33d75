#!/usr/bin/env -S node --no-concurrent-recompilation
// V8 compiles hot functions on its own background threads by default; on a machine whose cores the
// run's threads already fill (2 cores: the main thread and two device workers) that costs more than
// compiling in place: a national run took 1.2 core-seconds more and 0.3 s longer (bench trigger, 1 M
// phones, five runs each). The flag must be given at start (V8 fixes it when an isolate is created).
/** The `hazardsim` command line (yargs): run, validate, schema, world build, ... */
// First: a simulating command restarts itself with glibc's malloc tuned (see malloc-tuning.ts).
import './cli/restart-tuned.js';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT_INPUT, guard } from './cli/common.js';

// `hazardsim ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

async function main(argv: string[]): Promise<void> {
  const cli = yargs(argv)
    .scriptName('hazardsim')
    .usage('$0 <command> [options]\n\nSimulate crowdsourced hazard detection with phone sensors.')
    .command(
      'run <scenario>',
      'Run a scenario and write out/<name>/summary.json and manifest.json',
      (y) =>
        y
          .positional('scenario', { type: 'string', describe: 'scenario file (YAML)', demandOption: true })
          .option('out', { type: 'string', describe: 'output folder (default out/<scenario name>)' })
          .option('seed', { type: 'number', describe: 'override the scenario seed' })
          .option('threads', { type: 'number', describe: 'device worker threads (0: the main thread only; default: none for a run estimated under 3 s in one thread, 5 s in trigger fidelity, else the CPU count, at most 4; runs with ONNX models always get workers)' })
          .option('set', { type: 'string', array: true, describe: 'override a field, e.g. --set hazards.0.magnitude=7' })
          .option('json', { type: 'boolean', default: false, describe: 'print the summary JSON instead of a human summary' })
          .option('quiet', { type: 'boolean', default: false, describe: 'print nothing on success' })
          .option('replicates', { type: 'number', describe: 'run seeds s, s+1, … into DIR/seed-<s>/ and pool them (with 95 % intervals) into DIR/replicates.json' })
          .option('plugins', { type: 'string', describe: 'a JavaScript module exporting `plugins`: the built-in set extended with your own hazards, detectors or servers' })
          .option('force', { type: 'boolean', default: false, describe: 'run even when the up-front estimate says it does not fit this machine\'s memory' })
          .example('$0 run scenarios/quickstart.yaml', 'run the quickstart')
          .example('$0 run scenarios/quickstart.yaml --replicates 5', 'five seeds, pooled with confidence intervals')
          .example('$0 run scenarios/quickstart.yaml --set hazards.0.magnitude=7 --seed 2', 'a bigger quake, another seed'),
      (a) => guard(async () => (await import('./cli/run.js')).runCommand({ scenario: a.scenario!, out: a.out, seed: a.seed, threads: a.threads, set: a.set, json: a.json, quiet: a.quiet, replicates: a.replicates, plugins: a.plugins, force: a.force })),
    )
    .command(
      'score <run>',
      'Recompute a run\'s summary from its saved outputs (truth, devices, alerts, receipts) and check it against summary.json',
      (y) =>
        y
          .positional('run', { type: 'string', demandOption: true, describe: 'run folder (out/<name>)' })
          .option('json', { type: 'boolean', default: false, describe: 'print the recomputed summary JSON' })
          .option('write', { type: 'boolean', default: false, describe: 'replace summary.json with the recomputed one' })
          .example('$0 score out/quickstart', 'check that the saved outputs give the same summary'),
      (a) => guard(async () => (await import('./cli/score.js')).scoreCommand({ run: a.run!, json: a.json, write: a.write })),
    )
    .command(
      'report <run>',
      'Rebuild out/<run>/report.html (self-contained: map, warning times, timeline, false alarms, figures) from the saved outputs',
      (y) => y.positional('run', { type: 'string', demandOption: true, describe: 'run folder (out/<name>)' }).example('$0 report out/quickstart', 'rebuild the report'),
      (a) => guard(async () => (await import('./cli/score.js')).reportCommand({ run: a.run! })),
    )
    .command(
      'compare <a> <b>',
      'Compare two runs metric by metric with significance tests; exit 1 when B is significantly worse on a --fail-on metric',
      (y) =>
        y
          .positional('a', { type: 'string', demandOption: true, describe: 'baseline run folder' })
          .positional('b', { type: 'string', demandOption: true, describe: 'candidate run folder' })
          .option('alpha', { type: 'number', default: 0.05, describe: 'significance level' })
          .option('fail-on', { type: 'string', array: true, default: [], describe: 'metrics that must not get significantly worse, e.g. timely_share, warning_time_s, false_alerts, false_triggers_per_phone_hour, paired.timely_people, paired.false_triggers_per_device (an unknown name lists the valid ones)' })
          .option('allow-different', { type: 'boolean', default: false, describe: 'compare runs whose scenarios differ beyond the detector' })
          .option('json', { type: 'boolean', default: false, describe: 'print the comparison as JSON' })
          .example('$0 compare out/baseline out/new-model --fail-on timely_share false_alerts', 'gate a new model in CI'),
      (a) => guard(async () => (await import('./cli/score.js')).compareCommand({ a: a.a!, b: a.b!, alpha: a.alpha, failOn: (a['fail-on'] as string[]) ?? [], json: a.json, allowDifferent: a['allow-different'] as boolean })),
    )
    .command(
      'sweep <sweep>',
      'Run a sweep (a base scenario × grids, samples, a catalogue, seeds) and merge it into out/<name>/sweep.parquet, sweep-pooled.parquet and report.html',
      (y) =>
        y
          .positional('sweep', { type: 'string', demandOption: true, describe: 'sweep file (YAML)' })
          .option('out', { type: 'string', describe: 'output folder (default out/<sweep name>); runs already in it are not run again' })
          .option('jobs', { type: 'number', describe: 'runs at a time on this machine (default: CPU count)' })
          .option('redis', { type: 'string', describe: 'enqueue the runs on this Redis (BullMQ) for `hazardsim worker`s to take, e.g. redis://127.0.0.1:6379' })
          .option('quiet', { type: 'boolean', default: false, describe: 'print nothing on success' })
          .option('force', { type: 'boolean', default: false, describe: 'run points even when their estimate says they do not fit this machine\'s memory' })
          .example('$0 sweep sweeps/california-adoption.yaml', 'the adoption curve on this machine')
          .example('$0 sweep sweeps/threshold-stress.yaml --redis redis://10.0.0.5:6379', 'through Redis; start workers with `hazardsim worker --redis ...`'),
      (a) => guard(async () => (await import('./cli/sweep.js')).sweepCommand({ sweep: a.sweep!, out: a.out, jobs: a.jobs, redis: a.redis, quiet: a.quiet, force: a.force })),
    )
    .command(
      'worker',
      'Take sweep runs from Redis (BullMQ) until stopped (SIGINT/SIGTERM), on any machine that sees the sweep\'s files',
      (y) =>
        y
          .option('redis', { type: 'string', demandOption: true, describe: 'the Redis the sweep was enqueued on, e.g. redis://127.0.0.1:6379' })
          .option('jobs', { type: 'number', describe: 'runs at a time (default: CPU count)' })
          .option('lock', { type: 'number', describe: 'seconds a run stays locked without a sign of life before another worker retries it (default 30)' })
          .option('idle-exit', { type: 'number', describe: 'stop once the queue has been empty this many seconds' })
          .option('quiet', { type: 'boolean', default: false, describe: 'print nothing' })
          .example('$0 worker --redis redis://10.0.0.5:6379', 'work for the sweeps enqueued there'),
      (a) => guard(async () => (await import('./cli/sweep.js')).workerCommand({ redis: a.redis!, jobs: a.jobs, lockS: a.lock, idleExitS: a['idle-exit'] as number | undefined, quiet: a.quiet })),
    )
    .command(
      'replay <logs..>',
      'Run phone logs (phyphox, Sensor Logger, generic CSV, hazardsim record NPY) through a detector as the simulator runs it; write the triggers and their rates',
      (y) =>
        y
          .positional('logs', { type: 'string', array: true, demandOption: true, describe: 'log files or export folders' })
          .option('detector', { type: 'string', demandOption: true, describe: 'a detector file (type: sta-lta, ...) or a scenario (its detector and first phone profile)' })
          .option('phone', { type: 'string', describe: 'phone profile for a detector file (default agents/phones/mid-range.yaml): its rates' })
          .option('labels', { type: 'string', describe: 'CSV of labelled intervals: start, end (s from the log\'s start), class [, log]' })
          .option('rate', { type: 'number', describe: 'resample to this rate, Hz (default: the phone profile\'s accelerometer rate)' })
          .option('units', { type: 'string', choices: ['g', 'm/s2'], describe: 'declare the acceleration unit (default: detected from the norm)' })
          .option('gravity', { type: 'string', choices: ['included', 'removed'], describe: 'declare whether gravity is in the acceleration (default: detected)' })
          .option('out', { type: 'string', describe: 'output folder (default out/replay)' })
          .option('json', { type: 'boolean', default: false, describe: 'print the summary JSON' })
          .option('quiet', { type: 'boolean', default: false, describe: 'print nothing on success' })
          .example('$0 replay drive.csv --detector scenarios/crash.yaml', 'a real drive through the crash detector')
          .example('$0 replay phyphox-export/ --detector det.yaml --labels labels.csv', 'per-class trigger rates and recall'),
      (a) => guard(async () => (await import('./cli/replay.js')).replayCommand({ logs: a.logs as string[], detector: a.detector!, phone: a.phone, labels: a.labels, rate: a.rate, units: a.units, gravity: a.gravity, out: a.out, json: a.json, quiet: a.quiet })),
    )
    .command(
      'replay-triggers <triggers>',
      'Feed a log of real or external phone triggers (MyShake\'s published shape, or phone,time,lon,lat,amplitude) to a scenario\'s consensus server and score its alerts against a catalogue event',
      (y) =>
        y
          .positional('triggers', { type: 'string', demandOption: true, describe: 'trigger log (CSV)' })
          .option('scenario', { type: 'string', demandOption: true, describe: 'the scenario whose server (and world: frame, site Vs30) to use' })
          .option('catalogue', { type: 'string', demandOption: true, describe: 'CSV with origin_time, lon, lat, depth_km, magnitude[, name]: the event to score against' })
          .option('event', { type: 'string', describe: 'the catalogue event\'s name (default: its first row)' })
          .option('heartbeats', { type: 'string', describe: 'heartbeat log: phone, time, lon, lat[, monitoring] (default: only the phones that triggered are known)' })
          .option('latency', { type: 'number', describe: 'seconds from a phone\'s message to the server (default 0.5)' })
          .option('set', { type: 'string', array: true, describe: 'override a field of the scenario, e.g. --set server.min_active=2' })
          .option('peak-after', { type: 'number', describe: 'seconds after its trigger at which a phone\'s logged peak reaches the server as an update (default 3; 0: with the trigger)' })
          .option('out', { type: 'string', describe: 'output folder (default out/replay-triggers)' })
          .option('json', { type: 'boolean', default: false, describe: 'print the summary JSON' })
          .option('quiet', { type: 'boolean', default: false, describe: 'print nothing on success' })
          .example('$0 replay-triggers berkeley.csv --scenario scenarios/california-m7.yaml --catalogue events.csv', 'MyShake\'s Berkeley M4.4 triggers into cell-ratio'),
      (a) => guard(async () => (await import('./cli/replay-triggers.js')).replayTriggersCommand({ triggers: a.triggers!, scenario: a.scenario!, catalogue: a.catalogue!, event: a.event, heartbeats: a.heartbeats, latency: a.latency, peakAfter: a['peak-after'] as number | undefined, set: a.set as string[] | undefined, out: a.out, json: a.json, quiet: a.quiet })),
    )
    .command(
      'regress <suite>',
      'Run a regression suite with a baseline and a candidate detector on identical inputs; exit 1 when the candidate fails a case the baseline passes, naming it',
      (y) =>
        y
          .positional('suite', { type: 'string', demandOption: true, describe: 'suite file (YAML): cases of scenarios, seeds and what must hold' })
          .option('candidate', { type: 'string', demandOption: true, describe: 'the detector under test (a detector file: type: sta-lta, ... or an ONNX detector with its model)' })
          .option('baseline', { type: 'string', describe: 'the detector to compare with (default: each case scenario\'s own)' })
          .option('out', { type: 'string', describe: 'output folder (default out/regress-<suite>); runs already in it are reused' })
          .option('jobs', { type: 'number', describe: 'runs at a time (default: CPU count)' })
          .option('json', { type: 'boolean', default: false, describe: 'print the result JSON' })
          .option('quiet', { type: 'boolean', default: false, describe: 'print nothing' })
          .example('$0 regress suites/quake-detector.yaml --candidate my-detector.yaml', 'gate a detector on the shipped suite'),
      (a) => guard(async () => (await import('./cli/regress.js')).regressCommand({ suite: a.suite!, candidate: a.candidate!, baseline: a.baseline, out: a.out, jobs: a.jobs, json: a.json, quiet: a.quiet })),
    )
    .command(
      'budget <model>',
      'What an ONNX detector model costs a phone, measured: latency per window (ONNX Runtime, 1 thread, p50/p99), size, parameters, multiply-adds, memory, an energy proxy',
      (y) =>
        y
          .positional('model', { type: 'string', demandOption: true, describe: 'ONNX model (with its sidecar JSON)' })
          .option('windows', { type: 'number', describe: 'windows to time (default 500)' })
          .option('windows-per-second', { type: 'number', describe: 'windows the detector scores per monitored second, for the energy per hour (default 1)' })
          .option('phones', { type: 'string', array: true, describe: 'phone profiles to report per class (default: the shipped budget, mid-range and flagship)' })
          .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
          .example('$0 budget models/quake-baseline.onnx', 'the shipped model\'s budget'),
      (a) => guard(async () => (await import('./cli/budget.js')).budgetCommand({ model: a.model!, phones: a.phones as string[] | undefined, windows: a.windows, windowsPerSecond: a['windows-per-second'] as number | undefined, json: a.json })),
    )
    .command(
      'drift <reference> <current>',
      'Which features of a current table (telemetry, a dataset, a run\'s rows; a run folder means its telemetry) drifted from a reference one, per slice, by how much and since when (PSI, KS, Wasserstein, Page-Hinkley; trigger rates and model scores on telemetry)',
      (y) =>
        y
          .positional('reference', { type: 'string', demandOption: true, describe: 'reference table (.parquet or .csv): what the model was trained or validated on' })
          .positional('current', { type: 'string', demandOption: true, describe: 'current table (.parquet or .csv)' })
          .option('features', { type: 'string', array: true, describe: 'numeric columns to test (default: every numeric column both have; for telemetry, its sensor and score features)' })
          .option('by', { type: 'string', array: true, describe: 'columns to slice by (default for telemetry: phone_model firmware context)' })
          .option('time', { type: 'string', describe: 'the current table\'s time column: says when a drifted feature began to move (default for telemetry: end_s)' })
          .option('threshold', { type: 'number', describe: 'normed Wasserstein distance that counts as drift above 1,000 reference rows (default 0.1)' })
          .option('out', { type: 'string', describe: 'also write DIR/drift.json and DIR/drift.html' })
          .option('json', { type: 'boolean', default: false, describe: 'print JSON' }),
      (a) => guard(async () => (await import('./cli/drift.js')).driftCommand({ reference: a.reference!, current: a.current!, features: a.features as string[] | undefined, by: a.by as string[] | undefined, time: a.time, threshold: a.threshold, out: a.out, json: a.json })),
    )
    .command(
      'validate <files..>',
      'Check scenario, world and profile files (exit 0 when all are valid, 2 otherwise)',
      (y) => y.positional('files', { type: 'string', array: true, demandOption: true, describe: 'scenario, world (.geojson) and profile files' }).option('quiet', { type: 'boolean', default: false, describe: 'print only problems' })
        .option('plugins', { type: 'string', describe: 'a JavaScript module exporting `plugins` (your own plug-ins added to the built-in ones)' })
        .option('force', { type: 'boolean', default: false, describe: 'accept a scenario whose estimate does not fit this machine\'s memory' })
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON verdict per file (kind, ok, warnings, problems, estimate)' }),
      (a) => guard(async () => (await import('./cli/validate.js')).validateCommand(a.files as string[], a.quiet, await (await import('./cli/plugin-module.js')).pluginsFrom(a.plugins as string | undefined), a.force, a.json)),
    )
    .command(
      'plugins',
      'List the hazards, detectors and servers a scenario can name, with what each declares',
      (y) => y.option('json', { type: 'boolean', default: false, describe: 'print JSON' }),
      (a) => guard(async () => (await import('./cli/plugins.js')).pluginsCommand((await import('./plugins.js')).builtinPlugins, { json: a.json })),
    )
    .command(
      'schema',
      'Print the JSON Schema of scenario, phone-profile, behaviour, detector, sweep or suite files (for editor autocompletion), of a run\'s summary.json, or of a model sidecar',
      (y) => y.option('kind', { type: 'string', choices: ['scenario', 'phone', 'behaviour', 'detector', 'sweep', 'suite', 'summary', 'sidecar'], default: 'scenario', describe: 'which file kind the schema is for' }),
      (a) => guard(async () => {
        if (a.kind === 'suite') {
          const { suiteJsonSchema } = await import('./cli/regress/suite.js');
          process.stdout.write(JSON.stringify(suiteJsonSchema(), null, 2) + '\n');
          return;
        }
        if (a.kind === 'summary' || a.kind === 'sidecar') {
          const schema = a.kind === 'summary' ? (await import('./score/summary-schema.js')).summaryJsonSchema() : (await import('./detect/sidecar.js')).sidecarJsonSchema();
          process.stdout.write(JSON.stringify(schema, null, 2) + '\n');
          return;
        }
        if (a.kind === 'sweep') {
          const { sweepJsonSchema } = await import('./cli/sweep/spec.js');
          process.stdout.write(JSON.stringify(sweepJsonSchema(), null, 2) + '\n');
          return;
        }
        const { fileJsonSchema } = await import('./scenario/schema.js');
        const { builtinPlugins } = await import('./plugins.js');
        process.stdout.write(JSON.stringify(fileJsonSchema(a.kind as 'scenario' | 'phone' | 'behaviour' | 'detector', builtinPlugins), null, 2) + '\n');
      }),
    )
    .command(
      'shaking',
      'Median shaking and arrival times for one source and site (a calculator to sanity-check shaking)',
      (y) =>
        y
          .option('magnitude', { type: 'number', demandOption: true, describe: 'moment magnitude' })
          .option('rjb', { type: 'number', demandOption: true, describe: 'Joyner–Boore distance, km' })
          .option('vs30', { type: 'number', demandOption: true, describe: 'site Vs30, m/s' })
          .option('depth', { type: 'number', describe: 'hypocentre depth, km (default 8)' })
          .option('rake', { type: 'number', describe: 'rake, degrees (default: unspecified fault type)' })
          .option('vp', { type: 'number', describe: 'P velocity, km/s (default 6.1)' })
          .option('vs', { type: 'number', describe: 'S velocity, km/s (default 3.55)' })
          .option('json', { type: 'boolean', default: false, describe: 'print {pga_g, pgv_cms, mmi, p_arrival_s, s_arrival_s}' })
          .example('$0 shaking --magnitude 6.5 --rjb 20 --vs30 400', 'an M6.5 at 20 km on stiff soil'),
      (a) => guard(async () => (await import('./cli/shaking.js')).shakingCommand({ magnitude: a.magnitude, rjb: a.rjb, vs30: a.vs30, depth: a.depth, rake: a.rake, vp: a.vp, vs: a.vs, json: a.json })),
    )
    .command(
      'calibrate',
      'Run the calibration scenarios (calibration/scenarios/) and write the earthquake servers\' constants, or (--responses) trigger fidelity\'s response curves, with the hash of what produced them',
      (y) =>
        y
          .option('out', { type: 'string', describe: 'calibration file to write (default calibration/quake-server.json, or calibration/responses/<detector>-<hash>.json with --responses)' })
          .option('responses', { type: 'string', describe: 'measure trigger fidelity\'s response curves instead, for the detector and phone profiles of this scenario (`shipped`: the shipped detector and profiles)' })
          .option('threads', { type: 'number', describe: 'worker threads (default: CPU count, at most 4)' })
          .option('quiet', { type: 'boolean', default: false, describe: 'print nothing on success' })
          .example('$0 calibrate', 'remeasure the shipped calibration')
          .example('$0 calibrate --responses scenarios/turkiye-m78.yaml', 'response curves for that scenario\'s detector and phones'),
      (a) => guard(async () => (await import('./cli/calibrate.js')).calibrateCommand({ out: a.out, responses: a.responses, threads: a.threads ?? Math.min((await import('node:os')).availableParallelism(), 4), quiet: a.quiet })),
    )
    .command(
      'record <profile>',
      'Write what one phone of a profile records (CSV: t,ax,ay,az,gx,gy,gz,p; or NPY + JSON sidecar)',
      (y) =>
        y
          .positional('profile', { type: 'string', demandOption: true, describe: 'phone profile (YAML)' })
          .option('duration', { type: 'string', demandOption: true, describe: 'how long, e.g. 90s, 10m, 1h' })
          .option('context', { type: 'string', describe: 'where the phone is: table, hand, pocket, bag, vehicle-mount' })
          .option('activity', { type: 'string', describe: 'what its owner does: still, walking, running, driving, stairs, elevator' })
          .option('seed', { type: 'number', default: 1, describe: 'seed of the phone and its motion' })
          .option('rate', { type: 'number', describe: 'accelerometer/gyroscope rate, Hz (up to the profile maximum)' })
          .option('out', { type: 'string', demandOption: true, describe: 'output file ending .csv or .npy' })
          .example('$0 record agents/phones/budget.yaml --duration 1h --context table --out out/budget-table.csv', 'an hour on a table'),
      (a) => guard(async () => (await import('./cli/record.js')).recordCommand({ profile: a.profile!, duration: a.duration, out: a.out, context: a.context, activity: a.activity, seed: a.seed, rate: a.rate })),
    )
    .command(
      'dataset <scenarios..>',
      'Cut labelled sensor windows from scenarios: X.npy, y.npy, metadata (Parquet + CSV), dataset.json',
      (y) =>
        y
          .positional('scenarios', { type: 'string', array: true, demandOption: true, describe: 'scenario files (YAML)' })
          .option('out', { type: 'string', demandOption: true, describe: 'output folder (refused if it exists, unless --force)' })
          .option('windows', { type: 'number', default: 2000, describe: 'windows to write' })
          .option('window', { type: 'string', default: '2s', describe: 'window length' })
          .option('hop', { type: 'string', default: '1s', describe: 'spacing of window starts' })
          .option('rate', { type: 'number', describe: 'sample rate of the windows, Hz (default: the slowest phone profile)' })
          .option('channels', { type: 'string', choices: ['accel', 'accel+gyro'], default: 'accel', describe: 'channels of X' })
          .option('balance', { type: 'number', default: 0.5, describe: 'share of windows that are positives (hazard excitation)' })
          .option('hard-negatives', { type: 'number', default: 0.5, describe: 'share of negatives that are hard (drops, door slams, nuisance, detector fired)' })
          .option('min-signal-g', { type: 'number', default: 0.005, describe: 'hazard windows need at least this true hazard acceleration inside them, g (weaker ones are skipped as ambiguous)' })
          .option('split', { type: 'string', choices: ['device', 'scenario'], default: 'device', describe: 'what train/val/test never share: a device, or a scenario (the last scenarios given are the test set)' })
          .option('stratify', { type: 'string', choices: ['label', 'none'], default: 'label', describe: 'spread each class evenly over its labels and earthquake phases (oversamples rare ones), or keep natural proportions' })
          .option('match', { type: 'string', choices: ['context', 'none'], default: 'context', describe: 'give every class the same mix of phone context × motion, so a model cannot learn where the phone was instead of the hazard (none: each class as it comes)' })
          .option('val-share', { type: 'number', default: 0.15, describe: 'share of devices (or scenarios) whose windows go to validation' })
          .option('test-share', { type: 'number', default: 0.15, describe: 'share of devices (or scenarios) whose windows go to test' })
          .option('force', { type: 'boolean', default: false, describe: 'replace an existing output folder' })
          .option('threads', { type: 'number', describe: 'worker threads (0: main thread only; default: CPU count, at most 4)' })
          .option('seed', { type: 'number', describe: 'override the scenarios\' seed' })
          .option('set', { type: 'string', array: true, describe: 'override a scenario field, e.g. --set hazards.0.magnitude=6' })
          .option('quiet', { type: 'boolean', default: false, describe: 'print nothing on success' })
          .option('json', { type: 'boolean', default: false, describe: 'print the dataset summary (windows, class and split counts, warnings) as JSON' })
          .example('$0 dataset scenarios/dataset-quake.yaml --out out/datasets/quake --windows 4000', 'a balanced earthquake dataset'),
      (a) => guard(async () => (await import('./cli/dataset.js')).datasetCommand({
        scenarios: a.scenarios as string[], out: a.out, windows: a.windows, window: a.window, hop: a.hop, rate: a.rate, channels: a.channels,
        balance: a.balance, hardNegatives: a['hard-negatives'], minSignalG: a['min-signal-g'], split: a.split, stratify: a.stratify, match: a.match as 'context' | 'none', valShare: a['val-share'], testShare: a['test-share'],
        force: a.force, threads: a.threads, seed: a.seed, set: a.set, quiet: a.quiet, json: a.json,
      })),
    )
    .command(
      'train <dataset>',
      'Train a baseline classifier on a dataset folder and export it as ONNX plus a sidecar JSON',
      (y) =>
        y
          .positional('dataset', { type: 'string', demandOption: true, describe: 'dataset folder written by hazardsim dataset' })
          .option('out', { type: 'string', demandOption: true, describe: 'model file ending .onnx (the sidecar is written next to it as .json)' })
          .option('model', { type: 'string', choices: ['logistic', 'mlp'], default: 'mlp', describe: 'logistic regression, or a one-hidden-layer perceptron' })
          .option('features', { type: 'string', choices: ['bands', 'raw'], default: 'bands', describe: 'band energies and other window features, or the raw window (both computed inside the ONNX graph)' })
          .option('positive', { type: 'string', default: 'earthquake', describe: 'labels that count as positive, comma-separated' })
          .option('hidden', { type: 'number', default: 16, describe: 'mlp: hidden units' })
          .option('epochs', { type: 'number', default: 200, describe: 'at most this many passes over the training split' })
          .option('batch', { type: 'number', default: 128, describe: 'windows per gradient step' })
          .option('lr', { type: 'number', describe: 'Adam learning rate (default 0.01 logistic, 0.003 mlp)' })
          .option('l2', { type: 'number', default: 1e-4, describe: 'weight decay' })
          .option('patience', { type: 'number', default: 15, describe: 'stop after this many epochs without a better validation loss' })
          .option('seed', { type: 'number', default: 1, describe: 'seed of the weight initialisation and batch order' })
          .option('force', { type: 'boolean', default: false, describe: 'replace an existing model file' })
          .option('quiet', { type: 'boolean', default: false, describe: 'print nothing on success' })
          .option('json', { type: 'boolean', default: false, describe: 'print the model sidecar (metrics, threshold, training) as JSON' })
          .example('$0 train out/datasets/quake --out models/quake-baseline.onnx', 'an MLP on band features'),
      (a) => guard(async () => (await import('./cli/train.js')).trainCommand({
        dataset: a.dataset!, out: a.out, model: a.model, features: a.features, positive: a.positive, hidden: a.hidden, epochs: a.epochs, batch: a.batch,
        lr: a.lr, l2: a.l2, patience: a.patience, seed: a.seed, force: a.force, quiet: a.quiet, json: a.json,
      })),
    )
    .command('world', 'Build world files', (y) =>
      y
        .command(
          'build <source>',
          'Build a world file: grid (synthetic city), places (GeoNames populations), osm (OpenStreetMap roads, optionally with GeoNames populations)',
          (b) =>
            b
              .positional('source', { type: 'string', choices: ['grid', 'places', 'osm'] as const, demandOption: true })
              .option('out', { type: 'string', demandOption: true, describe: 'output GeoJSON file' })
              .option('name', { type: 'string', describe: 'world name (metadata.name)' })
              .option('lon', { type: 'number', describe: 'grid: centre longitude' })
              .option('lat', { type: 'number', describe: 'grid: centre latitude' })
              .option('size-km', { type: 'number', describe: 'grid: side of the square city, km' })
              .option('cell-km', { type: 'number', describe: 'grid: side of a population cell, km' })
              .option('country', { type: 'string', describe: 'places/osm: ISO country code of the GeoNames places (e.g. US)' })
              .option('admin', { type: 'string', describe: 'places/osm: GeoNames admin1 code(s), comma-separated (e.g. CA, or CA,OR,WA)' })
              .option('bbox', { type: 'string', describe: 'places/osm: west,south,east,north in degrees' })
              .option('drop-codes', { type: 'string', describe: 'GeoNames feature codes to drop, comma-separated (default PPLX)' })
              .option('min-population', { type: 'number', describe: 'smallest place kept (default 1000)' })
              .option('buffer-km', { type: 'number', describe: 'places: buffer of the convex-hull boundary, km (default 20)' })
              .option('spread-m', { type: 'number', describe: 'scatter σ of devices around every place, m (default from its population)' })
              .option('osm', { type: 'string', describe: 'osm: OSM XML file (.osm or .osm.gz)' })
              .option('buffer-m', { type: 'number', describe: 'osm: buffer of the road-hull boundary, m (default 100)' })
              .example('$0 world build places --country US --admin CA --name california --out worlds/california.geojson', 'real Californian places'),
          (a) => guard(async () => (await import('./cli/world.js')).worldBuild({
            source: a.source as 'grid' | 'places' | 'osm', out: a.out, name: a.name, lon: a.lon, lat: a.lat, sizeKm: a['size-km'], cellKm: a['cell-km'],
            country: a.country, admin: a.admin, bbox: a.bbox, dropCodes: a['drop-codes'], minPopulation: a['min-population'], bufferKm: a['buffer-km'],
            spreadM: a['spread-m'], osm: a.osm, bufferM: a['buffer-m'],
          })),
        )
        .demandCommand(1, 'name a world subcommand (build)'),
    )
    .demandCommand(1, `name a command: ${COMMANDS.join(', ')}`)
    .recommendCommands()
    .middleware(((a: Record<string, unknown>, y: unknown) => checkFlagValues(a, y as { getOptions(): { array: string[]; number: string[] } }, argv)) as never)
    .strict()
    .help()
    .alias('help', 'h')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg, err, y) => {
      if (err) throw err;
      const suggestion = /^Did you mean (\S+)\?$/.exec(msg ?? '');
      if (suggestion) msg = `unknown command ${JSON.stringify(argv[0])}; did you mean ${suggestion[1]}?`;
      // yargs' "Invalid values: Argument: units, Given: "x", Choices: …" as one line naming the flag.
      const choice = /Argument: (\S+), Given: (.+), Choices: (.+)$/m.exec(msg ?? '');
      if (choice) msg = `--${choice[1]}: expected one of ${choice[3]!.trim()}, found ${choice[2]!.trim()}`;
      const missing = /^Missing required arguments?: (.+)$/.exec(msg ?? '');
      if (missing) msg = missing[1]!.split(', ').map((k) => `--${k}: missing; this command needs it`).join('; ');
      process.stderr.write(`hazardsim: ${msg}\n(see hazardsim --help)\n`);
      process.exit(EXIT_INPUT);
      void y;
    });
  await cli.parseAsync();
}

/**
 * Flag values yargs lets through: a single-valued flag given twice (yargs makes it a list, which a
 * command would misread) and a number flag given text (yargs makes it NaN, and the message would
 * say "NaN"). Either is bad input: one line naming the flag and what was given, exit 2.
 */
function checkFlagValues(a: Record<string, unknown>, y: { getOptions(): { array: string[]; number: string[] } }, raw: readonly string[]): void {
  const o = y.getOptions(), arrays = new Set(o.array), numbers = new Set(o.number);
  const given = (k: string) => raw.flatMap((t, i) => (t === `--${k}` ? [raw[i + 1] ?? ''] : t.startsWith(`--${k}=`) ? [t.slice(k.length + 3)] : []));
  for (const [k, v] of Object.entries(a)) {
    if (k === '_' || k === '$0' || k.length < 2 || /[A-Z]/.test(k)) continue;
    let problem: string | undefined;
    if (Array.isArray(v) && !arrays.has(k) && given(k).length > 1) problem = `given ${given(k).length} times (${given(k).map((x) => JSON.stringify(x)).join(', ')}); give it once`;
    else if (numbers.has(k) && typeof v === 'number' && Number.isNaN(v)) problem = `expected a number, found ${JSON.stringify(given(k)[0] ?? '')}`;
    if (!problem) continue;
    process.stderr.write(`hazardsim: --${k}: ${problem}\n`);
    process.exit(EXIT_INPUT);
  }
}

/** Every top-level command, for the message when none is named. */
const COMMANDS = ['run', 'sweep', 'worker', 'replay', 'replay-triggers', 'regress', 'budget', 'drift', 'validate', 'score', 'report', 'compare', 'plugins', 'schema', 'shaking', 'calibrate', 'record', 'dataset', 'train', 'world'];

main(hideBin(process.argv)).catch((err) => {
  process.stderr.write(`hazardsim: internal error: ${(err as Error).message}\n`);
  if (process.env.HAZARDSIM_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
  process.exitCode = 1;
});
