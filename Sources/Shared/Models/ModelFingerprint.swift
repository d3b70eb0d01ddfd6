import Foundation

extension MultitaskModel {
    /// SHA-256 (hex) of the architecture, the target kinds, the feature count and the exact bytes
    /// of `parameters`: two runs share a fingerprint only if they score with the same model.
    ///
    /// Parameters enter as IEEE-754 little-endian bytes, so −0.0 and 0.0 differ, as they should
    /// for bit-identical reproduction.
    public func fingerprint(parameters: [Double]) -> String {
        precondition(parameters.count == parameterCount, "Parameters must have P entries")
        var hasher = SHA256()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        hasher.update(Array((try? encoder.encode(architecture)) ?? Data()))
        hasher.update(Array("\(featureCount)|\(targetKinds.map(\.description).joined(separator: ","))".utf8))
        parameters.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize().hexadecimal
    }
}
