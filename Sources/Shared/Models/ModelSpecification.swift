/// The short model strings of the command line (`mtif train --model …`).
///
/// | string | architecture |
/// | --- | --- |
/// | `linear` | `.hardSharingLinear`: f_k(x) = xᵀ(γ + θ_k) |
/// | `hard:none` | `.hardSharing(trunk: [])`: independent linear heads with bias |
/// | `hard:16tanh`, `hard:32tanh,16softplus` | `.hardSharing(trunk:)`, layers first to last |
/// | `soft:linear` | `.softSharing(hidden: [])`: linear models with bias, coupled by μ |
/// | `soft:16tanh`, `soft:32relu,8tanh` | `.softSharing(hidden:)` |
///
/// A layer is a width (a positive whole number) followed by an activation name of `Activation`
/// (`tanh`, `softplus`, `relu`).
extension ModelArchitecture {
    /// Examples of every form, for help texts and error messages.
    public static let specificationExamples =
        "linear, hard:none, hard:16tanh, hard:32tanh,16softplus, soft:linear, soft:16tanh"

    /// Parses a model string such as `hard:32tanh,16softplus`.
    ///
    /// - Throws: `UsageError` naming the text, the part that is wrong and the accepted forms.
    public init(specification text: String) throws(UsageError) {
        let lowered = text.lowercased().trimmingASCIISpaces()
        if lowered == "linear" {
            self = .hardSharingLinear
            return
        }
        guard let colon = lowered.firstIndex(of: ":") else {
            throw Self.usage(text, "it is neither 'linear' nor a family 'hard:' or 'soft:' followed by layers")
        }
        let family = lowered[..<colon]
        let layersText = String(lowered[lowered.index(after: colon)...])
        switch family {
        case "hard":
            self = .hardSharing(trunk: layersText == "none" ? [] : try Self.parseLayers(layersText, in: text))
        case "soft":
            self = .softSharing(hidden: layersText == "linear" ? [] : try Self.parseLayers(layersText, in: text))
        default:
            throw Self.usage(text, "the family '\(family)' is neither 'hard' nor 'soft'")
        }
    }

    /// The model string that `init(specification:)` reads back as this architecture.
    public var specification: String {
        func layers(_ hidden: [HiddenLayer]) -> String {
            hidden.map { "\($0.width)\($0.activation.rawValue)" }.joined(separator: ",")
        }
        switch self {
        case .hardSharingLinear: return "linear"
        case .hardSharing(let trunk): return "hard:" + (trunk.isEmpty ? "none" : layers(trunk))
        case .softSharing(let hidden): return "soft:" + (hidden.isEmpty ? "linear" : layers(hidden))
        }
    }

    private static func parseLayers(_ text: String, in specification: String) throws(UsageError) -> [HiddenLayer] {
        var layers: [HiddenLayer] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let digits = item.prefix(while: \.isASCII).prefix(while: \.isNumber)
            let name = String(item.dropFirst(digits.count))
            guard let width = Int(digits), width >= 1, let activation = Activation(rawValue: name) else {
                let names = Activation.allCases.map(\.rawValue).joined(separator: ", ")
                throw usage(
                    specification,
                    "the layer '\(item)' is not a positive width followed by an activation (\(names)), such as 16tanh")
            }
            layers.append(HiddenLayer(width: width, activation: activation))
        }
        return layers
    }

    private static func usage(_ text: String, _ reason: String) -> UsageError {
        UsageError("Model '\(text)' is not understood: \(reason). Expected one of the forms \(specificationExamples).")
    }
}
