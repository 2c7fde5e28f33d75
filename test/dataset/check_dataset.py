"""Loads a hazardsim dataset the way an ML engineer would (numpy + csv) and prints what it found as JSON."""
import csv
import json
import sys
from collections import Counter

import numpy as np

folder = sys.argv[1]
info = json.load(open(f"{folder}/dataset.json"))
X = np.load(f"{folder}/X.npy")
y = np.load(f"{folder}/y.npy")
rows = list(csv.DictReader(open(f"{folder}/metadata.csv", newline="")))
vocab = info["label_vocabulary"]
print(json.dumps({
    "X_shape": list(X.shape),
    "X_dtype": str(X.dtype),
    "y_shape": list(y.shape),
    "y_dtype": str(y.dtype),
    "X_finite": bool(np.isfinite(X).all()),
    "label_counts": {vocab[k]: int(v) for k, v in Counter(y.tolist()).items()},
    "metadata_rows": len(rows),
    "metadata_labels_match_y": all(vocab[int(t)] == r["label"] and int(r["label_id"]) == int(t) for t, r in zip(y, rows)),
    "mean_vertical_quiet": float(np.mean(np.linalg.norm(X[y == vocab.index("quiet")], axis=1))) if (y == vocab.index("quiet")).any() else None,
}))
