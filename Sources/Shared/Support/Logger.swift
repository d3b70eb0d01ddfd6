import Foundation
import Synchronization

/// A small structured logger with swift-log's habits: a fixed message plus key=value metadata.
///
/// Library code takes a `Logger` and never decides where lines go; executables configure the
/// process-wide `LogOutput` once (level and destination). Keys follow one scheme:
/// `worker.id`, `shard`, `query.task`, `seconds`, `stage`, `path`.
public struct Logger: Sendable {
    /// Severity, lowest first.
    public enum Level: Int, Comparable, Sendable, CaseIterable {
        case trace, debug, info, notice, warning, error

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

        var label: String {
            switch self {
            case .trace: "trace"
            case .debug: "debug"
            case .info: "info"
            case .notice: "notice"
            case .warning: "warning"
            case .error: "error"
            }
        }
    }

    /// Ordered key=value pairs.
    public typealias Metadata = KeyValuePairs<String, CustomStringConvertible & Sendable>

    /// Names the component that logs, such as `coordinator` or `worker`.
    public let label: String

    public init(label: String) {
        self.label = label
    }

    public func log(_ level: Level, _ message: @autoclosure () -> String, _ metadata: Metadata = [:]) {
        guard level >= LogOutput.shared.level else { return }
        var line = "\(LogOutput.timestamp()) \(level.label) [\(label)] \(message())"
        for (key, value) in metadata {
            line += " \(key)=\(LogOutput.quoted(value.description))"
        }
        LogOutput.shared.write(line)
    }

    public func trace(_ message: @autoclosure () -> String, _ metadata: Metadata = [:]) {
        log(.trace, message(), metadata)
    }

    public func debug(_ message: @autoclosure () -> String, _ metadata: Metadata = [:]) {
        log(.debug, message(), metadata)
    }

    public func info(_ message: @autoclosure () -> String, _ metadata: Metadata = [:]) {
        log(.info, message(), metadata)
    }

    public func notice(_ message: @autoclosure () -> String, _ metadata: Metadata = [:]) {
        log(.notice, message(), metadata)
    }

    public func warning(_ message: @autoclosure () -> String, _ metadata: Metadata = [:]) {
        log(.warning, message(), metadata)
    }

    public func error(_ message: @autoclosure () -> String, _ metadata: Metadata = [:]) {
        log(.error, message(), metadata)
    }
}

/// Where log lines go: one destination per process, standard error unless an executable says
/// otherwise. Writes are serialised so that lines from several threads never interleave.
public final class LogOutput: Sendable {
    /// The process-wide output.
    public static let shared = LogOutput()

    private struct State {
        var level: Logger.Level = .notice
        var handle: FileHandle = .standardError
    }

    private let state = Mutex(State())

    /// Lines below this level are dropped.
    public var level: Logger.Level {
        get { state.withLock { $0.level } }
        set { state.withLock { $0.level = newValue } }
    }

    /// Sends lines to `handle` from now on.
    public func redirect(to handle: FileHandle) {
        state.withLock { $0.handle = handle }
    }

    func write(_ line: String) {
        state.withLock { $0.handle.write(Data((line + "\n").utf8)) }
    }

    static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
    }

    static func quoted(_ value: String) -> String {
        value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" })
            ? "\"\(value.replacingOccurrences(of: "\"", with: "\\\""))\"" : value
    }
}
