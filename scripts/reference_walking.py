#!/usr/bin/env python3
"""Walking statistics of real phones, from the Oxford step-counter dataset, for calibration/motion/walking.json.

Source: https://github.com/Oxford-step-counter/DataSet (CC BY 4.0), commit 922cc0d, folder
optimisation/data: three people, Pixel, Samsung and Nexus phones, 100–400 Hz, walking with the phone
in the hand, a front or back trouser pocket, a purse, an armband or a neck pouch. Only statistics
leave this script (motion_stats.py, each log taken to 50 Hz through an anti-aliasing filter as a
50 Hz phone would record it).

The dataset's own held-out set (validation/: two other people, a Samsung S6, other days) is kept
apart under `heldout`: it is not used to set any constant.

Usage: reference_walking.py PATH_TO_DATASET_CHECKOUT > calibration/motion/walking.json
"""
import json, os, re, subprocess, sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(sys.argv[1], 'optimisation', 'data')
files = sorted(os.path.join(root, d, 'accelerometer.csv') for d in os.listdir(root) if os.path.exists(os.path.join(root, d, 'accelerometer.csv')))
out = subprocess.run([sys.executable, os.path.join(HERE, 'motion_stats.py'), '--time-unit', 'ns', '--columns', '0,2,3,4', '--rate', '50', *files], capture_output=True, text=True, check=True).stdout
PLACE = {'inhand': 'hand', 'frontpocket': 'pocket', 'backpocket': 'back-pocket', 'purse': 'bag', 'armband': 'armband', 'neckpouch': 'neck-pouch', 'swingingarm': 'swinging-arm'}
groups = defaultdict(list)
for line in out.splitlines():
    r = json.loads(line)
    name = r['file'].split(os.sep)[-2]
    place = PLACE[re.sub(r'_\d+$', '', name).split('_')[-1].lower()]
    groups[place].append(r)
KEYS = ['linear_rms_ms2', 'linear_p99_ms2', 'share_0p5_3hz', 'share_3_10hz', 'share_above_10hz', 'cadence_hz']
result = {
    'source': 'Oxford step-counter dataset, https://github.com/Oxford-step-counter/DataSet (CC BY 4.0), commit 922cc0d, optimisation/data',
    'method': 'scripts/motion_stats.py --rate 50 (gravity: 0.3 Hz low-pass; shares of the linear acceleration PSD above 0.5 Hz)',
    'placements': {},
}
for place, rows in sorted(groups.items()):
    stats = {}
    for k in KEYS:
        v = sorted(r[k] for r in rows)
        stats[k] = {'median': v[len(v) // 2], 'min': v[0], 'max': v[-1]}
    result['placements'][place] = {'recordings': len(rows), **stats}
# The held-out recordings: validation/userN_<place>_<start>.csv (timestamp ns, ax, ay, az, ...).
val = os.path.join(sys.argv[1], 'validation')
if os.path.isdir(val):
    vfiles = sorted(os.path.join(val, f) for f in os.listdir(val) if re.match(r'user\d+_(hand|frontpocket|bag)_\d+\.csv$', f))
    vout = subprocess.run([sys.executable, os.path.join(HERE, 'motion_stats.py'), '--time-unit', 'ns', '--columns', '0,1,2,3', '--rate', '50', *vfiles], capture_output=True, text=True, check=True).stdout
    held = defaultdict(list)
    for line in vout.splitlines():
        r = json.loads(line)
        held[{'hand': 'hand', 'frontpocket': 'pocket', 'bag': 'bag'}[os.path.basename(r['file']).split('_')[1]]].append({k: r[k] for k in KEYS})
    result['heldout'] = {'source': 'the same dataset, validation/ (Samsung S6, two other people, other days); not used for calibration', 'placements': dict(sorted(held.items()))}
print(json.dumps(result, indent=2))
