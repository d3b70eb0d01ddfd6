import Foundation
import Shared

/// The one place that turns errors into exit codes and messages for `mtif`.
///
/// Codes follow BSD sysexits where one fits: 64 bad usage, 65 bad data, 1 any other failure.
enum ExitStatus {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let usage: Int32 = 64
    static let data: Int32 = 65

    /// Prints `error` to standard error and returns the exit code for it.
    static func report(_ error: Error) -> Int32 {
        let (text, code): (String, Int32)
        if let reportable = error as? ReportableError {
            text = reportable.message
            code =
                switch reportable.category {
                case .usage: usage
                case .data: data
                case .failure: failure
                }
        } else {
            text = "\(error)"
            code = failure
        }
        FileHandle.standardError.write(Data("mtif: error: \(text)\n".utf8))
        return code
    }
}
