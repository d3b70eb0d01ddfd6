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
    /// improvements.
    static func changeBars(categories: [String], series: [BarSeries], title: String, valueLabel: String) -> String {
        let rowHeight = max(14, 6 + 9 * Double(series.count))
        let labelWidth = (categories.map { SVGCanvas.textWidth($0, size: 11) }.max() ?? 20) + 12
        let plotWidth = 360.0
        let top = 40.0
        var canvas = SVGCanvas(
            width: labelWidth + plotWidth + 170, height: top + rowHeight * Double(categories.count) + 34, label: title)
        let limit = max(series.flatMap(\.values).filter(\.isFinite).map(abs).max() ?? 0, 1e-300) * 1.05
        let zero = labelWidth + plotWidth / 2
        let scale = plotWidth / 2 / limit
        canvas.text(title, x: 2, y: 14, size: 13, bold: true)
        for (row, category) in categories.enumerated() {
            let y = top + Double(row) * rowHeight
            canvas.text(category, x: labelWidth - 6, y: y + rowHeight / 2 + 4, size: 11, anchor: "end")
            for (index, entry) in series.enumerated() where entry.values[row].isFinite {
                let value = entry.values[row]
                canvas.rectangle(
                    x: value < 0 ? zero + value * scale : zero, y: y + 3 + Double(index) * 9,
                    width: abs(value) * scale, height: 8, fill: entry.color,
                    title: "\(category), \(entry.name): \(String(format: "%+.4g", value))")
            }
        }
        let bottom = top + rowHeight * Double(categories.count)
        canvas.line(from: (zero, top - 4), to: (zero, bottom), stroke: "#555")
        canvas.text("−\(shortValue(limit))", x: labelWidth, y: bottom + 14, size: 9, anchor: "middle")
        canvas.text("+\(shortValue(limit))", x: labelWidth + plotWidth, y: bottom + 14, size: 9, anchor: "middle")
        canvas.text(valueLabel, x: zero, y: bottom + 28, size: 10, anchor: "middle", color: "#555")
        for (index, entry) in series.enumerated() {
            let y = top + 10 + Double(index) * 18
            canvas.rectangle(x: labelWidth + plotWidth + 16, y: y - 8, width: 10, height: 10, fill: entry.color)
            canvas.text(entry.name, x: labelWidth + plotWidth + 30, y: y + 1, size: 11)
        }
        return canvas.markup
    }
}
