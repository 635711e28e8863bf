import Determinism

extension Parsed {
    func map<Other>(_ transform: (Value) -> Other) -> Parsed<Other> {
        switch self {
        case .value(let value): .value(transform(value))
        case .malformed: .malformed
        case .invalid(let message): .invalid(message)
        }
    }

    func flatMap<Other>(_ transform: (Value) -> Parsed<Other>) -> Parsed<Other> {
        switch self {
        case .value(let value): transform(value)
        case .malformed: .malformed
        case .invalid(let message): .invalid(message)
        }
    }
}

/// Parsers for the function-call notations: `poisson(5000/s)`, `lognormal(2ms, 0.6)`, `zipf(1.1)`.
extension ValueText {
    static let rateExpected = "a rate like poisson(5000/s)"
    static let distributionExpected = "a distribution like lognormal(2ms, 0.6)"
    static let popularityExpected = "a popularity like zipf(1.1)"
    static let rateModels = ["constant", "poisson", "ramp", "diurnal"]
    static let distributions = ["constant", "uniform", "exponential", "normal", "lognormal", "pareto"]

    /// `name(a, b, …)` -> the name and its trimmed arguments; nil for any other shape.
    static func call(_ text: String) -> (name: String, arguments: [Substring])? {
        let whole = Substring(text).trimmed
        guard let open = whole.firstIndex(of: "("), whole.last == ")" else { return nil }
        let name = whole[..<open].trimmed
        let inner = whole[whole.index(after: open)..<whole.index(before: whole.endIndex)]
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "_") }),
            !inner.contains("("), !inner.contains(")")
        else { return nil }
        let arguments = inner.trimmed.isEmpty
            ? [] : inner.split(separator: ",", omittingEmptySubsequences: false).map(\.trimmed)
        return (String(name), arguments)
    }

    static func unknownName(_ what: String, _ name: String, _ known: [String]) -> String {
        if let suggestion = Suggestion.closest(to: name, in: known) {
            return "unknown \(what) '\(name)'; did you mean '\(suggestion)'?"
        }
        return "unknown \(what) '\(name)' (use \(known.dropLast().joined(separator: ", ")) or \(known.last ?? ""))"
    }

    static func arity(_ name: String, _ signature: String, _ count: Int) -> String {
        "\(name) takes \(signature), found \(count)"
    }

    // MARK: Rates

    /// `5000/s`, `5k/s`, `0.5/s` -> queries per second (>= 0).
    static func perSecond(_ text: Substring) -> Parsed<Double> {
        let malformed = Parsed<Double>.invalid("bad rate '\(text)': expected N/s such as 5000/s or 5k/s")
        guard text.hasSuffix("/s") else { return malformed }
        var body = text.dropLast(2)
        var multiplier = 1.0
        if body.hasSuffix("k") {
            multiplier = 1_000
            body = body.dropLast()
        }
        guard let value = number(body) else { return malformed }
        guard value >= 0 else { return .invalid("negative rate '\(text)': rates must be 0/s or more") }
        return .value(value * multiplier)
    }

    /// `constant(N/s)`, `poisson(N/s)`, `ramp(A/s, B/s)`, `diurnal(trough/s, peak/s, period[, peak_at])`.
    static func rateSpec(_ text: String) -> Parsed<RateSpec> {
        guard let (name, arguments) = call(text) else { return .malformed }
        switch name {
        case "constant", "poisson":
            guard arguments.count == 1 else { return .invalid(arity(name, "1 argument (N/s)", arguments.count)) }
            return perSecond(arguments[0]).map {
                name == "constant" ? .constant(perSecond: $0) : .poisson(perSecond: $0)
            }
        case "ramp":
            guard arguments.count == 2 else { return .invalid(arity(name, "2 arguments (A/s, B/s)", arguments.count)) }
            return perSecond(arguments[0]).flatMap { from in perSecond(arguments[1]).map { .ramp(from: from, to: $0) } }
        case "diurnal":
            return diurnal(arguments)
        default:
            return .invalid(unknownName("rate model", name, rateModels))
        }
    }

    static func diurnal(_ arguments: [Substring]) -> Parsed<RateSpec> {
        guard arguments.count == 3 || arguments.count == 4 else {
            return .invalid(arity("diurnal", "3 or 4 arguments (trough/s, peak/s, period[, peak_at])", arguments.count))
        }
        return perSecond(arguments[0]).flatMap { trough in
            perSecond(arguments[1]).flatMap { peak in
                guard trough <= peak else {
                    return .invalid("diurnal trough \(arguments[0]) is above its peak \(arguments[1])")
                }
                return durationArgument(arguments[2], .positive).flatMap { period in
                    let peakAt = arguments.count == 4 ? durationArgument(arguments[3], .nonNegative) : .value(.zero)
                    return peakAt.map { .diurnal(trough: trough, peak: peak, period: period, peakAt: $0) }
                }
            }
        }
    }

    // MARK: Distributions

    /// A number argument of a model, e.g. the sigma of `lognormal(2ms, 0.6)`.
    static func numberArgument(_ text: Substring, of model: String) -> Parsed<Double> {
        guard let value = number(text) else {
            return .invalid("bad number '\(text)' in \(model): expected a number like 0.6")
        }
        return .value(value)
    }

    /// `constant(d)`, `uniform(a, b)`, `exponential(mean)`, `normal(mean, sd)`, `lognormal(median, sigma)`,
    /// `pareto(minimum, alpha)`.
    static func distribution(_ text: String) -> Parsed<Distribution> {
        guard let (name, arguments) = call(text) else { return .malformed }
        let signatures = [
            "constant": "1 argument (value)", "exponential": "1 argument (mean)", "uniform": "2 arguments (low, high)",
            "normal": "2 arguments (mean, deviation)", "lognormal": "2 arguments (median, sigma)",
            "pareto": "2 arguments (minimum, alpha)",
        ]
        guard let signature = signatures[name] else {
            return .invalid(unknownName("distribution", name, distributions))
        }
        guard arguments.count == (signature.hasPrefix("1") ? 1 : 2) else {
            return .invalid(arity(name, signature, arguments.count))
        }
        switch name {
        case "constant": return durationArgument(arguments[0], .nonNegative).map { .constant($0) }
        case "exponential": return durationArgument(arguments[0], .positive).map { .exponential(mean: $0) }
        case "uniform": return uniform(arguments[0], arguments[1])
        case "normal":
            return durationArgument(arguments[0], .nonNegative).flatMap { mean in
                durationArgument(arguments[1], .nonNegative).map { .normal(mean: mean, standardDeviation: $0) }
            }
        default: return shaped(name, arguments[0], arguments[1])
        }
    }

    static func uniform(_ low: Substring, _ high: Substring) -> Parsed<Distribution> {
        durationArgument(low, .nonNegative).flatMap { lowValue in
            durationArgument(high, .nonNegative).flatMap { highValue in
                lowValue <= highValue ? .value(.uniform(lowValue, highValue))
                    : .invalid("uniform low \(low) is above its high \(high)")
            }
        }
    }

    /// `lognormal(median, sigma)` (sigma >= 0) and `pareto(minimum, alpha)` (alpha > 0).
    static func shaped(_ name: String, _ scale: Substring, _ shape: Substring) -> Parsed<Distribution> {
        durationArgument(scale, .positive).flatMap { scaleValue in
            numberArgument(shape, of: name).flatMap { shapeValue in
                if name == "lognormal" {
                    return shapeValue >= 0 ? .value(.logNormal(median: scaleValue, sigma: shapeValue))
                        : .invalid("lognormal sigma must be 0 or more, found '\(shape)'")
                }
                return shapeValue > 0 ? .value(.pareto(minimum: scaleValue, alpha: shapeValue))
                    : .invalid("pareto alpha must be greater than 0, found '\(shape)'")
            }
        }
    }

    // MARK: Popularity and ranges

    /// `zipf(s)` with s >= 0, or `uniform` (the same as `zipf(0)`) -> the Zipf exponent.
    static func popularity(_ text: String) -> Parsed<Double> {
        if text == "uniform" { return .value(0) }
        guard let (name, arguments) = call(text) else { return .malformed }
        guard name == "zipf" else { return .invalid(unknownName("popularity model", name, ["zipf", "uniform"])) }
        guard arguments.count == 1 else { return .invalid(arity(name, "1 argument (exponent)", arguments.count)) }
        return numberArgument(arguments[0], of: name).flatMap { exponent in
            exponent >= 0 ? .value(exponent) : .invalid("zipf exponent must be 0 or more, found '\(arguments[0])'")
        }
    }

    /// `10s..30s` or a single duration -> (minimum, maximum), both > 0.
    static func durationRange(_ text: String) -> Parsed<(SimDuration, SimDuration)> {
        let parts = text.split(separator: "..", omittingEmptySubsequences: false).map(\.trimmed)
        guard parts.count <= 2 else { return .malformed }
        let low = durationArgument(parts[0], .positive)
        if parts.count == 1 {
            return duration(text, .positive).map { ($0, $0) }
        }
        return low.flatMap { lowValue in
            durationArgument(parts[1], .positive).flatMap { highValue in
                lowValue <= highValue ? .value((lowValue, highValue))
                    : .invalid("bad duration range '\(text)': the minimum is above the maximum")
            }
        }
    }
}
