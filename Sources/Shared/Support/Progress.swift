import Foundation
import Synchronization

/// Progress of one long stage (training, a solve, scoring, retraining) on standard error.
///
/// On a terminal it redraws one line, `score  [#####-----]  412/1000  37.2/s  ETA 15s`, at most
/// ten times a second; otherwise (a log file, CI) it prints a plain line at most every
/// `plainInterval` seconds and once at the end. Silent when disabled (`--quiet`). Safe to advance
/// from several threads.
public final class ProgressReporter: Sendable {
    /// How progress is shown.
    public enum Style: Sendable {
        case bar, plainLines, silent
    }

    private struct State {
        var completed = 0
        var lastDraw = 0.0
        var finished = false
    }

    private let stage: String
    private let total: Int
    private let unit: String
    private let style: Style
    private let plainInterval: Double
    private let start = ProcessInfo.processInfo.systemUptime
    private let state = Mutex(State())

    /// - Parameters:
    ///   - stage: a short name shown first, such as "score".
    ///   - total: the amount of work, in `unit`s.
    ///   - style: nil picks `.bar` on a terminal and `.plainLines` otherwise.
    public init(stage: String, total: Int, unit: String = "items", style: Style? = nil, plainInterval: Double = 10) {
        self.stage = stage
        self.total = max(total, 0)
        self.unit = unit
        self.style = style ?? (isatty(STDERR_FILENO) == 1 ? .bar : .plainLines)
        self.plainInterval = plainInterval
    }

    /// Records `amount` more units done.
    public func advance(by amount: Int = 1) {
        let line: String? = state.withLock { state in
            state.completed += amount
            let now = ProcessInfo.processInfo.systemUptime - start
            let interval = style == .bar ? 0.1 : plainInterval
            guard now - state.lastDraw >= interval, state.completed < total else { return nil }
            state.lastDraw = now
            return render(completed: state.completed, elapsed: now)
        }
        if let line { emit(line, final: false) }
    }

    /// Prints the final line once.
    public func finish() {
        let line: String? = state.withLock { state in
            guard !state.finished else { return nil }
            state.finished = true
            return render(
                completed: state.completed, elapsed: ProcessInfo.processInfo.systemUptime - start, isFinal: true)
        }
        if let line { emit(line, final: true) }
    }

    /// One progress line; the final one says how long the stage took even when it stopped short
    /// of `total` (an optimiser that converged before its iteration cap).
    func render(completed: Int, elapsed: Double, isFinal: Bool = false) -> String {
        let fraction = total > 0 ? min(Double(completed) / Double(total), 1) : 1
        let rate = elapsed > 0 ? Double(completed) / elapsed : 0
        let remaining = rate > 0 ? Double(total - completed) / rate : .infinity
        let width = 20
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let eta =
            completed >= total || isFinal ? "done in \(Self.duration(elapsed))" : "ETA \(Self.duration(remaining))"
        return "\(stage)  [\(bar)]  \(completed)/\(total) \(unit)  \(String(format: "%.1f", rate))/s  \(eta)"
    }

    private func emit(_ line: String, final: Bool) {
        switch style {
        case .silent: return
        case .bar: FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line + (final ? "\n" : "")).utf8))
        case .plainLines: FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        if seconds < 3600 { return "\(Int(seconds) / 60)m\(Int(seconds) % 60)s" }
        return "\(Int(seconds) / 3600)h\(Int(seconds) % 3600 / 60)m"
    }
}
