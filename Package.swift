// swift-tools-version:6.0
//
// mtif: the MultiTask Influence Function, computed exactly and at scale.
//
// Layout (see docs/architecture.md):
//   Sources/Shared       the library `Shared`: linear algebra, data, models, training, influence,
//                        evaluation, wire protocol. No process or network state.
//   Sources/Coordinator  the `mtif` command and the coordinator.
//   Sources/Worker       the `mtif-worker` executable.
//   Sources/Benchmarks   `mtif-bench`, timing harnesses driven by scripts/bench-*.
//   Sources/C*           system-library targets, each imported by exactly one Swift layer.

import PackageDescription

let package = Package(
    name: "mtif",
    products: [
        .executable(name: "mtif", targets: ["Coordinator"]),
        .executable(name: "mtif-worker", targets: ["Worker"]),
        .executable(name: "mtif-bench", targets: ["Benchmarks"]),
        .library(name: "Shared", targets: ["Shared"]),
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CLAPACKE",
            pkgConfig: "lapacke",
            providers: [.apt(["liblapacke-dev"])]
        ),
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "Shared",
            dependencies: ["COpenBLAS", "CLAPACKE", "CZeroMQ", "CCrypto", "CZlib"]
        ),
        .executableTarget(
            name: "Coordinator",
            dependencies: ["Shared"]
        ),
        .executableTarget(
            name: "Worker",
            dependencies: ["Shared"]
        ),
        .executableTarget(
            name: "Benchmarks",
            dependencies: ["Shared"]
        ),
        .testTarget(
            name: "SharedTests",
            dependencies: ["Shared"],
            resources: [.copy("Fixtures")]
        ),
    ]
)
