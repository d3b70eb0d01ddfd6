#!/usr/bin/env python3
"""Compares two score matrices (.npy) of the same shape, the second taken as the reference.

    python3 compare_scores.py candidate.npy reference.npy [--tolerance 1e-8]

Prints, over all entries:
    max abs difference        max |a − b|
    max relative difference   max |a − b| / max |b|    (normalised by the reference's largest score,
                              so that near-zero scores do not inflate it)
    Pearson r                 of the flattened matrices
Exit status: 0 when the relative difference is at most --tolerance, 1 when it is larger, 2 when
the files cannot be compared (unreadable, different shapes, non-finite values, all-zero reference).
"""

import argparse
import pathlib
import sys

import numpy as np


def compare(candidate: np.ndarray, reference: np.ndarray) -> dict:
    """Max abs difference, max difference relative to max |reference|, and Pearson r (floats)."""
    difference = np.abs(candidate - reference)
    max_abs = float(difference.max())
    scale = float(np.abs(reference).max())
    pearson = float(np.corrcoef(candidate.ravel(), reference.ravel())[0, 1])
    return {"max_abs": max_abs, "max_relative": max_abs / scale, "pearson": pearson}


def read_matrix(path: pathlib.Path) -> np.ndarray:
    """One array from an .npy file as float64; raises ValueError for anything else (an .npz, say)."""
    loaded = np.load(path, allow_pickle=False)
    if not isinstance(loaded, np.ndarray):
        loaded.close()
        raise ValueError(f"{path}: expected one array (.npy), found an archive of several")
    return loaded.astype(np.float64)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Compare two score matrices; exit 1 if they differ by more than the tolerance.",
        epilog="example: python3 compare_scores.py dattri.npy mtif.npy --tolerance 1e-8",
    )
    parser.add_argument("candidate", type=pathlib.Path, help="scores to check (.npy)")
    parser.add_argument("reference", type=pathlib.Path, help="reference scores (.npy); normalises the relative difference")
    parser.add_argument("--tolerance", type=float, default=1e-8, help="largest accepted max relative difference")
    options = parser.parse_args(argv)

    try:
        candidate = read_matrix(options.candidate)
        reference = read_matrix(options.reference)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if candidate.shape != reference.shape:
        print(f"error: shapes differ: {options.candidate} {candidate.shape}, {options.reference} {reference.shape}",
              file=sys.stderr)
        return 2
    if not (np.all(np.isfinite(candidate)) and np.all(np.isfinite(reference))):
        print("error: a score matrix holds NaN or infinite values", file=sys.stderr)
        return 2
    if not np.any(reference):
        print(f"error: {options.reference} is all zeros; the relative difference is undefined", file=sys.stderr)
        return 2

    result = compare(candidate, reference)
    within = result["max_relative"] <= options.tolerance
    print(f"shape                    {' x '.join(str(size) for size in candidate.shape)}")
    print(f"max abs difference       {result['max_abs']:.6e}")
    print(f"max relative difference  {result['max_relative']:.6e}   (/ max |reference| = {np.abs(reference).max():.6e})")
    print(f"Pearson r                {result['pearson']:.15f}")
    print(f"tolerance                {options.tolerance:g}: {'ok' if within else 'EXCEEDED'}")
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
