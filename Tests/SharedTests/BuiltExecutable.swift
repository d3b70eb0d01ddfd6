import Foundation
import Testing

/// Runs the built `mtif` executable (next to the test bundle after `swift build --build-tests`).
enum BuiltExecutable {
    /// The `mtif` executable of this build, if it exists.
    static let mtif: String? = {
        let directory = URL(fileURLWithPath: Bundle.module.bundlePath).deletingLastPathComponent()
        let path = directory.appendingPathComponent("mtif").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()

    /// Runs `mtif` with `arguments`; returns the exit status, standard output and standard error.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(mtif))
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: outputData, as: UTF8.self),
            String(decoding: errorData, as: UTF8.self)
        )
    }
}
