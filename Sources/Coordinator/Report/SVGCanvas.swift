import Foundation

/// A minimal SVG writer: elements are appended as text, escaped, and wrapped in one `<svg>`.
///
/// Everything the report draws goes through here, so the report stays one self-contained file
/// with no script and nothing fetched.
struct SVGCanvas {
    let width: Double
    let height: Double
    private var body: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    mutating func rectangle(x: Double, y: Double, width: Double, height: Double, fill: String, title: String? = nil) {
        let tooltip = title.map { "<title>\(Self.escaped($0))</title>" } ?? ""
        body.append(
            "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(width))\" "
                + "height=\"\(Self.number(height))\" fill=\"\(fill)\">\(tooltip)</rect>")
    }

    mutating func line(from start: (Double, Double), to end: (Double, Double), stroke: String, width: Double = 1) {
        body.append(
            "<line x1=\"\(Self.number(start.0))\" y1=\"\(Self.number(start.1))\" x2=\"\(Self.number(end.0))\" "
                + "y2=\"\(Self.number(end.1))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\"/>")
    }

    mutating func circle(x: Double, y: Double, radius: Double, fill: String, opacity: Double = 1) {
        body.append(
            "<circle cx=\"\(Self.number(x))\" cy=\"\(Self.number(y))\" r=\"\(Self.number(radius))\" fill=\"\(fill)\" "
                + "fill-opacity=\"\(Self.number(opacity))\"/>")
    }

    /// Text anchored at (x, y); `rotated` turns it −90° about that point (for column labels).
    mutating func text(
        _ content: String, x: Double, y: Double, size: Double = 11, anchor: String = "start", rotated: Bool = false,
        color: String = "#222"
    ) {
        let rotation = rotated ? " transform=\"rotate(-90 \(Self.number(x)) \(Self.number(y)))\"" : ""
        body.append(
            "<text x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" font-size=\"\(Self.number(size))\" "
                + "text-anchor=\"\(anchor)\" fill=\"\(color)\" font-family=\"sans-serif\"\(rotation)>"
                + "\(Self.escaped(content))</text>")
    }

    /// The finished `<svg>` element.
    var markup: String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" "
            + "viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\">" + body.joined() + "</svg>"
    }

    static func number(_ value: Double) -> String {
        value.isFinite ? String(format: "%.2f", value) : "0"
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// A diverging colour scale centred on zero: blue for negative (helps), white at zero, red for
/// positive (harms), saturating at ±`limit`.
struct DivergingColorScale {
    let limit: Double

    init(values: [Double]) {
        let largest = values.filter(\.isFinite).map(abs).max() ?? 0
        limit = largest > 0 ? largest : 1
    }

    func color(_ value: Double) -> String {
        guard value.isFinite else { return "#cccccc" }
        let t = max(-1, min(1, value / limit))
        let (r, g, b) =
            t >= 0
            ? (255.0, 255 * (1 - t) + 60 * t, 255 * (1 - t) + 50 * t)
            : (255 * (1 + t) + 40 * -t, 255 * (1 + t) + 90 * -t, 255.0)
        return String(format: "#%02x%02x%02x", Int(r.rounded()), Int(g.rounded()), Int(b.rounded()))
    }
}
