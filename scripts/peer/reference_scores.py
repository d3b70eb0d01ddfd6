#!/usr/bin/env python3
"""Weight-zero MTIF scores of a problem file by plain dense linear algebra, without dattri.

    python3 reference_scores.py --problem problem.npz --out reference.npy [--check dattri.npy]

The independent check of dattri_scores.py: same output (rows train, columns queries, same
order and sign), computed from yeast_problem's flat-vector objective, which shares no model code
with dattri_scores.py's torch module:

    H      = ∇²L(ŵ)                     (P, P)  dense, reverse-over-reverse autodiff, λI included
    G      = [∇ℓ_l(ŵ; train_i)]         (K·N_train, P)  per-example gradients, vmap(grad)
    Q      = [∇ℓ_k(ŵ; val_j)]           (K·N_val, P)
    X      = H⁻¹ Qᵀ                      (P, K·N_val)   Cholesky solve
    S      = −diag(1/n_l) · G · X        (K·N_train, K·N_val)     method.md (3), weight-zero

H is symmetrised ((H + Hᵀ)/2) against rounding in the autodiff. If H is not positive definite
(ŵ is not a strict local minimum) the Cholesky factorisation fails and the script says so and
falls back to an LU solve, since the scores are still defined while H is invertible.
With --check, the script compares a second score file with S (max |difference| / max |S|) and
exits 1 when that exceeds --tolerance (default 1e-8).
"""

import argparse
import pathlib
import sys
import time

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import yeast_problem  # noqa: E402


def per_example_gradients(w, layout, inputs, task_index, labels) -> torch.Tensor:
    """∇_w ℓ_t(w; x, y) for each triple: inputs (B, F), task_index (B,), labels (B,) → (B, P)."""

    def single_loss(point, x, task, y):
        logits = yeast_problem.task_logits(point, layout, x.unsqueeze(0)).squeeze(0)
        return yeast_problem.logistic_losses(torch.gather(logits, 0, task.reshape(1)).squeeze(0), y)

    return torch.func.vmap(torch.func.grad(single_loss), in_dims=(None, 0, 0, 0))(w, inputs, task_index, labels)


def reference_scores(problem: yeast_problem.Problem):
    """S (K·N_train, K·N_val) and diagnostics (dict) for a problem; see the module docstring.

    - Complexity: P reverse passes for H, one O(P³) factorisation, O(P² · K·N_val) for the
      solves, O(K·N_train · P · K·N_val) for the product.
    """
    layout = problem.layout
    w = torch.from_numpy(problem.parameters)
    train_inputs = torch.from_numpy(problem.train_inputs)
    train_labels = torch.from_numpy(problem.train_labels)
    diagnostics = {}

    start = time.perf_counter()
    gradient = yeast_problem.objective_gradient(w, layout, train_inputs, train_labels, problem.l2)
    diagnostics["gradient_norm"] = float(torch.linalg.vector_norm(gradient))
    hessian = yeast_problem.objective_hessian(w, layout, train_inputs, train_labels, problem.l2)
    diagnostics["hessian_asymmetry"] = float((hessian - hessian.T).abs().max() / hessian.abs().max())
    hessian = 0.5 * (hessian + hessian.T)
    eigenvalues = torch.linalg.eigvalsh(hessian)
    diagnostics["smallest_eigenvalue"] = float(eigenvalues[0])
    diagnostics["largest_eigenvalue"] = float(eigenvalues[-1])

    train = [torch.from_numpy(array) for array in yeast_problem.train_examples(problem)]
    query = [torch.from_numpy(array) for array in yeast_problem.query_examples(problem)]
    train_gradients = per_example_gradients(w, layout, *train)
    query_gradients = per_example_gradients(w, layout, *query)
    train_counts = torch.bincount(train[1], minlength=layout.tasks).to(torch.float64)

    factor, info = torch.linalg.cholesky_ex(hessian)
    if int(info) == 0:
        solved = torch.cholesky_solve(query_gradients.T, factor)
        diagnostics["solver"] = "cholesky"
    else:
        print("warning: H is not positive definite (ŵ is no strict local minimum); solving by LU", file=sys.stderr)
        solved = torch.linalg.solve(hessian, query_gradients.T)
        diagnostics["solver"] = "lu"
    diagnostics["solve_relative_residual"] = float(
        torch.linalg.matrix_norm(hessian @ solved - query_gradients.T) / torch.linalg.matrix_norm(query_gradients)
    )

    scores = -(train_gradients / train_counts[train[1]].unsqueeze(1)) @ solved
    diagnostics["seconds"] = time.perf_counter() - start
    return scores.numpy(), diagnostics


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Weight-zero MTIF scores (train rows × query columns) by a dense Hessian solve, without dattri.",
        epilog="example: python3 reference_scores.py --problem problem.npz --out reference.npy --check dattri.npy",
    )
    parser.add_argument("--problem", type=pathlib.Path, required=True, help="problem file (.npz, see README.md)")
    parser.add_argument("--out", type=pathlib.Path, required=True, help="scores to write (.npy, float64)")
    parser.add_argument("--check", type=pathlib.Path, help="another score file to compare with the reference")
    parser.add_argument("--tolerance", type=float, default=1e-8, help="largest accepted relative difference")
    options = parser.parse_args(argv)

    torch.set_default_dtype(torch.float64)
    try:
        problem = yeast_problem.load_problem(options.problem)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 65
    scores, diagnostics = reference_scores(problem)
    np.save(options.out, scores)
    print(
        f"reference: scores {scores.shape[0]}x{scores.shape[1]} in {diagnostics['seconds']:.2f} s; "
        f"|grad L(w)| = {diagnostics['gradient_norm']:.3e}; H eigenvalues in "
        f"[{diagnostics['smallest_eigenvalue']:.4e}, {diagnostics['largest_eigenvalue']:.4e}] "
        f"(asymmetry {diagnostics['hessian_asymmetry']:.1e}); {diagnostics['solver']} solve, relative residual "
        f"{diagnostics['solve_relative_residual']:.1e}; wrote {options.out}"
    )

    if options.check is None:
        return 0
    other = np.load(options.check)
    if other.shape != scores.shape:
        print(f"error: {options.check} has shape {other.shape}, the reference {scores.shape}", file=sys.stderr)
        return 1
    relative = float(np.max(np.abs(other - scores)) / np.max(np.abs(scores)))
    verdict = "ok" if relative <= options.tolerance else "FAILED"
    print(f"check {options.check}: max |S - S_ref| / max |S_ref| = {relative:.3e} (tolerance {options.tolerance:g}) {verdict}")
    return 0 if relative <= options.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
