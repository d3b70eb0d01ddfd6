import Foundation
import Synchronization

/// Where workers get a shard's inputs and targets.
public enum ShardDataSource: Sendable, Equatable {
    /// In every job's payload: workers need no copy of the dataset and no shared filesystem,
    /// and their memory does not grow with the data. Costs n × d values on the wire per shard
    /// (per round, for conjugate gradient's curvature products). `retrain` jobs, which each
    /// need the whole training split, receive it once per worker as a context blob instead.
    case sentWithShards
    /// From the dataset, which each worker loads once, from its own data directory or the same
    /// file path, and checks against the fingerprint; payloads then carry only the shard's
    /// position. Workers hold the whole training split.
    case loadedByWorkers(DatasetRequest, fingerprint: String, split: Split)
}

/// The `shard.dataset` context blob and the shard data part of `score-shard` and
/// `curvature-shard` payloads.
///
/// Payload part: a mode byte, 0 for rows sent with the shard (then the inputs n × d and the
/// targets tasks × n as `WireMatrix` blobs), 1 for rows the worker takes from the dataset named
/// by the run's `shard.dataset` blob (JSON: request, fingerprint, split).
enum ShardData {
    static let datasetBlobName = "shard.dataset"

    /// The `shard.dataset` blob, when workers load the dataset.
    static func contextBlobs(_ source: ShardDataSource) -> [ContextBlob] {
        guard case .loadedByWorkers(let request, let fingerprint, let split) = source else { return [] }
        let reference = DatasetReference(request: request, fingerprint: fingerprint, split: split.rawValue)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return [ContextBlob(name: datasetBlobName, bytes: Array((try? encoder.encode(reference)) ?? Data()))]
    }

    /// Appends a shard's data: the mode byte, then its rows when they are sent.
    static func append(
        _ shard: ScoreShard, objective: MultitaskObjective, source: ShardDataSource, to writer: inout WireWriter
    ) {
        guard source == .sentWithShards else { return writer.append(UInt8(1)) }
        let (features, targets) = rows(of: shard, in: objective.dataset[objective.trainingSplit])
        writer.append(UInt8(0))
        writer.appendBlob(WireMatrix.encode(features))
        writer.appendBlob(WireMatrix.encode(targets))
    }

    /// A shard's inputs (n × d) and targets (tasks × n) in a split. Tasks of one shard share
    /// their inputs (the shared-inputs layout), so the first task's rows serve all.
    ///
    /// - Precondition: the shard's tasks and examples exist in `split`.
    static func rows(of shard: ScoreShard, in split: SplitData) -> (features: Matrix, targets: Matrix) {
        let rows = shard.examples.map { split.tasks[shard.tasks[0]].rows[$0] }
        let targets = shard.tasks.flatMap { task in shard.examples.map { split.tasks[task].targets[$0] } }
        return (
            split.features.rows(at: rows),
            Matrix(rows: shard.tasks.count, columns: shard.examples.count, elements: targets)
        )
    }

    /// Reads a shard's data on a worker: from the payload, or from the run's dataset.
    ///
    /// - Throws: `WireError` for a payload that does not decode; `JobHandlerError`
    ///   `.invalidPayload` for a shard outside the dataset, `.missingContext` without the
    ///   dataset blob, and a failure when the worker cannot load the dataset or its
    ///   fingerprint differs from the coordinator's.
    static func read(
        _ shard: ScoreShard, from reader: inout WireReader, context: WorkerContext, datasets: WorkerDatasets
    ) throws -> (features: Matrix, targets: Matrix) {
        switch try reader.read(UInt8.self, "shard data mode") {
        case 0:
            let features = try WireMatrix.decode(try reader.readBlob("shard inputs"), field: "shard inputs")
            let targets = try WireMatrix.decode(try reader.readBlob("shard targets"), field: "shard targets")
            return (features, targets)
        case 1:
            let split = try datasets.split(for: context)
            guard shard.tasks.allSatisfy({ $0 >= 0 && $0 < split.tasks.count }),
                shard.tasks.allSatisfy({ shard.examples.upperBound <= split.tasks[$0].count })
            else {
                throw JobHandlerError(.invalidPayload, "Shard \(shard) lies outside the dataset's examples.")
            }
            return rows(of: shard, in: split)
        case let mode:
            throw WireError.malformed("shard data mode", expected: "0 (sent) or 1 (loaded)", found: "\(mode)")
        }
    }
}

/// The dataset a run's workers load, as the `shard.dataset` blob names it.
struct DatasetReference: Codable, Equatable {
    var request: DatasetRequest
    var fingerprint: String
    var split: String
}

/// Datasets a worker loaded for `shard.dataset` runs, by fingerprint: loaded once, checked
/// once, shared by every job kind of the worker.
public final class WorkerDatasets: Sendable {
    let dataDirectory: DataDirectory
    private let loaded = Mutex<[String: MultitaskDataset]>([:])

    /// - Parameter dataDirectory: where this worker finds built-in datasets' files.
    public init(dataDirectory: DataDirectory) {
        self.dataDirectory = dataDirectory
    }

    /// The split the run's `shard.dataset` blob names, loading the dataset the first time.
    func split(for context: WorkerContext) throws -> SplitData {
        let reference: DatasetReference
        do {
            reference = try JSONDecoder().decode(
                DatasetReference.self, from: Data(try context.blob(named: ShardData.datasetBlobName)))
        } catch let error as JobHandlerError {
            throw error
        } catch {
            throw JobHandlerError(.invalidPayload, "shard.dataset does not name a dataset: \(error)")
        }
        guard let split = Split(rawValue: reference.split) else {
            throw JobHandlerError(.invalidPayload, "shard.dataset names an unknown split '\(reference.split)'.")
        }
        return try dataset(reference)[split]
    }

    private func dataset(_ reference: DatasetReference) throws -> MultitaskDataset {
        if let dataset = loaded.withLock({ $0[reference.fingerprint] }) { return dataset }
        let dataset: MultitaskDataset
        do {
            dataset = try reference.request.load(dataDirectory: dataDirectory)
        } catch {
            throw JobHandlerError(
                .remote,
                "This worker cannot load the dataset '\(reference.request.description)' from "
                    + "\(dataDirectory.path): \(error). Give the worker --data-dir, or run the "
                    + "coordinator with --worker-data send.")
        }
        let fingerprint = dataset.fingerprint()
        guard fingerprint == reference.fingerprint else {
            throw JobHandlerError(
                .remote,
                "The dataset '\(reference.request.description)' this worker loaded has fingerprint \(fingerprint); "
                    + "the coordinator's has \(reference.fingerprint). The files differ between the machines.")
        }
        loaded.withLock { $0[reference.fingerprint] = dataset }
        return dataset
    }
}
