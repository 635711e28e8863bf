import Determinism

/// A time chart as inline SVG text: lines or stacked areas over the seconds of a run, shaded
/// periods (faults, attacks) behind them, a linear or logarithmic value axis. Deterministic: the
/// same values give the same bytes (numbers through `JSONValue.format`).
public struct SVGChart: Sendable {
    public struct Line: Sendable {
        public var name: String
        public var color: String
        public var dashed: Bool
        /// One value per second; nil (or, on a log axis, not positive) leaves a gap.
        public var values: [Double?]
        public init(name: String, color: String, dashed: Bool = false, values: [Double?]) {
            self.name = name
            self.color = color
            self.dashed = dashed
            self.values = values
        }
    }

    public struct Band: Sendable {
        public var start: Double
        public var end: Double
        public var label: String
        public var color: String
        public init(start: Double, end: Double, label: String, color: String) {
            self.start = start
            self.end = end
            self.label = label
            self.color = color
        }
    }

    public var id: String
    public var title: String
    public var unit: String
    public var seconds: Int
    public var logarithmic = false
    /// Stacked areas, bottom first.
    public var stacked = false
    public var lines: [Line] = []
    public var bands: [Band] = []
    public var width = 1000
    public var height = 280

    public init(id: String, title: String, unit: String, seconds: Int) {
        precondition(seconds >= 0, "a run has no negative length")
        self.id = id
        self.title = title
        self.unit = unit
        self.seconds = max(1, seconds)
    }

    static let left = 64.0
    static let right = 210.0
    static let top = 30.0
    static let bottom = 34.0

    public var svg: String {
        let plotWidth = Double(width) - Self.left - Self.right
        let plotHeight = Double(height) - Self.top - Self.bottom
        let series = stacked ? stackedTops : lines.map(\.values)
        let (low, high) = range(series)
        let scale = Scale(low: low, high: high, logarithmic: logarithmic, top: Self.top, height: plotHeight)
        func x(_ second: Double) -> Double { Self.left + second / Double(seconds) * plotWidth }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"\(id)\" viewBox=\"0 0 \(width) \(height)\" "
            + "width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"\(Self.escape(title))\">\n"
        out += "<title>\(Self.escape(title))</title>\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>\n"
        out += "<text x=\"\(Self.left)\" y=\"18\" class=\"title\">\(Self.escape(title)) (\(Self.escape(unit)))</text>\n"
        out += axes(scale: scale, x: x, plotWidth: plotWidth, plotHeight: plotHeight)
        if stacked {
            out += areas(series, scale: scale, x: x)
        } else {
            for (line, values) in zip(lines, series) { out += path(line, values, scale: scale, x: x) }
        }
        // Over the data, translucent: the shading shows on full stacks too.
        for band in bands {
            let start = x(min(Double(seconds), max(0, band.start)))
            let end = x(min(Double(seconds), max(band.start, band.end)))
            out += "<rect class=\"band\" x=\(Self.q(start)) y=\(Self.q(Self.top)) width=\(Self.q(max(1, end - start))) "
                + "height=\(Self.q(plotHeight)) fill=\"\(band.color)\" fill-opacity=\"0.18\"><title>\(Self.escape(band.label))</title></rect>\n"
        }
        out += legend()
        out += "</svg>\n"
        return out
    }

    /// Cumulative tops of the stacked series, bottom first.
    private var stackedTops: [[Double?]] {
        var running = Array(repeating: 0.0, count: seconds)
        return lines.map { line in
            for second in 0..<seconds { running[second] += line.values.indices.contains(second) ? line.values[second] ?? 0 : 0 }
            return running.map { Optional($0) }
        }
    }

    private func range(_ series: [[Double?]]) -> (Double, Double) {
        let values = series.flatMap { $0.compactMap { $0 } }.filter { logarithmic ? $0 > 0 : true }
        guard let maximum = values.max() else { return logarithmic ? (0.1, 10) : (0, 1) }
        if logarithmic {
            let minimum = values.min() ?? maximum
            return (Scale.powerOfTen(below: minimum), Scale.powerOfTen(above: maximum))
        }
        return (0, maximum > 0 ? Scale.niceCeiling(maximum) : 1)
    }

    private func axes(scale: Scale, x: (Double) -> Double, plotWidth: Double, plotHeight: Double) -> String {
        var out = "<g class=\"axes\">\n"
        for tick in scale.ticks {
            let y = scale.y(tick)
            out += "<line x1=\(Self.q(Self.left)) x2=\(Self.q(Self.left + plotWidth)) y1=\(Self.q(y)) y2=\(Self.q(y)) stroke=\"#e4e4e4\"/>"
            out += "<text x=\(Self.q(Self.left - 6)) y=\(Self.q(y + 4)) text-anchor=\"end\">\(Self.number(tick))</text>\n"
        }
        for second in Scale.timeTicks(seconds) {
            let position = x(Double(second))
            out += "<line x1=\(Self.q(position)) x2=\(Self.q(position)) y1=\(Self.q(Self.top + plotHeight)) "
                + "y2=\(Self.q(Self.top + plotHeight + 4)) stroke=\"#888\"/>"
            out += "<text x=\(Self.q(position)) y=\(Self.q(Self.top + plotHeight + 17)) text-anchor=\"middle\">\(Self.clock(second))</text>\n"
        }
        out += "<rect x=\(Self.q(Self.left)) y=\(Self.q(Self.top)) width=\(Self.q(plotWidth)) height=\(Self.q(plotHeight)) "
            + "fill=\"none\" stroke=\"#888\"/>\n</g>\n"
        return out
    }

    private func path(_ line: Line, _ values: [Double?], scale: Scale, x: (Double) -> Double) -> String {
        var commands: [String] = []
        var drawing = false
        for (second, value) in values.enumerated() {
            guard let value, !logarithmic || value > 0 else { drawing = false; continue }
            commands.append((drawing ? "L" : "M") + Self.number(x(Double(second) + 0.5), decimals: 1) + ","
                            + Self.number(scale.y(value), decimals: 1))
            drawing = true
        }
        guard !commands.isEmpty else { return "" }
        let dash = line.dashed ? " stroke-dasharray=\"5,3\"" : ""
        return "<path class=\"line\" d=\"\(commands.joined(separator: " "))\" fill=\"none\" stroke=\"\(line.color)\" "
            + "stroke-width=\"1.6\"\(dash)><title>\(Self.escape(line.name))</title></path>\n"
    }

    private func areas(_ tops: [[Double?]], scale: Scale, x: (Double) -> Double) -> String {
        var out = ""
        var previous = Array(repeating: 0.0, count: seconds)
        for (line, top) in zip(lines, tops) {
            let upper = top.map { $0 ?? 0 }
            defer { previous = upper }
            guard zip(upper, previous).contains(where: { $0 > $1 }) else { continue }
            var points: [String] = []
            for second in 0..<seconds {
                points.append(Self.number(x(Double(second)), decimals: 1) + "," + Self.number(scale.y(upper[second]), decimals: 1))
                points.append(Self.number(x(Double(second + 1)), decimals: 1) + "," + Self.number(scale.y(upper[second]), decimals: 1))
            }
            for second in (0..<seconds).reversed() {
                points.append(Self.number(x(Double(second + 1)), decimals: 1) + "," + Self.number(scale.y(previous[second]), decimals: 1))
                points.append(Self.number(x(Double(second)), decimals: 1) + "," + Self.number(scale.y(previous[second]), decimals: 1))
            }
            out += "<polygon class=\"area\" points=\"\(points.joined(separator: " "))\" fill=\"\(line.color)\" "
                + "><title>\(Self.escape(line.name))</title></polygon>\n"
        }
        return out
    }

    private func legend() -> String {
        var out = "<g class=\"legend\">\n"
        var y = Self.top + 8
        let x = Double(width) - Self.right + 12
        for line in lines {
            let dash = line.dashed ? " stroke-dasharray=\"5,3\"" : ""
            out += "<line x1=\(Self.q(x)) x2=\(Self.q(x + 18)) y1=\(Self.q(y)) y2=\(Self.q(y)) stroke=\"\(line.color)\" "
                + "stroke-width=\"\(stacked ? 8 : 2)\"\(dash)/><text x=\(Self.q(x + 24)) y=\(Self.q(y + 4))>\(Self.escape(Self.short(line.name)))</text>\n"
            y += 16
        }
        for band in bands {
            out += "<rect x=\(Self.q(x)) y=\(Self.q(y - 6)) width=\"18\" height=\"12\" fill=\"\(band.color)\" fill-opacity=\"0.3\"/>"
                + "<text x=\(Self.q(x + 24)) y=\(Self.q(y + 4))>\(Self.escape(Self.short(band.label)))</text>\n"
            y += 16
        }
        return out + "</g>\n"
    }

    /// Legend text that fits beside the plot; the full text is in the element's title.
    static func short(_ text: String) -> String { text.count <= 28 ? text : String(text.prefix(27)) + "…" }

    static func q(_ value: Double) -> String { "\"" + number(value, decimals: 1) + "\"" }

    static func number(_ value: Double, decimals: Int = 3) -> String { JSONValue.format(value, decimals: decimals) }

    static func clock(_ second: Int) -> String {
        second < 60 ? "\(second)s" : (second % 60 == 0 ? "\(second / 60)m" : "\(second / 60)m\(second % 60)s")
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}

/// Value-to-pixel mapping of a chart's vertical axis and its ticks.
struct Scale {
    let low: Double
    let high: Double
    let logarithmic: Bool
    let top: Double
    let height: Double

    private func log10(_ value: Double) -> Double { DeterministicMath.log(value) / DeterministicMath.log(10) }

    func y(_ value: Double) -> Double {
        let share: Double
        if logarithmic {
            let clamped = min(max(value, low), high)
            share = (log10(clamped) - log10(low))
                / max(1e-9, log10(high) - log10(low))
        } else {
            share = (min(max(value, low), high) - low) / max(1e-9, high - low)
        }
        return top + height * (1 - share)
    }

    var ticks: [Double] {
        if logarithmic {
            var result: [Double] = []
            var tick = low
            while tick <= high * 1.0001 { result.append(tick); tick *= 10 }
            return result
        }
        return (0...4).map { low + (high - low) * Double($0) / 4 }
    }

    static func powerOfTen(below value: Double) -> Double {
        var power = 1.0
        while power > value { power /= 10 }
        while power * 10 <= value { power *= 10 }
        return power
    }

    static func powerOfTen(above value: Double) -> Double {
        var power = 1.0
        while power < value { power *= 10 }
        while power / 10 >= value { power /= 10 }
        return max(power, powerOfTen(below: value) * 10)
    }

    /// 1, 2 or 5 times a power of ten, at least `value`, so that quarter ticks read well.
    static func niceCeiling(_ value: Double) -> Double {
        var power = 1.0
        while power * 10 <= value { power *= 10 }
        while power > value { power /= 10 }
        for step in [1.0, 2.0, 4.0, 5.0, 10.0] where power * step >= value { return power * step }
        return power * 10
    }

    /// About eight ticks at 1, 2, 5, 10, 15, 30 s or whole minutes.
    static func timeTicks(_ seconds: Int) -> [Int] {
        let steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600]
        let step = steps.first { seconds / $0 <= 8 } ?? 21600
        return Array(stride(from: 0, through: seconds, by: step))
    }
}
