"""Glue between mtif's files and the peer scripts in scripts/peer/.

  subset  SOURCE.csv.gz OUT.npz N SEED     N random Yeast rows as X (N × 103) and Y (N × 14)
  problem SPLITS.npz CHECKPOINT.json OUT.npz
          the peer problem file (scripts/peer/README.md) from `mtif data export` and a checkpoint
  block   SCORES.npy TASKS OUT.npy         drop the first TASKS columns (task-level queries)
"""
import gzip
import json
import pathlib
import sys

import numpy as np


def subset(source, out, count, seed):
    with gzip.open(source, "rt") as handle:
        header = handle.readline().strip().split(",")
        table = np.loadtxt(handle, delimiter=",")
    labels = [i for i, name in enumerate(header) if name.startswith("Class")]
    features = [i for i in range(len(header)) if i not in labels]
    rows = np.random.default_rng(seed).permutation(table.shape[0])[:count]
    np.savez(out, X=table[rows][:, features], Y=table[rows][:, labels])


def problem(splits_path, checkpoint_path, out):
    splits = np.load(splits_path)
    checkpoint = json.loads(pathlib.Path(checkpoint_path).read_text())
    arrays = np.load(pathlib.Path(checkpoint_path).parent / checkpoint["parameters"])
    tasks = splits["Y_train"].shape[1]
    flat = []
    for task in range(tasks):
        flat += [arrays[f"tasks/{task}/layers/0/weight"].ravel(), arrays[f"tasks/{task}/layers/0/bias"].ravel()]
    flat += [arrays["shared/layers/0/weight"].ravel(), arrays["shared/layers/0/bias"].ravel()]
    hidden = arrays["shared/layers/0/weight"].shape[1]
    np.savez(
        out, X_train=splits["X_train"], Y_train=splits["Y_train"], X_val=splits["X_validation"],
        Y_val=splits["Y_validation"], parameters=np.concatenate(flat), l2=np.float64(checkpoint["regularization"]["l2"]),
        hidden=np.int64(hidden))


def block(scores_path, tasks, out):
    np.save(out, np.load(scores_path)[:, int(tasks):])


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    if command == "subset":
        subset(arguments[0], arguments[1], int(arguments[2]), int(arguments[3]))
    elif command == "problem":
        problem(*arguments)
    elif command == "block":
        block(*arguments)
    else:
        sys.exit(__doc__)
