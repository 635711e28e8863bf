import Yams

/// How far a figure may move before `compare` calls it a regression, and which way is worse.
///
/// A change is a regression when it goes the worse way by more than the tolerance,
/// `max(absolute, relative × |base|)`: relative keeps large figures from tripping on noise, absolute
/// keeps figures near zero from tripping on a 0.1 → 0.2 ms move.
public struct ThresholdRule: Sendable, Equatable {
    public enum Worse: String, Sendable, CaseIterable {
        /// A rise is a regression (latency, timeouts, load on the nameservers).
        case up
        /// A fall is a regression (availability, cache hits).
        case down
        /// Any move beyond the tolerance is a regression.
        case either
        /// Listed when it changes, never a regression.
        case none
    }

    /// Glob over the figure path: `*` any run of characters (dots included), `?` one character.
    public var figure: String
    /// Glob over the scenario id; nil: every scenario.
    public var scenario: String?
    public var worse: Worse
    /// Fraction of the base value (0.1 = 10%).
    public var relative: Double
    /// In the figure's unit (milliseconds, percent, count).
    public var absolute: Double

    public init(figure: String, scenario: String? = nil, worse: Worse, relative: Double = 0, absolute: Double = 0) {
        precondition(relative >= 0 && absolute >= 0, "tolerances are not negative")
        self.figure = figure
        self.scenario = scenario
        self.worse = worse
        self.relative = relative
        self.absolute = absolute
    }

    public func applies(to figure: String, in scenario: String) -> Bool {
        Glob.matches(self.figure, figure) && (self.scenario.map { Glob.matches($0, scenario) } ?? true)
    }

    public func tolerance(base: Double) -> Double { max(absolute, relative * abs(base)) }
}

/// The rules `compare` applies: the first rule that matches a figure decides.
public struct Thresholds: Sendable, Equatable {
    public var rules: [ThresholdRule]

    /// Rules before this index came from a thresholds file; the rest are the defaults.
    public var userRuleCount: Int

    public init(rules: [ThresholdRule], userRuleCount: Int = 0) {
        precondition((0...rules.count).contains(userRuleCount), "user rules are a prefix of the rules")
        self.rules = rules
        self.userRuleCount = userRuleCount
    }

    /// The rule for a figure; figures of attack populations are never gated by the built-in rules
    /// (a working defence lowers their availability), only by a user rule that names them.
    public func rule(for figure: String, in scenario: String, attackers: [String] = []) -> ThresholdRule? {
        let attackFigure = attackers.contains { figure.hasPrefix($0 + ".") }
        for (index, rule) in rules.enumerated() where rule.applies(to: figure, in: scenario) {
            if attackFigure && index >= userRuleCount { return nil }
            return rule
        }
        return nil
    }

    /// The built-in rules (docs/ci.md): latency, lag and reachability up is worse; availability and
    /// cache hits down is worse; wrong answers, lost updates and missing changes may not rise at all.
    public static let defaults = Thresholds(rules: [
        ThresholdRule(figure: "trace.events", worse: .none),
        ThresholdRule(figure: "*.answers.wrong", worse: .up),
        ThresholdRule(figure: "updates.lost", worse: .up),
        ThresholdRule(figure: "web.integrity_errors", worse: .up),
        ThresholdRule(figure: "replication.*.missing", worse: .up),
        ThresholdRule(figure: "replication.*.differing_records", worse: .up),
        ThresholdRule(figure: "*availability", worse: .down, absolute: 0.1),
        ThresholdRule(figure: "*latency.*", worse: .up, relative: 0.10, absolute: 1),
        ThresholdRule(figure: "replication.*.lag.*", worse: .up, relative: 0.10, absolute: 5),
        ThresholdRule(figure: "*reachability_gap*", worse: .up, relative: 0.10, absolute: 100),
        ThresholdRule(figure: "attack.time_to_*", worse: .up, relative: 0.10, absolute: 500),
        ThresholdRule(figure: "attack.nameserver_qps.*", worse: .up, relative: 0.20, absolute: 50),
        ThresholdRule(figure: "*.answers.timeout", worse: .up, relative: 0.10, absolute: 5),
        ThresholdRule(figure: "*.answers.servfail", worse: .up, relative: 0.10, absolute: 5),
        ThresholdRule(figure: "server.*.queries", worse: .up, relative: 0.10, absolute: 50),
        ThresholdRule(figure: "server.*.dropped", worse: .up, relative: 0.10, absolute: 5),
        ThresholdRule(figure: "balancers.cache_hits", worse: .down, relative: 0.10, absolute: 50),
        ThresholdRule(figure: "balancers.downstream_timeouts", worse: .up, relative: 0.10, absolute: 5),
    ])

    /// A thresholds file (YAML): `rules:` is a list of `{figure, scenario?, worse, relative?, absolute?}`
    /// tried in order before the defaults; `defaults: false` drops the defaults.
    public static func parse(yaml: String, file: String) throws(RegressionInputError) -> Thresholds {
        let root: Node?
        do {
            root = try Parser(yaml: yaml, resolver: .default, constructor: .default, encoding: .utf8).singleRoot()
        } catch {
            throw RegressionInputError("\(file): error: invalid YAML: \(error)")
        }
        guard let root else { return defaults }
        guard let mapping = root.mapping else { throw RegressionInputError("\(file):1:1: error: expected a mapping with rules") }
        var useDefaults = true
        var rules: [ThresholdRule] = []
        for (key, value) in mapping {
            switch key.string {
            case "defaults":
                guard let flag = value.bool else { throw error(file, value, "defaults: expected true or false") }
                useDefaults = flag
            case "rules":
                guard let sequence = value.sequence else { throw error(file, value, "rules: expected a list") }
                for item in sequence { rules.append(try rule(item, file: file)) }
            default:
                throw error(file, key, "unknown key '\(key.string ?? "")' (expected rules or defaults)")
            }
        }
        return Thresholds(rules: useDefaults ? rules + defaults.rules : rules, userRuleCount: rules.count)
    }

    private static func rule(_ node: Node, file: String) throws(RegressionInputError) -> ThresholdRule {
        guard let mapping = node.mapping else { throw error(file, node, "expected {figure, worse, relative, absolute}") }
        var figure: String?
        var scenario: String?
        var worse: ThresholdRule.Worse?
        var relative = 0.0
        var absolute = 0.0
        for (key, value) in mapping {
            let text = value.string ?? ""
            switch key.string {
            case "figure": figure = text
            case "scenario": scenario = text
            case "worse":
                guard let parsed = ThresholdRule.Worse(rawValue: text) else {
                    throw error(file, value, "worse: expected up, down, either or none, found '\(text)'")
                }
                worse = parsed
            case "relative":
                guard let parsed = percent(text) else { throw error(file, value, "relative: expected a share like 10%") }
                relative = parsed
            case "absolute":
                guard let parsed = Double(text.filter { $0 != "_" }), parsed >= 0 else {
                    throw error(file, value, "absolute: expected a number in the figure's unit")
                }
                absolute = parsed
            default:
                throw error(file, key, "unknown key '\(key.string ?? "")' (expected figure, scenario, worse, relative, absolute)")
            }
        }
        guard let figure, !figure.isEmpty, let worse else { throw error(file, node, "a rule needs figure and worse") }
        return ThresholdRule(figure: figure, scenario: scenario, worse: worse, relative: relative, absolute: absolute)
    }

    /// `10%` -> 0.1; a bare number is a fraction (`0.1`).
    static func percent(_ text: String) -> Double? {
        let trimmed = text.trimmingWhitespace
        if trimmed.hasSuffix("%") {
            guard let value = Double(trimmed.dropLast()), value >= 0 else { return nil }
            return value / 100
        }
        guard let value = Double(trimmed), value >= 0 else { return nil }
        return value
    }

    private static func error(_ file: String, _ node: Node, _ message: String) -> RegressionInputError {
        let mark = node.mark
        return RegressionInputError("\(file):\(mark?.line ?? 1):\(mark?.column ?? 1): error: \(message)")
    }
}

/// Shell-style globs over figure paths and scenario ids.
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        matches(Array(pattern.unicodeScalars), 0, Array(text.unicodeScalars), 0)
    }

    private static func matches(_ pattern: [Unicode.Scalar], _ p: Int, _ text: [Unicode.Scalar], _ t: Int) -> Bool {
        var p = p
        var t = t
        var star: Int?
        var resume = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p
                resume = t
                p += 1
            } else if let star {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
