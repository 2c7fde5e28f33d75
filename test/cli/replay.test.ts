/**
 * `hazardsim replay`: a phone log rendered by `hazardsim record`, with a shaking burst added by hand
 * (2 Hz, 0.05 g, from 60 s to 70 s: the reference), through STA/LTA in every format the reader
 * takes (generic CSV in m/s² or in g, NPY, a phyphox export, a Sensor Logger export without
 * gravity): one trigger, at the burst's onset, with its amplitude; labels give per-class rates and
 * recall; a drive's vertical jolt through `bump`; bad logs exit 2 naming file, line and problem.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { cli, tempDir } from '../helpers.js';

const G = 9.80665;
const dir = tempDir();

/** The rendered still log with the burst added to z; rows [t, ax, ay, az]. */
function burstRows(): number[][] {
  const r = cli(['record', 'agents/phones/mid-range.yaml', '--duration', '2m', '--activity', 'still', '--seed', '3', '--out', join(dir, 'still.csv')]);
  expect(r.code).toBe(0);
  const lines = readFileSync(join(dir, 'still.csv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((l) => {
    const [t, ax, ay, az] = l.split(',').map(Number) as [number, number, number, number];
    const burst = t >= 60 && t < 70 ? 0.05 * G * Math.sin(2 * Math.PI * 2 * (t - 60)) : 0;
    return [t, ax, ay, az + burst];
  });
}

const replay = (args: string[]) => cli(['replay', ...args, '--detector', 'scenarios/quickstart.yaml', '--json']);

describe('hazardsim replay', () => {
  const rows = burstRows();
  const csv = join(dir, 'burst.csv');
  writeFileSync(csv, 't,ax,ay,az\n' + rows.map((r) => r.join(',')).join('\n') + '\n');

  it('finds the burst in a generic CSV: one trigger, onset within 0.5 s of 60 s, peak near 0.05 g', () => {
    const r = replay([csv, '--out', join(dir, 'o1')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.logs[0].units).toBe('m/s2');
    expect(s.logs[0].gravity).toBe('included');
    const trig = readFileSync(join(dir, 'o1', 'triggers.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const triggers = trig.filter((f) => f[1] === 'trigger');
    expect(triggers).toHaveLength(1);
    expect(Math.abs(Number(triggers[0]![3]) - 60)).toBeLessThan(0.5);
    const peak = Math.max(...trig.map((f) => Number(f[4])));
    expect(peak / (0.05 * G)).toBeGreaterThan(0.8);
    expect(peak / (0.05 * G)).toBeLessThan(1.3);
  });

  it('reads the same log in g, as a phyphox export and as a Sensor Logger export without gravity (a folder and its ZIP), to the same trigger', () => {
    const onset = (out: string) => readFileSync(join(out, 'triggers.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')).filter((f) => f[1] === 'trigger').map((f) => Number(f[3]));
    const ref = onset(join(dir, 'o1'));
    // In g.
    writeFileSync(join(dir, 'burst-g.csv'), 't,ax,ay,az\n' + rows.map(([t, ...a]) => [t, ...a.map((v) => v / G)].join(',')).join('\n') + '\n');
    expect(JSON.parse(replay([join(dir, 'burst-g.csv'), '--out', join(dir, 'o2')]).stdout).logs[0].units).toBe('g');
    // phyphox's Accelerometer.csv (with gravity), in a folder.
    mkdirSync(join(dir, 'phyphox'));
    writeFileSync(join(dir, 'phyphox', 'Accelerometer.csv'), '"Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)","Acceleration z (m/s^2)","Absolute acceleration (m/s^2)"\n' + rows.map(([t, x, y, z]) => [t! + 3.2, x, y, z, Math.hypot(x!, y!, z!)].join(',')).join('\n') + '\n');
    expect(replay([join(dir, 'phyphox'), '--out', join(dir, 'o3')]).code).toBe(0);
    // Sensor Logger: user acceleration and gravity apart, z y x order, time in ns.
    mkdirSync(join(dir, 'sensorlogger'));
    const gv = [0, 0, G];
    writeFileSync(join(dir, 'sensorlogger', 'Accelerometer.csv'), 'time,seconds_elapsed,z,y,x\n' + rows.map(([t, x, y, z]) => [Math.round((1.7e9 + t!) * 1e9), t, z! - gv[2]!, y, x].join(',')).join('\n') + '\n');
    writeFileSync(join(dir, 'sensorlogger', 'Gravity.csv'), 'time,seconds_elapsed,z,y,x\n' + rows.map(([t]) => [Math.round((1.7e9 + t!) * 1e9), t, gv[2], 0, 0].join(',')).join('\n') + '\n');
    const sl = replay([join(dir, 'sensorlogger'), '--out', join(dir, 'o4')]);
    expect(sl.code).toBe(0);
    expect(JSON.parse(sl.stdout).logs[0].format).toBe('sensor-logger');
    // ...and as the ZIP the app shares (files in a folder inside it).
    writeFileSync(join(dir, 'sensorlogger.zip'), zipSync({ 'Walk-2024-05-01/Accelerometer.csv': readFileSync(join(dir, 'sensorlogger', 'Accelerometer.csv')), 'Walk-2024-05-01/Gravity.csv': readFileSync(join(dir, 'sensorlogger', 'Gravity.csv')) }));
    const zipped = replay([join(dir, 'sensorlogger.zip'), '--out', join(dir, 'o5z')]);
    expect(zipped.code).toBe(0);
    expect(JSON.parse(zipped.stdout).logs[0].format).toBe('sensor-logger');
    for (const o of ['o2', 'o3', 'o4', 'o5z']) {
      const got = onset(join(dir, o));
      expect(got, o).toHaveLength(1);
      expect(Math.abs(got[0]! - ref[0]!), o).toBeLessThan(0.05);
    }
  });

  it('rounds trip a hazardsim record NPY (float32) to the same triggers as its CSV', () => {
    expect(cli(['record', 'agents/phones/mid-range.yaml', '--duration', '1m', '--activity', 'stairs', '--seed', '4', '--out', join(dir, 'stairs.csv')]).code).toBe(0);
    expect(cli(['record', 'agents/phones/mid-range.yaml', '--duration', '1m', '--activity', 'stairs', '--seed', '4', '--out', join(dir, 'stairs.npy')]).code).toBe(0);
    const a = JSON.parse(replay([join(dir, 'stairs.csv'), '--out', join(dir, 'w1')]).stdout), b = JSON.parse(replay([join(dir, 'stairs.npy'), '--out', join(dir, 'w2')]).stdout);
    expect(b.logs[0].format).toBe('npy');
    expect(b.logs[0].samples).toBe(a.logs[0].samples);
    // Climbing stairs trips STA/LTA once in this minute (an everyday false trigger), at the same onset from either file.
    expect(a.logs[0].triggers).toBe(1);
    const onsets = (o: string) => readFileSync(join(dir, o, 'triggers.csv'), 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[3]));
    expect(onsets('w2')).toHaveLength(onsets('w1').length);
    onsets('w2').forEach((t, i) => expect(t).toBeCloseTo(onsets('w1')[i]!, 4));
  });

  it('with labels: triggers per hour of each class, and the share of labelled intervals caught', () => {
    const labels = join(dir, 'labels.csv');
    writeFileSync(labels, 'start,end,class\n0,58,still\n58,75,quake\n75,120,still\n');
    const s = JSON.parse(cli(['replay', csv, '--detector', 'scenarios/quickstart.yaml', '--labels', labels, '--json', '--out', join(dir, 'o5')]).stdout);
    expect(s.classes.quake).toMatchObject({ triggers: 1, intervals: 1, caught: 1, recall: 1 });
    expect(s.classes.still).toMatchObject({ triggers: 0, intervals: 2, caught: 0 });
    expect(s.classes.quake.hours).toBeCloseTo(17 / 3600, 9);
  });

  it('a drive\'s vertical 1.5 g jolt at 10 m/s through bump: one bump trigger, with its speed', () => {
    const lines = ['t,ax,ay,az,speed'];
    for (let i = 0; i < 100 * 20; i++) {
      const t = i / 100, jolt = t >= 10 && t < 10.02 ? 1.5 * G * Math.sin((Math.PI * (t - 10)) / 0.02) : 0;
      lines.push([t.toFixed(2), 0, 0, (G + jolt).toFixed(5), 10].join(','));
    }
    writeFileSync(join(dir, 'drive.csv'), lines.join('\n') + '\n');
    writeFileSync(join(dir, 'bump.yaml'), 'type: bump\n');
    const r = cli(['replay', join(dir, 'drive.csv'), '--detector', join(dir, 'bump.yaml'), '--rate', '100', '--json', '--out', join(dir, 'o6')]);
    expect(r.code).toBe(0);
    const rows = readFileSync(join(dir, 'o6', 'triggers.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(rows.filter((f) => f[1] === 'trigger')).toHaveLength(1);
    expect(rows[0]![7]).toBe('bump');
    expect(Math.abs(Number(rows[0]![3]) - 10)).toBeLessThan(0.1);
  });

  it('a real phone (Oxford step-counter data, a Pixel in hand while walking, CC BY 4.0) through sta-lta, bump and crash: read as it was recorded, and a minute of walking trips none of them, as a rendered walk does not', () => {
    const log = 'data/phone-logs/oxford-pixel-walk-in-hand.csv';
    const s = JSON.parse(replay([log, '--out', join(dir, 'ox1')]).stdout).logs[0];
    // The file's own timestamps: 2.46 ms apart (406 Hz), 60 s; m/s² with gravity, as Android records.
    expect(s.rate_hz_in).toBeGreaterThan(400);
    expect(s.rate_hz_in).toBeLessThan(412);
    expect(s.duration_s).toBeGreaterThan(59.9);
    expect([s.units, s.gravity]).toEqual(['m/s2', 'included']);
    expect(s.triggers).toBe(0);
    for (const type of ['bump', 'crash']) {
      writeFileSync(join(dir, `${type}.yaml`), `type: ${type}\n`);
      const r = JSON.parse(cli(['replay', log, '--detector', join(dir, `${type}.yaml`), '--json', '--out', join(dir, `ox-${type}`)]).stdout).logs[0];
      expect(r.triggers, type).toBe(0);
    }
    // The simulator's own walk in hand, a minute of it, agrees.
    expect(cli(['record', 'agents/phones/mid-range.yaml', '--duration', '1m', '--activity', 'walking', '--context', 'hand', '--seed', '2', '--out', join(dir, 'walk-hand.csv')]).code).toBe(0);
    expect(JSON.parse(replay([join(dir, 'walk-hand.csv'), '--out', join(dir, 'ox2')]).stdout).logs[0].triggers).toBe(0);
  });

  describe('bad logs exit 2 naming file, line and problem, writing nothing', () => {
    const bad = (name: string, text: string | null, pattern: RegExp) => {
      const file = join(dir, name);
      if (text !== null) writeFileSync(file, text);
      const out = join(dir, `bad-${name}`);
      const r = cli(['replay', file, '--detector', 'scenarios/quickstart.yaml', '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(out)).toBe(false);
    };
    it('a missing column', () => bad('nocol.csv', 't,ax,ay\n0,0,0\n0.01,0,0\n', /nocol\.csv: line 1: expected columns t, ax, ay, az .*missing az/));
    it('time going back', () => bad('back.csv', 't,ax,ay,az\n0,0,0,9.8\n0.02,0,0,9.8\n0.01,0,0,9.8\n', /back\.csv: line 4, time: time must increase/));
    it('mixed units', () => {
      const l = ['t,ax,ay,az'];
      for (let i = 0; i < 3000; i++) l.push(`${(i / 100).toFixed(2)},0,0,${i < 1500 ? 9.81 : 1.0}`);
      bad('mixed.csv', l.join('\n') + '\n', /mixed\.csv: line 1502: mixed units/);
    });
    it('an empty file', () => bad('empty.csv', '', /empty\.csv: the file is empty/));
    it('an unknown format', () => bad('log.tdms', 'x', /log\.tdms: unknown log format \("\.tdms"\)/));
  });
});
