import Foundation
import Shared

/// A command's arguments and options as a JSON file: what `--config FILE` reads, and what the
/// commands that write results save beside them (`config.json` in a score run directory), so
/// that `mtif <command> --config FILE` repeats the run exactly.
///
/// ```json
/// {"format": "mtif-config", "version": 1, "command": "score", "arguments": ["yeast"],
///  "options": {"checkpoint": "runs/yeast/model.json", "out": "runs/yeast/score", "solver": "cg"},
///  "flags": [], "workingDirectory": "/home/me/study"}
/// ```
///
/// Options given on the command line as well override the file's; positional arguments on the
/// command line replace the file's. Relative paths are read from `workingDirectory` when the
/// command runs elsewhere. Logging flags (`--quiet`, `--verbose`, `--debug`) are not recorded:
/// they change what is printed, not what is computed.
struct RunConfiguration: Codable, Equatable {
    var format = "mtif-config"
    var version = 1
    var command: String
    var arguments: [String]
    /// Option name (without `--`) → value; an option given several times keeps its last value.
    var options: [String: String]
    var flags: [String]
    /// Where the command ran: relative paths in the arguments and options are relative to it.
    var workingDirectory: String

    static let fileName = "config.json"
    static let loggingFlags: Set<String> = ["quiet", "verbose", "debug", "help"]

    /// The configuration of a parsed command line.
    init(command: Subcommand, arguments: CommandArguments) {
        self.command = command.name
        self.arguments = arguments.positional
        var options: [String: String] = [:]
        for name in command.valueOptions where name != "config" {
            if let value = arguments.value(name) { options[name] = value }
        }
        self.options = options
        flags = command.flagOptions.subtracting(Self.loggingFlags).sorted().filter { arguments.isSet($0) }
        workingDirectory = FileManager.default.currentDirectoryPath
    }

    /// The command-line words it stands for, after the command's name.
    var words: [String] {
        arguments.map(absolute) + options.keys.sorted().flatMap { ["--\($0)", absolute(options[$0]!)] }
            + flags.map { "--\($0)" }
    }

    /// A relative path resolved against `workingDirectory`, when it names something there;
    /// any other word unchanged.
    private func absolute(_ word: String) -> String {
        guard !word.hasPrefix("/"), !word.isEmpty,
            workingDirectory != FileManager.default.currentDirectoryPath
        else { return word }
        let candidate = URL(fileURLWithPath: workingDirectory).appendingPathComponent(word).path
        let parent = URL(fileURLWithPath: candidate).deletingLastPathComponent().path
        let names = FileManager.default.fileExists(atPath: candidate)
        let namesNewFile = word.contains("/") && FileManager.default.fileExists(atPath: parent)
        return names || namesNewFile ? candidate : word
    }

    /// Reads a configuration file for `command`.
    ///
    /// - Throws: `UsageError` when the file is missing, is not an mtif configuration, or was
    ///   written by another command.
    static func read(_ path: String, for command: Subcommand) throws -> RunConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsageError("--config \(path): no such file.")
        }
        let configuration: RunConfiguration
        do {
            configuration = try JSONDecoder().decode(RunConfiguration.self, from: data)
        } catch {
            throw UsageError(
                "--config \(path) is not an mtif configuration (expected the JSON of a config.json that mtif wrote, "
                    + "with format, command, arguments, options and flags): \(error)")
        }
        guard configuration.format == "mtif-config", configuration.version == 1 else {
            throw UsageError(
                "--config \(path) has format '\(configuration.format)' version \(configuration.version); "
                    + "expected 'mtif-config' version 1.")
        }
        guard configuration.command == command.name else {
            throw UsageError(
                "--config \(path) configures `mtif \(configuration.command)`, not `mtif \(command.name)`; run "
                    + "`mtif \(configuration.command) --config \(path)`.")
        }
        return configuration
    }

    /// The command line with `--config` expanded: the file's words, then the command line's
    /// (whose positional arguments replace the file's).
    static func expand(_ words: [String], for command: Subcommand, parsed: CommandArguments) throws -> [String] {
        guard let path = parsed.value("config") else { return words }
        var file = try read(path, for: command)
        if !parsed.positional.isEmpty { file.arguments = [] }
        return file.words + words
    }

    /// Writes the configuration as `url`, atomically.
    func write(to url: URL) throws {
        try RunFiles.writeJSON(self, to: url)
    }
}
