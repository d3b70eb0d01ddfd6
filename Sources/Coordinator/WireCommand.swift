import Foundation
import Shared

/// `mtif worker` and `mtif keygen`: serving as a worker, and making CURVE keys.
enum WireCommand {
    static let worker = Subcommand(
        name: "worker",
        summary: "Serve a coordinator as a worker (same as the mtif-worker executable)",
        help: WorkerCommandLine.help(program: "mtif worker"),
        valueOptions: WorkerCommandLine.valueOptions,
        flagOptions: WorkerCommandLine.flagOptions,
        run: { arguments in
            // Jobs run one at a time per worker process: one BLAS thread each, one worker per core.
            BLASRuntime.setThreadCount(1)
            _ = try WorkerCommandLine.run(arguments, logger: Logger(label: "worker"))
        })

    static let keygen = Subcommand(
        name: "keygen",
        summary: "Write a CURVE key pair for encrypted, authenticated coordinator-worker links",
        help: """
            Usage: mtif keygen --out DIR [--name NAME] [--force]

            Writes DIR/NAME.key (public key, Z85 text) and DIR/NAME.secret (secret key, mode
            0600). Make one pair for the coordinator and one per worker (or one shared by all
            workers). The coordinator takes its own --key and an --authorized-keys file listing
            the workers' public keys, one per line; each worker takes its own --key and the
            coordinator's public key as --server-key. A worker whose key is not listed can
            neither join nor receive any data.

              --name NAME   file name stem (default: mtif)
              --force       replace existing key files

            Example:
              mtif keygen --out keys --name coordinator
              mtif keygen --out keys --name worker
              cat keys/worker.key >> keys/authorized
            """,
        valueOptions: ["out", "name"],
        flagOptions: ["force"],
        run: { arguments in
            guard let directory = arguments.value("out") else { throw UsageError("keygen needs --out DIR.") }
            let name = arguments.value("name") ?? "mtif"
            guard !name.isEmpty, !name.contains("/") else { throw UsageError("--name must be a plain file name.") }
            let pair = try CurveKeyPair.generate()
            let paths = try CurveKeyFiles.write(pair, to: directory, name: name, overwrite: arguments.isSet("force"))
            print("public key   \(paths.publicPath)")
            print("secret key   \(paths.secretPath) (mode 0600)")
            print("public key value: \(pair.publicKey.z85)")
        })
}
