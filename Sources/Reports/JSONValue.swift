/// A JSON document written with sorted keys and stable number formatting, so the same report
/// value gives the same bytes in every process (BRIEF.md §7).
public indirect enum JSONValue: Sendable, Equatable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)
    case null

    /// Pretty-printed with two-space indentation and a final newline.
    public var text: String {
        var out = ""
        write(to: &out, indent: 0)
        out.append("\n")
        return out
    }

    private func write(to out: inout String, indent: Int) {
        switch self {
        case .object(let members):
            guard !members.isEmpty else { out.append("{}"); return }
            out.append("{\n")
            let keys = members.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            for (position, key) in keys.enumerated() {
                out.append(String(repeating: "  ", count: indent + 1))
                Self.writeString(key, to: &out)
                out.append(": ")
                members[key]?.write(to: &out, indent: indent + 1)
                out.append(position == keys.count - 1 ? "\n" : ",\n")
            }
            out.append(String(repeating: "  ", count: indent) + "}")
        case .array(let items):
            guard !items.isEmpty else { out.append("[]"); return }
            out.append("[\n")
            for (position, item) in items.enumerated() {
                out.append(String(repeating: "  ", count: indent + 1))
                item.write(to: &out, indent: indent + 1)
                out.append(position == items.count - 1 ? "\n" : ",\n")
            }
            out.append(String(repeating: "  ", count: indent) + "]")
        case .string(let value): Self.writeString(value, to: &out)
        case .integer(let value): out.append(String(value))
        case .number(let value): out.append(Self.format(value))
        case .bool(let value): out.append(value ? "true" : "false")
        case .null: out.append("null")
        }
    }

    /// Numbers with at most `decimals` (default 6) decimals, trailing zeros removed; integers
    /// without a point.
    public static func format(_ value: Double, decimals: Int = 6) -> String {
        guard value.isFinite else { return "null" }
        precondition((0...9).contains(decimals), "0 to 9 decimals")
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (value * Double(scale)).rounded()
        if abs(scaled) >= 9e15 { return String(Int64(value.rounded())) }
        let units = Int64(scaled)
        let sign = units < 0 ? "-" : ""
        let magnitude = units.magnitude
        let whole = magnitude / UInt64(scale)
        var fraction = String(magnitude % UInt64(scale))
        if fraction == "0" || decimals == 0 { return sign + String(whole) }
        fraction = String(repeating: "0", count: decimals - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return sign + String(whole) + "." + fraction
    }

    static func writeString(_ value: String, to out: inout String) {
        out.append("\"")
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out.append("\"")
    }
}
