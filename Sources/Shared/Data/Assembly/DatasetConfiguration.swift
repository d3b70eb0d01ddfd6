/// The fractions of examples that go to the train, validation and test splits.
public struct SplitFractions: Sendable, Equatable, CustomStringConvertible {
    public let train: Double
    public let validation: Double
    public let test: Double

    /// 60 % train, 20 % validation, 20 % test.
    public static let standard = try! SplitFractions(train: 0.6, validation: 0.2, test: 0.2)

    /// The largest amount the three fractions may miss 1 by, to allow decimal inputs such as
    /// 0.7, 0.2, 0.1 whose binary sum is not exactly 1.
    public static let sumTolerance = 1e-9

    /// Validates three fractions.
    ///
    /// - Throws: `UsageError` unless each lies in [0, 1], train is positive and they sum to 1.
    public init(train: Double, validation: Double, test: Double) throws(UsageError) {
        let all = [train, validation, test]
        guard all.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1 }), train > 0,
            abs(all.reduce(0, +) - 1) <= Self.sumTolerance
        else {
            throw UsageError(
                "Split fractions must be three numbers in [0, 1] that sum to 1 with a positive train fraction, "
                    + "found \(train), \(validation), \(test). Example: --fractions 0.6,0.2,0.2")
        }
        (self.train, self.validation, self.test) = (train, validation, test)
    }

    /// Parses `train,validation,test`, as in `--fractions 0.6,0.2,0.2`.
    ///
    /// - Throws: `UsageError` naming the text when it is not three valid fractions.
    public init(parsing text: String) throws(UsageError) {
        let numbers = text.split(separator: ",", omittingEmptySubsequences: false).map {
            Double(String($0).trimmingASCIISpaces())
        }
        guard numbers.count == 3, let train = numbers[0], let validation = numbers[1], let test = numbers[2] else {
            throw UsageError("Expected three comma-separated fractions such as 0.6,0.2,0.2, found '\(text)'.")
        }
        try self.init(train: train, validation: validation, test: test)
    }

    public var description: String { "\(train)/\(validation)/\(test)" }
}

/// How each task's target kind is decided.
public enum TargetKindChoice: Sendable, Equatable {
    /// Inferred from the targets (see `TargetKindInference`).
    case inferred
    /// The same declared kind for every task.
    case all(TargetKind)
    /// Declared kinds by task name; tasks not named are inferred.
    case perTask([String: TargetKind])

    /// The declared kind of task `name`, or nil to infer it.
    func declaredKind(of name: String) -> TargetKind? {
        switch self {
        case .inferred: nil
        case .all(let kind): kind
        case .perTask(let kinds): kinds[name]
        }
    }
}

/// What turns a source's examples into a dataset: the split, the seed, scaling and target kinds.
public struct DatasetConfiguration: Sendable, Equatable {
    public var fractions: SplitFractions
    /// Seeds the split (and any subsampling a built-in dataset does).
    public var seed: UInt64
    /// Whether to standardise features with train statistics.
    public var standardizesFeatures: Bool
    public var targetKinds: TargetKindChoice

    public init(
        fractions: SplitFractions = .standard, seed: UInt64 = 0, standardizesFeatures: Bool = true,
        targetKinds: TargetKindChoice = .inferred
    ) {
        self.fractions = fractions
        self.seed = seed
        self.standardizesFeatures = standardizesFeatures
        self.targetKinds = targetKinds
    }
}

extension SplitFractions {
    /// Train and validation rescaled to sum to 1 with no test part, for sources whose test
    /// examples are fixed (such as Fashion-MNIST's official test files).
    var withoutTest: SplitFractions {
        let kept = train + validation
        return SplitFractions(unchecked: train / kept, validation / kept, 0)
    }

    private init(unchecked train: Double, _ validation: Double, _ test: Double) {
        (self.train, self.validation, self.test) = (train, validation, test)
    }
}

extension TargetKind {
    /// Parses `regression`, `binary`, or `multiclass:C` (also `multiclass(C)`), C ≥ 2.
    ///
    /// - Throws: `UsageError` naming the text and the accepted forms.
    public init(parsing text: String) throws(UsageError) {
        let lowered = text.lowercased()
        if lowered == "regression" {
            self = .regression
            return
        }
        if lowered == "binary" {
            self = .binary
            return
        }
        let digits = lowered.drop(while: { !$0.isNumber }).prefix(while: \.isNumber)
        let isMulticlass = lowered == "multiclass:\(digits)" || lowered == "multiclass(\(digits))"
        guard isMulticlass, let classes = Int(digits), classes >= 2 else {
            throw UsageError("Expected a target kind regression, binary or multiclass:C (C ≥ 2), found '\(text)'.")
        }
        self = .multiclass(classes: classes)
    }
}

extension TargetKindChoice {
    /// Parses one kind for every task (`binary`) or `task=kind` pairs separated by commas
    /// (`Class1=binary,score=regression`).
    ///
    /// - Throws: `UsageError` for a malformed pair or kind.
    public init(parsing text: String) throws(UsageError) {
        guard text.contains("=") else {
            self = .all(try TargetKind(parsing: text))
            return
        }
        var kinds: [String: TargetKind] = [:]
        for item in text.split(separator: ",") {
            guard let separator = item.lastIndex(of: "="), separator != item.startIndex else {
                throw UsageError("Expected task=kind pairs such as Class1=binary, found '\(item)'.")
            }
            kinds[String(item[..<separator])] = try TargetKind(parsing: String(item[item.index(after: separator)...]))
        }
        self = .perTask(kinds)
    }
}
