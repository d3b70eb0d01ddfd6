#!/usr/bin/env python3
"""Writes the reference fits that Tests/SharedTests/ReferenceFitTests.swift trains mtif against.

Two small problems, each solved outside mtif and stored with its data as an .npz file in
Tests/SharedTests/Fixtures/:

reference-logistic.npz — L2-regularised logistic regression fitted by scikit-learn.
    Data: scikit-learn's digits (data/digits/digits.csv.gz: 64 pixel columns, then the label),
    the 3s and the 8s, y = 1 for an 8. Each pixel is standardised with its mean and population
    deviation; a constant pixel is only centred (scale 1), as mtif's FeatureStandardization does.
    mtif's objective for one task is (1/n)·Σ ℓ(x_iᵀv + c, y_i) + (λ/2)(‖v‖² + c²), a head with a
    penalised bias. scikit-learn's LogisticRegression minimises C·Σ ℓ + ½‖β‖²; with
    fit_intercept=False on [X, 1] its β = (v, c) and, dividing by C·n, the two objectives have the
    same minimiser exactly when C = 1/(n·λ).
    Arrays: X (n, 64), y (n,), l2 (), coefficients (65,) = (v, c), gradient_norm () — the norm of
    mtif's gradient at scikit-learn's solution, computed here in NumPy.

reference-ridge.npz — linear hard sharing with squared loss, method.md (1), in closed form.
    f_k(x) = xᵀ(γ + θ_k), ℓ = ½(f − y)², penalty (λ/2)(Σ_k ‖θ_k‖² + ‖γ‖²). Setting the gradient
    to zero gives, for every task k,
        (1/n_k)·X_kᵀX_k·(θ_k + γ) + λ·θ_k = (1/n_k)·X_kᵀy_k
    and for γ
        Σ_k (1/n_k)·X_kᵀX_k·(θ_k + γ) + λ·γ = Σ_k (1/n_k)·X_kᵀy_k,
    a symmetric positive definite system of size (K + 1)·d solved by numpy.linalg.solve.
    Data: K = 3 disjoint tasks of 40, 55 and 30 examples, d = 5 Gaussian features, targets from a
    shared plus a task-specific linear rule with Gaussian noise (seed 20250601).
    Arrays: X (N, d), task (N,) int64, y (N,), l2 (), theta (K, d), gamma (d,).

Run from anywhere (needs NumPy 2.x and scikit-learn 1.5.2: `pip install scikit-learn==1.5.2`);
the files are overwritten in place.
"""

import gzip
import pathlib

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests" / "SharedTests" / "Fixtures"
DIGITS = ROOT / "data" / "digits" / "digits.csv.gz"

LOGISTIC_L2 = 0.01
RIDGE_L2 = 0.05
RIDGE_COUNTS = (40, 55, 30)
RIDGE_FEATURES = 5
RIDGE_SEED = 20250601

# Standard deviations at or below this fraction of max(1, |mean|) count as constant, as in
# mtif's FeatureStandardization (the digits have all-zero border pixels).
CONSTANT_FEATURE_TOLERANCE = 1e-12


def standardise(features):
    means = features.mean(axis=0)
    deviations = features.std(axis=0)
    constant = deviations <= CONSTANT_FEATURE_TOLERANCE * np.maximum(1.0, np.abs(means))
    scales = np.where(constant, 1.0, deviations)
    return (features - means) / scales


def logistic_fixture():
    with gzip.open(DIGITS, "rt") as handle:
        table = np.loadtxt(handle, delimiter=",")
    labels = table[:, -1]
    chosen = (labels == 3) | (labels == 8)
    features = standardise(table[chosen, :-1])
    targets = (labels[chosen] == 8).astype(np.float64)
    n = len(targets)

    augmented = np.hstack([features, np.ones((n, 1))])
    model = LogisticRegression(
        solver="newton-cholesky", fit_intercept=False, C=1.0 / (n * LOGISTIC_L2), tol=1e-12, max_iter=1000
    )
    model.fit(augmented, targets)
    coefficients = model.coef_.ravel()

    probabilities = 1.0 / (1.0 + np.exp(-(augmented @ coefficients)))
    gradient = augmented.T @ (probabilities - targets) / n + LOGISTIC_L2 * coefficients
    gradient_norm = np.linalg.norm(gradient)
    np.savez(
        FIXTURES / "reference-logistic.npz", X=features, y=targets, l2=np.float64(LOGISTIC_L2),
        coefficients=coefficients, gradient_norm=np.float64(gradient_norm),
    )
    print(f"reference-logistic.npz: n={n}, d={features.shape[1]}, λ={LOGISTIC_L2}, "
          f"sklearn iterations={model.n_iter_[0]}, ‖∇L‖ at sklearn's solution={gradient_norm:.3e}")


def ridge_fixture():
    generator = np.random.default_rng(RIDGE_SEED)
    d = RIDGE_FEATURES
    shared_rule = generator.normal(size=d)
    blocks, tasks, targets = [], [], []
    for task, count in enumerate(RIDGE_COUNTS):
        features = generator.normal(size=(count, d))
        rule = shared_rule + 0.5 * generator.normal(size=d)
        blocks.append(features)
        tasks.append(np.full(count, task, dtype=np.int64))
        targets.append(features @ rule + 0.3 * generator.normal(size=count))

    k = len(RIDGE_COUNTS)
    system = RIDGE_L2 * np.eye((k + 1) * d)
    right = np.zeros((k + 1) * d)
    shared = slice(k * d, (k + 1) * d)
    for task, (features, y) in enumerate(zip(blocks, targets)):
        own = slice(task * d, (task + 1) * d)
        gram = features.T @ features / len(y)
        moment = features.T @ y / len(y)
        for rows in (own, shared):
            for columns in (own, shared):
                system[rows, columns] += gram
            right[rows] += moment
    solution = np.linalg.solve(system, right)

    np.savez(
        FIXTURES / "reference-ridge.npz", X=np.vstack(blocks), task=np.concatenate(tasks), y=np.concatenate(targets),
        l2=np.float64(RIDGE_L2), theta=solution[: k * d].reshape(k, d), gamma=solution[shared],
    )
    residual = np.linalg.norm(system @ solution - right)
    print(f"reference-ridge.npz: K={k}, d={d}, n={RIDGE_COUNTS}, λ={RIDGE_L2}, "
          f"condition={np.linalg.cond(system):.1f}, residual={residual:.3e}")


def main():
    FIXTURES.mkdir(parents=True, exist_ok=True)
    print(f"NumPy {np.__version__}, scikit-learn {sklearn.__version__}")
    logistic_fixture()
    ridge_fixture()


if __name__ == "__main__":
    main()
