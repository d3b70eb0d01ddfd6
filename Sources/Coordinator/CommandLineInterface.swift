import Foundation
import Shared

/// One `mtif` subcommand: its name, a one-line summary, its help text and its body.
struct Subcommand: Sendable {
    let name: String
    let summary: String
    let help: String
    let valueOptions: Set<String>
    let flagOptions: Set<String>
    let run: @Sendable (CommandArguments) throws -> Void
}

/// Parses the command line, routes to a subcommand and reports failures with exit codes.
enum CommandLineInterface {
    static let version = "0.1.0"

    /// Options every subcommand accepts.
    static let commonFlags: Set<String> = ["quiet", "verbose", "debug", "help"]

    static let subcommands: [Subcommand] = [
        DataCommand.describe,
        DataCommand.export,
        TrainCommand.train,
        ScoreCommand.command,
        SelectCommand.command,
        EvaluateCommand.command,
        ReportCommand.command,
        InspectCommand.inspect,
        SystemCommand.doctor,
        WireCommand.worker,
        WireCommand.keygen,
        ClusterCommand.check,
    ]

    /// Runs `mtif` with `arguments` (without the program name) and returns the exit code.
    static func main(_ arguments: [String]) -> Int32 {
        guard let first = arguments.first, first != "--help", first != "-h", first != "help" else {
            print(overview)
            return ExitStatus.success
        }
        if first == "--version" {
            print("mtif \(version)")
            return ExitStatus.success
        }
        do {
            let (command, rest) = try resolve(arguments)
            let (valueOptions, flagOptions) = (
                command.valueOptions.union(["config"]), command.flagOptions.union(commonFlags)
            )
            var parsed = try CommandArguments(rest, valueOptions: valueOptions, flagOptions: flagOptions)
            if parsed.value("config") != nil {
                let words = try RunConfiguration.expand(rest, for: command, parsed: parsed)
                parsed = try CommandArguments(words, valueOptions: valueOptions, flagOptions: flagOptions)
            }
            if parsed.isSet("help") {
                print(command.help)
                return ExitStatus.success
            }
            configureLogging(parsed)
            try command.run(parsed)
            return ExitStatus.success
        } catch {
            return ExitStatus.report(error)
        }
    }

    /// Finds the subcommand named by the leading words (`data describe` is two words).
    private static func resolve(_ arguments: [String]) throws -> (Subcommand, [String]) {
        for length in [2, 1] where arguments.count >= length {
            let name = arguments.prefix(length).joined(separator: " ")
            if let command = subcommands.first(where: { $0.name == name }) {
                return (command, Array(arguments.dropFirst(length)))
            }
        }
        throw UsageError(
            "Unknown command '\(arguments.prefix(2).joined(separator: " "))'. Run 'mtif --help' for the list.")
    }

    private static func configureLogging(_ arguments: CommandArguments) {
        if arguments.isSet("debug") {
            LogOutput.shared.level = .debug
        } else if arguments.isSet("verbose") {
            LogOutput.shared.level = .info
        } else if arguments.isSet("quiet") {
            LogOutput.shared.level = .error
        }
        Startup.logBLASDecision()
    }

    static var overview: String {
        let width = subcommands.map(\.name.count).max() ?? 0
        let lines = subcommands.map {
            "  \($0.name.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.summary)"
        }
        return """
            mtif \(version): the MultiTask Influence Function, exact and distributed.

            Usage: mtif <command> [options]

            Commands:
            \(lines.joined(separator: "\n"))

            Every command takes --help, --quiet, --verbose and --debug.
            """
    }
}
