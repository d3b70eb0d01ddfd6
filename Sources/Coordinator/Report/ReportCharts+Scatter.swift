import Foundation
import Shared

/// One group of (predicted, actual) pairs in a scatter plot, drawn in its own colour.
struct ScatterSeries {
    var name: String
    var color: String
    var predicted: [Double]
    var actual: [Double]
}

extension ReportCharts {
    /// Above this many points a scatter plot bins them into a grid instead of drawing each one.
    static let largestPointCount = 3000

    /// Predicted against actual values with the y = x line, one colour per series, and Pearson's
    /// r and Spearman's ρ over all pairs.
    ///
    /// Both axes share one range, so points on the diagonal are predictions that match exactly.
    /// Beyond `largestPointCount` points the plot shows how many fall in each cell of a 50 × 50
    /// grid, keeping the file small for any number of pairs.
    static func scatter(series: [ScatterSeries], title: String, xLabel: String, yLabel: String) -> String {
        let (size, margin) = (320.0, 56.0)
        var canvas = SVGCanvas(width: size + margin + 150, height: size + 72, label: title)
        let predicted = series.flatMap(\.predicted)
        let actual = series.flatMap(\.actual)
        let range = sharedRange(predicted + actual)
        let plot = PlotArea(x: margin, y: 28, size: size, low: range.0, high: range.1)
        canvas.text(title, x: 2, y: 14, size: 13, bold: true)
        drawFrame(&canvas, plot, xLabel: xLabel, yLabel: yLabel)
        if predicted.count > largestPointCount {
            drawDensity(&canvas, plot, predicted: predicted, actual: actual)
        } else {
            for entry in series {
                for (x, y) in zip(entry.predicted, entry.actual) where x.isFinite && y.isFinite {
                    canvas.circle(x: plot.x(x), y: plot.y(y), radius: 2.6, fill: entry.color, opacity: 0.65)
                }
            }
        }
        drawKey(&canvas, series: series, x: plot.left + size + 14, y: plot.top + 10)
        return canvas.markup
    }

    /// Where values land in a square plot whose axes both span [low, high].
    struct PlotArea {
        let left: Double
        let top: Double
        let size: Double
        let low: Double
        let high: Double

        init(x: Double, y: Double, size: Double, low: Double, high: Double) {
            (left, top, self.size, self.low, self.high) = (x, y, size, low, high)
        }

        func x(_ value: Double) -> Double { left + (value - low) / (high - low) * size }
        func y(_ value: Double) -> Double { top + size - (value - low) / (high - low) * size }
    }

    /// The finite range of `values` padded by 5% on each side; [−1, 1] when there is none.
    static func sharedRange(_ values: [Double]) -> (Double, Double) {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return (-1, 1) }
        let pad = high > low ? (high - low) * 0.05 : max(abs(high), 1) * 0.05
        return (low - pad, high + pad)
    }

    private static func drawFrame(_ canvas: inout SVGCanvas, _ plot: PlotArea, xLabel: String, yLabel: String) {
        let (left, top, size) = (plot.left, plot.top, plot.size)
        canvas.rectangle(x: left, y: top, width: size, height: size, fill: "#fafafa", stroke: "#ccc")
        if plot.low < 0, plot.high > 0 {
            canvas.line(from: (plot.x(0), top), to: (plot.x(0), top + size), stroke: "#ccc", dashed: true)
            canvas.line(from: (left, plot.y(0)), to: (left + size, plot.y(0)), stroke: "#ccc", dashed: true)
        }
        canvas.line(from: (left, top + size), to: (left + size, top), stroke: "#888")
        canvas.text("y = x", x: left + size - 4, y: top + 14, size: 9, anchor: "end", color: "#888")
        for value in [plot.low, plot.high] {
            canvas.text(shortValue(value), x: plot.x(value), y: top + size + 13, size: 9, anchor: "middle")
            canvas.text(shortValue(value), x: left - 4, y: plot.y(value) + 3, size: 9, anchor: "end")
        }
        canvas.text(xLabel, x: left + size / 2, y: top + size + 32, anchor: "middle")
        canvas.text(yLabel, x: left - 34, y: top + size / 2, anchor: "middle", angle: -90)
    }

    /// Counts of pairs in a 50 × 50 grid, a darker slate for more (on a logarithmic ramp).
    private static func drawDensity(_ canvas: inout SVGCanvas, _ plot: PlotArea, predicted: [Double], actual: [Double])
    {
        let cells = 50
        var counts = [Int](repeating: 0, count: cells * cells)
        let position = { (value: Double) in
            max(0, min(cells - 1, Int(((value - plot.low) / (plot.high - plot.low) * Double(cells)).rounded(.down))))
        }
        for (x, y) in zip(predicted, actual) where x.isFinite && y.isFinite {
            counts[position(y) * cells + position(x)] += 1
        }
        let largest = log(Double(counts.max() ?? 1) + 1)
        let step = plot.size / Double(cells)
        for (index, count) in counts.enumerated() where count > 0 {
            let shade = 0.2 + 0.8 * log(Double(count) + 1) / largest
            let (red, green, blue) = (Int(225 - 190 * shade), Int(225 - 185 * shade), Int(235 - 165 * shade))
            canvas.rectangle(
                x: plot.left + Double(index % cells) * step, y: plot.top + plot.size - Double(index / cells + 1) * step,
                width: step, height: step, fill: String(format: "#%02x%02x%02x", red, green, blue),
                title: "\(count) pairs")
        }
        canvas.text(
            "\(predicted.count) pairs binned 50 × 50; darker: more", x: plot.left + 6, y: plot.top + 14, size: 9.5,
            color: "#555")
    }

    /// The series' colours and names, each with its count and Pearson's r.
    private static func drawKey(_ canvas: inout SVGCanvas, series: [ScatterSeries], x: Double, y: Double) {
        for (index, entry) in series.enumerated() {
            let top = y + Double(index) * 34
            canvas.circle(x: x + 5, y: top - 4, radius: 4, fill: entry.color)
            canvas.text(entry.name, x: x + 14, y: top, size: 11)
            canvas.text(
                "n = \(entry.predicted.count), r = \(correlation(entry.predicted, entry.actual, Statistics.pearson))",
                x: x + 14, y: top + 14, size: 9.5, color: "#555")
        }
    }

    /// A correlation to three decimals, or "n/a" when it is undefined (fewer than two pairs or a
    /// constant side).
    static func correlation(
        _ x: [Double], _ y: [Double], _ measure: ([Double], [Double]) -> Double
    ) -> String {
        let value = x.count >= 2 ? measure(x, y) : .nan
        return value.isFinite ? String(format: "%.3f", value) : "n/a"
    }
}
