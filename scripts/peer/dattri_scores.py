#!/usr/bin/env python3
"""Weight-zero MTIF scores of a problem file, computed by dattri's IFAttributorExplicit.

    python3 dattri_scores.py --problem problem.npz --out scores.npy [--timing-json timing.json]

Writes S, a (K·N_train) × (K·N_val) float64 matrix (2800 × 700 on Yeast):

    S[(l,i), (k,j)] = −(1/n_l) · ∇ℓ_k(ŵ; val_j)ᵀ H⁻¹ ∇ℓ_l(ŵ; train_i)        (method.md (3))

Rows are train examples, row l·N_train + i = training input i under train task l; columns are
queries, column k·N_val + j = validation input j under query task k. H = ∇²L(ŵ) of
yeast_problem's objective, penalty included. S > 0: removing the example lowers the query loss
(the example harms the query).

How dattri is set up (read from dattri 0.3.0's source):
- One dattri sample is a triple (input x, task index t, label y); the K·N_train training triples
  form the training set and the K·N_val validation triples the test set.
- loss_func(w, batch) = Σ_{(x,t,y) ∈ batch} (1/n_t)·ℓ_t(w; x, y), without the penalty.
  On the whole training set this is L(w) − (λ/2)‖w‖², and `regularization=λ` makes
  IFAttributorExplicit solve with ∇²loss_func + λI = H. On one triple it is (1/n_l)·ℓ_l, so
  dattri's train representation is (1/n_l)·g_li.
- target_func(w, batch) = Σ over the batch of ℓ_t: on one query triple its gradient is
  ∇ℓ_k(ŵ; val_j).
- dattri returns train_rep · H⁻¹ test_rep = (1/n_l) g_liᵀ H⁻¹ ∇ℓ_k (positive: helpful), so
  S = −(dattri's matrix).
- The training set must reach `cache` as ONE batch: for a loader of b batches
  IFAttributorExplicit returns Σ_b (H_b + λI)⁻¹ v, with H_b the Hessian of batch b alone,
  which is not (H + λI)⁻¹ v unless b = 1. The train and test loaders of `attribute` are single
  batches too, because dattri rebuilds the Hessian for every (train batch, test batch) pair.
- float64 throughout: torch's default dtype is set before dattri allocates its output matrix
  and its identity matrix (both use the default dtype).
"""

import argparse
import json
import pathlib
import resource
import sys
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import yeast_problem  # noqa: E402


class HardSharingNetwork(nn.Module):
    """The hard-sharing MLP as a torch module whose parameters flatten to mtif's layout.

    Parameters are registered in mtif's order (head_00_weight (H, 1), head_00_bias (1,), …,
    trunk_weight (F, H), trunk_bias (H,)), and dattri flattens `named_parameters()` in that
    order, row-major, so dattri's flat vector is mtif's `parameters` array unchanged.
    """

    def __init__(self, features: int, hidden: int, tasks: int):
        super().__init__()
        self.tasks = tasks
        for task in range(tasks):
            self.register_parameter(f"head_{task:02d}_weight", nn.Parameter(torch.zeros(hidden, 1)))
            self.register_parameter(f"head_{task:02d}_bias", nn.Parameter(torch.zeros(1)))
        self.trunk_weight = nn.Parameter(torch.zeros(features, hidden))
        self.trunk_bias = nn.Parameter(torch.zeros(hidden))

    def forward(self, inputs: torch.Tensor, task_index: torch.Tensor) -> torch.Tensor:
        """f_t(x) for each triple: inputs (B, F), task_index (B,) int64 → logits (B,)."""
        hidden = torch.tanh(inputs @ self.trunk_weight + self.trunk_bias)
        heads_weight = torch.cat([getattr(self, f"head_{task:02d}_weight") for task in range(self.tasks)], dim=1)
        heads_bias = torch.cat([getattr(self, f"head_{task:02d}_bias") for task in range(self.tasks)])
        all_logits = hidden @ heads_weight + heads_bias
        return torch.gather(all_logits, 1, task_index.unsqueeze(1)).squeeze(1)


def state_dict_from_flat(network: nn.Module, flat: torch.Tensor) -> dict:
    """Splits a flat vector (P,) into the network's named tensors, in registration order."""
    state, offset = {}, 0
    for name, parameter in network.named_parameters():
        state[name] = flat[offset : offset + parameter.numel()].reshape(parameter.shape).clone()
        offset += parameter.numel()
    if offset != flat.numel():
        raise ValueError(f"the network has {offset} parameters, the vector {flat.numel()}")
    return state


def triple_loader(inputs: np.ndarray, task_index: np.ndarray, labels: np.ndarray) -> DataLoader:
    """All triples as ONE batch, in order (see the module docstring for why one batch)."""
    dataset = TensorDataset(torch.from_numpy(inputs), torch.from_numpy(task_index), torch.from_numpy(labels))
    return DataLoader(dataset, batch_size=len(dataset), shuffle=False)


def attribution_task(layout, parameters: np.ndarray, train_counts: np.ndarray, logistic_losses):
    """dattri's AttributionTask for the hard-sharing MLP at ŵ = `parameters`, one sample per
    (inputs, task, label) triple:

        loss_func(w, batch)   = Σ_batch (1/n_t)·ℓ_t(w)   the data term; no penalty (dattri adds λ·v)
        target_func(w, batch) = Σ_batch ℓ_t(w)           per query triple, its loss itself

    with n_t = train_counts[t] and ℓ_t = logistic_losses(logits, labels). Checks that dattri
    flattens the network's parameters in the problem's order.
    """
    from dattri.task import AttributionTask

    if torch.get_default_dtype() != torch.float64:
        raise RuntimeError("call torch.set_default_dtype(torch.float64) first: dattri allocates in the default dtype")
    network = HardSharingNetwork(layout.features, layout.hidden, layout.tasks)
    checkpoint = state_dict_from_flat(network, torch.from_numpy(parameters))
    counts = torch.from_numpy(np.asarray(train_counts)).to(torch.float64)

    def example_losses(weights, batch):
        inputs, task_index, labels = batch
        logits = torch.func.functional_call(network, weights, (inputs, task_index))
        return logistic_losses(logits, labels), task_index

    def loss_func(weights, data):
        losses, task_index = example_losses(weights, data)
        return (losses / counts[task_index]).sum()

    def target_func(weights, data):
        losses, _ = example_losses(weights, data)
        return losses.sum()

    task = AttributionTask(loss_func=loss_func, model=network, checkpoints=checkpoint, target_func=target_func)
    flat, _ = task.get_param(0)
    if not torch.equal(flat.detach(), torch.from_numpy(parameters)):
        raise RuntimeError("dattri's flattened parameters differ from the problem's parameter vector")
    return task


def dattri_scores(problem: yeast_problem.Problem):
    """S (K·N_train, K·N_val) float64 by dattri, and the seconds spent in cache + attribute.

    - Complexity: one dense Hessian by torch.func.hessian (forward-over-reverse, P tangents over
      all K·N_train triples) and one P × P LU solve with K·N_val right-hand sides.
    """
    from dattri.algorithm.influence_function import IFAttributorExplicit

    layout = problem.layout
    train_inputs, train_tasks, train_labels = yeast_problem.train_examples(problem)
    query_inputs, query_tasks, query_labels = yeast_problem.query_examples(problem)
    train_counts = np.bincount(train_tasks, minlength=layout.tasks)
    task = attribution_task(layout, problem.parameters, train_counts, yeast_problem.logistic_losses)

    attributor = IFAttributorExplicit(task=task, device="cpu", regularization=problem.l2)
    train_loader = triple_loader(train_inputs, train_tasks, train_labels)
    query_loader = triple_loader(query_inputs, query_tasks, query_labels)
    start = time.perf_counter()
    attributor.cache(train_loader)
    helpful = attributor.attribute(train_loader, query_loader)
    seconds = time.perf_counter() - start

    if helpful.dtype != torch.float64:
        raise RuntimeError(f"dattri returned {helpful.dtype}; the default dtype must be float64")
    return -helpful.detach().numpy(), seconds


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timing_record(attributor: str, problem, scores: np.ndarray, seconds: float, peak: float, rss_before: float,
                  **settings) -> dict:
    """The timing JSON of one dattri run: versions, the attributor and its `settings`, the
    problem's size, the seconds in cache + attribute and peak RSS (MiB) before and after."""
    return {
        "tool": "dattri",
        "dattri_version": _dattri_version(),
        "torch_version": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "attributor": attributor,
        **settings,
        "regularization": problem.l2,
        "train_examples": scores.shape[0],
        "query_examples": scores.shape[1],
        "parameters": problem.layout.count,
        "seconds": seconds,
        "peak_rss_mib": peak,
        "peak_rss_before_attribution_mib": rss_before,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Weight-zero MTIF scores (train rows × query columns) with dattri's IFAttributorExplicit.",
        epilog="example: python3 dattri_scores.py --problem problem.npz --out dattri.npy --timing-json dattri.json",
    )
    parser.add_argument("--problem", type=pathlib.Path, required=True, help="problem file (.npz, see README.md)")
    parser.add_argument("--out", type=pathlib.Path, required=True, help="scores to write (.npy, float64)")
    parser.add_argument("--timing-json", type=pathlib.Path, help="write wall seconds and peak RSS here")
    options = parser.parse_args(argv)

    torch.set_default_dtype(torch.float64)
    try:
        problem = yeast_problem.load_problem(options.problem)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 65
    rss_before = peak_rss_mib()
    scores, seconds = dattri_scores(problem)
    peak = peak_rss_mib()

    np.save(options.out, scores)
    timing = timing_record("IFAttributorExplicit", problem, scores, seconds, peak, rss_before)
    if options.timing_json:
        options.timing_json.write_text(json.dumps(timing, indent=2) + "\n")
    print(f"dattri: scores {scores.shape[0]}x{scores.shape[1]} in {seconds:.2f} s (cache + attribute), "
          f"peak RSS {peak:.0f} MiB (before attribution {rss_before:.0f} MiB); wrote {options.out}")
    return 0


def _dattri_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("dattri")
    except metadata.PackageNotFoundError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
