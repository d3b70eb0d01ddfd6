import Dispatch
import Foundation

/// Matrices whose rows are independent computations, run on every core at once.
///
/// Each row is computed by itself on one thread, with OpenBLAS held to one thread meanwhile so
/// that the row tasks do not oversubscribe the cores, and written to its own slice of the
/// result. No value is shared between rows, so the result does not depend on how many cores
/// ran them or in which order.
enum ConcurrentRows {
    /// The `count × columns` matrix whose row i is `row(i)`.
    ///
    /// - Parameters:
    ///   - maximumConcurrency: most rows in flight at once; the machine's active processors by
    ///     default. With 1, or a single row, the rows run in order on this thread and BLAS keeps
    ///     its thread count.
    ///   - row: computes row i; called once per row, from several threads at once, so it must
    ///     not mutate shared state. Must return exactly `columns` values.
    /// - Important: changes OpenBLAS's process-wide thread count for the duration of the call;
    ///   do not run BLAS on another thread of this process meanwhile.
    static func matrix(
        count: Int, columns: Int, maximumConcurrency: Int = ProcessInfo.processInfo.activeProcessorCount,
        row: @Sendable (Int) -> [Double]
    ) -> Matrix {
        var result = Matrix(rows: count, columns: columns)
        guard count > 0, columns > 0 else { return result }
        let concurrency = min(count, maximumConcurrency)
        result.elements.withUnsafeMutableBufferPointer { buffer in
            let slices = RowSlices(base: buffer.baseAddress!, columns: columns)
            guard concurrency > 1 else {
                for index in 0..<count { slices.write(row(index), toRow: index) }
                return
            }
            let threads = BLASRuntime.threadCount
            BLASRuntime.setThreadCount(1)
            defer { BLASRuntime.setThreadCount(threads) }
            // Lane j computes rows j, j + concurrency, j + 2·concurrency, …: at most `concurrency`
            // rows in flight, and equal shares when the rows cost the same.
            DispatchQueue.concurrentPerform(iterations: concurrency) { lane in
                for index in stride(from: lane, to: count, by: concurrency) {
                    slices.write(row(index), toRow: index)
                }
            }
        }
        return result
    }
}

/// Disjoint rows of one buffer, written from several threads: row i is elements
/// [i·columns, (i+1)·columns), touched by exactly one writer.
private struct RowSlices: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
    let columns: Int

    func write(_ values: [Double], toRow index: Int) {
        precondition(values.count == columns, "Row \(index) has \(values.count) values; expected \(columns)")
        values.withUnsafeBufferPointer { source in
            (base + index * columns).update(from: source.baseAddress!, count: columns)
        }
    }
}
