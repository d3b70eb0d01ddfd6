import Foundation
import Shared

/// The charts of `mtif report`, each a pure function from numbers to one SVG element.
enum ReportCharts {
    /// A K × K heatmap with task names on both axes, values in every cell's tooltip (and printed
    /// when the matrix is small), and a colour legend.
    ///
    /// - Parameters:
    ///   - values: row-major `rowNames.count × columnNames.count`.
    ///   - rowAxis, columnAxis: what the axes are, e.g. "train task l", "query task k".
    static func heatmap(
        values: [[Double]], rowNames: [String], columnNames: [String], rowAxis: String, columnAxis: String
    ) -> String {
        let cell = max(14, min(44, 520 / Double(max(columnNames.count, 1))))
        let labelSpace = 8 * Double((rowNames + columnNames).map(\.count).max() ?? 4) + 24
        let width = labelSpace + cell * Double(columnNames.count) + 90
        let height = labelSpace + cell * Double(rowNames.count) + 30
        var canvas = SVGCanvas(width: width, height: height)
        let scale = DivergingColorScale(values: values.flatMap { $0 })
        for (row, rowValues) in values.enumerated() {
            for (column, value) in rowValues.enumerated() {
                let x = labelSpace + Double(column) * cell
                let y = labelSpace + Double(row) * cell
                canvas.rectangle(
                    x: x, y: y, width: cell - 1, height: cell - 1, fill: scale.color(value),
                    title: "\(rowNames[row]) → \(columnNames[column]): \(String(format: "%.4g", value))")
                if cell >= 36 {
                    canvas.text(shortValue(value), x: x + cell / 2, y: y + cell / 2 + 3, size: 9, anchor: "middle")
                }
            }
        }
        drawAxisLabels(&canvas, rowNames: rowNames, columnNames: columnNames, origin: labelSpace, cell: cell)
        canvas.text(rowAxis + " ↓", x: 4, y: labelSpace - 6, size: 11)
        canvas.text(columnAxis + " →", x: labelSpace, y: 12, size: 11)
        drawLegend(&canvas, scale: scale, x: labelSpace + cell * Double(columnNames.count) + 20, y: labelSpace)
        return canvas.markup
    }

    private static func drawAxisLabels(
        _ canvas: inout SVGCanvas, rowNames: [String], columnNames: [String], origin: Double, cell: Double
    ) {
        for (row, name) in rowNames.enumerated() {
            canvas.text(name, x: origin - 6, y: origin + (Double(row) + 0.5) * cell + 4, anchor: "end")
        }
        for (column, name) in columnNames.enumerated() {
            canvas.text(name, x: origin + (Double(column) + 0.5) * cell + 4, y: origin - 6, rotated: true)
        }
    }

    private static func drawLegend(_ canvas: inout SVGCanvas, scale: DivergingColorScale, x: Double, y: Double) {
        let steps = 20
        for step in 0..<steps {
            let value = scale.limit * (1 - 2 * Double(step) / Double(steps - 1))
            canvas.rectangle(x: x, y: y + Double(step) * 8, width: 14, height: 8, fill: scale.color(value))
        }
        canvas.text("+\(shortValue(scale.limit)) harms", x: x + 18, y: y + 8, size: 9)
        canvas.text("0", x: x + 18, y: y + Double(steps) * 4 + 3, size: 9)
        canvas.text("−\(shortValue(scale.limit)) helps", x: x + 18, y: y + Double(steps) * 8, size: 9)
    }

    /// A scatter plot of predicted against actual values with the y = x line and Pearson's r.
    static func scatter(
        predicted: [Double], actual: [Double], xLabel: String, yLabel: String, title: String
    ) -> String {
        let size = 300.0
        let margin = 46.0
        var canvas = SVGCanvas(width: size + 2 * margin, height: size + 2 * margin)
        let all = (predicted + actual).filter(\.isFinite)
        let low = all.min() ?? 0
        let high = max(all.max() ?? 1, low + 1e-300)
        let position = { (value: Double) in (value - low) / (high - low) * size }
        canvas.rectangle(x: margin, y: margin, width: size, height: size, fill: "#fafafa")
        canvas.line(from: (margin, margin + size), to: (margin + size, margin), stroke: "#999")
        for (x, y) in zip(predicted, actual) where x.isFinite && y.isFinite {
            canvas.circle(
                x: margin + position(x), y: margin + size - position(y), radius: 2.5, fill: "#c0392b", opacity: 0.6)
        }
        canvas.text(title, x: margin, y: 16, size: 12)
        canvas.text(xLabel, x: margin + size / 2, y: size + 2 * margin - 8, anchor: "middle")
        canvas.text(yLabel, x: 14, y: margin + size / 2, anchor: "middle", rotated: true)
        canvas.text(shortValue(low), x: margin, y: margin + size + 14, size: 9)
        canvas.text(shortValue(high), x: margin + size, y: margin + size + 14, size: 9, anchor: "end")
        canvas.text(
            "r = \(String(format: "%.3f", Statistics.pearson(predicted, actual)))", x: margin + 6, y: margin + 14)
        return canvas.markup
    }

    /// Small histograms of scores, one per (train task, query task) pair, in a grid.
    static func distributionGrid(
        scores: [[[Double]]], rowNames: [String], columnNames: [String], bins: Int = 24
    ) -> String {
        let cell = max(40, min(90, 720 / Double(max(columnNames.count, 1))))
        let labelSpace = 8 * Double((rowNames + columnNames).map(\.count).max() ?? 4) + 24
        var canvas = SVGCanvas(
            width: labelSpace + cell * Double(columnNames.count) + 10,
            height: labelSpace + cell * Double(rowNames.count) + 10)
        let limit = scores.flatMap { $0.flatMap { $0 } }.filter(\.isFinite).map(abs).max() ?? 1
        for (row, rowScores) in scores.enumerated() {
            for (column, values) in rowScores.enumerated() {
                let x = labelSpace + Double(column) * cell
                let y = labelSpace + Double(row) * cell
                drawHistogram(&canvas, values: values, limit: limit, bins: bins, frame: (x, y, cell - 4))
            }
        }
        drawAxisLabels(&canvas, rowNames: rowNames, columnNames: columnNames, origin: labelSpace, cell: cell)
        return canvas.markup
    }

    private static func drawHistogram(
        _ canvas: inout SVGCanvas, values: [Double], limit: Double, bins: Int, frame: (Double, Double, Double)
    ) {
        let (x, y, size) = frame
        canvas.rectangle(x: x, y: y, width: size, height: size, fill: "#f4f4f4")
        canvas.line(from: (x + size / 2, y), to: (x + size / 2, y + size), stroke: "#bbb", width: 0.5)
        var counts = [Int](repeating: 0, count: bins)
        for value in values where value.isFinite {
            let bin = Int(((value / limit + 1) / 2 * Double(bins)).rounded(.down))
            counts[max(0, min(bins - 1, bin))] += 1
        }
        let tallest = Double(counts.max() ?? 1)
        for (bin, count) in counts.enumerated() where count > 0 {
            let height = Double(count) / tallest * (size - 2)
            let fill = bin >= bins / 2 ? "#c0392b" : "#2e6fb7"
            canvas.rectangle(
                x: x + Double(bin) * size / Double(bins), y: y + size - height, width: size / Double(bins),
                height: height,
                fill: fill, title: "\(count) examples")
        }
    }

    static func shortValue(_ value: Double) -> String {
        String(format: "%.2g", value)
    }
}
