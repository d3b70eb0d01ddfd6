import Foundation
import Shared

/// A K × K task matrix to draw as a heatmap: rows are train tasks l, columns query tasks k.
struct HeatmapSpecification {
    var title: String
    /// Row-major, `rowNames.count × columnNames.count`.
    var values: [[Double]]
    var rowNames: [String]
    var columnNames: [String]
    var rowAxis = "train task l (removed)"
    var columnAxis = "query task k (loss measured)"
    var positiveMeans = Effect.harms

    /// The values off the diagonal (l ≠ k), or every value when the matrix has no such entry.
    var betweenTaskValues: [Double] {
        let pairs = values.enumerated().flatMap { row, entries in
            entries.enumerated().compactMap { column, value in
                rowNames[row] == columnNames[column] ? nil : value
            }
        }
        return pairs.contains(where: \.isFinite) ? pairs : values.flatMap { $0 }
    }
}

/// The charts of `mtif report`, each a pure function from numbers to one SVG element.
enum ReportCharts {
    // MARK: - Heatmap

    /// A heatmap with task names on both axes, values in every cell's tooltip and printed when
    /// the cells are large enough, and a colour legend.
    ///
    /// Within-task entries usually dwarf the transfer between tasks, so colours saturate at the
    /// largest between-task |value|; the diagonal cells are outlined and may lie beyond it.
    /// Cells shrink as K grows (52 to 14 px) and column names are set vertically, so 14 or more
    /// tasks stay readable.
    static func heatmap(_ specification: HeatmapSpecification, cssClass: String = "heat-cell") -> String {
        let layout = HeatmapLayout(specification)
        var canvas = SVGCanvas(width: layout.width, height: layout.height, label: specification.title)
        let scale = DivergingColorScale(
            values: specification.betweenTaskValues, positiveMeans: specification.positiveMeans)
        let printed = NumberScaling(values: specification.values.flatMap { $0 })
        canvas.text(specification.title, x: 2, y: 14, size: 13, bold: true)
        for (row, rowValues) in specification.values.enumerated() {
            for (column, value) in rowValues.enumerated() {
                drawCell(&canvas, specification, layout, scale, printed, (row, column, value), cssClass: cssClass)
            }
        }
        drawAxisLabels(&canvas, rowNames: specification.rowNames, columnNames: specification.columnNames, layout)
        canvas.text(specification.columnAxis + " →", x: layout.left, y: 32, size: 11, color: "#555")
        let gridHeight = layout.cell * Double(specification.rowNames.count)
        let rowAxis =
            SVGCanvas.textWidth(specification.rowAxis + " →", size: 11) <= gridHeight
            ? specification.rowAxis : "train task l"
        canvas.text(rowAxis + " →", x: 14, y: layout.top, size: 11, anchor: "end", angle: -90, color: "#555")
        drawLegend(&canvas, scale: scale, x: layout.left + layout.gridWidth + 16, y: layout.top)
        if let caption = printed.caption, layout.cell >= 26 {
            canvas.text("cell values \(caption)", x: layout.left, y: layout.height - 6, size: 10, color: "#555")
        }
        return canvas.markup
    }

    private static func drawCell(
        _ canvas: inout SVGCanvas, _ specification: HeatmapSpecification, _ layout: HeatmapLayout,
        _ scale: DivergingColorScale, _ printed: NumberScaling, _ entry: (Int, Int, Double), cssClass: String
    ) {
        let (row, column, value) = entry
        let (rowName, columnName) = (specification.rowNames[row], specification.columnNames[column])
        let x = layout.left + Double(column) * layout.cell
        let y = layout.top + Double(row) * layout.cell
        let meaning = value == 0 || !value.isFinite ? "" : (scale.harm(value) > 0 ? " (harms)" : " (helps)")
        canvas.rectangle(
            x: x, y: y, width: layout.cell - 1, height: layout.cell - 1, fill: scale.color(value),
            stroke: rowName == columnName ? "#333" : nil,
            title: "train \(rowName) → query \(columnName): \(String(format: "%.4g", value))\(meaning)",
            cssClass: cssClass)
        if layout.cell >= 26 {
            canvas.text(
                printed.text(value), x: x + layout.cell / 2, y: y + layout.cell / 2 + 3.5, size: 9.5,
                anchor: "middle", color: scale.needsLightText(value) ? "#fff" : "#222")
        }
    }

    /// Row names right-aligned left of the grid; column names set vertically above it.
    static func drawAxisLabels(
        _ canvas: inout SVGCanvas, rowNames: [String], columnNames: [String], _ layout: HeatmapLayout
    ) {
        for (row, name) in rowNames.enumerated() {
            canvas.text(
                name, x: layout.left - 5, y: layout.top + (Double(row) + 0.5) * layout.cell + 4,
                size: layout.fontSize, anchor: "end")
        }
        for (column, name) in columnNames.enumerated() {
            canvas.text(
                name, x: layout.left + (Double(column) + 0.5) * layout.cell + layout.fontSize / 3,
                y: layout.top - 5, size: layout.fontSize, angle: -90)
        }
    }

    /// Swatches of the legend, and the height of each.
    static let legendSteps = 21
    static let legendStep = 8.0

    private static func drawLegend(_ canvas: inout SVGCanvas, scale: DivergingColorScale, x: Double, y: Double) {
        let (steps, step) = (legendSteps, legendStep)
        for index in 0..<steps {
            let value = scale.limit * (1 - 2 * Double(index) / Double(steps - 1))
            canvas.rectangle(x: x, y: y + Double(index) * step, width: 14, height: step, fill: scale.color(value))
        }
        let positive = scale.positiveMeans == .harms ? "harms" : "helps"
        let negative = scale.positiveMeans == .harms ? "helps" : "harms"
        canvas.text("≥ +\(shortValue(scale.limit)) \(positive)", x: x + 18, y: y + 8, size: 10)
        canvas.text("0", x: x + 18, y: y + Double(steps) * step / 2 + 3, size: 10)
        canvas.text("≤ −\(shortValue(scale.limit)) \(negative)", x: x + 18, y: y + Double(steps) * step, size: 10)
    }

    /// A number in two significant digits, with a true minus sign.
    static func shortValue(_ value: Double) -> String {
        String(format: "%.2g", value).replacingOccurrences(of: "-", with: "−")
    }
}

/// Where the parts of a heatmap go: title and axis name on top, column names, the grid, and the
/// legend to its right.
struct HeatmapLayout {
    let cell: Double
    let fontSize: Double
    let left: Double
    let top: Double
    let gridWidth: Double
    let width: Double
    let height: Double

    init(_ specification: HeatmapSpecification) {
        self.init(
            rows: specification.rowNames, columns: specification.columnNames,
            cell: max(14, min(52, 680 / Double(max(specification.columnNames.count, 1)))), legendWidth: 130,
            legendHeight: Double(ReportCharts.legendSteps) * ReportCharts.legendStep)
    }

    /// - Parameters:
    ///   - legendWidth, legendHeight: room right of the grid, whose top is level with the grid's.
    ///   - captionHeight: room under the grid (or the legend, when that is taller).
    init(
        rows: [String], columns: [String], cell: Double, legendWidth: Double, legendHeight: Double = 0,
        captionHeight: Double = 22
    ) {
        self.cell = cell
        fontSize = cell >= 22 ? 11 : 9
        let widest = { (names: [String]) in names.map { SVGCanvas.textWidth($0, size: cell >= 22 ? 11 : 9) }.max() }
        left = 22 + (widest(rows) ?? 20) + 8
        top = 40 + (widest(columns) ?? 20) + 8
        gridWidth = cell * Double(columns.count)
        width = max(left + gridWidth + legendWidth, 330)
        height = top + max(cell * Double(rows.count), legendHeight) + captionHeight
    }
}

/// Prints numbers of one chart with a shared power of ten, so that every cell shows at most
/// three characters (such as "−2.9") and the caption gives the factor.
struct NumberScaling {
    let exponent: Int

    init(values: [Double]) {
        let largest = values.filter(\.isFinite).map(abs).max() ?? 0
        exponent = largest > 0 ? Int(log10(largest).rounded(.down)) - 1 : 0
    }

    func text(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        let scaled = value / pow(10, Double(exponent))
        guard abs(scaled) >= 0.05 else { return "0" }
        let text = abs(scaled) >= 9.95 ? String(format: "%.0f", scaled) : String(format: "%.1f", scaled)
        return text.replacingOccurrences(of: "-", with: "−")
    }

    /// "in units of 10⁻²", or nil when the values are printed as they are.
    var caption: String? {
        guard exponent != 0 else { return nil }
        let superscripts: [Character: Character] = [
            "-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸",
            "9": "⁹",
        ]
        return "in units of 10" + String(String(exponent).compactMap { superscripts[$0] })
    }
}
