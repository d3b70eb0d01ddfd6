"""Summarises scripts/bench-dattri-cg: time, peak memory, CG settings and score agreement.

    python3 scripts/lib/dattri_cg_table.py WORK RUN…

WORK holds, for each RUN name, RUN.time ("seconds KiB" from /usr/bin/time -f "%e %M"), and:
score-RUN/manifest.json and RUN.npy (the example-query block in the problem's order) for the mtif
runs (names starting with "mtif"); dattri.json, dattri.npy and check.json
(scripts/peer/disjoint_problem.py --json, with dattri's residuals) for the dattri run;
model.json, mtif's checkpoint. Agreement is measured against the first run.
"""
import json
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "peer"))
from compare_scores import compare  # noqa: E402

work = pathlib.Path(sys.argv[1])
runs = sys.argv[2:]
check = json.loads((work / "check.json").read_text())
dattri = json.loads((work / "dattri.json").read_text())
checkpoint = json.loads((work / "model.json").read_text())
report = checkpoint["training"]["report"]
scores = {run: np.load(work / f"{run}.npy") for run in runs}
reference = scores[runs[0]]

rows = []
for run in runs:
    seconds, kib = (work / f"{run}.time").read_text().split()
    if run.startswith("mtif"):
        manifest = json.loads((work / f"score-{run}" / "manifest.json").read_text())
        solve = manifest["solve"]
        settings = manifest["configuration"]["iterative"]
        iterations = f"{min(solve['iterations'])}–{max(solve['iterations'])}" if min(solve["iterations"]) != max(
            solve["iterations"]) else f"{max(solve['iterations'])}"
        stop = f"relative residual ≤ {settings['tolerance']:g}"
        residual = max(solve["relativeResiduals"])
        solver_seconds = f"solve {solve['seconds']:.1f} s"
    else:
        iterations = f"{dattri['max_iter']}"
        stop = f"fixed max_iter (tol ignored)"
        residual = check["max_relative_residual"]
        solver_seconds = f"cache+attribute {dattri['seconds']:.1f} s"
    agreement = compare(scores[run], reference)
    rows.append([run, f"{float(seconds):.1f} s", f"{int(kib) / 1024:.0f} MiB", iterations, stop, f"{residual:.1e}",
                 solver_seconds, "—" if run == runs[0] else f"{agreement['max_relative']:.1e}",
                 "—" if run == runs[0] else f"{agreement['pearson']:.15f}"])

header = ["run", "wall time", "peak RSS", "CG iterations", "stopping rule", "max rel. residual", "inside",
          f"max rel. diff vs {runs[0]}", "Pearson r"]
widths = [max(len(str(row[i])) for row in [header] + rows) for i in range(len(header))]
print("  ".join(name.ljust(width) for name, width in zip(header, widths)))
for row in rows:
    print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)))

examples, queries = reference.shape
print()
print(f"problem: {examples} training examples x {queries} query examples, P = {check['parameters']}, "
      f"train counts {check['train_counts']}, lambda = {dattri['regularization']:g}, no damping")
print(f"gradient: mtif's training report ||grad L|| = {report['gradientNorm']:.3e} (relative {report['relativeGradientNorm']:.1e}), "
      f"recomputed in torch {check['gradient_norm']:.3e}; objective mtif {report['finalLoss']:.15g}, torch {check['objective']:.15g}")
print(f"dattri {dattri['dattri_version']}, torch {dattri['torch_version']} ({dattri['torch_threads']} threads), float64, "
      f"{dattri['attributor']} mode {dattri['mode']}, regularization = lambda, one cache batch; "
      f"residual ||H x - v|| / ||v|| of dattri's products recomputed in torch")
print("peak RSS of a run with workers is that of its largest process (GNU time reports the maximum, not the sum)")
