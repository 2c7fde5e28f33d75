"""ObsPy's STA/LTA definitions (obspy.signal.trigger, pure-Python versions), for checking hazardsim.

classic_sta_lta_py and recursive_sta_lta_py are transcribed from ObsPy 1.4 (obspy/signal/trigger.py,
LGPL-3.0), which is not installed here. Reads a float64 trace from argv[1] (raw little-endian),
nsta and nlta from argv[2:4], and writes both characteristic functions to argv[4] and argv[5].
"""
import sys

import numpy as np


def classic_sta_lta_py(a, nsta, nlta):
    # The cumulative sum can be exploited to calculate a moving average (the
    # cumsum function is quite efficient)
    sta = np.cumsum(a ** 2, dtype=np.float64)

    # Copy for LTA
    lta = sta.copy()

    # Compute the STA and the LTA
    sta[nsta:] = sta[nsta:] - sta[:-nsta]
    sta /= nsta
    lta[nlta:] = lta[nlta:] - lta[:-nlta]
    lta /= nlta

    # Pad zeros
    sta[:nlta - 1] = 0

    # Avoid division by zero by setting zero values to tiny float
    dtiny = np.finfo(0.0).tiny
    idx = lta < dtiny
    lta[idx] = dtiny

    return sta / lta


def recursive_sta_lta_py(a, nsta, nlta):
    ndat = len(a)
    # compute the short time average (STA) and long time average (LTA)
    # given by Evans and Allen
    csta = 1. / nsta
    clta = 1. / nlta
    sta = 0.
    lta = np.finfo(0.0).tiny  # avoid zero division
    a = np.square(a)
    charfct = np.zeros(ndat, dtype=np.float64)
    icsta = 1 - csta
    iclta = 1 - clta
    for i in range(1, ndat):
        sta = csta * a[i] + icsta * sta
        lta = clta * a[i] + iclta * lta
        charfct[i] = sta / lta
    charfct[:nlta] = 0
    return charfct


trace = np.fromfile(sys.argv[1], dtype="<f8")
nsta, nlta = int(sys.argv[2]), int(sys.argv[3])
classic_sta_lta_py(trace, nsta, nlta).astype("<f8").tofile(sys.argv[4])
recursive_sta_lta_py(trace, nsta, nlta).astype("<f8").tofile(sys.argv[5])
