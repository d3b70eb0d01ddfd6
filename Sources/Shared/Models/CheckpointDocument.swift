import Foundation

/// The JSON half of a checkpoint, field for field (docs/checkpoints.md).
///
/// Keys are written sorted, so the file is reproducible. Non-finite numbers in the training report
/// (a loss that overflowed in a run kept with `--allow-unconverged`) are written as the strings
/// "NaN", "Infinity" and "-Infinity" rather than making the file unwritable.
struct CheckpointDocument: Codable, Equatable {
    var format: String
    var version: Int
    var architecture: ModelArchitecture
    var regularization: Regularization
    var featureCount: Int
    var taskNames: [String]
    /// `regression`, `binary` or `multiclass:C`, one per task.
    var targetKinds: [String]
    /// The `.npz` archive, relative to the JSON file's directory (or absolute).
    var parameters: String
    /// Lowercase hexadecimal SHA-256 of the archive's bytes; optional on import.
    var parametersSHA256: String?
    var dataset: DatasetRecord?
    var training: TrainingRecord?
    var createdBy: String

    /// The two fields read before anything else, so that another format or a later version is
    /// named as such instead of failing on its first unfamiliar field.
    private struct Header: Decodable {
        var format: String?
        var version: Int?
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }

    /// Parses the JSON of a checkpoint.
    ///
    /// - Throws: `CheckpointError.Code.unknownFormat` when `format` is missing or not
    ///   `mtif-checkpoint`; `.unsupportedVersion` for a missing or other `version`;
    ///   `.malformedField` naming the first field that is missing, of the wrong type or invalid,
    ///   or saying that the text is not JSON.
    static func decode(_ bytes: [UInt8], path: String) throws -> CheckpointDocument {
        let data = Data(bytes)
        let header = try decoding(path: path) { try decoder.decode(Header.self, from: data) }
        guard header.format == Checkpoint.formatName else {
            throw CheckpointError(
                .unknownFormat, path: path,
                "Expected \"format\": \"\(Checkpoint.formatName)\", found "
                    + "\(header.format.map { "\"\($0)\"" } ?? "no format field"). This is not an mtif checkpoint; "
                    + "docs/checkpoints.md describes the format and how to export weights into it.")
        }
        guard header.version == Checkpoint.formatVersion else {
            throw CheckpointError(
                .unsupportedVersion, path: path,
                "Expected \"version\": \(Checkpoint.formatVersion), found "
                    + "\(header.version.map(String.init) ?? "no version field"). Read it with the mtif version that "
                    + "wrote it, or export it again as version \(Checkpoint.formatVersion).")
        }
        return try decoding(path: path) { try decoder.decode(CheckpointDocument.self, from: data) }
    }

    /// Runs a decoding step, turning Foundation's `DecodingError` into a `.malformedField` error
    /// that names the field by its dotted path, such as `training.report.finalLoss`.
    private static func decoding<Value>(path: String, _ body: () throws -> Value) throws -> Value {
        do {
            return try body()
        } catch let error as DecodingError {
            throw CheckpointError(.malformedField, path: path, describe(error))
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "Field '\(fieldName(context.codingPath + [key]))' is missing; docs/checkpoints.md lists the "
                + "required fields."
        case .typeMismatch(let type, let context):
            return "Field '\(fieldName(context.codingPath))' has the wrong type: expected \(typeName(type)). "
                + context.debugDescription
        case .valueNotFound(let type, let context):
            return "Field '\(fieldName(context.codingPath))' is null; expected \(typeName(type))."
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            let reason = context.underlyingError.map { " (\($0.localizedDescription))" } ?? ""
            return "The file is not valid JSON\(reason). Check it with `python3 -m json.tool`."
        case .dataCorrupted(let context):
            return "Field '\(fieldName(context.codingPath))' holds an invalid value: \(context.debugDescription)"
        @unknown default:
            return "The JSON could not be decoded: \(error)."
        }
    }

    /// `a.b[2].c` for the coding path a, b, index 2, c.
    static func fieldName(_ codingPath: [any CodingKey]) -> String {
        let name = codingPath.reduce(into: "") { name, key in
            if let index = key.intValue {
                name += "[\(index)]"
            } else {
                name += name.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return name.isEmpty ? "(top level)" : name
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is UInt64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: "\(type)"
        }
    }
}
