import DNSWire
import Determinism

/// Which signs a duration may have where it is used.
enum DurationRule {
    /// Greater than zero (run length, timeouts, service times).
    case positive
    /// Zero or more (fault start, reorder delay).
    case nonNegative
    /// Any sign (clock skew offsets).
    case signed
}

/// A decimal number as written: `mantissa / 10^scale`, kept exact.
struct DecimalText {
    var mantissa: UInt128
    var scale: Int
}

/// Pure parsers for the scalar notations of the scenario schema (docs/scenarios.md, "Values").
///
/// Durations and percentages are converted with integer arithmetic only, so `0.05%` is exactly 500
/// parts per million and `1.5s` exactly 1,500,000,000 ns on every machine (STYLE.md §4.7).
enum ValueText {
    static let durationExpected = "a duration like 250ms"
    static let percentageExpected = "a percentage like 5%"
    static let unitList = "ns, us, ms, s, m, h or d"

    /// Nanoseconds per unit.
    static let durationUnits: [(unit: Substring, nanoseconds: UInt128)] = [
        ("ns", 1), ("us", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000),
        ("h", 3_600_000_000_000), ("d", 86_400_000_000_000),
    ]

    // MARK: Numbers

    /// Reads `digits[.digits]` at the start of `text`; nil when there is no digit or too many (> 30).
    static func leadingDecimal(_ text: Substring) -> (number: DecimalText, rest: Substring)? {
        var number = DecimalText(mantissa: 0, scale: 0)
        var digits = 0
        var seenPoint = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character.isASCII, let digit = character.wholeNumberValue {
                guard digits < 30 else { return nil }
                number.mantissa = number.mantissa * 10 + UInt128(digit)
                digits += 1
                if seenPoint { number.scale += 1 }
            } else if character == ".", !seenPoint {
                seenPoint = true
            } else {
                break
            }
            index = text.index(after: index)
        }
        return digits > 0 ? (number, text[index...]) : nil
    }

    static func powerOfTen(_ exponent: Int) -> UInt128 {
        var result: UInt128 = 1
        for _ in 0..<exponent { result *= 10 }
        return result
    }

    /// A plain decimal number with an optional sign (no exponent, no inf/nan).
    static func number(_ text: Substring) -> Double? {
        let body = text.first == "-" || text.first == "+" ? text.dropFirst() : text
        guard let (_, rest) = leadingDecimal(body), rest.isEmpty else { return nil }
        let normalized = (text.first == "-" ? "-" : "") + (body.first == "." ? "0" : "") + body
        return Double(normalized).map { $0 + 0 }  // + 0 turns -0 into 0
    }

    /// A decimal integer (`Int` range), optional sign.
    static func integer(_ text: String) -> Int? {
        Int(text)
    }

    static func rangeComplaint(_ name: String, _ value: Int, _ range: ClosedRange<Int>) -> String {
        if range.upperBound == Int.max {
            return range.lowerBound == 0
                ? "\(name) must not be negative, found \(value)"
                : "\(name) must be at least \(range.lowerBound), found \(value)"
        }
        return "\(name) must be between \(range.lowerBound) and \(range.upperBound), found \(value)"
    }

    static func bool(_ text: String) -> Parsed<Bool> {
        switch text {
        case "true", "True", "TRUE": .value(true)
        case "false", "False", "FALSE": .value(false)
        default: .malformed
        }
    }

    // MARK: Durations and percentages

    /// `250ms`, `1m30s`, `1.5s`, optionally signed; units ns, us, ms, s, m, h, d.
    static func duration(_ text: String, _ rule: DurationRule) -> Parsed<SimDuration> {
        var body = Substring(text)
        let negative = body.first == "-"
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        guard let first = body.first, first.isASCII, first.isNumber || first == "." else { return .malformed }
        var total: UInt128 = 0
        while !body.isEmpty {
            guard let (number, rest) = leadingDecimal(body) else {
                return .invalid("bad duration '\(text)': expected a number at '\(body)'")
            }
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            guard !unit.isEmpty else { return .invalid("bad duration '\(text)': missing unit (use \(unitList))") }
            guard let scale = durationUnits.first(where: { $0.unit == unit })?.nanoseconds else {
                return .invalid("bad duration '\(text)': unknown unit '\(unit)' (use \(unitList))")
            }
            let (product, overflow) = number.mantissa.multipliedReportingOverflow(by: scale)
            let divisor = powerOfTen(number.scale)
            guard !overflow, product / divisor <= UInt128(Int64.max) - total else {
                return .invalid("bad duration '\(text)': too long")
            }
            guard product % divisor == 0 else { return .invalid("bad duration '\(text)': finer than a nanosecond") }
            total += product / divisor
            body = rest.dropFirst(unit.count)
        }
        let value = negative ? -Int64(total) : Int64(total)
        switch rule {
        case .positive where value <= 0:
            return .invalid("bad duration '\(text)': must be greater than 0")
        case .nonNegative where value < 0:
            return .invalid("bad duration '\(text)': must not be negative")
        default:
            return .value(SimDuration(nanoseconds: value))
        }
    }

    /// A duration inside a model's arguments: malformed text gets the "expected a duration" message.
    static func durationArgument(_ text: Substring, _ rule: DurationRule) -> Parsed<SimDuration> {
        switch duration(String(text), rule) {
        case .malformed: .invalid("expected \(durationExpected), found '\(text)'")
        case let other: other
        }
    }

    /// `0.05%` -> 500 parts per million; 0% to 100% in steps of 0.0001%.
    static func partsPerMillion(_ text: String) -> Parsed<UInt32> {
        guard text.hasSuffix("%") else { return .malformed }
        var body = text.dropLast()
        let negative = body.first == "-"
        if negative { body = body.dropFirst() }
        guard let (number, rest) = leadingDecimal(body), rest.isEmpty else { return .malformed }
        let outOfRange = Parsed<UInt32>.invalid("bad percentage '\(text)': must be between 0% and 100%")
        let (product, overflow) = number.mantissa.multipliedReportingOverflow(by: 10_000)
        guard !overflow else { return outOfRange }
        let divisor = powerOfTen(number.scale)
        guard product % divisor == 0 else { return .invalid("bad percentage '\(text)': finer than 0.0001%") }
        let ppm = product / divisor
        guard ppm <= 1_000_000, !negative || ppm == 0 else { return outOfRange }
        return .value(UInt32(ppm))
    }

    /// Parts per million as a percentage without trailing zeros: 950000 -> `95%`, 500 -> `0.05%`.
    static func percentText(partsPerMillion ppm: Int) -> String {
        let whole = ppm / 10_000
        var fraction = String(ppm % 10_000)
        guard fraction != "0" else { return "\(whole)%" }
        fraction = String(repeating: "0", count: 4 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)%"
    }

    // MARK: Names and dates

    /// `[a-z0-9_-]+`: site, network, host and population names (no dots: they separate figure paths).
    static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
        }
    }

    /// `[a-z0-9._-]+`: the scenario name.
    static func isScenarioName(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { $0 == "." || isIdentifier(String($0)) }
    }

    /// `2026-01-01` or `2026-01-01T00:00:00Z` (UTC) -> seconds since 1970-01-01T00:00:00Z.
    static func epochSeconds(_ text: String) -> Parsed<Int64> {
        let bytes = Array(text.utf8)
        guard bytes.count == 10 || bytes.count == 20 else { return .malformed }
        func field(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        func separator(_ index: Int, _ character: Unicode.Scalar) -> Bool { bytes[index] == UInt8(ascii: character) }
        guard let year = field(0..<4), let month = field(5..<7), let day = field(8..<10),
            separator(4, "-"), separator(7, "-")
        else { return .malformed }
        var secondsOfDay = 0
        if bytes.count == 20 {
            guard separator(10, "T"), separator(13, ":"), separator(16, ":"), separator(19, "Z"),
                let hour = field(11..<13), let minute = field(14..<16), let second = field(17..<19)
            else { return .malformed }
            guard hour < 24, minute < 60, second < 60 else { return .invalid("bad date '\(text)': no such time") }
            secondsOfDay = hour * 3600 + minute * 60 + second
        }
        guard (1...12).contains(month), (1...daysInMonth(year: year, month: month)).contains(day) else {
            return .invalid("bad date '\(text)': no such day")
        }
        return .value(Int64(TextEncoding.daysSinceEpoch(year: year, month: month, day: day)) * 86_400 + Int64(secondsOfDay))
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    var trimmed: Substring {
        let start = firstIndex { $0 != " " && $0 != "\t" } ?? endIndex
        let end = lastIndex { $0 != " " && $0 != "\t" }.map(index(after:)) ?? start
        return self[start..<Swift.max(start, end)]
    }
}
