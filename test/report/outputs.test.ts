import { summarySchema } from '../../src/score/summary-schema.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { ROOT, cli, tempDir } from '../helpers.js';
import { readTable } from '../../src/output/tables.js';

/** Debian's chromium, which .ci/run installs (npx playwright install cannot download here). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('run outputs, score, report and compare', () => {
  const dir = tempDir();
  const A = join(dir, 'a'), B = join(dir, 'b');
  const small = ['--set', 'population.devices=4000', '--set', 'duration=90s', '--quiet'];

  beforeAll(() => {
    expect(cli(['run', 'scenarios/quickstart.yaml', '--out', A, ...small]).code).toBe(0);
    // B: the same phones behind a slow network (4 s median uplink): warnings must get worse.
    expect(cli(['run', 'scenarios/quickstart.yaml', '--out', B, ...small, '--set', 'network.uplink.latency.median=4s']).code).toBe(0);
  }, 120_000);

  it('writes the row tables as Parquet and CSV that agree, and GeoJSON of alerts and truth', async () => {
    for (const f of ['summary.json', 'manifest.json', 'report.html', 'truth.json', 'alerts.geojson', 'truth.geojson']) expect(existsSync(join(A, f))).toBe(true);
    const summary = JSON.parse(readFileSync(join(A, 'summary.json'), 'utf8'));
    // summary.json follows its schema (schema/summary.schema.json): no field the schema does not describe.
    const checked = summarySchema.safeParse(summary);
    expect(checked.success, JSON.stringify(checked.error?.issues.slice(0, 3))).toBe(true);
    for (const t of ['devices', 'triggers', 'alerts', 'receipts']) {
      const rows = await readTable(A, t);
      const csv = readFileSync(join(A, `${t}.csv`), 'utf8').trimEnd().split('\n');
      expect(csv.length - 1).toBe(rows.length);
      // The Parquet adds GeoParquet geometry where the table has positions; the CSV has them as lon and lat.
      expect(csv[0]!.split(',')).toEqual(Object.keys(rows[0]!).filter((k) => k !== 'geometry'));
    }
    const devices = await readTable(A, 'devices');
    expect(devices).toHaveLength(4000); // every phone felt the M6
    const h = summary.hazards[0];
    expect(devices.filter((d) => d.outcome === 'timely').length).toBe(h.outcomes.timely);
    expect((await readTable(A, 'receipts')).length).toBe(summary.alert_receipts);
    expect((await readTable(A, 'triggers')).filter((t) => t.kind === 'trigger').length).toBe(summary.triggers);
    const alerts = JSON.parse(readFileSync(join(A, 'alerts.geojson'), 'utf8'));
    const roles = new Set(alerts.features.map((f: any) => f.properties.role));
    expect([...roles].sort()).toEqual(['be-aware', 'estimate', 'take-action', 'truth']);
    expect(alerts.features.find((f: any) => f.properties.role === 'be-aware').geometry.type).toBe('Polygon');
    const truth = JSON.parse(readFileSync(join(A, 'truth.geojson'), 'utf8'));
    expect(truth.features[0].geometry.coordinates).toEqual([-120.09, 36]);
    // The CSV loads in numpy as ML engineers would load it: same rows, warnings where the table says.
    const py = spawnSync('python3', ['-c', `import numpy as np\nd = np.genfromtxt(${JSON.stringify(join(A, 'devices.csv'))}, delimiter=',', names=True, dtype=None, encoding='utf8')\nprint(len(d), int((d['outcome'] == 'timely').sum()), float(np.nanmedian(d['warning_s'])))`], { encoding: 'utf8' });
    expect(py.stderr).toBe('');
    const [rows, timely, median] = py.stdout.trim().split(' ').map(Number);
    expect(rows).toBe(4000);
    expect(timely).toBe(h.outcomes.timely);
    expect(median).toBeCloseTo(h.warning_time_s.p50, 9);
  });

  it('`score` on the saved outputs gives back the same summary, and explains a missing file', () => {
    const r = cli(['score', A]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('is identical to summary.json');
    const bad = cli(['score', join(dir, 'nowhere')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/nowhere\/manifest\.json: missing/);
    expect(bad.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it('the report renders in a real Chromium with every plot drawn and no console errors', async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (as .ci/run does)`).toBe(true);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
      await page.goto('file://' + join(A, 'report.html'));
      const plots = await page.$$eval('svg.plot', (els) => els.map((e) => ({ plot: e.getAttribute('data-plot'), shapes: e.querySelectorAll('circle,rect,path,line,polyline').length, width: e.getBoundingClientRect().width })));
      expect(plots.map((p) => p.plot)).toEqual(['map', 'warning', 'timeline']);
      const by = Object.fromEntries(plots.map((p) => [p.plot, p]));
      expect(by.map!.shapes).toBeGreaterThan(3000); // the phones, the world, the regions
      expect(by.warning!.shapes).toBeGreaterThan(1000);
      expect(by.timeline!.shapes).toBeGreaterThan(10);
      for (const p of plots) expect(p.width).toBeGreaterThan(300);
      expect(await page.locator('h1').textContent()).toContain('quickstart');
      // The world's roads are on the map (grid-city has 420 road lines).
      expect((await page.locator('svg[data-plot=map] path.roads').getAttribute('d'))!.match(/M/g)!.length).toBe(420);
      // ShakeMap-like shading shows the truth: under each phone lies the band of its own true MMI
      // (the simulation's per-phone intensity, soft-soil sites included), within half a level.
      const bands = await page.$$eval('svg[data-plot=map] circle.phone[data-mmi]', (els) => els.filter((_, i) => i % 10 === 0).map((e) => {
        const r = e.getBoundingClientRect(), doc = e.ownerDocument;
        const under = doc.elementsFromPoint(r.x + r.width / 2, r.y + r.height / 2).filter((u: { tagName: string; hasAttribute(n: string): boolean; getAttribute(n: string): string | null }) => u.tagName === 'path' && u.hasAttribute('data-mmi')).map((u: { tagName: string; hasAttribute(n: string): boolean; getAttribute(n: string): string | null }) => Number(u.getAttribute('data-mmi')));
        return [Number(e.getAttribute('data-mmi')), under.length ? Math.max(...under) : NaN];
      }));
      expect(bands.length).toBeGreaterThan(200);
      const agree = bands.filter(([mmi, band]) => Math.abs(mmi! - band!) <= 0.55).length;
      expect(agree / bands.length).toBeGreaterThan(0.97);
      expect(new Set(bands.map(([, b]) => b)).size).toBeGreaterThan(1); // more than one band across the city
      // The timeline is zoomed to the quake: its first alert falls well inside the axis, not in a corner of the run.
      const tl = (await page.locator('svg[data-plot=timeline]').boundingBox())!;
      const first = await page.$$eval('svg[data-plot=timeline] line[stroke-width="2"]', (els) => els.map((e) => e.getBoundingClientRect().x));
      expect(first.length).toBeGreaterThan(0);
      expect((first[0]! - tl.x) / tl.width).toBeGreaterThan(0.2); // 0.11 when the axis spanned the whole 10-minute run
      expect((first[0]! - tl.x) / tl.width).toBeLessThan(0.8);
      // Every figure is also its own SVG file, which a browser opens as SVG without errors.
      for (const f of ['map', 'warning', 'timeline-1']) {
        const fig = await browser.newPage();
        await fig.goto('file://' + join(A, 'figures', `${f}.svg`));
        expect(await fig.evaluate(() => (globalThis as unknown as { document: { documentElement: { namespaceURI: string } } }).document.documentElement.namespaceURI)).toBe('http://www.w3.org/2000/svg');
        expect(await fig.locator('circle,rect,path,line').count()).toBeGreaterThan(5);
        await fig.close();
      }
      mkdirSync(join(ROOT, 'out'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'out', 'report-test.png'), fullPage: true });
      // PNG copies of each figure, as a paper takes them (out/report-figures/).
      mkdirSync(join(ROOT, 'out', 'report-figures'), { recursive: true });
      for (const name of ['map', 'warning', 'timeline']) {
        const png = join(ROOT, 'out', 'report-figures', `${name}.png`);
        await page.locator(`svg[data-plot=${name}]`).first().screenshot({ path: png });
        expect(statSync(png).size).toBeGreaterThan(5000);
      }
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('the map keeps a source outside the world in frame, its legend off the data and a scale bar (replay-ridgecrest: the station is 100 km from the epicentre)', async () => {
    const out = join(dir, 'ridgecrest');
    const r = cli(['run', join(ROOT, 'scenarios/replay-ridgecrest.yaml'), '--out', out, '--quiet', '--set', 'population.devices=800']);
    expect(r.code, r.stderr).toBe(0);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto('file://' + join(out, 'report.html'));
      const map = (await page.locator('svg[data-plot=map]').boundingBox())!;
      const star = (await page.locator('svg[data-plot=map] .truth').first().boundingBox())!;
      // The true epicentre is drawn inside the map, not clipped off it.
      expect(star.x).toBeGreaterThanOrEqual(map.x);
      expect(star.x + star.width).toBeLessThanOrEqual(map.x + map.width);
      expect(star.y).toBeGreaterThanOrEqual(map.y);
      expect(star.y + star.height).toBeLessThanOrEqual(map.y + map.height);
      // The legend sits right of every phone dot.
      const legend = (await page.locator('svg[data-plot=map] g.legend').boundingBox())!;
      const right = await page.$$eval('svg[data-plot=map] circle.phone', (els) => Math.max(...els.map((e) => e.getBoundingClientRect().right)));
      expect(legend.x).toBeGreaterThanOrEqual(right - 1);
      expect(await page.locator('svg[data-plot=map] g.scale-bar text').textContent()).toMatch(/^\d+(\.\d)? km$/);
      // A graticule labelled in degrees, and a legend that lists only what this map draws (no outcome colours without per-phone outcomes).
      expect(await page.locator('svg[data-plot=map] g.graticule text.tick').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^\d+(\.\d+)?°[NS]$/), expect.stringMatching(/^\d+(\.\d+)?°[EW]$/)]));
      expect(await page.locator('svg[data-plot=map] g.legend').textContent()).toMatch(/timely.*true source/);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('`compare` finds the slow network significantly worse and gates on it; a run against itself passes', () => {
    // The runs differ in their network, not their detector: refused unless allowed.
    const refused = cli(['compare', A, B]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/scenarios differ beyond the detector \(in network\).*--allow-different/);
    const r = cli(['compare', A, B, '--allow-different', '--fail-on', 'timely_share', 'false_alerts']);
    expect(r.stdout).toMatch(/hazard0\.timely_share .* B worse/);
    expect(r.stdout).toMatch(/hazard0\.warning_time_s .* B worse/);
    // Same seed, same phones: the paired tests see it person by person too.
    expect(r.stdout).toMatch(/paired\.timely_people .* B worse/);
    expect(r.stdout).toMatch(/paired\.warning_time_s .* B worse/);
    expect(r.stdout).toContain('FAIL: B is significantly worse on hazard0.timely_share');
    expect(r.code).toBe(1);
    const same = cli(['compare', A, A, '--fail-on', 'timely_share', '--json']);
    expect(same.code).toBe(0);
    const j = JSON.parse(same.stdout);
    expect(j.failed).toEqual([]);
    expect(j.metrics.every((m: any) => m.verdict !== 'B worse' && m.verdict !== 'B better')).toBe(true);
    expect(cli(['compare', A, B, '--alpha', '2']).code).toBe(2);
    // An unknown --fail-on name is bad input, and the message lists the valid ones.
    const typo = cli(['compare', A, A, '--fail-on', 'timley_share']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/--fail-on: unknown metric "timley_share"; these runs have: .*timely_share/);
  });

  it('`compare` gates a candidate detector with more false triggers on the same phones (paired tests)', () => {
    // The same quiet half hour of 1,000 phones on tables. The baseline high-passes at 5 Hz; the candidate
    // at the quickstart's 1 Hz lets more everyday motion through (about 1.4 times the triggers).
    const quiet = ['--set', 'population.devices=1000', '--set', 'duration=30m', '--set', 'hazards=[]', '--quiet'];
    const Q = join(dir, 'quiet-a'), C = join(dir, 'quiet-b');
    expect(cli(['run', 'scenarios/quickstart.yaml', '--out', Q, ...quiet, '--set', 'detector.highpass_hz=5']).code).toBe(0);
    expect(cli(['run', 'scenarios/quickstart.yaml', '--out', C, ...quiet]).code).toBe(0);
    const r = cli(['compare', Q, C, '--json', '--fail-on', 'false_triggers_per_phone_hour', 'paired.false_triggers_per_device']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout), m = (name: string) => j.metrics.find((x: any) => x.metric === name);
    expect(m('false_triggers_per_phone_hour').b).toBeGreaterThan(1.25 * m('false_triggers_per_phone_hour').a);
    expect(m('false_triggers_per_phone_hour').verdict).toBe('B worse');
    expect(m('paired.false_triggers_per_device').verdict).toBe('B worse');
    expect(j.failed).toEqual(['false_triggers_per_phone_hour', 'paired.false_triggers_per_device']);
    // Against itself: nothing differs, paired or not.
    const same = JSON.parse(cli(['compare', Q, Q, '--json']).stdout);
    expect(same.metrics.some((x: any) => x.metric === 'paired.false_triggers_per_device')).toBe(true);
    expect(same.metrics.every((x: any) => x.verdict !== 'B worse' && x.verdict !== 'B better')).toBe(true);
  }, 120_000);

  it('--replicates runs seeds in turn and pools them: shares over all phones, with intervals', () => {
    const R = join(dir, 'rep');
    const r = cli(['run', 'scenarios/quickstart.yaml', '--out', R, '--replicates', '2', '--json', '--set', 'population.devices=2000', '--set', 'duration=80s']);
    expect(r.code).toBe(0);
    const pooled = JSON.parse(r.stdout);
    expect(pooled.seeds).toEqual([1, 2]);
    const s1 = JSON.parse(readFileSync(join(R, 'seed-1', 'summary.json'), 'utf8')), s2 = JSON.parse(readFileSync(join(R, 'seed-2', 'summary.json'), 'utf8'));
    expect(s1.hazards[0].outcomes).not.toEqual(s2.hazards[0].outcomes); // different seeds, different phones
    const h = pooled.hazards[0];
    expect(h.timely_share.value).toBeCloseTo((s1.hazards[0].outcomes.timely + s2.hazards[0].outcomes.timely) / (s1.hazards[0].deserving + s2.hazards[0].deserving), 12);
    expect(h.timely_share.lo).toBeLessThan(h.timely_share.value);
    expect(h.detected.value).toBe(1);
    expect(JSON.parse(readFileSync(join(R, 'replicates.json'), 'utf8'))).toEqual(pooled);
    expect(cli(['run', 'scenarios/quickstart.yaml', '--out', join(dir, 'bad'), '--replicates', '0']).code).toBe(2);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });
});
