import { describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, ROOT, cli, smallScenario, tempDir, writeScenario } from '../helpers.js';

/** One refusal: exit 2, a single first line `hazardsim: <file>: <field>: …`, no stack trace, nothing written. */
function refused(args: string[], first: RegExp, out?: string) {
  const r = cli(args);
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines[0]).toMatch(first);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  if (out) expect(existsSync(out)).toBe(false);
}

describe('no silent wrong result, nothing lost', () => {
  const dir = tempDir();
  const file = writeScenario(dir, smallScenario(dir, { duration: '60s' }));

  it('never replaces a user’s file or folder with a run folder', () => {
    const keep = join(dir, 'notes.txt');
    writeFileSync(keep, 'keep me');
    refused(['run', file, '--out', keep], /^hazardsim: --out: .*notes\.txt is an existing file, not a folder/);
    expect(readFileSync(keep, 'utf8')).toBe('keep me');
    const docs = join(dir, 'docs');
    mkdirSync(docs);
    writeFileSync(join(docs, 'thesis.tex'), 'chapter 1');
    refused(['run', file, '--out', docs], /^hazardsim: --out: .*docs is a folder hazardsim did not write/);
    expect(readdirSync(docs)).toEqual(['thesis.tex']);
    refused(['run', file, '--out', join(keep, 'sub')], /^hazardsim: --out: .* cannot be a folder: .*notes\.txt is a file/);
  });

  it('replaces its own earlier result, and clears what a killed run left behind, saying so', () => {
    const out = join(dir, 'run');
    expect(cli(['run', file, '--out', out, '--quiet']).code).toBe(0);
    // A temporary folder of a run killed while writing (its process is gone).
    const stale = join(dir, '.run.tmp-999999-abc');
    mkdirSync(stale);
    writeFileSync(join(stale, 'summary.json'), '');
    const again = cli(['run', file, '--out', out, '--quiet']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/removed .*\.run\.tmp-999999-abc, left behind by an interrupted run \(process 999999\)/);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(join(out, 'summary.json'))).toBe(true);
  });

  it('refuses a run that could not observe its hazard, or a tick longer than the run', () => {
    refused(['run', file, '--out', join(dir, 'late'), '--set', 'hazards.0.origin_time=60s'],
      /^hazardsim: .*scenario\.yaml: hazards\[0\]\.origin_time: begins at 60 s, at or after the end of the run \(duration 60 s\)/, join(dir, 'late'));
    refused(['run', file, '--out', join(dir, 'tick'), '--set', 'tick=2m'], /^hazardsim: .*scenario\.yaml: tick: expected a tick no longer than the duration \(60 s\), found 120/, join(dir, 'tick'));
  });

  it('warns, in the output, the summary and the report, about a hazard no phone could observe, with lon and lat swapped', () => {
    // The small city lies at 36.0° N, 120.0° W; [lat, lon] given as [lon, lat] puts the quake in Antarctica.
    const out = join(dir, 'far');
    const r = cli(['run', file, '--out', out, '--set', 'hazards.0.lon=36.0', '--set', 'hazards.0.lat=-89.5', '--set', 'duration=30s', '--set', 'hazards.0.origin_time=5s']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*scenario\.yaml: hazards\[0\]: lon 36, lat -89\.5 lies [\d,]+ km outside world small-city: no phone can observe it/);
    expect(r.stdout).not.toMatch(/MISSED/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.missed_hazards).toBe(0);
    expect(summary.warnings.join()).toMatch(/no phone can observe it/);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/Warnings:.*no phone can observe it/);
  });

  it('names the field and lists the choices for an unknown server type, alone or in a list', () => {
    refused(['run', file, '--out', join(dir, 'sv1'), '--set', 'server={type: quake}'], /^hazardsim: .*scenario\.yaml: server\.type: unknown value "quake"; expected one of "cell-ratio", "binomial"/);
    refused(['run', file, '--out', join(dir, 'sv2'), '--set', 'server=[{type: cell-ratio}, {type: quake}]'], /^hazardsim: .*scenario\.yaml: server\[1\]\.type: unknown value "quake"/);
    refused(['run', file, '--out', join(dir, 'sv3'), '--set', 'server.cell_km=-1'], /^hazardsim: .*scenario\.yaml: server\.cell_km: expected a value > 0, found -1/);
  });

  it('names the file for YAML that would expand without bound, the option for bad YAML in --set, and the repeated key', () => {
    // A "billion laughs" file: nine aliases of nine aliases of … .
    let bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n', prev = 'a';
    for (let i = 1; i < 9; i++) { bomb += `l${i}: &l${i} [${Array(9).fill('*' + prev).join(',')}]\n`; prev = `l${i}`; }
    const bombFile = join(dir, 'bomb.yaml');
    writeFileSync(bombFile, bomb);
    refused(['run', bombFile, '--out', join(dir, 'bomb')], /^hazardsim: .*bomb\.yaml: YAML: Excessive alias count .* \(aliases expand to over 1,000 nodes\)/);
    refused(['run', file, '--out', join(dir, 'bad-set'), '--set', 'population.devices=[1,'], /^hazardsim: --set: population\.devices: the value "\[1," is not valid YAML/, join(dir, 'bad-set'));
    const dup = join(dir, 'dup.yaml');
    writeFileSync(dup, readFileSync(file, 'utf8') + 'seed: 9\n');
    refused(['run', dup, '--out', join(dir, 'dup')], /^hazardsim: .*dup\.yaml: line \d+, column 1: YAML syntax error: the key "seed" appears twice in the same mapping/, join(dir, 'dup'));
  });

  it('estimates a run up front and refuses one that cannot fit in memory, unless forced', () => {
    // 50 M phones (the schema's maximum): hundreds of GB in signal mode on any machine CI runs on.
    const big = join(dir, 'big');
    refused(['run', file, '--out', big, '--set', 'population.devices=50000000'],
      /^hazardsim: .*scenario\.yaml: population: 50,000,000 phones need about \d+\.\d GB of memory in signal fidelity; this machine allows \d+\.\d GB .*or pass --force/, big);
    const v = cli(['validate', writeScenario(dir, smallScenario(dir, { population: { devices: 50_000_000, phones: [{ profile: join(ROOT, 'agents/phones/mid-range.yaml') }], behaviours: [{ profile: join(ROOT, 'agents/behaviours/on-table.yaml') }] } }), 'big.yaml')]);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/big\.yaml: population: 50,000,000 phones need about/);
    // A scenario that fits: validate prints the estimate.
    const ok = cli(['validate', file]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/estimate: 400 phones, \d+ device-hours, about 0\.\d GB of memory/);
    // Forced, validate accepts it (a run would then try).
    expect(cli(['validate', join(dir, 'big.yaml'), '--force']).code).toBe(0);
  });

  it('names the path when the file system refuses the output (here /sys, where nothing may be created)', () => {
    refused(['run', file, '--out', '/sys/hazardsim-out'], /^hazardsim: --out: cannot write \/sys\/hazardsim-out: (operation not permitted|permission denied|read-only file system), E[A-Z]+ \(at \/sys\/\.hazardsim-out\.tmp-\d+-\w+\); nothing was written/, '/sys/hazardsim-out');
  });

  it('refuses a scenario file of many megabytes before parsing it', () => {
    const huge = join(dir, 'huge.yaml');
    writeFileSync(huge, readFileSync(file, 'utf8') + '# ' + 'x'.repeat(5 * 1024 * 1024) + '\n');
    refused(['run', huge, '--out', join(dir, 'huge')], /^hazardsim: .*huge\.yaml: the file is 5\.0 MB; scenario and profile files are limited to 4 MB/, join(dir, 'huge'));
  });

  it('refuses a charging probability above 1', () => {
    const b = join(dir, 'charger.yaml');
    writeFileSync(b, readFileSync(join(ROOT, 'agents/behaviours/on-table.yaml'), 'utf8').replace(/^charging:.*$/m, '') + '\ncharging: 3\n');
    const r = cli(['validate', b]);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/charger\.yaml: charging: expected a value ≤ 1, found 3/);
  });

  it('refuses a model whose scores are not numbers, naming the model, instead of dropping every window', () => {
    // The shipped baseline with its bias set to NaN: every score it gives is NaN.
    const onnx = createRequire(import.meta.url)('onnx-proto').onnx;
    const m = onnx.ModelProto.decode(readFileSync(join(ROOT, 'models/quake-baseline.onnx')));
    for (const t of m.graph.initializer) if (/^b2_/.test(t.name)) { t.floatData = []; t.rawData = new Uint8Array(new Float32Array(Array(t.dims.reduce((a: number, b: number) => a * Number(b), 1)).fill(NaN)).buffer); }
    const bad = join(dir, 'nan.onnx');
    writeFileSync(bad, onnx.ModelProto.encode(m).finish());
    copyFileSync(join(ROOT, 'models/quake-baseline.json'), join(dir, 'nan.json'));
    const scen = writeScenario(dir, smallScenario(dir, { duration: '60s', detector: { type: 'two-stage', gate: { type: 'sta-lta', min_amplitude_g: 0.01 }, model: bad } }), 'nan-scenario.yaml');
    refused(['run', scen, '--out', join(dir, 'nan-run')], /^hazardsim: .*nan\.onnx: output: the model returned NaN for window 0 \(\d+ of \d+ windows not finite\)/, join(dir, 'nan-run'));
  });
});

/** A scenario of `duration` and an earlier, complete run of it in dir/run (with `extra` flags): what an interrupted second run must leave untouched. */
function earlierRun(duration: string, extra: string[] = []) {
  const dir = tempDir();
  const file = writeScenario(dir, smallScenario(dir, { duration }));
  const out = join(dir, 'run');
  expect(cli(['run', file, '--out', out, '--quiet', ...extra]).code).toBe(0);
  return { dir, file, out, before: readFileSync(join(out, 'summary.json'), 'utf8') };
}

describe('interrupted while writing', () => {
  it.each([['SIGTERM', 143], ['SIGINT', 130]] as const)('%s leaves no temporary folder and the earlier result intact', async (signal, code) => {
    const { dir, file, out, before } = earlierRun('60s');
    // A second run into the same folder, held with its complete temporary folder before the swap.
    const child = spawn(process.execPath, [CLI, 'run', file, '--out', out, '--seed', '99', '--quiet'], { env: { ...process.env, HAZARDSIM_TEST_WRITE_DELAY_MS: '20000' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += String(d); });
    const tmpExists = () => readdirSync(dir).some((e) => e.startsWith('.run.tmp-'));
    for (let i = 0; i < 600 && !tmpExists(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(tmpExists()).toBe(true);
    await new Promise((r) => setTimeout(r, 300)); // inside the held write
    child.kill(signal);
    const exit = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(exit).toBe(code);
    expect(stderr).toMatch(new RegExp(`interrupted \\(${signal}\\); no result was written, an earlier one is untouched`));
    expect(readdirSync(dir).filter((e) => e.startsWith('.run.'))).toEqual([]);
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe(before);
  }, 60_000);

  it.each([['SIGTERM', 143], ['SIGINT', 130]] as const)('%s during the simulation leaves nothing and the earlier result intact', async (signal, code) => {
    const { dir, file, out, before } = earlierRun('30m', ['--set', 'duration=60s']);
    // 30 simulated minutes take several seconds: the signal comes while the phones are being simulated.
    const child = spawn(process.execPath, [CLI, 'run', file, '--out', out, '--seed', '99'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += String(d); });
    child.stderr.on('data', (d) => { stderr += String(d); });
    for (let i = 0; i < 600 && !/estimate:/.test(stdout); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1000));
    expect(readdirSync(dir).some((e) => e.startsWith('.run.tmp-'))).toBe(false); // not writing yet
    child.kill(signal);
    // It stops as the signal asks (killed by it, or exiting with 128 + its number) and writes nothing.
    const [exit, by] = await new Promise<[number | null, string | null]>((r) => child.on('exit', (c, sig) => r([c, sig])));
    expect(exit === code || by === signal, `exit ${exit}, signal ${by}; ${stderr}`).toBe(true);
    expect(readdirSync(dir).filter((e) => e.startsWith('.run.'))).toEqual([]);
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe(before);
  }, 60_000);
});
