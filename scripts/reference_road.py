#!/usr/bin/env python3
"""How rough a ride feels to a phone in a car: vertical-acceleration statistics of real drives and of a rendered one.

Real sources (only statistics leave this script):
  * González et al. 2017 (IEEE T-ITS 18(11) 2916-2928, doi:10.1109/TITS.2017.2662483): 500 windows of
    vertical acceleration at 50 Hz from phones in cars, 100 per class (regular road, worn-out road,
    potholes, asphalt bumps, metal bumps). Copy used: github.com/zesty-lemon/ml_final_project,
    data/gonzalez_2017/data/<class>/*.csv (one column acc_z, m/s²).
  * A Citroen C1 with an Android phone logging with Physics Toolbox (g-force, ~200 Hz, irregular),
    five drives in Alsace with a Garmin GPX track for the speed: github.com/FABallemand/ProjetIngenieur,
    data/helbert/2023_03_02/path_{1,2,4,5,6}/*.csv and *.gpx (clock: local time, UTC+1).

Usage:
  reference_road.py GONZALEZ_DIR C1_DIR > calibration/motion/road.json
      GONZALEZ_DIR holds regular_road/ worn_out_road/ ... ; C1_DIR holds pN.csv and pN.gpx
  reference_road.py --record FILE.csv [--speed-min 3]   (a `hazardsim record` log of a phone in a car)

Method: everything at 50 Hz (the González rate; the C1 log is interpolated onto a 50 Hz grid after an
anti-aliasing low-pass). Vertical = the specific force projected on the gravity direction (a 1 s
moving mean), minus its mean. In 6 s windows (González's length): RMS in 5–20 Hz (wheel hop, road
texture, engine) and in 0.5–5 Hz (body bounce), 4th-order Butterworth forwards and backwards; the
10th, 50th and 90th percentiles over windows. C1 windows are split by GPS speed: idle (< 0.5 m/s,
engine running), town (3–14 m/s), open road (> 14 m/s).
"""
import glob, json, os, re, sys
import numpy as np
from scipy import signal

FS = 50.0
WIN = int(6 * FS)

def band_rms(z, lo, hi):
    sos = signal.butter(4, [lo, hi], btype='band', fs=FS, output='sos')
    return float(np.sqrt(np.mean(signal.sosfiltfilt(sos, z) ** 2)))

def pct(a):
    a = np.asarray(a)
    if a.size == 0:
        return None
    return [round(float(v), 3) for v in np.percentile(a, [10, 50, 90])]

def vertical(t, a):
    """Specific force (n×3, m/s²) sampled at times t → vertical component on a 50 Hz grid, gravity removed."""
    t_raw = t
    fs_in = 1.0 / float(np.median(np.diff(t)))
    if fs_in > 1.2 * FS:
        # Anti-alias at 20 Hz on an even grid at the input's median rate, then take every sample at 50 Hz.
        tu = np.arange(t[0], t[-1], 1 / fs_in)
        a = np.stack([np.interp(tu, t, a[:, k]) for k in range(3)], axis=1)
        sos = signal.butter(6, 22, fs=fs_in, output='sos')
        a = signal.sosfiltfilt(sos, a, axis=0)
        t = tu
    tg = np.arange(t[0], t[-1], 1 / FS)
    a = np.stack([np.interp(tg, t, a[:, k]) for k in range(3)], axis=1)
    vertical.gap = raw_gap(t_raw, tg)
    k = int(FS)
    g = np.stack([np.convolve(a[:, i], np.ones(k) / k, mode='same') for i in range(3)], axis=1)
    u = g / np.linalg.norm(g, axis=1, keepdims=True)
    z = np.sum(a * u, axis=1)
    return tg, z - np.mean(z)

def raw_gap(t, tg):
    """For each grid time, the length of the interval between the raw samples around it (s): logs have holes."""
    i = np.clip(np.searchsorted(t, tg), 1, len(t) - 1)
    return t[i] - t[i - 1]

def window_stats(z):
    out = []
    for s in range(0, len(z) - WIN + 1, WIN):
        w = z[s:s + WIN] - np.mean(z[s:s + WIN])
        out.append((band_rms(w, 5, 20), band_rms(w, 0.5, 5), float(np.abs(w).max())))
    return out

def summarise(rows):
    rows = list(rows)
    return {'windows': len(rows), 'vertical_rms_5_20_hz': pct([r[0] for r in rows]),
            'vertical_rms_0_5_5_hz': pct([r[1] for r in rows]), 'vertical_peak': pct([r[2] for r in rows])}

def gonzalez(root):
    out = {}
    for cls in ['regular_road', 'worn_out_road', 'potholes', 'asphalt_bumps', 'metal_bumps']:
        rows = []
        for f in sorted(glob.glob(os.path.join(root, cls, '*.csv'))):
            z = np.loadtxt(f, skiprows=1)
            z = z - z.mean()
            rows.append((band_rms(z, 5, 20), band_rms(z, 0.5, 5), float(np.abs(z).max())))
        out[cls] = summarise(rows)
    return out

def read_c1(path):
    t, a = [], []
    with open(path) as f:
        next(f)
        for line in f:
            p = line.strip().split(';')
            if len(p) < 4:
                continue
            h, m, s, ms = p[0].split(':')
            t.append(int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 10000)
            a.append([float(v.replace(',', '.')) * 9.80665 for v in p[1:4]])
    t, a = np.array(t), np.array(a)
    keep = np.concatenate([[True], np.diff(t) > 0])
    return t[keep], a[keep]

def read_gpx(path):
    pts = re.findall(r'lat="([-\d.]+)" lon="([-\d.]+)">\s*<time>\d+-\d+-\d+T(\d+):(\d+):(\d+)Z', open(path).read())
    lat = np.radians([float(p[0]) for p in pts]); lon = np.radians([float(p[1]) for p in pts])
    tt = np.array([int(p[2]) * 3600 + int(p[3]) * 60 + int(p[4]) for p in pts], dtype=float) + 3600  # UTC → UTC+1
    d = 2 * 6371000 * np.arcsin(np.sqrt(np.sin(np.diff(lat) / 2) ** 2 + np.cos(lat[1:]) * np.cos(lat[:-1]) * np.sin(np.diff(lon) / 2) ** 2))
    v = d / np.maximum(np.diff(tt), 1)
    v = np.convolve(v, np.ones(5) / 5, mode='same')  # GPS speed is noisy second to second
    return tt[1:], v

def c1(root):
    by = {'idle': [], 'town': [], 'open_road': []}
    drives = 0
    for csvf in sorted(glob.glob(os.path.join(root, 'p*.csv'))):
        gpx = csvf[:-4] + '.gpx'
        if os.path.getsize(csvf) == 0 or not os.path.exists(gpx):
            continue
        t, a = read_c1(csvf)
        tg, z = vertical(t, a)
        gt, gv = read_gpx(gpx)
        drives += 1
        for s in range(0, len(z) - WIN + 1, WIN):
            tm = tg[s + WIN // 2]
            if tm < gt[0] or tm > gt[-1]:
                continue
            if vertical.gap[s:s + WIN].max() > 0.1:
                continue  # the log has a hole here
            v = float(np.interp(tm, gt, gv))
            w = z[s:s + WIN] - np.mean(z[s:s + WIN])
            row = (band_rms(w, 5, 20), band_rms(w, 0.5, 5), float(np.abs(w).max()))
            if v < 0.5: by['idle'].append(row)
            elif 3 <= v < 14: by['town'].append(row)
            elif v >= 14: by['open_road'].append(row)
    return {'drives': drives, 'note': 'windows over holes in the log (> 0.1 s between samples) are left out', **{k: summarise(v) for k, v in by.items()}}

def main(argv):
    if argv and argv[0] == '--record':
        rows = np.loadtxt(argv[1], delimiter=',', skiprows=1)
        t, a = rows[:, 0], rows[:, 1:4]
        _, z = vertical(t, a)
        print(json.dumps(summarise(window_stats(z))))
        return
    print(json.dumps({
        'sources': {
            'gonzalez_2017': 'González et al. 2017, IEEE T-ITS 18(11):2916-2928, doi:10.1109/TITS.2017.2662483; 100 vertical-acceleration windows per class at 50 Hz (copy: github.com/zesty-lemon/ml_final_project data/gonzalez_2017)',
            'citroen_c1': 'Android phone with Physics Toolbox in a Citroen C1, five drives with a Garmin GPX track (github.com/FABallemand/ProjetIngenieur data/helbert/2023_03_02)',
        },
        'method': 'scripts/reference_road.py: vertical specific force at 50 Hz in 6 s windows; RMS in 5-20 Hz and 0.5-5 Hz (Butterworth 4, zero phase); [p10, p50, p90] over windows',
        'gonzalez_2017': gonzalez(argv[0]),
        'citroen_c1': c1(argv[1]),
    }, indent=2))

if __name__ == '__main__':
    main(sys.argv[1:])
