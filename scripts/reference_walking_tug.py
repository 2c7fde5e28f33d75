#!/usr/bin/env python3
"""Walking statistics of a phone in a trouser pocket from a second, independent source.

Source: Matey-Sanz, Casteleyn & Granell (2023), "Dataset of inertial measurements of smartphones and
smartwatches for human activity recognition", Data in Brief 51:109809 (CC BY 4.0;
github.com/GeoTecINIT/sp-sw-har-dataset, DATA/sXX/sXX_YY_sp.csv). 23 people aged 23-66, each doing
~10 timed-up-and-go sequences (sit, stand up, walk 3 m, turn, walk back, turn, sit down) with a
smartphone in a trouser pocket (executions_info.csv gives its orientation in the pocket) logging at
~100 Hz. Only statistics leave this script.

Usage:
  reference_walking_tug.py DIR > calibration/motion/walking-tug.json   (DIR holds the *_sp.csv files)
  reference_walking_tug.py --record FILE.csv    (a `hazardsim record` walk: every sample is walking)

Method, per execution (so each sequence counts once): the log on a uniform 100 Hz grid, taken to
50 Hz through an anti-aliasing filter (as a 50 Hz phone records); gravity a 0.3 Hz 2nd-order
Butterworth low-pass forwards and backwards over the whole execution; from the samples labelled
WALKING, the RMS and 99th percentile of the linear acceleration's norm, and the shares of its power
(periodogram of each walking stretch, Hann window, summed over axes and stretches) in 0.5-3 Hz,
3-10 Hz and above 10 Hz among all power above 0.5 Hz. The 10th, 50th and 90th percentiles over
executions. Walks here are short (two 3 m stretches), slower than open walking.
"""
import glob, json, os, sys
from fractions import Fraction
import numpy as np
from scipy import signal

FS = 50.0

def to50(t, a):
    fs_in = 1.0 / float(np.median(np.diff(t)))
    tu = np.arange(t[0], t[-1], 1 / fs_in)
    u = np.stack([np.interp(tu, t, a[:, k]) for k in range(3)], axis=1)
    fr = Fraction(FS / fs_in).limit_denominator(200)
    return signal.resample_poly(u, fr.numerator, fr.denominator, axis=0), tu[0] + np.arange(int(len(u) * FS / fs_in)) / FS

def stats(a, walking):
    """a: n×3 at 50 Hz with gravity; walking: boolean mask of walking samples."""
    b, c = signal.butter(2, 0.3 / (FS / 2), 'low')
    lin = a - signal.filtfilt(b, c, a, axis=0)
    norm = np.linalg.norm(lin, axis=1)[walking]
    if norm.size < FS:
        return None
    power = {'lo': 0.0, 'mid': 0.0, 'hi': 0.0}
    # Contiguous walking stretches of at least 1.5 s.
    edges = np.flatnonzero(np.diff(np.concatenate([[0], walking.astype(int), [0]])))
    for s, e in zip(edges[::2], edges[1::2]):
        if e - s < 1.5 * FS:
            continue
        f, p = signal.periodogram(lin[s:e], fs=FS, window='hann', axis=0)
        p = p.sum(axis=1)
        power['lo'] += p[(f >= 0.5) & (f < 3)].sum(); power['mid'] += p[(f >= 3) & (f < 10)].sum(); power['hi'] += p[f >= 10].sum()
    total = sum(power.values())
    if total <= 0:
        return None
    return {'linear_rms_ms2': float(np.sqrt(np.mean(norm ** 2))), 'linear_p99_ms2': float(np.percentile(norm, 99)),
            'share_0p5_3hz': power['lo'] / total, 'share_3_10hz': power['mid'] / total, 'share_above_10hz': power['hi'] / total}

def load_execution(path):
    rows = np.genfromtxt(path, delimiter=',', skip_header=1, usecols=(0, 1, 2, 6))
    labels = np.genfromtxt(path, delimiter=',', skip_header=1, usecols=(7,), dtype=str)
    t = rows[:, 3] / 1000.0
    keep = np.concatenate([[True], np.diff(t) > 0])
    t, a, labels = t[keep], rows[keep, :3], labels[keep]
    a50, t50 = to50(t, a)
    n = min(len(a50), len(t50))
    idx = np.clip(np.searchsorted(t, t50[:n]), 0, len(t) - 1)
    return a50[:n], labels[idx] == 'WALKING'

KEYS = ['linear_rms_ms2', 'linear_p99_ms2', 'share_0p5_3hz', 'share_3_10hz', 'share_above_10hz']

def main(argv):
    if argv and argv[0] == '--record':
        d = np.loadtxt(argv[1], delimiter=',', skiprows=1)
        a, t = to50(d[:, 0], d[:, 1:4])
        s = stats(a, np.ones(len(a), dtype=bool))
        print(json.dumps({k: round(v, 4) for k, v in s.items()}))
        return
    rows = []
    for path in sorted(glob.glob(os.path.join(argv[0], '*_sp.csv'))):
        s = stats(*load_execution(path))
        if s:
            rows.append(s)
    out = {
        'source': 'Matey-Sanz, Casteleyn & Granell 2023, Data in Brief 51:109809 (CC BY 4.0), github.com/GeoTecINIT/sp-sw-har-dataset DATA/*/*_sp.csv: 23 people, timed-up-and-go sequences, phone in a trouser pocket',
        'method': 'scripts/reference_walking_tug.py: 50 Hz; gravity 0.3 Hz low-pass; WALKING samples; [p10, p50, p90] over executions',
        'executions': len(rows),
        'pocket': {k: [round(float(v), 4) for v in np.percentile([r[k] for r in rows], [10, 50, 90])] for k in KEYS},
    }
    print(json.dumps(out, indent=2))

if __name__ == '__main__':
    main(sys.argv[1:])
