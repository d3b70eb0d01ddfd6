import Foundation
import Shared

/// `mtif-worker`: parses the command line, serves one run, and is the one place that turns the
/// worker's errors into exit codes (the same codes as `mtif`: 64 usage, 65 data, 1 failure).
enum WorkerMain {
    static let commonFlags: Set<String> = ["quiet", "verbose", "debug", "help"]

    /// Runs the worker with `arguments` (without the program name) and returns the exit code.
    static func main(_ arguments: [String]) -> Int32 {
        do {
            let parsed = try CommandArguments(
                arguments, valueOptions: WorkerCommandLine.valueOptions,
                flagOptions: WorkerCommandLine.flagOptions.union(commonFlags))
            if parsed.isSet("help") || arguments.isEmpty {
                print(WorkerCommandLine.help(program: "mtif-worker"))
                return arguments.isEmpty ? 64 : 0
            }
            configureLogging(parsed)
            _ = try WorkerCommandLine.run(parsed, logger: Logger(label: "mtif-worker"))
            return 0
        } catch {
            return report(error)
        }
    }

    private static func configureLogging(_ arguments: CommandArguments) {
        if arguments.isSet("debug") {
            LogOutput.shared.level = .debug
        } else if arguments.isSet("verbose") {
            LogOutput.shared.level = .info
        } else if arguments.isSet("quiet") {
            LogOutput.shared.level = .error
        }
    }

    private static func report(_ error: Error) -> Int32 {
        let reportable = error as? ReportableError
        let code: Int32 =
            switch reportable?.category {
            case .usage: 64
            case .data: 65
            case .failure, nil: 1
            }
        FileHandle.standardError.write(Data("mtif-worker: error: \(reportable?.message ?? "\(error)")\n".utf8))
        return code
    }
}
