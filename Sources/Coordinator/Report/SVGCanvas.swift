import Foundation

/// A minimal SVG writer: elements are appended as text, escaped, and wrapped in one `<svg>`.
///
/// Everything the report draws goes through here, so the report stays one self-contained file
/// with no script and nothing fetched. The markup is meant to be inlined in HTML, where the
/// parser puts `<svg>` in the SVG namespace by itself, so no namespace URL is written.
struct SVGCanvas {
    let width: Double
    let height: Double
    /// Read by screen readers in place of the drawing.
    var label: String
    private var body: [String] = []

    init(width: Double, height: Double, label: String) {
        self.width = width
        self.height = height
        self.label = label
    }

    /// A filled rectangle, optionally outlined, with a tooltip and a CSS class.
    mutating func rectangle(
        x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil,
        title: String? = nil, cssClass: String? = nil
    ) {
        let tooltip = title.map { "<title>\(Self.escaped($0))</title>" } ?? ""
        let outline = stroke.map { " stroke=\"\($0)\" stroke-width=\"1.5\"" } ?? ""
        let classAttribute = cssClass.map { " class=\"\($0)\"" } ?? ""
        body.append(
            "<rect\(classAttribute) x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(width))\" "
                + "height=\"\(Self.number(height))\" fill=\"\(fill)\"\(outline)>\(tooltip)</rect>")
    }

    mutating func line(
        from start: (Double, Double), to end: (Double, Double), stroke: String, width: Double = 1, dashed: Bool = false
    ) {
        let dash = dashed ? " stroke-dasharray=\"4 3\"" : ""
        body.append(
            "<line x1=\"\(Self.number(start.0))\" y1=\"\(Self.number(start.1))\" x2=\"\(Self.number(end.0))\" "
                + "y2=\"\(Self.number(end.1))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\"\(dash)/>")
    }

    mutating func circle(x: Double, y: Double, radius: Double, fill: String, opacity: Double = 1) {
        body.append(
            "<circle cx=\"\(Self.number(x))\" cy=\"\(Self.number(y))\" r=\"\(Self.number(radius))\" fill=\"\(fill)\" "
                + "fill-opacity=\"\(Self.number(opacity))\"/>")
    }

    /// Text anchored at (x, y), turned by `angle` degrees about that point (−90 reads upwards).
    mutating func text(
        _ content: String, x: Double, y: Double, size: Double = 11, anchor: String = "start", angle: Double = 0,
        color: String = "#222", bold: Bool = false
    ) {
        let rotation =
            angle == 0 ? "" : " transform=\"rotate(\(Self.number(angle)) \(Self.number(x)) \(Self.number(y)))\""
        let weight = bold ? " font-weight=\"bold\"" : ""
        body.append(
            "<text x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" font-size=\"\(Self.number(size))\" "
                + "text-anchor=\"\(anchor)\" fill=\"\(color)\"\(weight)\(rotation)>\(Self.escaped(content))</text>")
    }

    /// The finished `<svg>` element; text is set in the page's sans-serif font.
    var markup: String {
        "<svg width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" "
            + "viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" role=\"img\" "
            + "aria-label=\"\(Self.escaped(label))\" font-family=\"sans-serif\">" + body.joined() + "</svg>"
    }

    static func number(_ value: Double) -> String {
        value.isFinite ? String(format: "%.1f", value) : "0"
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// The width of `text` set at `size` points, estimated for a sans-serif font (about 0.6 em a
    /// character, generous so labels never overlap what follows them).
    static func textWidth(_ text: String, size: Double) -> Double {
        Double(text.count) * size * 0.6
    }
}

/// A diverging colour scale centred on zero: blue for "helps", white at zero, red for "harms",
/// saturating at ±`limit`.
///
/// The colour always says harm or help, whatever sign a matrix uses for them: for a matrix whose
/// positive values mean "helps" (a gradient cosine, for example) `positiveMeans` is `.helps` and
/// positive values are drawn blue.
struct DivergingColorScale {
    let limit: Double
    let positiveMeans: Effect

    /// Saturates at the largest finite |value|, or at 1 when every value is zero.
    init(values: [Double], positiveMeans: Effect = .harms) {
        let largest = values.filter(\.isFinite).map(abs).max() ?? 0
        limit = largest > 0 ? largest : 1
        self.positiveMeans = positiveMeans
    }

    /// The position of `value` on the scale: −1 fully "helps", +1 fully "harms".
    func harm(_ value: Double) -> Double {
        let t = max(-1, min(1, value / limit))
        return positiveMeans == .harms ? t : -t
    }

    func color(_ value: Double) -> String {
        guard value.isFinite else { return "#cccccc" }
        let t = harm(value)
        let (r, g, b) =
            t >= 0
            ? (255 - 77 * t, 255 - 215 * t, 255 - 212 * t)
            : (255 + 222 * t, 255 + 153 * t, 255 + 75 * t)
        return String(format: "#%02x%02x%02x", Int(r.rounded()), Int(g.rounded()), Int(b.rounded()))
    }

    /// Whether text on this value's colour should be white to stay readable.
    func needsLightText(_ value: Double) -> Bool {
        value.isFinite && abs(harm(value)) > 0.55
    }
}

/// What a positive value means for the query: the removed data harmed it, or helped it.
enum Effect: String, Codable {
    case harms
    case helps
}
