#!/usr/bin/env python3
"""Exports a PyTorch hard-sharing MLP as an mtif checkpoint, and checks that mtif reads it.

This is the recipe of docs/checkpoints.md ("Exporting from PyTorch") run for real:

1. builds a tiny hard-sharing network in float64 — a tanh trunk 4 → 5 shared by three heads:
   a binary task (1 logit), a regression task (1 output) and a 3-class task (3 logits) — and
   trains it briefly on random data so that its weights are not those of an initialiser;
2. exports it with `export_checkpoint` (nn.Linear's weight is outputs × inputs; mtif stores
   inputs × outputs, so every weight is transposed);
3. writes six input rows and the network's outputs for them, heads side by side (6 × 5), next
   to the checkpoint; TorchExportTests.swift recomputes the outputs with mtif and compares to
   1e-12;
4. with --check-docs, also extracts the Python block of docs/checkpoints.md, runs it in a
   temporary directory (as the working directory), and (as for the fixture) runs `mtif inspect` on what it wrote when an
   `mtif` executable is found (.build/debug, .build/release or PATH).

    python3 scripts/peer/export_torch_checkpoint.py            # rewrite the test fixture
    python3 scripts/peer/export_torch_checkpoint.py --check-docs

Files written to Tests/SharedTests/Fixtures/ (or --out DIR): torch-checkpoint.json,
torch-checkpoint.npz, torch-inputs.npy, torch-outputs.npy.
"""

import argparse
import hashlib
import json
import os
import pathlib
import re
import shutil
import subprocess
import tempfile

import numpy as np
import torch
from torch import nn

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "SharedTests" / "Fixtures"
DOCS = ROOT / "docs" / "checkpoints.md"

FEATURES, HIDDEN = 4, 5
TASKS = [("churn", "binary", 1), ("spend", "regression", 1), ("segment", "multiclass:3", 3)]
L2 = 1e-3


class HardSharingMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(FEATURES, HIDDEN), nn.Tanh())
        self.heads = nn.ModuleList(nn.Linear(HIDDEN, width) for _, _, width in TASKS)

    def forward(self, x):
        h = self.trunk(x)
        return [head(h) for head in self.heads]


def export_checkpoint(model, json_path, task_names, target_kinds, l2):
    """The recipe of docs/checkpoints.md: one array per layer, weights transposed, then the JSON."""
    json_path = pathlib.Path(json_path)
    npz_path = json_path.with_suffix(".npz")
    trunk = [layer for layer in model.trunk if isinstance(layer, nn.Linear)]
    arrays = {}
    for k, head in enumerate(model.heads):
        arrays[f"tasks/{k}/layers/0/weight"] = head.weight.detach().double().numpy().T
        arrays[f"tasks/{k}/layers/0/bias"] = head.bias.detach().double().numpy()
    for i, layer in enumerate(trunk):
        arrays[f"shared/layers/{i}/weight"] = layer.weight.detach().double().numpy().T
        arrays[f"shared/layers/{i}/bias"] = layer.bias.detach().double().numpy()
    np.savez(npz_path, **arrays)

    document = {
        "format": "mtif-checkpoint",
        "version": 1,
        "architecture": {"hardSharing": {"trunk": [{"width": layer.out_features, "activation": "tanh"}
                                                  for layer in trunk]}},
        "regularization": {"l2": l2, "coupling": 0.0},
        "featureCount": trunk[0].in_features,
        "taskNames": task_names,
        "targetKinds": target_kinds,
        "parameters": npz_path.name,
        "parametersSHA256": hashlib.sha256(npz_path.read_bytes()).hexdigest(),
        "createdBy": f"export_torch_checkpoint.py (torch {torch.__version__})",
    }
    json_path.write_text(json.dumps(document, indent=2) + "\n")


def train_briefly(model, steps=200):
    """A few Adam steps on random data, on mtif's objective: mean loss per task, summed, + (λ/2)‖w‖²."""
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(64, FEATURES, generator=generator)
    targets = [
        (torch.rand(64, generator=generator) < 0.4).double(),
        torch.randn(64, generator=generator),
        torch.randint(0, 3, (64,), generator=generator),
    ]
    losses = [nn.BCEWithLogitsLoss(), lambda f, y: 0.5 * ((f - y) ** 2).mean(), nn.CrossEntropyLoss()]
    optimiser = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(steps):
        optimiser.zero_grad()
        outputs = model(x)
        loss = sum(loss(f.squeeze(1) if f.shape[1] == 1 else f, y) for loss, f, y in zip(losses, outputs, targets))
        loss = loss + 0.5 * L2 * sum((p**2).sum() for p in model.parameters())
        loss.backward()
        optimiser.step()


def find_mtif():
    for candidate in (ROOT / ".build" / "debug" / "mtif", ROOT / ".build" / "release" / "mtif"):
        if candidate.exists():
            return str(candidate)
    return shutil.which("mtif")


def inspect(json_path):
    mtif = find_mtif()
    if mtif is None:
        print(f"no mtif executable found; build it to check {json_path}")
        return
    subprocess.run([mtif, "inspect", str(json_path)], check=True)


def check_docs_recipe():
    """Runs the Python block of docs/checkpoints.md in a temporary directory and inspects the result."""
    text = DOCS.read_text()
    match = re.search(r"## Exporting from PyTorch.*?```python\n(.*?)```", text, re.S)
    if match is None:
        raise SystemExit(f"{DOCS}: no ```python block under '## Exporting from PyTorch'")
    with tempfile.TemporaryDirectory() as directory:
        previous = os.getcwd()
        os.chdir(directory)
        try:
            exec(compile(match.group(1), str(DOCS), "exec"), {"__name__": "docs_recipe"})
        finally:
            os.chdir(previous)
        written = sorted(pathlib.Path(directory).glob("*.json"))
        if not written:
            raise SystemExit("the docs recipe wrote no .json file")
        for path in written:
            inspect(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=FIXTURES)
    parser.add_argument("--check-docs", action="store_true", help="also run the recipe in docs/checkpoints.md")
    arguments = parser.parse_args()

    torch.set_default_dtype(torch.float64)
    torch.manual_seed(0)
    model = HardSharingMLP()
    train_briefly(model)

    arguments.out.mkdir(parents=True, exist_ok=True)
    json_path = arguments.out / "torch-checkpoint.json"
    export_checkpoint(model, json_path, [name for name, _, _ in TASKS], [kind for _, kind, _ in TASKS], L2)
    inputs = torch.randn(6, FEATURES, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        outputs = torch.cat(model(inputs), dim=1)
    np.save(arguments.out / "torch-inputs.npy", inputs.numpy())
    np.save(arguments.out / "torch-outputs.npy", outputs.numpy())
    print(f"wrote {json_path} and its .npz, torch-inputs.npy {tuple(inputs.shape)}, "
          f"torch-outputs.npy {tuple(outputs.shape)}")
    inspect(json_path)
    if arguments.check_docs:
        check_docs_recipe()


if __name__ == "__main__":
    main()
