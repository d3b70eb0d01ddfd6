"""Summarises scripts/bench-scale: one row per run, the scoring pass against its flop floor, and
the scaling model of docs/scaling.md fitted on the smaller sizes and checked on the largest.

    python3 scripts/lib/scale_table.py WORK "SIZES" "WORKER_COUNTS"

Each run is WORK/score-SIZE-WORKERS with its logs and /usr/bin/time files (see bench-scale).
"""
import json
import pathlib
import re
import sys

import numpy as np

INPUTS, HIDDEN = 784, 64  # the trunk of hard:64tanh on Fashion-MNIST


def log_fields(log, message):
    """The key=value fields of the first log line carrying MESSAGE."""
    for line in log.splitlines():
        if f"] {message} " in line:
            return dict(re.findall(r"(\S+?)=(\S+)", line.split(f"] {message} ", 1)[1]))
    raise SystemExit(f"scale_table: no '{message}' line in the log")


def peak_mib(path):
    """Wall seconds and peak RSS in MiB from a GNU time file ("%e %M ...")."""
    seconds, kib, *_ = open(path).read().split()
    return float(seconds), int(kib) / 1024


def cpu_seconds(path):
    """User plus system CPU seconds from a GNU time file ("%e %M %U %S"), or None without them."""
    fields = open(path).read().split()
    return float(fields[2]) + float(fields[3]) if len(fields) >= 4 else None


def run_row(work, size, workers):
    base = work / f"score-{size}-{workers}"
    manifest = json.load(open(base / "manifest.json"))
    log = open(f"{base}.coordinator.log").read()
    rounds = log_fields(log, "curvature products summed over workers")
    scoring = log_fields(log, "workers finished")
    wall, coordinator_mib = peak_mib(f"{base}.coordinator.time")
    worker_mib = max(peak_mib(f"{base}.worker{i}.time")[1] for i in range(1, workers + 1))
    examples = sum(manifest["dataset"]["trainCounts"])
    queries = len(open(base / "queries.csv").read().splitlines()) - 1
    solve = manifest["solve"]
    return {
        "size": size, "workers": workers, "examples": examples,
        "parameters": manifest["model"]["parameterCount"],
        "directions": len(solve["iterations"]), "direction_iterations": sum(solve["iterations"]),
        "queries": queries,
        "rounds": int(rounds["rounds"]), "shards": int(rounds["shards"]),
        "cg_seconds": float(rounds["seconds"]),
        "cg_bytes": int(rounds["bytes.sent"]) + int(rounds["bytes.received"]),
        "cg_compute_seconds": float(rounds.get("compute.seconds", "nan")),
        "cg_overhead_ms": float(rounds.get("dispatch.mean.ms", "nan")),
        "pass_seconds": float(scoring["seconds"]),
        "score_seconds": manifest["timings"]["score"],
        "score_bytes": int(scoring["bytes.sent"]) + int(scoring["bytes.received"]),
        "load_seconds": manifest["timings"]["load"],
        "wall": wall, "coordinator_mib": coordinator_mib, "worker_mib": worker_mib,
        "coordinator_cpu": cpu_seconds(f"{base}.coordinator.time"),
    }


def scoring_flops(row):
    """The kernel's work (docs/scaling.md): the trunk's forward pass and, per query, one GEMM
    a·Q over the trunk's weights and the heads' dots: 2·n·(d·h + h)·(1 + Q)."""
    return 2 * row["examples"] * (INPUTS * HIDDEN + HIDDEN) * (1 + row["queries"])


def main():
    work = pathlib.Path(sys.argv[1])
    sizes = [int(s) for s in sys.argv[2].split()]
    worker_counts = [int(w) for w in sys.argv[3].split()]
    gemm = float(re.search(r"gemm.gflops\s+(\S+)", open(work / "gemm.txt").read()).group(1))
    rows = [run_row(work, s, w) for s in sizes for w in worker_counts if (work / f"score-{s}-{w}").exists()]
    print(f"single-thread DGEMM rate: {gemm:.1f} GFLOP/s (mtif doctor --benchmark, OPENBLAS_NUM_THREADS=1)")
    print("| training examples | workers | end to end | CG: rounds × shards, time per round | scoring pass (stage) | "
          "floor | pass / floor (stage / floor) | throughput per core | bytes on the wire (CG + pass) | "
          "coordinator peak | worker peak |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        floor = scoring_flops(row) / (gemm * 1e9 * row["workers"])
        per_core = row["examples"] / row["pass_seconds"] / row["workers"]
        print(
            f"| {row['examples']} | {row['workers']} | {row['wall']:.1f} s | {row['rounds']} × {row['shards']}, "
            f"{row['cg_seconds'] / row['rounds']:.3f} s | {row['pass_seconds']:.2f} s ({row['score_seconds']:.2f} s) | "
            f"{floor:.2f} s | {row['pass_seconds'] / floor:.1f}× ({row['score_seconds'] / floor:.1f}×) | "
            f"{per_core:,.0f} examples/s | "
            f"{row['cg_bytes'] / 1e9:.1f} GB + {row['score_bytes'] / 1e6:.0f} MB | {row['coordinator_mib']:.0f} MiB | "
            f"{row['worker_mib']:.0f} MiB |")
    for row in rows:
        if row["coordinator_cpu"] is not None:
            print(
                f"coordinator CPU, {row['examples']} examples, {row['workers']} worker(s): {row['coordinator_cpu']:.1f} s "
                f"in all, {row['coordinator_cpu'] / (row['rounds'] * row['shards']) * 1e3:.1f} ms per shard and "
                f"CG round (an upper bound on its serial cost per shard: load and scoring are included)")
    predict(rows, max(sizes))


def cg_terms(row):
    """The model's terms for the CG stage (docs/scaling.md): the coordinator's serial cost per
    shard and round (encoding, dispatch, summing), and the workers' curvature products, one per
    training example and active direction, shared among the W workers."""
    products = row["examples"] * row["direction_iterations"]
    return [row["rounds"] * row["shards"], products / row["workers"]]


def score_terms(row):
    """The scoring pass: a fixed cost and one per training example, shared among the workers."""
    return [1.0, row["examples"] / row["workers"]]


def predict(rows, largest):
    """Fits the constants on the smaller sizes and predicts the largest size's end-to-end time."""
    calibration = [r for r in rows if r["size"] != largest]
    targets = [r for r in rows if r["size"] == largest]
    if len(calibration) < 2 or not targets:
        print("scaling model: needs two runs of smaller sizes and one of the largest")
        return
    cg, *_ = np.linalg.lstsq(
        np.array([cg_terms(r) for r in calibration]), np.array([r["cg_seconds"] for r in calibration]), rcond=None)
    score, *_ = np.linalg.lstsq(
        np.array([score_terms(r) for r in calibration]), np.array([r["score_seconds"] for r in calibration]),
        rcond=None)
    load_rate = np.mean([r["load_seconds"] / r["examples"] for r in calibration])
    rest = np.mean([r["wall"] - r["cg_seconds"] - r["score_seconds"] - r["load_seconds"] for r in calibration])
    print(
        f"\nscaling model fitted on the {len(calibration)} smaller runs: CG = R·S·{cg[0] * 1e3:.2f} ms + "
        f"{cg[1] * 1e9:.0f} ns per example-direction product / W; scoring stage = "
        f"{score[0]:.2f} s + {score[1] * 1e6:.1f} µs per example / W; load {load_rate * 1e6:.1f} µs per example; "
        f"the rest (start-up, query gradients, writing) {rest:.1f} s")
    products = sum(r["examples"] * r["direction_iterations"] for r in calibration)
    compute = sum(r["cg_compute_seconds"] for r in calibration)
    overhead = np.mean([r["cg_overhead_ms"] for r in calibration])
    print(
        f"measured in the same runs: the workers' compute {compute / products * 1e9:.0f} ns per example-direction "
        f"product; round trip minus compute {overhead:.2f} ms per shard (mean)")
    for row in targets:
        predicted = {
            "CG": float(np.dot(cg, cg_terms(row))), "scoring pass": float(np.dot(score, score_terms(row))),
            "load": load_rate * row["examples"], "rest": rest,
        }
        total = sum(predicted.values())
        parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in predicted.items())
        print(
            f"{row['examples']} examples, {row['workers']} worker(s), R = {row['rounds']}: predicted {total:.1f} s "
            f"({parts}), measured {row['wall']:.1f} s (CG {row['cg_seconds']:.1f} s): "
            f"{100 * (total / row['wall'] - 1):+.1f}%")


main()
