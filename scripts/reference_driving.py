#!/usr/bin/env python3
"""How fast a car turns, from a phone's gyroscope: the same statistics for a real drive and a rendered one.

Real: the cloudpose smartphone driving dataset (https://github.com/cloudpose/smartphone_driving_dataset,
dataset1_phone.csv: an iPhone X mounted on the dash of a BMW M235i, 342 s in Austin, gyroscope at
10 Hz). Only statistics leave this script.

A second, independent drive for the car's forces: jimregiandrew/quat-orient (MIT licence),
data/accel.2020-10-15-21.csv and -22.csv: an Android phone (AndroSensor, 16.7 Hz) on the dash of a
Toyota Corolla, two 6-minute trips in Auckland. Only statistics leave this script.

Usage:
  reference_driving.py PATH_TO_CLOUDPOSE_CHECKOUT [PATH_TO_QUAT_ORIENT_DATA] > calibration/motion/driving.json
  reference_driving.py --record FILE.csv      (a `hazardsim record` log: t,ax,ay,az,gx,gy,gz,...)

Method: the norm of the angular rate, taken to 10 Hz (the real log's rate) through an anti-aliasing
filter, low-passed at 1 Hz forwards and backwards (a car's turn, not the ride's shake); its maximum
and 99th percentile, and its RMS over the time it exceeds 0.1 rad/s ("in turns") with that share.
"""
import csv, json, os, sys
import numpy as np
from scipy import signal

def yaw_stats(t, g):
    fs = 1.0 / float(np.median(np.diff(t)))
    tu = np.arange(t[0], t[-1], 1 / fs)
    w = np.linalg.norm(np.stack([np.interp(tu, t, g[:, k]) for k in range(3)], axis=1), axis=1)
    if fs > 10.5:
        from fractions import Fraction
        fr = Fraction(10 / fs).limit_denominator(100)
        w = signal.resample_poly(w, fr.numerator, fr.denominator)
        fs = fs * fr.numerator / fr.denominator
    b, a = signal.butter(2, 1 / (fs / 2))
    wl = np.abs(signal.filtfilt(b, a, w))
    turn = wl > 0.1
    return {
        'seconds': round(float(tu[-1] - tu[0]), 1),
        'yaw_max_rad_s': round(float(wl.max()), 3), 'yaw_p99_rad_s': round(float(np.percentile(wl, 99)), 3),
        'yaw_rms_in_turns_rad_s': round(float(np.sqrt(np.mean(wl[turn] ** 2))) if turn.any() else 0.0, 3),
        'share_turning': round(float(turn.mean()), 3),
    }

def horizontal_stats(t, a):
    """The car's horizontal force from an accelerometer (m/s², gravity included): a 1 Hz low-pass
    minus gravity (a 0.02 Hz low-pass), the part across gravity; its 90th and 99th percentiles and maximum."""
    fs = 1.0 / float(np.median(np.diff(t)))
    tu = np.arange(t[0], t[-1], 1 / fs)
    u = np.stack([np.interp(tu, t, a[:, k]) for k in range(3)], axis=1)
    b, c = signal.butter(2, 0.02 / (fs / 2)); g = signal.filtfilt(b, c, u, axis=0)
    b, c = signal.butter(2, 1 / (fs / 2)); lo = signal.filtfilt(b, c, u, axis=0)
    lin = lo - g
    gu = g / np.linalg.norm(g, axis=1, keepdims=True)
    hor = np.linalg.norm(lin - np.sum(lin * gu, axis=1)[:, None] * gu, axis=1)
    return {'seconds': round(float(tu[-1] - tu[0]), 1), 'horizontal_p90_ms2': round(float(np.percentile(hor, 90)), 2),
            'horizontal_p99_ms2': round(float(np.percentile(hor, 99)), 2), 'horizontal_max_ms2': round(float(hor.max()), 2)}

def main(argv):
    if argv[0] == '--record':
        rows = np.loadtxt(argv[1], delimiter=',', skiprows=1)
        print(json.dumps({**yaw_stats(rows[:, 0], rows[:, 4:7]), **horizontal_stats(rows[:, 0], rows[:, 1:4])}))
        return
    path = os.path.join(argv[0], 'dataset1_phone.csv')
    with open(path, newline='') as f:
        rows = list(csv.reader(f))
    i = {k: n for n, k in enumerate(rows[0])}
    col = lambda name: np.array([float(r[i[name]]) for r in rows[1:]])
    t = col('gyroTimestamp_sinceReboot(s)')
    g = np.stack([col('gyroRotationX(rad/s)'), col('gyroRotationY(rad/s)'), col('gyroRotationZ(rad/s)')], axis=1)
    speed = col('locationSpeed(m/s)')
    stats = yaw_stats(t, g)
    fs = 1.0 / float(np.median(np.diff(t)))
    b, a = signal.butter(2, 1 / (fs / 2))
    lateral = np.abs(signal.filtfilt(b, a, np.linalg.norm(g, axis=1))) * speed
    stats['lateral_p99_ms2'] = round(float(np.percentile(lateral, 99)), 2)
    print(json.dumps({
        'source': 'cloudpose smartphone driving dataset, https://github.com/cloudpose/smartphone_driving_dataset, dataset1_phone.csv (iPhone X on the dash, Austin, gyroscope at 10 Hz)',
        'method': 'scripts/reference_driving.py (|angular rate| at 10 Hz, 1 Hz low-pass; "in turns": above 0.1 rad/s; lateral: that times the GNSS speed)',
        'drive': stats,
        **({'corolla': {
            'source': 'jimregiandrew/quat-orient (MIT), data/accel.2020-10-15-21.csv and -22.csv: AndroSensor at 16.7 Hz on the dash of a Toyota Corolla, two trips in Auckland',
            'method': 'horizontal_stats: 1 Hz low-pass minus gravity (0.02 Hz low-pass), the part across gravity',
            'trips': [horizontal_stats(*load_corolla(os.path.join(argv[1], f'accel.{day}.csv'))) for day in ('2020-10-15-21', '2020-10-15-22')],
        }} if len(argv) > 1 else {}),
    }, indent=2))

def load_corolla(path):
    a = np.genfromtxt(path, delimiter=',', skip_header=1)
    return a[:, 0] / 1000.0, a[:, 1:4]

if __name__ == '__main__':
    main(sys.argv[1:])
