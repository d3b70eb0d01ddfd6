"""Glue between mtif's files and the peer scripts in scripts/peer/.

  subset  SOURCE.csv.gz OUT.npz N SEED     N random Yeast rows as X (N × 103) and Y (N × 14)
  problem SPLITS.npz CHECKPOINT.json OUT.npz
          the peer problem file (scripts/peer/README.md) from `mtif data export` and a checkpoint
  block   SCORES.npy TASKS OUT.npy         drop the first TASKS columns (task-level queries)
  disjoint SPLITS.npz CHECKPOINT.json OUT.npz
          the disjoint-layout peer problem file (scripts/peer/disjoint_problem.py) from
          `mtif data export` of a disjoint dataset and a checkpoint of a one-trunk hard-sharing MLP
  examples RUN_DIR PROBLEM.npz OUT.npy
          the example-query block of RUN_DIR/scores.npy, rows and columns in the problem file's
          order, matched by (task, source id) through train-examples.csv and queries.csv
"""
import csv
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
    parameters, l2, hidden = parameter_vector(checkpoint_path, splits["Y_train"].shape[1])
    np.savez(
        out, X_train=splits["X_train"], Y_train=splits["Y_train"], X_val=splits["X_validation"],
        Y_val=splits["Y_validation"], parameters=parameters, l2=np.float64(l2), hidden=np.int64(hidden))


def parameter_vector(checkpoint_path, tasks):
    """mtif's flat layout: every task's head (weight, bias), then the trunk (weight, bias)."""
    checkpoint = json.loads(pathlib.Path(checkpoint_path).read_text())
    arrays = np.load(pathlib.Path(checkpoint_path).parent / checkpoint["parameters"])
    flat = []
    for task in range(tasks):
        flat += [arrays[f"tasks/{task}/layers/0/weight"].ravel(), arrays[f"tasks/{task}/layers/0/bias"].ravel()]
    flat += [arrays["shared/layers/0/weight"].ravel(), arrays["shared/layers/0/bias"].ravel()]
    hidden = arrays["shared/layers/0/weight"].shape[1]
    return np.concatenate(flat), float(checkpoint["regularization"]["l2"]), hidden


def disjoint(splits_path, checkpoint_path, out):
    """One row per example: X_s[row_s] is the image of example i, whose task and label are
    task_s[i] and y_s[i] (docs/file-formats.md, dataset exports); the export lists the examples
    task by task, positions in order, which is the order of mtif's score rows and columns."""
    splits = np.load(splits_path)
    if "task_train" not in splits.files:
        sys.exit(f"{splits_path}: expected a disjoint-layout export (task_train, y_train, row_train), found {splits.files}")
    tasks = len(json.loads(pathlib.Path(splits_path).with_suffix(".json").read_text())["taskNames"])
    parameters, l2, hidden = parameter_vector(checkpoint_path, tasks)
    arrays = {}
    for split, suffix in (("train", "train"), ("validation", "val")):
        rows = splits[f"row_{split}"]
        arrays[f"X_{suffix}"] = splits[f"X_{split}"][rows]
        arrays[f"task_{suffix}"] = splits[f"task_{split}"].astype(np.int64)
        arrays[f"y_{suffix}"] = splits[f"y_{split}"].astype(np.float64)
        arrays[f"source_{suffix}"] = splits[f"source_{split}"][rows]
    np.savez(out, **arrays, parameters=parameters, l2=np.float64(l2), hidden=np.int64(hidden), tasks=np.int64(tasks))


def examples(run, problem_path, out):
    """Rows: training example i of the problem is the run's row whose (train_task, source_id) is
    (task_train[i], source_train[i]); columns likewise for the validation examples among the
    run's queries. Exits with a message when the two do not hold the same examples."""
    run = pathlib.Path(run)
    problem = np.load(problem_path)
    scores = np.load(run / "scores.npy")
    with open(run / "train-examples.csv", newline="") as handle:
        row_of = {(int(r["train_task"]), int(r["source_id"])): int(r["row"]) for r in csv.DictReader(handle)}
    with open(run / "queries.csv", newline="") as handle:
        column_of = {(int(r["query_task"]), int(r["source_id"])): int(r["column"])
                     for r in csv.DictReader(handle) if r["kind"] == "validation-example"}
    picked = []
    for name, lookup, suffix in (("training examples", row_of, "train"), ("validation examples", column_of, "val")):
        keys = list(zip(problem[f"task_{suffix}"].tolist(), problem[f"source_{suffix}"].tolist()))
        missing = [key for key in keys if key not in lookup]
        if missing or len(keys) != len(lookup):
            sys.exit(f"{run}: {name} differ from {problem_path}: {len(lookup)} in the run, {len(keys)} in the problem, "
                     f"first missing (task, source id): {missing[:3]}")
        picked.append(np.array([lookup[key] for key in keys]))
    rows, columns = picked
    if not np.array_equal(rows, np.arange(scores.shape[0])):
        print("note: the run's rows are a permutation of the problem's training examples; reordered", file=sys.stderr)
    np.save(out, scores[np.ix_(rows, columns)])


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
    elif command == "disjoint":
        disjoint(*arguments)
    elif command == "examples":
        examples(*arguments)
    else:
        sys.exit(__doc__)
