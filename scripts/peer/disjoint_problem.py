#!/usr/bin/env python3
"""The disjoint-layout hard-sharing MLP problem (every training example belongs to one task).

Importable (dattri_cg_scores.py reads problem files through it) and runnable as a checker:

    python3 disjoint_problem.py --problem problem.npz [--ihvp dattri-ihvp.npy] [--json out.json]

prints the objective and ‖∇L(ŵ)‖ at the problem's parameters and, with --ihvp, the relative
residual ‖H x_j − v_j‖ / ‖v_j‖ of each given inverse-Hessian product x_j, where v_j is the
gradient of query example j's loss. The Hessian-vector products come from this module's flat
objective, which shares no model code with dattri's torch module, so a small residual says
that the products solve the system of *this* objective.

Model and objective (docs/method.md §1, hard sharing), one example = (image x, task t, label y):

    h(x)   = tanh(x·W1 + b1)                 x: (F,)  W1: (F, H)  b1: (H,)
    f_t(x) = h(x)·V_t + c_t                  V_t: (H, 1)  c_t: scalar; only task t's head
    ℓ_t    = log(1 + exp(f_t)) − y·f_t       y ∈ {0, 1}
    L(w)   = Σ_k (1/n_k) Σ_{i: t_i = k} ℓ_k(x_i, y_i) + (λ/2)‖w‖²

n_k is the number of training examples of task k. The flat parameter layout is mtif's and the
same as the shared-inputs problem (yeast_problem.ParameterLayout): task blocks
[V_k (H), c_k] in task order, then W1 (F·H row-major) and b1 (H); P = K·(H+1) + F·H + H.

Problem file (.npz), written by `scripts/lib/peer_problem.py disjoint` from `mtif data export`
and a checkpoint (scripts/peer/README.md has the table):

    X_train (N, F) float64   training images, one row per example, in mtif's score-row order
    task_train (N,) int64    the example's task, non-decreasing (task 0's examples first)
    y_train (N,) float64     0/1 label
    X_val, task_val, y_val   the validation examples (the queries), in score-column order
    parameters (P,) float64  ŵ
    l2 () float64            λ
    hidden () integer        H
    tasks () integer         K (a task may have no validation example, so K is not inferred)
"""

import argparse
import json
import pathlib
import sys
from dataclasses import dataclass

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from yeast_problem import ParameterLayout, logistic_losses  # noqa: E402

REQUIRED_ARRAYS = ("X_train", "task_train", "y_train", "X_val", "task_val", "y_val", "parameters", "l2", "hidden", "tasks")


@dataclass
class DisjointProblem:
    """One disjoint-layout problem; arrays as in the module docstring."""

    train_inputs: np.ndarray
    train_tasks: np.ndarray
    train_labels: np.ndarray
    query_inputs: np.ndarray
    query_tasks: np.ndarray
    query_labels: np.ndarray
    parameters: np.ndarray
    l2: float
    hidden: int
    tasks: int

    @property
    def layout(self) -> ParameterLayout:
        return ParameterLayout(features=self.train_inputs.shape[1], hidden=self.hidden, tasks=self.tasks)

    @property
    def train_counts(self) -> np.ndarray:
        """n_k, the training examples of each task (K,)."""
        return np.bincount(self.train_tasks, minlength=self.tasks)


def _integer(array: np.ndarray, name: str, path) -> int:
    if array.size != 1 or float(array.reshape(())) != int(array.reshape(())):
        raise ValueError(f"{path}: '{name}' must be one integer, found {array!r}")
    return int(array.reshape(()))


def load_problem(path) -> DisjointProblem:
    """Reads and checks a problem file; raises ValueError naming what was expected and found."""
    with np.load(path, allow_pickle=False) as archive:
        missing = [name for name in REQUIRED_ARRAYS if name not in archive.files]
        if missing:
            raise ValueError(f"{path}: missing arrays {missing}; found {archive.files}")
        arrays = {name: archive[name] for name in REQUIRED_ARRAYS}
    problem = DisjointProblem(
        train_inputs=np.asarray(arrays["X_train"], dtype=np.float64),
        train_tasks=np.asarray(arrays["task_train"]).astype(np.int64),
        train_labels=np.asarray(arrays["y_train"], dtype=np.float64),
        query_inputs=np.asarray(arrays["X_val"], dtype=np.float64),
        query_tasks=np.asarray(arrays["task_val"]).astype(np.int64),
        query_labels=np.asarray(arrays["y_val"], dtype=np.float64),
        parameters=np.asarray(arrays["parameters"], dtype=np.float64),
        l2=float(arrays["l2"].reshape(())),
        hidden=_integer(arrays["hidden"], "hidden", path),
        tasks=_integer(arrays["tasks"], "tasks", path),
    )
    n_train, features = problem.train_inputs.shape
    n_val = problem.query_inputs.shape[0]
    expected = {
        "task_train": ((n_train,), problem.train_tasks.shape),
        "y_train": ((n_train,), problem.train_labels.shape),
        "X_val": ((n_val, features), problem.query_inputs.shape),
        "task_val": ((n_val,), problem.query_tasks.shape),
        "y_val": ((n_val,), problem.query_labels.shape),
        "parameters": ((problem.layout.count,), problem.parameters.shape),
    }
    for name, (want, found) in expected.items():
        if want != found:
            raise ValueError(f"{path}: '{name}' should have shape {want}, found {found}")
    for name, labels in (("y_train", problem.train_labels), ("y_val", problem.query_labels)):
        if not np.all((labels == 0) | (labels == 1)):
            raise ValueError(f"{path}: '{name}' must hold only 0 and 1")
    for name, task_index in (("task_train", problem.train_tasks), ("task_val", problem.query_tasks)):
        if task_index.size and (task_index.min() < 0 or task_index.max() >= problem.tasks):
            raise ValueError(f"{path}: '{name}' must lie in 0..{problem.tasks - 1}, found {task_index.min()}..{task_index.max()}")
        if np.any(np.diff(task_index) < 0):
            raise ValueError(f"{path}: '{name}' must be non-decreasing (examples grouped by task, as mtif orders them)")
    if np.any(problem.train_counts == 0):
        raise ValueError(f"{path}: every task needs training examples, found counts {problem.train_counts.tolist()}")
    return problem


# MARK: - Objective (flat parameter vector)


def example_logits(w: torch.Tensor, layout: ParameterLayout, inputs: torch.Tensor, task_index: torch.Tensor) -> torch.Tensor:
    """f_t(x) of each example's own task: inputs (B, F), task_index (B,) → (B,)."""
    heads_weight, heads_bias, trunk_weight, trunk_bias = layout.unpack(w)
    hidden = torch.tanh(inputs @ trunk_weight + trunk_bias)
    return (hidden * heads_weight[task_index]).sum(dim=1) + heads_bias[task_index]


class Objective:
    """L(w) of a problem, its gradient and batched Hessian-vector products, all in float64.

    - Complexity: L and ∇L O(N·F·H); H·V for B directions O(B·N·F·H) (forward-over-reverse,
      vmapped over the directions).
    """

    def __init__(self, problem: DisjointProblem):
        self.layout = problem.layout
        self.l2 = problem.l2
        self.inputs = torch.from_numpy(problem.train_inputs)
        self.task_index = torch.from_numpy(problem.train_tasks)
        self.labels = torch.from_numpy(problem.train_labels)
        counts = torch.from_numpy(problem.train_counts).to(torch.float64)
        self.weights = 1.0 / counts[self.task_index]

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        losses = logistic_losses(example_logits(w, self.layout, self.inputs, self.task_index), self.labels)
        return (self.weights * losses).sum() + 0.5 * self.l2 * torch.dot(w, w)

    def gradient(self, w: torch.Tensor) -> torch.Tensor:
        return torch.func.grad(self)(w)

    def hessian_products(self, w: torch.Tensor, directions: torch.Tensor, batch: int = 16) -> torch.Tensor:
        """H·V for directions (B, P) → (B, P), `batch` directions at a time (memory)."""
        gradient = torch.func.grad(self)

        def product(v):
            return torch.func.jvp(gradient, (w,), (v,))[1]

        return torch.cat([torch.func.vmap(product)(directions[start : start + batch])
                          for start in range(0, directions.shape[0], batch)])


def query_gradients(problem: DisjointProblem, w: torch.Tensor) -> torch.Tensor:
    """∇ℓ_k(ŵ; val_j) for every query example, (N_val, P), the right-hand sides v_j."""
    layout = problem.layout

    def single_loss(point, x, task, y):
        logit = example_logits(point, layout, x.unsqueeze(0), task.reshape(1)).squeeze(0)
        return logistic_losses(logit, y)

    return torch.func.vmap(torch.func.grad(single_loss), in_dims=(None, 0, 0, 0))(
        w, torch.from_numpy(problem.query_inputs), torch.from_numpy(problem.query_tasks),
        torch.from_numpy(problem.query_labels))


def check(problem: DisjointProblem, ihvp: np.ndarray | None) -> dict:
    """Objective, ‖∇L(ŵ)‖ and, for given products x_j (N_val, P), ‖H x_j − v_j‖ / ‖v_j‖."""
    objective = Objective(problem)
    w = torch.from_numpy(problem.parameters)
    result = {
        "objective": float(objective(w)),
        "gradient_norm": float(torch.linalg.vector_norm(objective.gradient(w))),
        "parameters": problem.layout.count,
        "train_counts": problem.train_counts.tolist(),
    }
    if ihvp is not None:
        if ihvp.shape != (problem.query_inputs.shape[0], problem.layout.count):
            raise ValueError(f"--ihvp: expected shape {(problem.query_inputs.shape[0], problem.layout.count)}, found {ihvp.shape}")
        right = query_gradients(problem, w)
        residual = objective.hessian_products(w, torch.from_numpy(ihvp)) - right
        relative = torch.linalg.vector_norm(residual, dim=1) / torch.linalg.vector_norm(right, dim=1)
        result["relative_residuals"] = relative.tolist()
        result["max_relative_residual"] = float(relative.max())
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Objective, ‖∇L(ŵ)‖ and (with --ihvp) inverse-Hessian residuals of a disjoint-layout problem.",
        epilog="example: python3 disjoint_problem.py --problem problem.npz --ihvp dattri-ihvp.npy",
    )
    parser.add_argument("--problem", type=pathlib.Path, required=True, help="problem file (.npz, see README.md)")
    parser.add_argument("--ihvp", type=pathlib.Path, help="inverse-Hessian products (N_val × P .npy) to check")
    parser.add_argument("--json", type=pathlib.Path, help="write the results here")
    options = parser.parse_args(argv)

    torch.set_default_dtype(torch.float64)
    try:
        problem = load_problem(options.problem)
        ihvp = np.load(options.ihvp).astype(np.float64) if options.ihvp else None
        result = check(problem, ihvp)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 65
    print(f"objective L(ŵ)           {result['objective']:.15g}")
    print(f"gradient norm ‖∇L(ŵ)‖     {result['gradient_norm']:.3e}")
    if "max_relative_residual" in result:
        print(f"max relative residual    {result['max_relative_residual']:.3e} over {len(result['relative_residuals'])} queries")
    if options.json:
        options.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
