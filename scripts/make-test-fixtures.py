#!/usr/bin/env python3
"""Writes the small reference files under Tests/SharedTests/Fixtures/.

The Swift tests read these files to check mtif's readers against files that NumPy, Python's
zipfile and Python's gzip produced independently. Run it from anywhere; it overwrites the
fixtures in place. Needs NumPy (2.x). The values are small and exact in every data type, so the
tests can list them literally.
"""

import gzip
import pathlib

import numpy as np

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "SharedTests" / "Fixtures"

# One 2x3 block of values per data type, each exactly representable in that type.
VALUES = {
    "float64": ([[0.5, -1.25, 3.0], [1e-3, 2.0**40, -7.0]], "<f8"),
    "float32": ([[0.5, -1.25, 3.0], [0.125, 1024.0, -7.0]], "<f4"),
    "int64": ([[0, -1, 2**40], [-(2**40), 7, 123456789]], "<i8"),
    "int32": ([[0, -1, 2**30], [-(2**31), 7, 2**31 - 1]], "<i4"),
    "int16": ([[0, -1, 300], [-32768, 7, 32767]], "<i2"),
    "int8": ([[0, -1, 100], [-128, 7, 127]], "|i1"),
    "uint8": ([[0, 1, 128], [255, 7, 42]], "|u1"),
    "uint16": ([[0, 1, 300], [65535, 7, 42]], "<u2"),
    "bool": ([[True, False, True], [False, False, True]], "|b1"),
}


def save(name, array, **options):
    path = FIXTURES / name
    with open(path, "wb") as handle:
        np.lib.format.write_array(handle, array, allow_pickle=False, **options)


def main():
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, (values, descriptor) in VALUES.items():
        save(f"{name}.npy", np.array(values, dtype=np.dtype(descriptor)))

    block = np.arange(6, dtype="<f8").reshape(2, 3) - 2.5
    save("version2.npy", block, version=(2, 0))
    save("version3.npy", block, version=(3, 0))
    save("fortran2d.npy", np.asfortranarray(block))
    save("fortran3d.npy", np.asfortranarray(np.arange(24, dtype="<i4").reshape(2, 3, 4)))
    save("bigendian.npy", np.array([[1.5, -2.0], [3.25, 4.0]], dtype=">f8"))
    save("vector.npy", np.array([3.0, 1.0, 4.0, 1.0, 5.0], dtype="<f8"))

    # Shared-inputs layout: 6 inputs, 2 features, 2 tasks (stored members, with numpy's zip64 extras).
    features = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0], [9.0, 10.0], [11.0, 12.0]])
    targets = np.array([[0, 1], [1, 0], [0, 0], [1, 1], [0, 1], [1, 0]], dtype="<i8")
    np.savez(FIXTURES / "shared.npz", X=features, Y=targets)

    # Disjoint layout, deflated: 6 examples in two tasks.
    np.savez_compressed(
        FIXTURES / "disjoint.npz",
        X=features,
        y=np.array([0.5, 1.5, -0.5, 2.0, 0.0, 1.0]),
        task=np.array([0, 0, 0, 1, 1, 1], dtype="<i4"),
    )

    # A gzip CSV written by Python's gzip module (fixed mtime, so the file is reproducible).
    text = "a,b,target\n1,2,0\n3,4,1\n5,6,0\n"
    with open(FIXTURES / "small.csv.gz", "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
            handle.write(text.encode())


if __name__ == "__main__":
    main()
