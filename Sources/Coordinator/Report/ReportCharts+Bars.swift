import Foundation
import Shared

/// Values of one kind per category (task), drawn as bars of one colour.
struct BarSeries {
    var name: String
    var color: String
    var values: [Double]
}

extension ReportCharts {
    /// Horizontal bars of signed changes, one row per category and one bar per series, around a
    /// zero line in the middle.
    ///
    /// For selection results the changes are of a validation loss, so bars left of zero are
    /// improvements. One extreme series (dropping whole tasks can raise a loss a hundredfold)
    /// would flatten every other bar, so the axis ends at `axisLimit(_:)`; a bar beyond it is
    /// drawn to the edge with its value written beside it.
    static func changeBars(categories: [String], series: [BarSeries], title: String, valueLabel: String) -> String {
        let rowHeight = max(14, 6 + 9 * Double(series.count))
        let labelWidth = (categories.map { SVGCanvas.textWidth($0, size: 11) }.max() ?? 20) + 12
        let plotWidth = 360.0
        let top = 40.0
        let legendX = labelWidth + plotWidth + 44  // room for a clipped bar's value label
        let legendWidth = (series.map { SVGCanvas.textWidth($0.name, size: 11) }.max() ?? 0) + 30
        var canvas = SVGCanvas(
            width: legendX + legendWidth, height: top + rowHeight * Double(categories.count) + 34, label: title)
        let limit = axisLimit(series.flatMap(\.values))
        let zero = labelWidth + plotWidth / 2
        let scale = plotWidth / 2 / limit
        canvas.text(title, x: 2, y: 14, size: 13, bold: true)
        for (row, category) in categories.enumerated() {
            let y = top + Double(row) * rowHeight
            canvas.text(category, x: labelWidth - 6, y: y + rowHeight / 2 + 4, size: 11, anchor: "end")
            for (index, entry) in series.enumerated() where entry.values[row].isFinite {
                let value = entry.values[row]
                let shown = min(max(value, -limit), limit)
                let barY = y + 3 + Double(index) * 9
                canvas.rectangle(
                    x: shown < 0 ? zero + shown * scale : zero, y: barY, width: abs(shown) * scale, height: 8,
                    fill: entry.color, title: "\(category), \(entry.name): \(String(format: "%+.4g", value))")
                if shown != value {
                    canvas.text(
                        String(format: "%+.3g", value), x: zero + shown * scale + (value < 0 ? -3 : 3), y: barY + 7,
                        size: 8, anchor: value < 0 ? "end" : "start", color: entry.color)
                }
            }
        }
        let bottom = top + rowHeight * Double(categories.count)
        canvas.line(from: (zero, top - 4), to: (zero, bottom), stroke: "#555")
        canvas.text("−\(shortValue(limit))", x: labelWidth, y: bottom + 14, size: 9, anchor: "middle")
        canvas.text("+\(shortValue(limit))", x: labelWidth + plotWidth, y: bottom + 14, size: 9, anchor: "middle")
        canvas.text(valueLabel, x: zero, y: bottom + 28, size: 10, anchor: "middle", color: "#555")
        for (index, entry) in series.enumerated() {
            let y = top + 10 + Double(index) * 18
            canvas.rectangle(x: legendX, y: y - 8, width: 10, height: 10, fill: entry.color)
            canvas.text(entry.name, x: legendX + 14, y: y + 1, size: 11)
        }
        return canvas.markup
    }

    /// The axis half-width for `values`: the largest magnitude, unless it exceeds three times the
    /// 90th percentile of the magnitudes, in which case 1.5 times that percentile (the outliers
    /// are then clipped and labelled).
    static func axisLimit(_ values: [Double]) -> Double {
        let magnitudes = values.filter(\.isFinite).map(abs).sorted()
        guard let largest = magnitudes.last, largest > 0 else { return 1 }
        let percentile = magnitudes[Int((Double(magnitudes.count - 1) * 0.9).rounded(.down))]
        return (largest > 3 * percentile && percentile > 0 ? 1.5 * percentile : largest) * 1.05
    }
}
