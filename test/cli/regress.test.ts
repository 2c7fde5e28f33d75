/**
 * `hazardsim regress` on the shipped suite (suites/quake-detector.yaml, 24 cases, one a real phone log): the shipped
 * STA/LTA against itself has no regression (exit 0; its known failures are reported, not held
 * against it); a detector made worse on purpose (amplitude gate 0.2 g) fails with exit 1 and names
 * exactly the cases it breaks (on five of the suite's cases); a suite naming an unknown metric is bad input.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { cli, ROOT, tempDir } from '../helpers.js';

/** The shipped suite cut to the named cases (paths made absolute), written into dir. */
function subSuite(dir: string, names: string[]): string {
  const suite = parse(readFileSync(join(ROOT, 'suites/quake-detector.yaml'), 'utf8'));
  suite.cases = suite.cases.filter((c: { name: string }) => names.includes(c.name)).map((c: { scenario?: string }) => ({ ...c, ...(c.scenario ? { scenario: resolve(ROOT, 'suites', c.scenario) } : {}) }));
  const file = join(dir, 'quake-detector-part.yaml');
  writeFileSync(file, stringify(suite));
  return file;
}

describe('hazardsim regress', () => {
  const dir = tempDir(), out = join(dir, 'regress');

  it('the baseline against itself: no regression, known failures reported', () => {
    const r = cli(['regress', 'suites/quake-detector.yaml', '--baseline', 'suites/detectors/sta-lta.yaml', '--candidate', 'suites/detectors/sta-lta.yaml', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.pooled.baseline.cases).toBeGreaterThanOrEqual(20);
    expect(j.regressions).toEqual([]);
    expect(j.pooled.candidate.failed).toEqual(j.pooled.baseline.failed);
    // Every problem-signal case holds for the shipped detector.
    for (const c of ['stadium-crowd', 'construction-site', 'walking-city', 'driving-city', 'phone-drops', 'quiet-city', 'walking-in-hand-real']) expect(j.pooled.baseline.failed).not.toContain(c);
  }, 200_000);

  it('a detector made worse fails with exit 1, naming the cases it breaks', () => {
    // Five of the shipped cases (their baseline runs are the first test's, reused from points/): three
    // a deaf detector breaks, two problem-signal cases it cannot (nothing to alarm on).
    const part = subSuite(dir, ['m5-under-city', 'm65-dense', 'm7-rupture', 'stadium-crowd', 'quiet-city']);
    const r = cli(['regress', part, '--baseline', 'suites/detectors/sta-lta.yaml', '--candidate', 'suites/detectors/sta-lta-deaf.yaml', '--out', out]);
    expect(r.code).toBe(1);
    const regressed = /FAIL: the candidate regresses on (.*)/.exec(r.stdout)![1]!.split(', ');
    expect(regressed).toEqual(['m5-under-city', 'm65-dense', 'm7-rupture']);
    const j = JSON.parse(readFileSync(join(out, 'regress.json'), 'utf8'));
    expect(j.pooled.candidate.mean_timely_share).toBeLessThan(j.pooled.baseline.mean_timely_share);
  }, 200_000);

  it('a suite naming an unknown metric is bad input', () => {
    writeFileSync(join(dir, 'bad.yaml'), 'name: bad\ncases:\n  - name: one\n    scenario: ' + join(process.cwd(), 'scenarios/quickstart.yaml') + '\n    expect: { timley_share: { min: 0.5 } }\n');
    const r = cli(['regress', join(dir, 'bad.yaml'), '--candidate', 'suites/detectors/sta-lta.yaml', '--out', join(dir, 'bad-out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml: cases\[0\]\.expect\.timley_share: unknown metric; expected one of .*timely_share/);
  });
});
