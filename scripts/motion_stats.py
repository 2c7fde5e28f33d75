#!/usr/bin/env python3
"""Statistics of a phone's motion from an accelerometer log, the same for real and rendered logs.

Usage: motion_stats.py [--time-unit s|ms|us|ns] [--columns T,X,Y,Z] [--rate HZ] FILE.csv [...]
Prints one JSON object per file. Input: a CSV with a time column and three accelerometer axes
(m/s², gravity included), as `hazardsim record` writes (t,ax,ay,az,...) or as phone loggers do.

Method (the statistics the motion issue compares; numpy + scipy only):
- resample to a uniform rate (the median sample interval) by linear interpolation; with --rate, then
  to that rate through an anti-aliasing filter (scipy's resample_poly), as a phone at that output
  rate would record (compare logs at one rate: power above 10 Hz depends on it);
- gravity = each axis through a 0.3 Hz 2nd-order Butterworth low-pass (forwards and backwards);
  linear acceleration = input − gravity;
- linear RMS = RMS of the linear acceleration's norm; p99 = its 99th percentile;
- power shares: Welch PSD (4 s Hann windows) of the linear acceleration summed over axes, the share
  of power in 0.5–3 Hz, 3–10 Hz and 10 Hz–Nyquist among all power above 0.5 Hz;
- cadence = the frequency of the largest PSD peak of the norm of the input between 1.2 and 3.5 Hz
  (steps per second).
"""
import csv, json, sys
import numpy as np
from scipy import signal

UNITS = {'s': 1.0, 'ms': 1e-3, 'us': 1e-6, 'ns': 1e-9}

def load(path, cols, unit):
    with open(path, newline='') as f:
        rows = list(csv.reader(f))
    head = rows[0]
    if cols is None:
        try:
            float(head[0]); data = rows; cols = (0, 1, 2, 3)
        except ValueError:
            names = [h.strip().lower() for h in head]
            cols = tuple(names.index(c) for c in ('t', 'ax', 'ay', 'az'))
            data = rows[1:]
    else:
        data = rows[1:] if not head[0].replace('.', '', 1).replace('-', '', 1).isdigit() else rows
    a = np.array([[float(r[c]) for c in cols] for r in data if len(r) > max(cols)], dtype=float)
    t = a[:, 0] * UNITS[unit]
    order = np.argsort(t, kind='stable')
    return t[order], a[order, 1:4]

def stats(t, acc, rate=None):
    dt = float(np.median(np.diff(t)))
    fs = 1.0 / dt
    tu = np.arange(t[0], t[-1], dt)
    a = np.stack([np.interp(tu, t, acc[:, k]) for k in range(3)], axis=1)
    if rate and abs(rate - fs) > 0.01 * rate:
        from fractions import Fraction
        fr = Fraction(rate / fs).limit_denominator(200)
        a = signal.resample_poly(a, fr.numerator, fr.denominator, axis=0)
        fs = fs * fr.numerator / fr.denominator
        tu = t[0] + np.arange(len(a)) / fs
    b, c = signal.butter(2, 0.3 / (fs / 2), 'low')
    grav = signal.filtfilt(b, c, a, axis=0)
    lin = a - grav
    norm = np.linalg.norm(lin, axis=1)
    f, p = signal.welch(lin, fs=fs, nperseg=int(4 * fs), axis=0)
    p = p.sum(axis=1)
    total = p[f >= 0.5].sum()
    share = lambda lo, hi: float(p[(f >= lo) & (f < hi)].sum() / total)
    fn, pn = signal.welch(np.linalg.norm(a, axis=1) - np.linalg.norm(a, axis=1).mean(), fs=fs, nperseg=int(8 * fs))
    band = (fn >= 1.2) & (fn <= 3.5)
    return {
        'fs_hz': round(fs, 2), 'seconds': round(float(tu[-1] - tu[0]), 1),
        'linear_rms_ms2': round(float(np.sqrt(np.mean(norm ** 2))), 3),
        'linear_p99_ms2': round(float(np.percentile(norm, 99)), 3),
        'share_0p5_3hz': round(share(0.5, 3), 4), 'share_3_10hz': round(share(3, 10), 4), 'share_above_10hz': round(share(10, fs), 4),
        'cadence_hz': round(float(fn[band][np.argmax(pn[band])]), 2),
    }

def main(argv):
    unit, cols, files, rate = 's', None, [], None
    i = 0
    while i < len(argv):
        if argv[i] == '--time-unit': unit = argv[i + 1]; i += 2
        elif argv[i] == '--columns': cols = tuple(int(x) for x in argv[i + 1].split(',')); i += 2
        elif argv[i] == '--rate': rate = float(argv[i + 1]); i += 2
        else: files.append(argv[i]); i += 1
    for path in files:
        t, acc = load(path, cols, unit)
        print(json.dumps({'file': path, **stats(t, acc, rate)}))

if __name__ == '__main__':
    main(sys.argv[1:])
