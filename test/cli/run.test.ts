import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, cli, smallScenario, tempDir, writeScenario } from '../helpers.js';

describe('hazardsim run', () => {
  const dir = tempDir();
  const file = writeScenario(dir, smallScenario(dir));

  it('gives byte-identical summaries and row files in the main thread (its default here), on 1 and on 2 threads; another seed differs', () => {
    const runs = [['t1', '1', '7'], ['t2', '2', '7'], ['other', '2', '8']];
    for (const [name, threads, seed] of runs) {
      const r = cli(['run', file, '--out', join(dir, name!), '--threads', threads!, '--seed', seed!, '--quiet']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    // Without --threads a run this small (400 phones for 90 s: about 0.2 s in one thread) stays in the main thread, and says why.
    const auto = cli(['run', file, '--out', join(dir, 'auto'), '--seed', '7']);
    expect(auto.code).toBe(0);
    expect(auto.stdout).toMatch(/^hazardsim: estimate: .* in the main thread \(under 3 s in one thread, too short to repay starting workers\)$/m);
    expect(auto.stdout).toMatch(/simulated in .* s \(.* device-s per s, 0 threads\)/);
    const read = (n: string) => readFileSync(join(dir, n, 'summary.json'), 'utf8');
    expect(read('t2')).toBe(read('t1'));
    expect(read('auto')).toBe(read('t1'));
    // So are the row tables and GeoJSON (the manifest and the report carry timings, so they differ).
    for (const f of ['devices.csv', 'triggers.csv', 'alerts.csv', 'receipts.csv', 'devices.parquet', 'alerts.geojson', 'truth.geojson', 'truth.json']) {
      expect(readFileSync(join(dir, 't2', f)).equals(readFileSync(join(dir, 't1', f))), f).toBe(true);
      expect(readFileSync(join(dir, 'auto', f)).equals(readFileSync(join(dir, 't1', f))), f).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(dir, 'auto', 'manifest.json'), 'utf8')).figures.threads).toBe(0);
    expect(read('other')).not.toBe(read('t1'));
    const s = JSON.parse(read('t1'));
    expect(s.hazards[0].kind).toBe('earthquake');
    expect(s.hazards[0].alert_latency_s).toBeGreaterThan(0);
    expect(s.hazards[0].alert_latency_s).toBeLessThan(15);
    expect(Object.keys(s.hazards[0].warning_time_s)).toEqual(['p10', 'p50', 'p90', 'n']);
    expect(Object.keys(s.hazards[0].outcomes)).toEqual(expect.arrayContaining(['timely', 'late', 'missed', 'unnecessary']));
    expect(s.false_alerts).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, 't1', 'manifest.json'), 'utf8'));
    expect(m.scenario_hash).toBe(s.scenario.hash);
    expect(m.seed).toBe(7);
    expect(m.figures.device_seconds_per_wall_second).toBeGreaterThan(0);
    expect(m.figures.peak_rss_mb).toBeGreaterThan(0);
    expect(m.versions.zod).toMatch(/^\d+\./);
    expect(m.scenario.config.hazards[0].magnitude).toBe(5.5);
  }, 120_000);

  it('prints the summary JSON with --json', () => {
    const r = cli(['run', file, '--out', join(dir, 'json'), '--threads', '1', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.scenario.name).toBe('small');
  });

  const bad: [string, Record<string, unknown> | string, RegExp][] = [
    ['malformed YAML', 'name: broken\nduration: [10s\n', /bad\.yaml: line \d+, column \d+: YAML syntax error/],
    ['an unknown key', { detectr: { type: 'sta-lta' } }, /bad\.yaml: detectr: unknown key "detectr" \(did you mean "detector"\?\)/],
    ['an unknown hazard type', { hazards: [{ type: 'meteor', origin_time: 5 }] }, /bad\.yaml: hazards\[0\]\.type: unknown value "meteor"; expected one of "earthquake"/],
    ['a negative magnitude', { hazards: [{ type: 'earthquake', origin_time: 5, lon: -120, lat: 36, magnitude: -2 }] }, /bad\.yaml: hazards\[0\]\.magnitude: expected a moment magnitude between 3 and 9\.5 \(BA08 is fitted for 5–8\), found -2/],
    ['a missing world file', { world: 'missing-world.geojson' }, /bad\.yaml: world: file not found: "missing-world\.geojson"/],
  ];
  it.each(bad)('refuses %s: exit 2, one message naming file and field, no output folder', (_what, patch, message) => {
    const d = tempDir();
    const f = writeScenario(d, typeof patch === 'string' ? patch : smallScenario(d, patch), 'bad.yaml');
    const out = join(d, 'out');
    const r = cli(['run', f, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(d).filter((n) => n.startsWith('.out'))).toEqual([]);
  });

  it('rejects unknown flags with exit 2', () => {
    const r = cli(['run', file, '--threds', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown argument: threds/);
  });
});

describe('hazardsim validate and schema', () => {
  it('validate exits 0 for valid files and 2 when any is invalid', () => {
    const d = tempDir();
    const good = writeScenario(d, smallScenario(d), 'good.yaml');
    const bad = writeScenario(d, smallScenario(d, { seed: -3 }), 'bad.yaml');
    expect(cli(['validate', good, 'worlds/grid-city.geojson', 'agents/phones/mid-range.yaml']).code).toBe(0);
    const r = cli(['validate', good, bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml: seed: expected a value ≥ 0, found -3/);
    // --json: one verdict per file, with the problems and the scenario's estimate.
    const j = cli(['validate', good, bad, '--json']);
    expect(j.code).toBe(2);
    const v = JSON.parse(j.stdout);
    expect(v.map((x: any) => [x.kind, x.ok])).toEqual([['scenario', true], ['scenario', false]]);
    expect(v[0].estimate.phones).toBe(400);
    expect(v[1].problems).toEqual([{ path: 'seed', message: 'expected a value ≥ 0, found -3' }]);
  });

  it('schema prints a JSON Schema, the committed copy is that schema, and shipped scenarios point editors at it', () => {
    const r = cli(['schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.title).toBe('hazardsim scenario');
    // Every section an editor should complete is described, the server included (one or a list).
    for (const key of ['world', 'population', 'hazards', 'detector', 'network', 'server', 'scoring']) expect(Object.keys(schema.properties[key]).length, key).toBeGreaterThan(0);
    expect(schema.properties.server.anyOf).toHaveLength(2);
    // Fields carry their descriptions (from the zod schemas) for editors to show.
    expect(schema.properties.population.properties.eligibility.description).toMatch(/Which phones monitor for hazards/);
    expect(schema.properties.tick.description).toMatch(/Engine tick/);
    // ...plug-in options too (here STA/LTA's, inside the detector union).
    expect(r.stdout).toMatch(/"description": "High-pass corner applied to each axis before the characteristic function, Hz\."/);
    // schema/scenario.schema.json is kept in sync: regenerate it with `npx hazardsim schema > schema/scenario.schema.json`.
    expect(readFileSync(join(ROOT, 'schema/scenario.schema.json'), 'utf8')).toBe(r.stdout);
    for (const f of readdirSync(join(ROOT, 'scenarios')).filter((n) => n.endsWith('.yaml'))) {
      expect(readFileSync(join(ROOT, 'scenarios', f), 'utf8').split('\n')[0], f).toBe('# yaml-language-server: $schema=../schema/scenario.schema.json');
    }
    // The same for phone profiles and behaviours.
    for (const [kind, folder] of [['phone', 'phones'], ['behaviour', 'behaviours']] as const) {
      const k = cli(['schema', '--kind', kind]);
      expect(k.code).toBe(0);
      expect(JSON.parse(k.stdout).title).toMatch(/^hazardsim (phone profile|behaviour)$/);
      expect(readFileSync(join(ROOT, `schema/${kind}.schema.json`), 'utf8')).toBe(k.stdout);
      for (const f of readdirSync(join(ROOT, 'agents', folder)).filter((n) => n.endsWith('.yaml'))) {
        expect(readFileSync(join(ROOT, 'agents', folder, f), 'utf8').split('\n')[0], f).toBe(`# yaml-language-server: $schema=../../schema/${kind}.schema.json`);
      }
    }
    // And for sweep files.
    const sw = cli(['schema', '--kind', 'sweep']);
    expect(sw.code).toBe(0);
    expect(JSON.parse(sw.stdout).title).toBe('hazardsim sweep');
    expect(readFileSync(join(ROOT, 'schema/sweep.schema.json'), 'utf8')).toBe(sw.stdout);
    // And for what runs and training write: summary.json and the model sidecar.
    for (const kind of ['summary', 'sidecar']) {
      const k = cli(['schema', '--kind', kind]);
      expect(k.code).toBe(0);
      expect(readFileSync(join(ROOT, `schema/${kind}.schema.json`), 'utf8')).toBe(k.stdout);
    }
    for (const f of readdirSync(join(ROOT, 'sweeps')).filter((n) => n.endsWith('.yaml'))) {
      expect(readFileSync(join(ROOT, 'sweeps', f), 'utf8').split('\n')[0], f).toBe('# yaml-language-server: $schema=../schema/sweep.schema.json');
    }
    // Detector files and regression suites; the calibration scenarios point at the scenario schema.
    for (const kind of ['detector', 'suite']) {
      const k = cli(['schema', '--kind', kind]);
      expect(k.code).toBe(0);
      expect(readFileSync(join(ROOT, `schema/${kind}.schema.json`), 'utf8')).toBe(k.stdout);
    }
    const firstLine = (f: string) => readFileSync(join(ROOT, f), 'utf8').split('\n')[0];
    for (const f of readdirSync(join(ROOT, 'suites/detectors'))) expect(firstLine(`suites/detectors/${f}`), f).toBe('# yaml-language-server: $schema=../../schema/detector.schema.json');
    for (const f of readdirSync(join(ROOT, 'suites')).filter((n) => n.endsWith('.yaml'))) expect(firstLine(`suites/${f}`), f).toBe('# yaml-language-server: $schema=../schema/suite.schema.json');
    for (const f of readdirSync(join(ROOT, 'calibration/scenarios'))) expect(firstLine(`calibration/scenarios/${f}`), f).toBe('# yaml-language-server: $schema=../../schema/scenario.schema.json');
    // Every field of every committed schema says what it is (and its unit), for editors to show.
    for (const f of readdirSync(join(ROOT, 'schema'))) {
      const undescribed: string[] = [];
      const walk = (n: any, path: string): void => {
        if (Array.isArray(n)) { n.forEach((x) => walk(x, path)); return; }
        if (!n || typeof n !== 'object') return;
        for (const [k, v] of Object.entries(n.properties ?? {}) as [string, any][]) {
          if (!v.description) undescribed.push(`${path}.${k}`);
          walk(v, `${path}.${k}`);
        }
        for (const k of ['items', 'anyOf', 'oneOf', 'allOf', 'prefixItems', 'additionalProperties']) if (n[k]) walk(n[k], k === 'items' || k === 'additionalProperties' ? `${path}[]` : path);
      };
      walk(JSON.parse(readFileSync(join(ROOT, 'schema', f), 'utf8')), '');
      expect(undescribed, f).toEqual([]);
    }
  });

  it('plugins lists every type a scenario can name, with what each declares', () => {
    const r = cli(['plugins', '--json']);
    expect(r.code).toBe(0);
    const l = JSON.parse(r.stdout);
    expect(l.hazards.map((h: { type: string }) => h.type).sort()).toEqual(['construction', 'crash', 'crowd', 'earthquake', 'pressure-front', 'recorded', 'road-anomaly', 'traffic-vibration']);
    expect(l.detectors.find((d: { type: string }) => d.type === 'bump')).toMatchObject({ channel: 'bump', reads: ['gnss.speed'] });
    expect(l.servers.find((s: { type: string }) => s.type === 'pressure-front').channels).toEqual(['pressure']);
    for (const p of [...l.hazards, ...l.detectors, ...l.servers]) expect(p.summary.length).toBeGreaterThan(20);
    // A typo in a scenario's type is answered with the same list (the schema is built from this set).
    const schema = JSON.parse(cli(['schema']).stdout);
    expect(JSON.stringify(schema)).toContain('"traffic-vibration"');
  });

  it('calibrate refuses an --out it could not write, before minutes of simulation', () => {
    const r = cli(['calibrate', '--out', '/nonexistent-folder/x.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out: expected a file in an existing folder/);
    const t = cli(['calibrate', '--responses', 'shipped', '--out', '/nonexistent-folder/x.json']);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/^hazardsim: --out: expected a file in an existing folder/);
    const u = cli(['calibrate', '--responses', 'no-such-scenario.yaml']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/no-such-scenario\.yaml/);
    expect(u.stderr).not.toMatch(/\n\s+at /);
  });

  it('every command has --help', () => {
    const commands = ['run', 'validate', 'schema', 'plugins', 'calibrate', 'shaking', 'record', 'dataset', 'train', 'score', 'report', 'compare'];
    for (const args of [['--help'], ...commands.map((c) => [c, '--help']), ['world', 'build', '--help']]) {
      const r = cli(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/hazardsim/);
      // Every option says what it does: no line that goes straight from the option's name to its type.
      const bare = r.stdout.split('\n').filter((l) => /^\s+(-\w, )?--[a-z-]+\s+\[/.test(l));
      expect(bare, `${args.join(' ')}: options without a description`).toEqual([]);
    }
    const top = cli(['--help']).stdout;
    for (const c of commands) expect(top).toContain(`hazardsim ${c}`);
  });

  it('reports progress as plain lines when stderr is not a terminal (a log, CI)', () => {
    const d = tempDir();
    const f = writeScenario(d, smallScenario(d, { duration: '10m', hazards: [] }));
    const r = cli(['run', f, '--out', join(d, 'out')], { env: { HAZARDSIM_PROGRESS_MS: '300' } });
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('hazardsim: small (seed 7): '));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^hazardsim: small \(seed 7\): \d+ % after \d+ s(, about \d+ (s|min) left)?$/);
  });

  it('suggests the command a typo meant, and lists every command when none is named', () => {
    const typo = cli(['runn', 'scenarios/quickstart.yaml']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^hazardsim: unknown command "runn"; did you mean run\?/);
    const bare = cli([]);
    expect(bare.code).toBe(2);
    for (const c of ['run', 'validate', 'score', 'report', 'compare', 'plugins', 'schema', 'shaking', 'calibrate', 'record', 'dataset', 'train', 'world']) expect(bare.stderr).toContain(c);
  });
});
