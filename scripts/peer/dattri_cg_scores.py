#!/usr/bin/env python3
"""Weight-zero MTIF scores of a disjoint-layout problem by dattri's IFAttributorCG.

    python3 dattri_cg_scores.py --problem problem.npz --out scores.npy --max-iter 250 \
        [--ihvp-out ihvp.npy] [--timing-json timing.json]

Writes S, an N_train × N_val float64 matrix, rows train examples and columns query examples in
the problem file's order (disjoint_problem.py; mtif's score order):

    S[i, j] = −(1/n_l) · ∇ℓ_k(ŵ; val_j)ᵀ H⁻¹ ∇ℓ_l(ŵ; train_i)      method.md (3), weight-zero

with l the task of training example i and k that of query j. S > 0: removing the example lowers
the query loss (the example harms the query).

dattri is set up as for the shared-inputs problem (dattri_scores.py, README.md), with one
dattri sample per example (x, t, y): loss_func = Σ_batch (1/n_t)·ℓ_t without the penalty,
`regularization = λ` (dattri's CG adds λ·v to every Hessian-vector product, the penalty's
Hessian), target_func = Σ_batch ℓ_t, and S = −(dattri's matrix). The whole training set is
one cache batch (a loader of b batches returns Σ_b (H_b + λI)⁻¹v) and one attribute batch.

dattri 0.3.0's CG, read from its source (`func/hessian.py`, `ihvp_at_x_cg`), is not what its
docstring says, which decides how it is driven here:
- `tol` is ignored: every query runs exactly `max_iter` iterations (there is no stopping test,
  the loop is vmapped over the queries). Too few leaves the solve unconverged; past convergence
  the iterations continue on rounding noise. So --max-iter must be given, and the relative
  residual of the result is measured afterwards (disjoint_problem.py --ihvp) rather than assumed.
- The start is x₀ = v, the right-hand side itself, not 0.
- Hessian-vector products are reverse-over-reverse (`mode="rev-rev"`, the default), vmapped
  over all queries at once: each iteration is N_val products over the whole training set.
--ihvp-out saves the products x_j ≈ H⁻¹∇ℓ_k(ŵ; val_j) that dattri computed (N_val × P), captured
from `transform_test_rep` by a subclass that records its result and changes nothing else.
"""

import argparse
import json
import pathlib
import sys
import time

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import disjoint_problem  # noqa: E402
from dattri_scores import attribution_task, peak_rss_mib, timing_record, triple_loader  # noqa: E402


def dattri_cg_scores(problem: disjoint_problem.DisjointProblem, max_iter: int, record_graph: bool = False):
    """S (N_train, N_val) float64 by dattri's CG, dattri's products (N_val, P), and the seconds
    spent in cache + attribute.

    - Complexity: max_iter CG iterations, each N_val reverse-over-reverse Hessian-vector
      products over all N_train examples (O(max_iter · N_val · N_train · F · H)), then N_train
      per-example gradients and one (N_train × P)·(P × N_val) product.
    """
    from dattri.algorithm.influence_function import IFAttributorCG

    task = attribution_task(problem.layout, problem.parameters, problem.train_counts, disjoint_problem.logistic_losses)

    class RecordingCG(IFAttributorCG):
        """IFAttributorCG that keeps the inverse-Hessian products it computes."""

        products = None

        def transform_test_rep(self, ckpt_idx, test_rep):
            transformed = super().transform_test_rep(ckpt_idx, test_rep)
            RecordingCG.products = transformed.detach().clone()
            return transformed

    attributor = RecordingCG(task=task, device="cpu", max_iter=max_iter, regularization=problem.l2)
    train_loader = triple_loader(problem.train_inputs, problem.train_tasks, problem.train_labels)
    query_loader = triple_loader(problem.query_inputs, problem.query_tasks, problem.query_labels)
    start = time.perf_counter()
    with torch.set_grad_enabled(record_graph):
        attributor.cache(train_loader)
        helpful = attributor.attribute(train_loader, query_loader)
    seconds = time.perf_counter() - start

    if helpful.dtype != torch.float64:
        raise RuntimeError(f"dattri returned {helpful.dtype}; the default dtype must be float64")
    return -helpful.detach().numpy(), RecordingCG.products.numpy(), seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Weight-zero MTIF scores (train rows × query columns) with dattri's IFAttributorCG.",
        epilog="example: python3 dattri_cg_scores.py --problem problem.npz --out dattri.npy --max-iter 250",
    )
    parser.add_argument("--problem", type=pathlib.Path, required=True, help="disjoint problem file (.npz, see README.md)")
    parser.add_argument("--out", type=pathlib.Path, required=True, help="scores to write (.npy, float64)")
    parser.add_argument("--max-iter", type=int, required=True,
                        help="CG iterations (dattri runs exactly this many: it ignores its tolerance)")
    parser.add_argument("--record-graph", action="store_true",
                        help="call dattri with autograd recording (its default; memory grows with every CG iteration)")
    parser.add_argument("--ihvp-out", type=pathlib.Path, help="write dattri's inverse-Hessian products here (.npy)")
    parser.add_argument("--timing-json", type=pathlib.Path, help="write wall seconds and peak RSS here")
    options = parser.parse_args(argv)
    if options.max_iter < 1:
        parser.error(f"--max-iter must be at least 1, found {options.max_iter}")

    torch.set_default_dtype(torch.float64)
    try:
        problem = disjoint_problem.load_problem(options.problem)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 65
    rss_before = peak_rss_mib()
    scores, products, seconds = dattri_cg_scores(problem, options.max_iter, options.record_graph)
    peak = peak_rss_mib()
    if not np.all(np.isfinite(scores)):
        print(f"error: dattri's scores hold {np.count_nonzero(~np.isfinite(scores))} NaN or infinite values "
              f"(CG run past convergence divides by rounding noise; try a smaller --max-iter)", file=sys.stderr)
        return 1

    np.save(options.out, scores)
    if options.ihvp_out:
        np.save(options.ihvp_out, products)
    timing = timing_record(
        "IFAttributorCG", problem, scores, seconds, peak, rss_before, max_iter=options.max_iter, mode="rev-rev")
    if options.timing_json:
        options.timing_json.write_text(json.dumps(timing, indent=2) + "\n")
    print(f"dattri CG: scores {scores.shape[0]}x{scores.shape[1]}, {options.max_iter} iterations, {seconds:.2f} s "
          f"(cache + attribute), peak RSS {peak:.0f} MiB (before attribution {rss_before:.0f} MiB); wrote {options.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
