import Foundation

// The checkpoint files: `<name>.json` describes the model (docs/checkpoints.md) and names
// `<name>.npz`, which holds one array per layer. This file converts between them and `Checkpoint`.

extension Checkpoint {
    /// The value of the JSON's `format` field.
    public static let formatName = "mtif-checkpoint"
    /// The format version this code writes and reads.
    public static let formatVersion = 1

    /// Writes `<name>.json` at `jsonPath` and the parameter archive `<name>.npz` beside it.
    ///
    /// The archive is written first and its SHA-256 recorded in the JSON, so a reader can tell a
    /// JSON file from the archive it was written with. Both files are replaced atomically; the
    /// output is byte-for-byte reproducible (sorted JSON keys, fixed zip dates).
    ///
    /// - Parameter jsonPath: the JSON file; the archive takes its name with `.npz` for `.json`.
    /// - Throws: `DataError.Code.unwritableFile` naming the file that could not be written.
    public func write(to jsonPath: String) throws {
        let npzPath = Self.parametersPath(forJSON: jsonPath)
        var archive = NPZArchive()
        for entry in Self.arrayEntries(model.layout) {
            archive[entry.name] = NDArray(shape: entry.shape, elements: Array(parameters[entry.range]))
        }
        let archiveBytes = try archive.encode(path: npzPath)
        try DataFile.write(archiveBytes, to: npzPath)

        let document = CheckpointDocument(
            format: Self.formatName, version: Self.formatVersion, architecture: architecture,
            regularization: regularization, featureCount: featureCount, taskNames: taskNames,
            targetKinds: targetKinds.map(\.checkpointName), parameters: URL(fileURLWithPath: npzPath).lastPathComponent,
            parametersSHA256: SHA256.hash(archiveBytes).hexadecimal, dataset: dataset, training: training,
            createdBy: createdBy)
        let json: Data
        do {
            json = try CheckpointDocument.encoder.encode(document)
        } catch {
            throw DataError(.unwritableFile, path: jsonPath, "The checkpoint could not be encoded as JSON: \(error).")
        }
        try DataFile.write([UInt8](json) + [UInt8(ascii: "\n")], to: jsonPath)
    }

    /// Reads the checkpoint described by the JSON file at `jsonPath` and its parameter archive.
    ///
    /// - Throws: `DataError` `.fileNotFound` or `.unreadableFile` for either file, or the archive
    ///   errors of `NPZArchive.decode(_:path:)`; `CheckpointError` `.unknownFormat`,
    ///   `.unsupportedVersion`, `.malformedField` (naming the field), `.checksumMismatch`,
    ///   `.missingArray`, `.unexpectedArray`, `.shapeMismatch`, `.unsupportedArrayType` (naming
    ///   the array, the expected and the found shape or type) and `.nonFiniteParameter`.
    public static func read(from jsonPath: String) throws -> Checkpoint {
        let document = try CheckpointDocument.decode(
            readFile(jsonPath, missing: "No such checkpoint. Check the path: `mtif train --out` writes NAME.json."),
            path: jsonPath)
        let targetKinds = try document.targetKinds.enumerated().map { index, text in
            do {
                return try TargetKind(parsing: text)
            } catch {
                throw CheckpointError(
                    .malformedField, path: jsonPath,
                    "Field 'targetKinds[\(index)]' is '\(text)'; expected regression, binary or multiclass:C.")
            }
        }
        let layoutModel: MultitaskModel
        do {
            layoutModel = try MultitaskModel(
                architecture: document.architecture, featureCount: document.featureCount, targetKinds: targetKinds)
        } catch let error as ModelError {
            throw CheckpointError(
                .malformedField, path: jsonPath, "The model it describes is invalid: \(error.message)")
        }

        let npzPath = resolve(document.parameters, besides: jsonPath)
        let archiveBytes = try readFile(
            npzPath,
            missing: "The checkpoint \(jsonPath) names its parameters '\(document.parameters)', which are not there. "
                + "Keep the .npz beside the .json (or give its path in the \"parameters\" field).")
        if let recorded = document.parametersSHA256 {
            let found = SHA256.hash(archiveBytes).hexadecimal
            guard found == recorded.lowercased() else {
                throw CheckpointError(
                    .checksumMismatch, path: jsonPath,
                    "'parametersSHA256' records \(recorded), but \(npzPath) hashes to \(found). The archive was "
                        + "replaced or damaged after the JSON was written; restore it, or drop the field if the new "
                        + "archive is intended.")
            }
        }
        let archive = try NPZArchive.decode(archiveBytes, path: npzPath)
        let parameters = try assembleParameters(
            archive, layout: layoutModel.layout, jsonPath: jsonPath, npzPath: npzPath)
        return try Checkpoint(
            architecture: document.architecture, regularization: document.regularization,
            featureCount: document.featureCount, taskNames: document.taskNames, targetKinds: targetKinds,
            parameters: parameters, dataset: document.dataset, training: document.training,
            createdBy: document.createdBy, path: jsonPath)
    }

    /// The archive beside a JSON file: `model.json` → `model.npz`.
    public static func parametersPath(forJSON jsonPath: String) -> String {
        (jsonPath.hasSuffix(".json") ? String(jsonPath.dropLast(5)) : jsonPath) + ".npz"
    }

    // MARK: - Arrays

    /// One array of the archive: its name, its shape and the positions in w it holds.
    struct ArrayEntry {
        let name: String
        let shape: [Int]
        let range: Range<Int>
        /// What the array is, for messages: "task 2, layer 0 weights".
        let role: String
    }

    /// The arrays of `layout` in the order of w: `tasks/<k>/layers/<i>/weight` (`inputs × outputs`)
    /// and `…/bias` (`outputs`) for every task block, then `shared/layers/<i>/…` for γ.
    static func arrayEntries(_ layout: ParameterLayout) -> [ArrayEntry] {
        let blocks = layout.taskBlocks.enumerated().map { ("tasks/\($0)", "task \($0)", $1) }
        return (blocks + [("shared", "shared block", layout.sharedBlock)]).flatMap { prefix, owner, block in
            block.layers.enumerated().flatMap { index, slice in
                let weight = ArrayEntry(
                    name: "\(prefix)/layers/\(index)/weight", shape: [slice.inputs, slice.outputs],
                    range: slice.weightRange, role: "\(owner), layer \(index) weights (inputs × outputs)")
                let bias = ArrayEntry(
                    name: "\(prefix)/layers/\(index)/bias", shape: [slice.outputs], range: slice.biasRange,
                    role: "\(owner), layer \(index) bias")
                return slice.biasOffset == nil ? [weight] : [weight, bias]
            }
        }
    }

    /// w gathered from the archive's arrays, each checked for presence, type, shape and finiteness.
    private static func assembleParameters(
        _ archive: NPZArchive, layout: ParameterLayout, jsonPath: String, npzPath: String
    ) throws -> [Double] {
        let entries = arrayEntries(layout)
        let expectedNames = Set(entries.map(\.name))
        let unexpected = archive.names.filter { !expectedNames.contains($0) }
        guard unexpected.isEmpty else {
            throw CheckpointError(
                .unexpectedArray, path: jsonPath,
                "\(npzPath) holds \(quotedList(unexpected)), which the architecture has no place for. Expected "
                    + "exactly \(quotedList(entries.map(\.name))). Check the architecture or remove the extra arrays.")
        }
        var parameters = [Double](repeating: 0, count: layout.count)
        for entry in entries {
            let array = try checkedArray(entry, in: archive, jsonPath: jsonPath, npzPath: npzPath)
            parameters.replaceSubrange(entry.range, with: array.elements)
        }
        return parameters
    }

    private static func checkedArray(
        _ entry: ArrayEntry, in archive: NPZArchive, jsonPath: String, npzPath: String
    ) throws -> NDArray {
        guard let array = archive[entry.name] else {
            throw CheckpointError(
                .missingArray, path: jsonPath,
                "\(npzPath) has no array '\(entry.name)' (\(entry.role), shape \(entry.shape)); found "
                    + "\(quotedList(archive.names)). Export every layer under the names in docs/checkpoints.md.")
        }
        guard array.dataType.kind == .float else {
            throw CheckpointError(
                .unsupportedArrayType, path: jsonPath,
                "Array '\(entry.name)' holds \(array.dataType) values; parameters must be float64 (or float32). "
                    + "Save it with .astype(numpy.float64).")
        }
        guard array.shape == entry.shape else {
            let hint =
                array.shape == entry.shape.reversed() && entry.shape.count == 2
                ? " It looks transposed: PyTorch's nn.Linear stores outputs × inputs; export weight.T." : ""
            throw CheckpointError(
                .shapeMismatch, path: jsonPath,
                "Array '\(entry.name)' (\(entry.role)) has shape \(array.shape); expected \(entry.shape).\(hint)")
        }
        if let index = array.elements.firstIndex(where: { !$0.isFinite }) {
            throw CheckpointError(
                .nonFiniteParameter, path: jsonPath,
                "Array '\(entry.name)' holds \(array.elements[index]) at flat index \(index); parameters must be "
                    + "finite. Retrain the model, or export it from a run that stayed finite.")
        }
        return array
    }

    private static func quotedList(_ names: [String]) -> String {
        let shown = names.prefix(8).map { "'\($0)'" }.joined(separator: ", ")
        if names.isEmpty { return "no arrays" }
        return names.count > 8 ? "\(shown) and \(names.count - 8) more" : shown
    }

    /// The bytes of `path`, with a message fit for checkpoints when the file is missing.
    ///
    /// - Throws: `DataError.Code.fileNotFound` with `missing` as its detail; the other errors of
    ///   `DataFile.readBytes(_:)`.
    private static func readFile(_ path: String, missing: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DataError(.fileNotFound, path: path, missing)
        }
        return try DataFile.readBytes(path)
    }

    /// `relative` resolved against the directory of `jsonPath`; absolute paths stay as they are.
    private static func resolve(_ relative: String, besides jsonPath: String) -> String {
        guard !relative.hasPrefix("/") else { return relative }
        return URL(fileURLWithPath: jsonPath).deletingLastPathComponent().appendingPathComponent(relative).path
    }
}
