import Foundation
import Shared

extension ReportCharts {
    /// Bins per histogram; even, so that zero is a bin edge and every bin lies on one side of it.
    static let histogramBins = 24

    /// Small histograms of instance scores, one per (train task l, query task k) pair: row l,
    /// column k, the scores of task l's training examples for query k.
    ///
    /// Each column shares one horizontal scale, symmetric about zero and spanning ± the 97.5th
    /// percentile of |score| in that column, so the train tasks of one query compare directly
    /// while the heavy tails of influence scores do not squeeze the rest into the middle bins;
    /// scores beyond the range fall in the edge bins, drawn darker. Bar heights are the square
    /// root of the count relative to the tallest bin of each histogram, so that sparse tails stay
    /// visible. The drawing holds at most K² × (bins + 1) rectangles, whatever the number of
    /// examples.
    ///
    /// - Parameter scores: `scores[l][k]`, the scores of train task l's examples for query k.
    /// - Complexity: O(N log N) for the percentiles, N the number of scores.
    static func distributionGrid(scores: [[[Double]]], rowNames: [String], columnNames: [String]) -> String {
        let cell = max(44, min(80, 900 / Double(max(columnNames.count, 1))))
        let layout = HeatmapLayout(rows: rowNames, columns: columnNames, cell: cell, legendWidth: 12, captionHeight: 20)
        var canvas = SVGCanvas(width: layout.width, height: layout.height, label: "Score distributions")
        let limits = columnNames.indices.map { column in
            symmetricLimit(scores.flatMap { $0[column] })
        }
        canvas.text("Instance scores by (train task, query task)", x: 2, y: 14, size: 13, bold: true)
        for (row, rowScores) in scores.enumerated() {
            for (column, values) in rowScores.enumerated() {
                let frame = Frame(
                    x: layout.left + Double(column) * cell, y: layout.top + Double(row) * cell, size: cell - 5)
                let pair = "\(rowNames[row]) → \(columnNames[column])"
                drawHistogram(
                    &canvas, values: values, limit: limits[column], frame: frame, pair: pair,
                    isWithinTask: rowNames[row] == columnNames[column])
            }
        }
        drawAxisLabels(&canvas, rowNames: rowNames, columnNames: columnNames, layout)
        drawColumnRanges(&canvas, limits: limits, layout: layout)
        canvas.text("query task k →", x: layout.left, y: 32, size: 11, color: "#555")
        canvas.text("train task l →", x: 14, y: layout.top, size: 11, anchor: "end", angle: -90, color: "#555")
        return canvas.markup
    }

    /// A square region of a chart.
    struct Frame {
        var x: Double
        var y: Double
        var size: Double
    }

    private static func drawHistogram(
        _ canvas: inout SVGCanvas, values: [Double], limit: Double, frame: Frame, pair: String, isWithinTask: Bool
    ) {
        let (x, y, size) = (frame.x, frame.y, frame.size)
        canvas.rectangle(
            x: x, y: y, width: size, height: size, fill: "#f3f3f3", stroke: isWithinTask ? "#333" : nil,
            title: "\(pair) (train → query): " + summary(values))
        canvas.line(from: (x + size / 2, y), to: (x + size / 2, y + size), stroke: "#aaa", width: 0.6)
        let counts = histogram(values, limit: limit, bins: histogramBins)
        let tallest = Double(counts.max() ?? 1).squareRoot()
        let width = size / Double(histogramBins)
        for (bin, count) in counts.enumerated() where count > 0 {
            let height = max(1, Double(count).squareRoot() / tallest * (size - 3))
            let isEdge = bin == 0 || bin == histogramBins - 1
            let harms = bin >= histogramBins / 2
            canvas.rectangle(
                x: x + Double(bin) * width, y: y + size - height, width: width, height: height,
                fill: harms ? (isEdge ? "#7f1d1d" : "#c0392b") : (isEdge ? "#173f73" : "#2e6fb7"),
                title: "\(pair): \(count) \(binRange(bin, limit: limit))")
        }
    }

    /// The scores a bin counts, as text: an interval, or "≥ limit" / "≤ −limit" at the edges.
    private static func binRange(_ bin: Int, limit: Double) -> String {
        let low = limit * (2 * Double(bin) / Double(histogramBins) - 1)
        let high = low + 2 * limit / Double(histogramBins)
        if bin == 0 { return "below \(shortValue(high))" }
        if bin == histogramBins - 1 { return "above \(shortValue(low))" }
        return "in [\(shortValue(low)), \(shortValue(high)))"
    }

    /// ± the horizontal range of each column, under the grid.
    private static func drawColumnRanges(_ canvas: inout SVGCanvas, limits: [Double], layout: HeatmapLayout) {
        let bottom = layout.height - 20
        for (column, limit) in limits.enumerated() {
            canvas.text(
                "±\(shortValue(limit))", x: layout.left + (Double(column) + 0.5) * layout.cell - 2, y: bottom + 12,
                size: 8.5, anchor: "middle", color: "#555")
        }
    }

    /// Counts of `values` in `bins` equal bins over [−limit, limit]; values beyond fall in the
    /// edge bins, non-finite values are skipped.
    static func histogram(_ values: [Double], limit: Double, bins: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: bins)
        for value in values where value.isFinite {
            let bin = Int(((value / limit + 1) / 2 * Double(bins)).rounded(.down))
            counts[max(0, min(bins - 1, bin))] += 1
        }
        return counts
    }

    /// The 97.5th percentile of |value|, or the largest |value| when that is zero, or 1.
    static func symmetricLimit(_ values: [Double]) -> Double {
        let magnitudes = values.filter(\.isFinite).map(abs).sorted()
        guard let largest = magnitudes.last, largest > 0 else { return 1 }
        let percentile = magnitudes[Int(Double(magnitudes.count - 1) * 0.975)]
        return percentile > 0 ? percentile : largest
    }

    /// Count, mean, sum, range and the share of harmful scores, for a tooltip.
    private static func summary(_ values: [Double]) -> String {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return "no scores" }
        let harmful = Double(finite.filter { $0 > 0 }.count) / Double(finite.count)
        return "\(finite.count) examples, mean \(String(format: "%.3g", Statistics.mean(finite))), "
            + "sum \(String(format: "%.3g", finite.reduce(0, +))), range [\(String(format: "%.3g", low)), "
            + "\(String(format: "%.3g", high))], \(String(format: "%.0f", harmful * 100))% harm"
    }
}
