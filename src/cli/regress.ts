/**
 * `hazardsim regress <suite.yaml> --candidate DET [--baseline DET]`: runs a regression suite's cases
 * with the baseline detector (default: each scenario's own) and the candidate on identical inputs
 * (same scenarios, overrides and seeds), checks what must hold of each, and reports per case and
 * pooled. Exit 1 when the candidate fails a case the baseline passes (a regression), naming it. Runs are sweep jobs: content-hashed and
 * kept under DIR/points/, so a rerun or a second candidate reuses what is done.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describeValue, InputError, isInputError } from '../core/errors.js';
import { displayPath, PACKAGE_ROOT } from '../core/paths.js';
import { writeTable, type TableColumn } from '../output/tables.js';
import { builtinPlugins } from '../plugins.js';
import { loadScenario, readYaml } from '../scenario/load.js';
import { issuesToProblems } from '../plugin/issues.js';
import { fmt } from './common.js';
import { check, loadSuite, type Bound } from './regress/suite.js';
import { readLog } from './replay/logs.js';
import { loadReplayDetector, replayLog } from './replay/replay-detector.js';
import { InferencePool } from '../detect/inference/pool.js';
import { runLocal } from './sweep/execute.js';
import { progressPrinter } from './sweep.js';
import { jobFile, pointHash, type PointJob } from './sweep/job.js';
import { metrics } from './sweep/merge.js';

export interface RegressOptions {
  suite: string;
  candidate: string;
  baseline?: string;
  out?: string;
  jobs?: number;
  json?: boolean;
  quiet?: boolean;
}

/** A detector file as a `detector=` override: validated by its plug-in, its files made absolute. */
function detectorOverride(file: string, flag: string): string {
  const abs = resolve(file), shown = displayPath(abs);
  if (!existsSync(abs)) throw new InputError(flag, `${shown}: no such file`);
  const raw = readYaml(abs) as Record<string, unknown> | null;
  const plugin = raw && typeof raw === 'object' && typeof raw.type === 'string' ? builtinPlugins.detectors[raw.type] : undefined;
  if (!plugin) throw new InputError(shown, { path: 'type', message: `expected one of ${Object.keys(builtinPlugins.detectors).join(', ')}, found ${describeValue(raw?.type)}` });
  const r = plugin.schema.safeParse(raw, { reportInput: true });
  if (!r.success) throw new InputError(shown, issuesToProblems(r.error.issues, plugin.schema, raw));
  const config: Record<string, unknown> = { ...raw };
  for (const f of plugin.files?.(r.data) ?? []) if (f.field in config) config[f.field] = resolve(dirname(abs), f.path);
  return `detector=${JSON.stringify(config)}`;
}

const COLUMNS: TableColumn[] = [
  { name: 'case', type: 'string' }, { name: 'model', type: 'string', doc: 'baseline or candidate' }, { name: 'seed', type: 'int' },
  { name: 'passed', type: 'bool' }, { name: 'failures', type: 'string', doc: 'What did not hold' },
  { name: 'detected', type: 'bool' }, { name: 'alert_latency_s', type: 'double', unit: 's' }, { name: 'timely_share', type: 'double' },
  { name: 'warning_p50_s', type: 'double', unit: 's' }, { name: 'magnitude_error_last', type: 'double' }, { name: 'false_alerts', type: 'int' },
  { name: 'triggers_per_phone_hour', type: 'double', unit: '1/h' }, { name: 'triggers', type: 'int', doc: 'Log cases: triggers over the log' }, { name: 'triggers_per_hour', type: 'double', unit: '1/h', doc: 'Log cases' }, { name: 'hash', type: 'string' },
];

export async function regressCommand(o: RegressOptions): Promise<number> {
  const suite = loadSuite(o.suite);
  const models = [
    { name: 'baseline', set: o.baseline ? [detectorOverride(o.baseline, '--baseline')] : [], file: o.baseline, source: o.baseline ? displayPath(resolve(o.baseline)) : "each scenario's own detector" },
    { name: 'candidate', set: [detectorOverride(o.candidate, '--candidate')], file: o.candidate as string | undefined, source: displayPath(resolve(o.candidate)) },
  ];
  const scenarioCases = suite.cases.filter((c) => c.scenario), logCases = suite.cases.filter((c) => c.log);
  for (const c of logCases) if (!o.baseline && !c.detector) throw new InputError(suite.file, { path: `cases (${c.name})`, message: 'a log case needs its baseline detector: give the case a detector, or pass --baseline' });
  const outDir = resolve(o.out ?? `out/regress-${suite.name}`);
  if (existsSync(outDir) && (!statSync(outDir).isDirectory() || (readdirSync(outDir).length && !readdirSync(outDir).includes('points')))) throw new InputError('--out', `${displayPath(outDir)} is not a folder hazardsim wrote (no points/ in it); choose a new or empty folder`);
  // Every case is resolved for both models before anything runs.
  const plan = scenarioCases.flatMap((c, i) => models.flatMap((m) => (c.seeds ?? [undefined]).map((given) => {
    const scenarioFile = resolve(suite.dir, c.scenario!), overrides = [...c.set, ...m.set];
    let hash: string, seed: number;
    try { const sc = loadScenario(scenarioFile, { plugins: builtinPlugins, overrides }); hash = pointHash(sc); seed = given ?? sc.config.seed; } catch (err) {
      if (isInputError(err)) throw new InputError(suite.file, { path: `cases[${i}] (${c.name})`, message: `with the ${m.name} detector: ${(err as Error).message}` });
      throw err;
    }
    const job: PointJob = { sweep: suite.file, scenarioFile, overrides, seed, hash, outDir, cost: 1 };
    return { case: c, model: m.name, seed, job };
  })));
  mkdirSync(join(outDir, 'points'), { recursive: true });
  const unique = [...new Map(plan.map((p) => [`${p.job.hash}/${p.seed}`, p.job])).values()];
  const progress = progressPrinter(suite.name, !o.quiet && !o.json, 'regress');
  try {
    await runLocal(unique, { jobs: o.jobs, onProgress: (p) => progress.update(p) });
  } finally {
    progress.stop();
  }
  const judge = (expect: Record<string, Bound>, m: Record<string, unknown>) => Object.entries(expect).map(([k, b]) => { const why = check(m[k], b); return why ? `${k}: ${why}` : null; }).filter((x): x is string => !!x);
  // Phone-log cases: replayed through each model's detector, in this process (they are short).
  const logRows: Record<string, any>[] = [];
  for (const c of logCases) {
    const log = readLog(resolve(suite.dir, c.log!));
    for (const m of models) {
      const rd = loadReplayDetector(m.file ? resolve(m.file) : resolve(suite.dir, c.detector!), builtinPlugins, join(PACKAGE_ROOT, 'agents/phones/mid-range.yaml'));
      const pool = rd.det.model ? new InferencePool([rd.det.model], { threads: 1 }) : undefined;
      await pool?.start();
      try {
        const r = await replayLog(log, rd, builtinPlugins, { pool });
        const seconds = log.t[log.t.length - 1]!, triggers = r.messages.filter((x) => x.kind === 'trigger').length;
        const mm = { triggers, triggers_per_hour: seconds > 0 ? (triggers / seconds) * 3600 : null };
        const failures = judge(c.expect, mm);
        logRows.push({ case: c.name, model: m.name, seed: null, passed: failures.length === 0, failures: failures.join('; '), ...mm, hash: null });
      } finally { await pool?.close(); }
    }
  }
  const rows = [...plan.map((p) => {
    const s = JSON.parse(readFileSync(jobFile(outDir, p.job.hash, p.seed), 'utf8'));
    const m = metrics(s);
    const failures = judge(p.case.expect, m);
    return { case: p.case.name, model: p.model, seed: p.seed, passed: failures.length === 0, failures: failures.join('; '), ...m, hash: p.job.hash } as Record<string, any> & { case: string; model: string; passed: boolean; failures: string };
  }), ...(logRows as (Record<string, any> & { case: string; model: string; passed: boolean; failures: string })[])];
  const byModel = (model: string) => rows.filter((r) => r.model === model);
  const failed = (model: string) => [...new Set(byModel(model).filter((r) => !r.passed).map((r) => r.case))];
  const mean = (xs: unknown[]) => { const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)); return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null; };
  const pooled = Object.fromEntries(models.map((m) => [m.name, {
    detector: m.source, cases: suite.cases.length, passed: suite.cases.length - failed(m.name).length, failed: failed(m.name),
    mean_timely_share: mean(byModel(m.name).map((r) => r.timely_share)), mean_alert_latency_s: mean(byModel(m.name).map((r) => r.alert_latency_s)),
    false_alerts: byModel(m.name).reduce((s, r) => s + ((r.false_alerts as number) ?? 0), 0), mean_triggers_per_phone_hour: mean(byModel(m.name).map((r) => r.triggers_per_phone_hour)),
  }]));
  // The gate: a case the baseline passes and the candidate fails is a regression. Cases both fail
  // are known weaknesses, reported but not held against the candidate.
  const regressions = failed('candidate').filter((c) => !failed('baseline').includes(c));
  const result = { schema_version: 1, suite: suite.name, file: suite.file, pooled, regressions, candidate_failed: failed('candidate'), cases: rows };
  await writeTable(outDir, 'regress', COLUMNS, Object.fromEntries(COLUMNS.map((c) => [c.name, rows.map((r) => (r as Record<string, unknown>)[c.name] ?? null)])), rows.length);
  writeFileSync(join(outDir, 'regress.json'), JSON.stringify(result, null, 2) + '\n');
  if (o.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else if (!o.quiet) {
    const w = (s: string) => process.stdout.write(s + '\n');
    w(`hazardsim regress ${suite.name}: ${suite.cases.length} cases; baseline = ${models[0]!.source}, candidate = ${models[1]!.source}`);
    for (const c of suite.cases) {
      const show = (model: string) => { const rs = rows.filter((r) => r.case === c.name && r.model === model); return rs.every((r) => r.passed) ? 'pass' : `FAIL (${rs.filter((r) => !r.passed).map((r) => r.failures).join(' | ')})`; };
      w(`  ${c.name.padEnd(28)} baseline ${show('baseline')}; candidate ${show('candidate')}`);
    }
    for (const m of models) { const p = pooled[m.name]!; w(`  ${m.name}: ${p.passed}/${p.cases} cases pass; mean timely share ${fmt(p.mean_timely_share, 3)}, mean first alert ${fmt(p.mean_alert_latency_s, 2)} s, false alerts ${p.false_alerts}, triggers per phone-hour ${fmt(p.mean_triggers_per_phone_hour, 2)}`); }
    const known = failed('candidate').filter((c) => failed('baseline').includes(c));
    if (known.length) w(`  known failures (the baseline fails them too): ${known.join(', ')}`);
    if (regressions.length) w(`FAIL: the candidate regresses on ${regressions.join(', ')}`);
    w(`  wrote ${displayPath(outDir)}/: regress (.parquet, .csv), regress.json; runs under points/`);
  }
  return regressions.length ? 1 : 0;
}
