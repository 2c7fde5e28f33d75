/**
 * A sweep through BullMQ on a real Redis (Debian's redis-server, started here on a free loopback
 * port with a temporary folder, stopped after): 12 points on 2 workers, one frozen and killed
 * (SIGKILL) in the middle of a point, a third started later. The sweep completes, and its merged tables are
 * byte-identical to the same sweep run locally (the reference). Skipped only when redis-server is
 * not installed (CI installs it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CLI, cli, smallScenario, tempDir, writeScenario } from '../../helpers.js';

const hasRedis = !spawnSync('redis-server', ['--version']).error;

/** A free TCP port on the loopback interface. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const port = (s.address() as { port: number }).port; s.close(() => resolve(port)); });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exited = (p: ChildProcess) => new Promise<number>((r) => (p.exitCode !== null ? r(p.exitCode) : p.once('exit', (c, sig) => r(c ?? (sig ? -1 : 0)))));

describe.skipIf(!hasRedis)('sweeps through BullMQ on a real Redis', () => {
  let redis: ChildProcess, url = '';
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    const port = await freePort(), dir = tempDir('hazardsim-redis-');
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    url = `redis://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG') return;
      await sleep(100);
    }
    throw new Error('redis-server did not start');
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    redis?.kill('SIGTERM');
    if (redis) await exited(redis);
  });

  it('finishes a 12-point sweep although a worker is killed mid-point, with tables identical to a local run', async () => {
    const dir = tempDir();
    const base = smallScenario(dir);
    writeScenario(dir, { ...base, population: { ...(base.population as object), devices: 1500 } });
    const sweep = join(dir, 'sweep.yaml');
    writeFileSync(sweep, stringify({ name: 'fault', scenario: 'scenario.yaml', grid: [{ path: 'hazards.0.magnitude', range: { from: 5.0, to: 6.1, steps: 12 } }] }));
    const outR = join(dir, 'redis'), outL = join(dir, 'local');
    const start = (args: string[]) => { const c = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }); children.push(c); return c; };
    const main = start(['sweep', sweep, '--out', outR, '--redis', url, '--quiet']);
    let mainErr = '';
    main.stderr!.on('data', (d) => (mainErr += d));
    const a = start(['worker', '--redis', url, '--jobs', '1', '--lock', '2']);
    let aLog = '';
    a.stderr!.on('data', (d) => (aLog += d));
    const busy = () => (aLog.match(/: running /g) ?? []).length > (aLog.match(/: done /g) ?? []).length;
    const b = start(['worker', '--redis', url, '--jobs', '1', '--lock', '2', '--quiet']);
    const done = () => (existsSync(join(outR, 'points')) ? readdirSync(join(outR, 'points')).filter((h) => existsSync(join(outR, 'points', h, 'seed-7', 'summary.json'))).length : 0);
    // Kill worker A once a few points are done, while it is in the middle of one. A is frozen
    // (SIGSTOP) first and its pipe drained, so a point it finished just before could not pass for
    // one it was running: if the drained log shows it idle, it is let go and tried again later.
    let frozenBusy = false;
    for (let i = 0; i < 1200 && !frozenBusy; i++) {
      await sleep(50);
      if (!(done() >= 3 && busy())) continue;
      a.kill('SIGSTOP');
      await sleep(300);
      frozenBusy = busy();
      if (!frozenBusy) a.kill('SIGCONT');
    }
    expect(done()).toBeGreaterThanOrEqual(3);
    expect(done()).toBeLessThan(12);
    expect(frozenBusy).toBe(true);
    const victim = /: running \S+ point (\w+) seed/.exec(aLog.split('\n').filter((l) => l.includes(': running ')).at(-1)!)![1]!;
    a.kill('SIGKILL');
    await exited(a);
    await sleep(1000);
    const c = start(['worker', '--redis', url, '--jobs', '1', '--lock', '2', '--quiet']);
    const code = await Promise.race([exited(main), sleep(170_000).then(() => -99)]);
    expect(mainErr).toBe('');
    expect(code).toBe(0);
    expect(done()).toBe(12);
    // The point A was running when it died was run again, by another worker.
    const retried = readdirSync(join(outR, 'points')).find((h) => h.startsWith(victim));
    expect(retried && existsSync(join(outR, 'points', retried, 'seed-7', 'summary.json'))).toBe(true);
    expect(aLog).not.toMatch(new RegExp(`done \\S+ point ${victim}`));
    b.kill('SIGTERM'); c.kill('SIGTERM');
    expect(await exited(b)).toBe(0);
    expect(await exited(c)).toBe(0);
    const local = cli(['sweep', sweep, '--out', outL, '--quiet']);
    expect(local.code).toBe(0);
    for (const f of ['sweep.parquet', 'sweep.csv', 'sweep-pooled.parquet', 'sweep-pooled.csv', 'sweep-bands.csv']) {
      expect(readFileSync(join(outR, f)).equals(readFileSync(join(outL, f))), f).toBe(true);
    }
  }, 240_000);
});
