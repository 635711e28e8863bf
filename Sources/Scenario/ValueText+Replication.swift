import Determinism

/// Parsers for the replication notations: `notify: periodic(60s)`, `refresh: every(5s)`, `role`.
extension ValueText {
    static let roleExpected = "a role (authoritative, primary or secondary)"
    static let notifyExpected = "a notify mode like on_commit or periodic(60s)"
    static let refreshExpected = "a refresh mode like soa or every(5s)"
    static let roles = ["authoritative", "primary", "secondary"]
    static let notifyModes = ["on_commit", "periodic", "never"]
    static let refreshModes = ["soa", "every"]

    /// `authoritative`, `primary` or `secondary`.
    static func role(_ text: String) -> Parsed<NameserverRoleKind> {
        guard let kind = NameserverRoleKind(rawValue: text) else { return .invalid(unknownName("role", text, roles)) }
        return .value(kind)
    }

    /// `on_commit`, `periodic(interval)` (interval > 0) or `never`.
    static func notifyMode(_ text: String) -> Parsed<NotifyMode> {
        switch text {
        case "on_commit": return .value(.onCommit)
        case "never": return .value(.never)
        default:
            return intervalMode(text, example: "periodic(60s)", what: "notify mode", known: notifyModes)
                .map { .periodic($0) }
        }
    }

    /// `soa` or `every(interval)` (interval > 0).
    static func refreshMode(_ text: String) -> Parsed<RefreshMode> {
        if text == "soa" { return .value(.soaTimers) }
        return intervalMode(text, example: "every(5s)", what: "refresh mode", known: refreshModes).map { .every($0) }
    }

    /// `model(interval)` with a positive interval; `example` is such a call (`every(5s)`), and any
    /// other name is an unknown `what`.
    static func intervalMode(
        _ text: String, example: String, what: String, known: [String]
    ) -> Parsed<SimDuration> {
        let model = String(example.prefix { $0 != "(" })
        guard let (name, arguments) = call(text) else {
            if text == model { return .invalid("\(model) needs an interval, like \(example)") }
            let word = Substring(text).prefix { $0.isASCII && ($0.isLetter || $0 == "_") }
            return word.isEmpty || word.count != text.count ? .malformed : .invalid(unknownName(what, text, known))
        }
        guard name == model else {
            if known.contains(name) { return .invalid("\(name) takes no arguments") }
            return .invalid(unknownName(what, name, known))
        }
        guard arguments.count == 1 else { return .invalid(arity(name, "1 argument (interval)", arguments.count)) }
        return durationArgument(arguments[0], .positive)
    }
}

/// A nameserver's role as written, before its options (`notify`, `primary`, …) are attached.
enum NameserverRoleKind: String {
    case authoritative, primary, secondary
}
