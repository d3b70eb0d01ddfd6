import Foundation
import Shared

/// Finished retrainings on disk, so that a coordinator killed in the middle of a batch and run
/// again retrains only what was not finished.
///
/// One file per retraining, `KEY.result` with KEY the hexadecimal `RetrainingPlan` key (a
/// SHA-256 over the model, warm start, objective, trainer, data and request): the magic
/// `mtif-retrain-result-1`, the key's 32 bytes, the SHA-256 of the result, then the result
/// exactly as a `retrain` job returns it. Each file is written beside its place, flushed with
/// fsync and renamed into place, so it is complete or absent whatever the moment of a crash.
/// When a result is read, its digest is checked and it is decoded and checked as a worker's
/// result would be; one that fails either check is reported, retrained and replaced, never
/// used. Results of other problems never match a key, so one directory serves any number of
/// batches.
///
/// - Important: Used by one thread at a time.
final class RetrainingJournal {
    let directory: URL
    private static let magic = Array("mtif-retrain-result-1".utf8)

    /// The journal in `directory`, which is created with the first record.
    init(directory: URL) {
        self.directory = directory
    }

    /// The results already in the journal for the plan's distinct requests, by position.
    ///
    /// A file that does not decode as a result of its request is reported and left out.
    func finishedResults(of plan: RetrainingPlan, logger: Logger) -> [Int: TrainedParameters] {
        var results: [Int: TrainedParameters] = [:]
        for (index, key) in plan.keys.enumerated() {
            guard let bytes = FileManager.default.contents(atPath: url(for: key).path) else { continue }
            do {
                let payload = try Self.payload(of: [UInt8](bytes), key: key)
                results[index] = try plan.decode(jobID: UInt64(index), payload: payload).result
            } catch {
                logger.warning(
                    "journal entry unusable; retraining again", ["file": url(for: key).path, "reason": "\(error)"])
            }
        }
        return results
    }

    /// Records one finished retraining durably.
    ///
    /// - Parameter payload: the result as the `retrain` job encodes it.
    /// - Throws: `RunStoreError` when the directory or the file cannot be created, or the file
    ///   cannot be written, flushed or renamed.
    func record(_ payload: [UInt8], for key: WireDigest) throws {
        try RunFiles.createDirectory(directory)
        let destination = url(for: key)
        try RunFiles.writeAtomically(destination) { temporary in
            try Self.writeFlushed(
                Self.magic + key.bytes + WireDigest.sha256(of: payload).bytes + payload, to: temporary)
        }
    }

    /// The number of results recorded.
    var count: Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".result") && !$0.hasPrefix(".") }.count
    }

    private func url(for key: WireDigest) -> URL {
        directory.appendingPathComponent("\(key.hex).result")
    }

    /// The result in a journal file, after its magic, key and digest are checked.
    ///
    /// - Throws: `RunStoreError` saying which check failed.
    private static func payload(of bytes: [UInt8], key: WireDigest) throws -> [UInt8] {
        let header = magic + key.bytes
        let start = header.count + WireDigest.length
        guard bytes.count > start, Array(bytes.prefix(header.count)) == header else {
            throw RunStoreError("Not a retraining result of key \(key.hex): its header differs.")
        }
        let payload = Array(bytes[start...])
        guard WireDigest.sha256(of: payload).bytes == Array(bytes[header.count..<start]) else {
            throw RunStoreError("The result of key \(key.hex) does not match its SHA-256: the file was altered.")
        }
        return payload
    }

    /// Writes `bytes` to a new file at `path` and flushes it to the disk.
    private static func writeFlushed(_ bytes: [UInt8], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw RunStoreError("Cannot create \(path): \(String(cString: strerror(errno))).")
        }
        defer { close(descriptor) }
        var done = 0
        while done < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + done, bytes.count - done) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                throw RunStoreError(
                    "Cannot write \(bytes.count) bytes to \(path): \(String(cString: strerror(errno))).")
            }
            done += written
        }
        guard fsync(descriptor) == 0 else {
            throw RunStoreError("Cannot flush \(path): \(String(cString: strerror(errno))).")
        }
    }
}
