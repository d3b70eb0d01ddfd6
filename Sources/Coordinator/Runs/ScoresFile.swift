import Foundation
import Shared

/// The scores of a distributed run, written into their place in `scores.npy` as shards arrive,
/// so that the coordinator never rewrites the matrix and a restarted coordinator resumes
/// without recomputing finished shards.
///
/// Files in the run directory:
/// - `.scores.npy.partial`: a complete `.npy` of `N × Q` float64 from the start (the header,
///   then zeros until shards fill them); `finish()` gives it the name `scores.npy` too.
/// - `shards/context.sha256`: the run's context digest (model, parameters, inverse-Hessian
///   products, convention) and the matrix shape. A partial file of another context or shape
///   is stale and is started afresh, never mixed in.
/// - `shards/done`: one line per finished shard, `job tasks first end` (tasks joined by `+`),
///   appended only after the shard's rows were written. A line cut short by a crash is
///   ignored; its shard runs again.
///
/// Resumption survives the coordinator's death (SIGKILL, a crash, running out of memory): the
/// written rows are in the operating system's cache. It does not promise them after a power
/// loss, which would need an fsync per shard.
///
/// - Important: Used by one thread, the one that runs the scheduler.
final class ScoresFile {
    let directory: URL
    let shape: (rows: Int, columns: Int)
    private let partialURL: URL
    private let journalURL: URL
    private let headerLength: Int
    private let descriptor: Int32
    private var journal: FileHandle

    /// Opens the run's partial scores file, keeping it when it belongs to `contextDigest` and
    /// this shape, creating it otherwise.
    ///
    /// - Throws: `RunStoreError` when a file cannot be created, opened or sized.
    init(runDirectory: URL, contextDigest: String, rows: Int, columns: Int) throws {
        directory = runDirectory
        shape = (rows, columns)
        let shards = runDirectory.appendingPathComponent("shards")
        partialURL = runDirectory.appendingPathComponent(".scores.npy.partial")
        journalURL = shards.appendingPathComponent("done")
        let header = NPYFormat.header(dataType: .float64, shape: [rows, columns])
        headerLength = header.count
        try RunFiles.createDirectory(shards)

        let stampURL = shards.appendingPathComponent("context.sha256")
        let stamp = "\(contextDigest) \(rows)x\(columns)\n"
        let size = headerLength + rows * columns * MemoryLayout<Double>.size
        let isCurrent =
            (try? String(contentsOf: stampURL, encoding: .utf8)) == stamp
            && (try? FileManager.default.attributesOfItem(atPath: partialURL.path)[.size] as? Int) == size
        if !isCurrent {
            try? FileManager.default.removeItem(at: journalURL)
            try? FileManager.default.removeItem(at: partialURL)
        }
        descriptor = try Self.open(partialURL, size: size, header: isCurrent ? nil : header)
        if !isCurrent {
            try RunFiles.writeAtomically(stampURL) { try Data(stamp.utf8).write(to: URL(fileURLWithPath: $0)) }
        }
        journal = try Self.openJournal(journalURL)
    }

    deinit {
        try? journal.close()
        close(descriptor)
    }

    /// The shards recorded as finished whose description matches `plan`, by job id.
    func finishedJobs(plan: [ScoreShard]) -> Set<UInt64> {
        guard let text = try? String(contentsOf: journalURL, encoding: .utf8) else { return [] }
        var finished = Set<UInt64>()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            guard let (jobID, shard) = Self.parse(line), jobID < UInt64(plan.count), plan[Int(jobID)] == shard
            else { continue }
            finished.insert(jobID)
        }
        return finished
    }

    /// Every score written so far (zeros where no shard has landed yet).
    ///
    /// - Throws: `RunStoreError` when the file cannot be read.
    func readValues() throws -> Matrix {
        var values = Matrix(rows: shape.rows, columns: shape.columns)
        try values.elements.withUnsafeMutableBytes { buffer in
            try Self.readFully(descriptor, into: buffer, at: headerLength, path: partialURL.path)
        }
        return values
    }

    /// Writes one shard's scores into their rows, then records the shard as finished.
    ///
    /// - Parameters:
    ///   - scoreBytes: the shard's `(tasks · n) × Q` doubles, task by task, as
    ///     `ScoreShardJob.withResult` lends them.
    ///   - taskOffsets: the first row of each train task in the matrix.
    /// - Throws: `RunStoreError` when the disk refuses the write (full, read-only).
    func write(jobID: UInt64, shard: ScoreShard, scoreBytes: UnsafeRawBufferPointer, taskOffsets: [Int]) throws {
        let rowBytes = shape.columns * MemoryLayout<Double>.size
        let blockBytes = shard.examples.count * rowBytes
        for (index, task) in shard.tasks.enumerated() {
            let offset = headerLength + (taskOffsets[task] + shard.examples.lowerBound) * rowBytes
            let block = UnsafeRawBufferPointer(rebasing: scoreBytes[(index * blockBytes)...].prefix(blockBytes))
            try Self.writeFully(descriptor, block, at: offset, path: partialURL.path)
        }
        let tasks = shard.tasks.map(String.init).joined(separator: "+")
        let line = "\(jobID) \(tasks) \(shard.examples.lowerBound) \(shard.examples.upperBound)\n"
        do {
            try journal.write(contentsOf: Data(line.utf8))
        } catch {
            throw RunStoreError("Cannot record a finished shard in \(journalURL.path): \(error.localizedDescription)")
        }
    }

    /// Flushes the scores to disk and puts them in place as `scores.npy`.
    ///
    /// `scores.npy` becomes a second name (a hard link) of the partial file, swapped in by
    /// rename(2), so readers never see a half-filled matrix. The partial file and the journal
    /// stay: running the same command again finds every shard done and only rewrites the
    /// summaries. A later run of another context replaces the partial file by a new one and
    /// leaves this `scores.npy` untouched until its own `finish`.
    ///
    /// - Throws: `RunStoreError` when the flush, the link or the rename fails.
    func finish() throws {
        guard fsync(descriptor) == 0 else {
            throw RunStoreError("Cannot flush \(partialURL.path): \(String(cString: strerror(errno))).")
        }
        let destination = directory.appendingPathComponent("scores.npy")
        let link = directory.appendingPathComponent(".scores.npy.link")
        try? FileManager.default.removeItem(at: link)
        guard Glibc.link(partialURL.path, link.path) == 0, rename(link.path, destination.path) == 0 else {
            throw RunStoreError(
                "Cannot put \(partialURL.path) in place as \(destination.path): \(String(cString: strerror(errno))).")
        }
    }

    // MARK: - Journal lines

    private static func parse(_ line: Substring) -> (UInt64, ScoreShard)? {
        let fields = line.split(separator: " ")
        guard fields.count == 4, let jobID = UInt64(fields[0]), let first = Int(fields[2]), let end = Int(fields[3]),
            first <= end
        else { return nil }
        let tasks = fields[1].split(separator: "+").compactMap { Int($0) }
        guard !tasks.isEmpty, tasks.count == fields[1].split(separator: "+").count else { return nil }
        return (jobID, ScoreShard(tasks: tasks, examples: first..<end))
    }

    // MARK: - System calls

    /// Opens (creating) the scores file at its full size; writes `header` when given.
    private static func open(_ url: URL, size: Int, header: [UInt8]?) throws -> Int32 {
        let descriptor = Glibc.open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw RunStoreError("Cannot open \(url.path): \(String(cString: strerror(errno))).")
        }
        guard ftruncate(descriptor, off_t(size)) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw RunStoreError("Cannot size \(url.path) to \(size) bytes: \(reason).")
        }
        if let header {
            try header.withUnsafeBytes { try writeFully(descriptor, $0, at: 0, path: url.path) }
        }
        return descriptor
    }

    private static func openJournal(_ url: URL) throws -> FileHandle {
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw RunStoreError("Cannot create \(url.path).")
            }
        }
        do {
            // Drop a line cut short by a crash, so that the next line does not continue it.
            let contents = try Data(contentsOf: url)
            let whole = contents.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            let handle = try FileHandle(forWritingTo: url)
            try handle.truncate(atOffset: UInt64(whole))
            try handle.seekToEnd()
            return handle
        } catch {
            throw RunStoreError("Cannot open \(url.path) for appending: \(error.localizedDescription)")
        }
    }

    private static func writeFully(
        _ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int, path: String
    )
        throws
    {
        var done = 0
        while done < bytes.count {
            let written = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                throw RunStoreError(
                    "Cannot write \(bytes.count) bytes at \(offset) in \(path): \(String(cString: strerror(errno))).")
            }
            done += written
        }
    }

    private static func readFully(
        _ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int, path: String
    ) throws {
        var done = 0
        while done < buffer.count {
            let read = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else {
                throw RunStoreError("Cannot read \(buffer.count) bytes at \(offset) of \(path): the file is short.")
            }
            done += read
        }
    }
}
