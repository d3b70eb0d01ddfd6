#!/usr/bin/env python3
"""The Yeast hard-sharing MLP problem that mtif and dattri both score, and its problem file.

Importable (the other peer scripts read problem files and evaluate the objective through it)
and runnable: `python3 yeast_problem.py --out problem.npz` builds a problem on its own, which is
useful when mtif has not written one. For a side-by-side comparison the problem file normally
comes from mtif, so both sides score exactly the same arrays.

Model and objective (docs: docs/method.md §1, hard sharing):

    h(x)   = tanh(x·W1 + b1)                 x: (F,)  W1: (F, H)  b1: (H,)   h: (H,)
    f_k(x) = h(x)·V_k + c_k                  V_k: (H, 1)  c_k: scalar
    ℓ_k    = log(1 + exp(f_k)) − y·f_k       binary cross-entropy with logits, y ∈ {0, 1}
    L(w)   = Σ_k (1/n_k) Σ_i ℓ_k(x_i, y_ik) + (λ/2)‖w‖²

with F = 103 features, H hidden units (16), K = 14 tasks, and every training input labelled for
every task (shared inputs), so n_k is the number of training inputs for every k.

Flat parameter layout, mtif's (P = K·(H+1) + F·H + H = 1902 for F=103, H=16, K=14):

    [V_0 (H), c_0, V_1 (H), c_1, …, V_{K−1}, c_{K−1},  W1 (F·H, row-major: (r, c) at r·H + c),  b1 (H)]

Problem file (.npz), the contract between the Swift side and these scripts:

    X_train (N_train, F) float64    standardised training inputs, in mtif's order
    Y_train (N_train, K) float64    0/1 labels, column k is task k
    X_val   (N_val, F)   float64    standardised validation inputs (the queries)
    Y_val   (N_val, K)   float64
    parameters (P,)      float64    ŵ, a tight minimiser of L, in the layout above
    l2 ()                float64    λ
    hidden ()            integer    H
"""

import argparse
import gzip
import math
import pathlib
import sys
import time
from dataclasses import dataclass

import numpy as np
import torch

DEFAULT_DATA = pathlib.Path(__file__).resolve().parents[2] / "data" / "yeast" / "yeast.csv.gz"
FEATURE_PREFIX = "Att"
LABEL_PREFIX = "Class"

# A feature whose train standard deviation is at or below this fraction of max(1, |mean|) is
# treated as constant and keeps scale 1, as mtif's FeatureStandardization does: rounding alone
# leaves deviations near 1e-16·|mean| on constant columns.
CONSTANT_FEATURE_TOLERANCE = 1e-12

REQUIRED_ARRAYS = ("X_train", "Y_train", "X_val", "Y_val", "parameters", "l2", "hidden")


# MARK: - Parameter layout


@dataclass(frozen=True)
class ParameterLayout:
    """Where each block of the hard-sharing MLP lives in mtif's flat parameter vector.

    Task blocks come first, one per task in task order, each θ_k = [V_k (H values), c_k]; the
    shared block γ = [W1 (F×H row-major), b1 (H)] follows. See the module docstring.
    """

    features: int
    hidden: int
    tasks: int

    @property
    def head_size(self) -> int:
        """Values per task block θ_k: H weights and one bias."""
        return self.hidden + 1

    @property
    def shared_offset(self) -> int:
        """Index of W1[0, 0], the first value of the shared block γ."""
        return self.tasks * self.head_size

    @property
    def count(self) -> int:
        """P = K·(H+1) + F·H + H."""
        return self.shared_offset + self.features * self.hidden + self.hidden

    def unpack(self, w: torch.Tensor):
        """Views of the four parameter arrays inside the flat vector `w` (P,).

        Returns:
            (heads_weight (K, H), heads_bias (K,), trunk_weight (F, H), trunk_bias (H,)); row k of
            heads_weight is V_k as a row, so the task-k logits are h · heads_weight[k] + heads_bias[k].
        """
        if w.shape != (self.count,):
            raise ValueError(f"expected a parameter vector of shape ({self.count},), found {tuple(w.shape)}")
        heads = w[: self.shared_offset].reshape(self.tasks, self.head_size)
        trunk_end = self.shared_offset + self.features * self.hidden
        trunk_weight = w[self.shared_offset : trunk_end].reshape(self.features, self.hidden)
        return heads[:, : self.hidden], heads[:, self.hidden], trunk_weight, w[trunk_end:]


# MARK: - Objective


def task_logits(w: torch.Tensor, layout: ParameterLayout, inputs: torch.Tensor) -> torch.Tensor:
    """All K heads' logits f_k(x) for every input: (N, F) → (N, K)."""
    heads_weight, heads_bias, trunk_weight, trunk_bias = layout.unpack(w)
    hidden = torch.tanh(inputs @ trunk_weight + trunk_bias)
    return hidden @ heads_weight.T + heads_bias


def logistic_losses(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """ℓ = log(1 + exp(f)) − y·f elementwise, evaluated without overflow for large |f|."""
    return torch.nn.functional.binary_cross_entropy_with_logits(logits, labels, reduction="none")


def multitask_objective(
    w: torch.Tensor, layout: ParameterLayout, inputs: torch.Tensor, labels: torch.Tensor, l2: float
) -> torch.Tensor:
    """L(w) = Σ_k mean_i ℓ_k(x_i, y_ik) + (λ/2)‖w‖² (method.md (1)); inputs (N, F), labels (N, K)."""
    losses = logistic_losses(task_logits(w, layout, inputs), labels)
    return losses.mean(dim=0).sum() + 0.5 * l2 * torch.dot(w, w)


def initial_parameters(layout: ParameterLayout, seed: int) -> torch.Tensor:
    """A random start: W1 ~ N(0, 1/F), V_k ~ N(0, 1/H), biases zero (float64, shape (P,))."""
    generator = torch.Generator().manual_seed(seed)
    w = torch.zeros(layout.count, dtype=torch.float64)
    heads_weight, _, trunk_weight, _ = layout.unpack(w)
    heads_weight.copy_(torch.randn(heads_weight.shape, generator=generator, dtype=torch.float64) / math.sqrt(layout.hidden))
    trunk_weight.copy_(torch.randn(trunk_weight.shape, generator=generator, dtype=torch.float64) / math.sqrt(layout.features))
    return w


@dataclass
class TrainingReport:
    """How training ended; gradient norms are Euclidean, ‖∇L‖₂, eigenvalues those of H = ∇²L(ŵ)."""

    converged: bool
    objective: float
    initial_gradient_norm: float
    lbfgs_gradient_norm: float
    gradient_norm: float
    target_gradient_norm: float
    lbfgs_iterations: int
    newton_steps: int
    smallest_hessian_eigenvalue: float
    seconds: float


def objective_gradient(w, layout, inputs, labels, l2) -> torch.Tensor:
    """∇L(w), shape (P,)."""
    w = w.detach().requires_grad_(True)
    (gradient,) = torch.autograd.grad(multitask_objective(w, layout, inputs, labels, l2), w)
    return gradient


def objective_hessian(w, layout, inputs, labels, l2) -> torch.Tensor:
    """∇²L(w), the dense (P, P) Hessian including λI, by reverse-over-reverse autodiff."""
    return torch.autograd.functional.hessian(
        lambda v: multitask_objective(v, layout, inputs, labels, l2), w.detach(), vectorize=True
    )


def minimise(
    w0: torch.Tensor,
    layout: ParameterLayout,
    inputs: torch.Tensor,
    labels: torch.Tensor,
    l2: float,
    relative_tolerance: float = 1e-10,
    max_rounds: int = 10,
    iterations_per_round: int = 500,
    max_newton_steps: int = 10,
):
    """Minimises L from `w0` in float64: full-batch L-BFGS (strong Wolfe), then Newton polishing.

    Converged means ‖∇L(w)‖₂ ≤ relative_tolerance · max(1, ‖∇L(w0)‖₂) and a positive definite
    Hessian (a strict local minimum, not a saddle). Influence scores assume ∇L(ŵ) = 0, and 1e-10
    keeps the stationarity error far below the score differences checked (1e-8 relative).

    Phase 1, L-BFGS: rounds of one `LBFGS.step` each (at most `iterations_per_round`
    iterations; the curvature history carries over), until converged, `max_rounds` rounds, or
    three rounds without a smaller gradient. On Yeast it stalls near ‖∇L‖ ≈ 1e-7: the
    Hessian's smallest eigenvalue is below 1e-3 (the penalty's λ = 1e-2 is partly cancelled by
    negative curvature of the tanh trunk) and the line search works on objective values, whose
    changes there are at rounding level.

    Phase 2, Newton: w ← w − t·H⁻¹∇L with the exact Hessian (Cholesky; a Hessian that is not
    positive definite means the point is no strict local minimum, and training fails), t halved
    until ‖∇L‖ decreases. Converges quadratically from where L-BFGS stops; skipped when
    `max_newton_steps` is 0.

    - Complexity: L-BFGS O(iterations · N·F·H); each Newton step one Hessian (P reverse passes)
      and one O(P³) factorisation (P = 1902: a few seconds per step on 2 cores).

    Returns:
        (ŵ (P,), TrainingReport).
    """
    start = time.perf_counter()
    w = w0.detach().clone().requires_grad_(True)
    optimizer = torch.optim.LBFGS(
        [w],
        lr=1.0,
        max_iter=iterations_per_round,
        history_size=50,
        tolerance_grad=0.0,
        tolerance_change=1e-300,
        line_search_fn="strong_wolfe",
    )

    def closure():
        optimizer.zero_grad()
        value = multitask_objective(w, layout, inputs, labels, l2)
        value.backward()
        return value

    def gradient_norm(point) -> float:
        return float(torch.linalg.vector_norm(objective_gradient(point, layout, inputs, labels, l2)))

    initial_norm = gradient_norm(w)
    target = relative_tolerance * max(1.0, initial_norm)
    best_norm, stalled_rounds, rounds, norm = initial_norm, 0, 0, initial_norm
    while norm > target and rounds < max_rounds and stalled_rounds < 3:
        optimizer.step(closure)
        rounds += 1
        norm = gradient_norm(w)
        if not math.isfinite(norm):
            break
        stalled_rounds = stalled_rounds + 1 if norm >= best_norm else 0
        best_norm = min(best_norm, norm)
    lbfgs_iterations = optimizer.state[w].get("n_iter", 0)
    lbfgs_norm = norm
    w = w.detach()

    newton_steps = 0
    while math.isfinite(norm) and norm > target and newton_steps < max_newton_steps:
        hessian = objective_hessian(w, layout, inputs, labels, l2)
        factor, info = torch.linalg.cholesky_ex(hessian)
        if int(info) != 0:
            break
        gradient = objective_gradient(w, layout, inputs, labels, l2)
        step = torch.cholesky_solve(gradient.unsqueeze(1), factor).squeeze(1)
        for halving in range(30):
            candidate = w - 0.5**halving * step
            candidate_norm = gradient_norm(candidate)
            if candidate_norm < norm:
                break
        else:
            break
        w, norm = candidate, candidate_norm
        newton_steps += 1
    smallest_eigenvalue = float(torch.linalg.eigvalsh(objective_hessian(w, layout, inputs, labels, l2))[0])

    with torch.no_grad():
        objective = float(multitask_objective(w, layout, inputs, labels, l2))
    report = TrainingReport(
        converged=norm <= target and smallest_eigenvalue > 0,
        objective=objective,
        initial_gradient_norm=initial_norm,
        lbfgs_gradient_norm=lbfgs_norm,
        gradient_norm=norm,
        target_gradient_norm=target,
        lbfgs_iterations=lbfgs_iterations,
        newton_steps=newton_steps,
        smallest_hessian_eigenvalue=smallest_eigenvalue,
        seconds=time.perf_counter() - start,
    )
    return w, report


# MARK: - Data


def read_yeast(path: pathlib.Path):
    """Reads river's yeast.csv.gz: a header, then rows of 103 features Att* and 14 labels Class*.

    Returns:
        (features (N, 103) float64, labels (N, 14) float64 in {0, 1}), rows in file order.
    """
    with gzip.open(path, "rt") as handle:
        header = handle.readline().strip().split(",")
        table = np.loadtxt(handle, delimiter=",", dtype=np.float64, ndmin=2)
    feature_columns = [i for i, name in enumerate(header) if name.startswith(FEATURE_PREFIX)]
    label_columns = [i for i, name in enumerate(header) if name.startswith(LABEL_PREFIX)]
    if len(feature_columns) + len(label_columns) != len(header) or table.shape[1] != len(header):
        raise ValueError(f"{path}: expected only {FEATURE_PREFIX}* and {LABEL_PREFIX}* columns, found {header}")
    labels = table[:, label_columns]
    if not np.all((labels == 0) | (labels == 1)):
        raise ValueError(f"{path}: label columns must hold only 0 and 1")
    return table[:, feature_columns], labels


def fit_standardisation(train_features: np.ndarray, sample_deviation: bool = False):
    """Per-feature train means and scales for x′ = (x − mean) / scale.

    mtif uses the population standard deviation (divisor n), the default here; pass
    `sample_deviation=True` for divisor n − 1. Constant features keep scale 1 (see
    CONSTANT_FEATURE_TOLERANCE), like mtif.

    Returns:
        (means (F,), scales (F,)).
    """
    means = train_features.mean(axis=0)
    deviations = train_features.std(axis=0, ddof=1 if sample_deviation else 0)
    constant = deviations <= CONSTANT_FEATURE_TOLERANCE * np.maximum(1.0, np.abs(means))
    return means, np.where(constant, 1.0, deviations)


# MARK: - Problem file


@dataclass
class Problem:
    """The arrays of a problem file (see the module docstring for shapes and meaning)."""

    train_inputs: np.ndarray
    train_labels: np.ndarray
    query_inputs: np.ndarray
    query_labels: np.ndarray
    parameters: np.ndarray
    l2: float
    hidden: int

    @property
    def layout(self) -> ParameterLayout:
        return ParameterLayout(self.train_inputs.shape[1], self.hidden, self.train_labels.shape[1])

    @property
    def task_count(self) -> int:
        return self.train_labels.shape[1]

    @property
    def train_input_count(self) -> int:
        return self.train_inputs.shape[0]

    @property
    def query_input_count(self) -> int:
        return self.query_inputs.shape[0]


def load_problem(path) -> Problem:
    """Reads and checks a problem file; raises ValueError naming what was expected and found."""
    with np.load(path, allow_pickle=False) as archive:
        missing = [name for name in REQUIRED_ARRAYS if name not in archive.files]
        if missing:
            raise ValueError(f"{path}: missing arrays {missing}; found {archive.files}")
        arrays = {name: archive[name] for name in REQUIRED_ARRAYS}
    hidden = arrays["hidden"]
    if hidden.size != 1 or float(hidden.reshape(())) != int(hidden.reshape(())):
        raise ValueError(f"{path}: 'hidden' must be one integer, found {hidden!r}")
    problem = Problem(
        train_inputs=np.asarray(arrays["X_train"], dtype=np.float64),
        train_labels=np.asarray(arrays["Y_train"], dtype=np.float64),
        query_inputs=np.asarray(arrays["X_val"], dtype=np.float64),
        query_labels=np.asarray(arrays["Y_val"], dtype=np.float64),
        parameters=np.asarray(arrays["parameters"], dtype=np.float64),
        l2=float(arrays["l2"].reshape(())),
        hidden=int(hidden.reshape(())),
    )
    n_train, features = problem.train_inputs.shape
    tasks = problem.train_labels.shape[1]
    expected = {
        "Y_train": ((n_train, tasks), problem.train_labels.shape),
        "X_val": ((problem.query_inputs.shape[0], features), problem.query_inputs.shape),
        "Y_val": ((problem.query_inputs.shape[0], tasks), problem.query_labels.shape),
        "parameters": ((problem.layout.count,), problem.parameters.shape),
    }
    for name, (want, found) in expected.items():
        if want != found:
            raise ValueError(f"{path}: '{name}' should have shape {want}, found {found}")
    for name, labels in (("Y_train", problem.train_labels), ("Y_val", problem.query_labels)):
        if not np.all((labels == 0) | (labels == 1)):
            raise ValueError(f"{path}: '{name}' must hold only 0 and 1")
    return problem


def save_problem(path, problem: Problem, **extra_arrays) -> None:
    """Writes the required arrays (float64, `hidden` int64) and any extra ones to an .npz."""
    np.savez(
        path,
        X_train=problem.train_inputs,
        Y_train=problem.train_labels,
        X_val=problem.query_inputs,
        Y_val=problem.query_labels,
        parameters=problem.parameters,
        l2=np.float64(problem.l2),
        hidden=np.int64(problem.hidden),
        **extra_arrays,
    )


def train_examples(problem: Problem):
    """The K·N_train training triples in score-row order: task 0's inputs in file order, then task 1's, ….

    Returns:
        (inputs (K·N, F), task indices (K·N,) int64, labels (K·N,)); row l·N + i is (x_i, l, y_il).
    """
    return _triples(problem.train_inputs, problem.train_labels)


def query_examples(problem: Problem):
    """The K·N_val query triples in score-column order (column k·N_val + j is (x_j, k, y_jk))."""
    return _triples(problem.query_inputs, problem.query_labels)


def _triples(inputs: np.ndarray, labels: np.ndarray):
    count, tasks = labels.shape
    repeated_inputs = np.tile(inputs, (tasks, 1))
    task_index = np.repeat(np.arange(tasks, dtype=np.int64), count)
    flat_labels = labels.T.reshape(-1)
    return repeated_inputs, task_index, flat_labels


# MARK: - Command line


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Build the Yeast hard-sharing MLP problem (subsample, standardise, train) and write it as .npz.",
        epilog="example: python3 yeast_problem.py --out problem.npz --seed 7 --l2 1e-2",
    )
    parser.add_argument("--data", type=pathlib.Path, default=DEFAULT_DATA, help="yeast.csv.gz (default: %(default)s)")
    parser.add_argument("--out", type=pathlib.Path, required=True, help="problem file to write (.npz)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the input selection and the initial weights")
    parser.add_argument("--train-inputs", type=int, default=200)
    parser.add_argument("--val-inputs", type=int, default=50)
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--l2", type=float, default=1e-2, help="λ of the penalty (λ/2)‖w‖²")
    parser.add_argument(
        "--scale",
        choices=("population", "sample"),
        default="population",
        help="standard deviation used to standardise features: divisor n (mtif's) or n − 1",
    )
    parser.add_argument("--tolerance", type=float, default=1e-10, help="relative gradient-norm target")
    parser.add_argument("--max-rounds", type=int, default=10, help="L-BFGS rounds of up to 500 iterations")
    parser.add_argument("--newton-steps", type=int, default=10, help="Newton polishing steps after L-BFGS (0: none)")
    parser.add_argument("--allow-unconverged", action="store_true", help="write the file even if training fails")
    options = parser.parse_args(argv)

    torch.set_default_dtype(torch.float64)
    features, labels = read_yeast(options.data)
    wanted = options.train_inputs + options.val_inputs
    if wanted > features.shape[0]:
        parser.error(f"asked for {wanted} inputs, the file has {features.shape[0]}")
    order = np.random.default_rng(options.seed).permutation(features.shape[0])
    train_rows, val_rows = order[: options.train_inputs], order[options.train_inputs : wanted]
    means, scales = fit_standardisation(features[train_rows], sample_deviation=options.scale == "sample")

    problem = Problem(
        train_inputs=(features[train_rows] - means) / scales,
        train_labels=labels[train_rows],
        query_inputs=(features[val_rows] - means) / scales,
        query_labels=labels[val_rows],
        parameters=np.empty(0),
        l2=options.l2,
        hidden=options.hidden,
    )
    layout = problem.layout
    w, report = minimise(
        initial_parameters(layout, options.seed),
        layout,
        torch.from_numpy(problem.train_inputs),
        torch.from_numpy(problem.train_labels),
        options.l2,
        relative_tolerance=options.tolerance,
        max_rounds=options.max_rounds,
        max_newton_steps=options.newton_steps,
    )
    print(
        f"training: converged={report.converged} L={report.objective:.15g} |grad| "
        f"{report.initial_gradient_norm:.3e} -> {report.lbfgs_gradient_norm:.3e} after "
        f"{report.lbfgs_iterations} L-BFGS iterations -> {report.gradient_norm:.3e} after "
        f"{report.newton_steps} Newton steps (target {report.target_gradient_norm:.3e}); "
        f"smallest Hessian eigenvalue {report.smallest_hessian_eigenvalue:.3e}; {report.seconds:.1f} s",
        flush=True,
    )
    if not report.converged and not options.allow_unconverged:
        print("error: training did not reach the gradient target; no file written "
              "(raise --max-rounds or --newton-steps, or pass --allow-unconverged)", file=sys.stderr)
        return 1

    problem.parameters = w.numpy()
    save_problem(
        options.out,
        problem,
        train_rows=train_rows.astype(np.int64),
        val_rows=val_rows.astype(np.int64),
        feature_means=means,
        feature_scales=scales,
        gradient_norm=np.float64(report.gradient_norm),
    )
    print(f"wrote {options.out}: {problem.train_input_count} train and {problem.query_input_count} validation "
          f"inputs, {problem.task_count} tasks, P={layout.count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
