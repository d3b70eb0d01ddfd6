/// What kind of failure an error is, as the command line reports it.
///
/// The `mtif` and `mtif-worker` executables map these to exit codes in one place
/// (see `ExitStatus`); library code only classifies.
public enum FailureCategory: Sendable, Equatable {
    /// The command line or a configuration was malformed: fix the invocation.
    case usage
    /// An input file or dataset was malformed: fix the data.
    case data
    /// A numerical, I/O, network or internal failure while working on valid input.
    case failure
}

/// The throw site of an error, kept so that a report can point at the code that refused.
public struct ThrowSite: Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int

    public init(file: String = #fileID, line: Int = #line) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

/// An error that can be shown to a user as it is: a message that says what was expected, what
/// was found and what to do.
///
/// Every layer of the library has one such type (`LinearAlgebraError`, `DataError`, …).
public protocol ReportableError: Error, CustomStringConvertible {
    /// A complete sentence or two for the user.
    var message: String { get }
    /// How the command line classifies the failure.
    var category: FailureCategory { get }
    /// Where the error was thrown.
    var site: ThrowSite { get }
}

extension ReportableError {
    public var description: String { message }
}
