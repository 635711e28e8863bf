/// `ddnslab compare BASE NEW`: the figure changes between two suites (or two reports), judged by
/// `Thresholds`.
public struct Comparison: Sendable, Equatable {
    public enum Verdict: String, Sendable {
        /// Moved the worse way beyond the tolerance: fails the comparison.
        case regressed
        /// Moved the better way beyond the tolerance.
        case improved
        /// Moved within the tolerance, or a figure no rule gates.
        case changed
        /// Only in NEW, or only in BASE.
        case added, removed
    }

    public struct Change: Sendable, Equatable {
        public var scenario: String
        public var figure: String
        public var base: Double?
        public var new: Double?
        public var verdict: Verdict
        /// The rule that judged it (nil: no rule gates this figure).
        public var rule: ThresholdRule?
    }

    public var changes: [Change]
    /// Figures compared that did not change at all.
    public var unchanged: Int
    public var scenariosCompared: Int

    public var regressions: [Change] { changes.filter { $0.verdict == .regressed } }
    public var passed: Bool { regressions.isEmpty }

    /// Pairs scenarios by id (two single reports pair whatever their names), then figures by path.
    /// A scenario of BASE missing from NEW, or one that passed in BASE and not in NEW, is a regression
    /// (figure `status`).
    public init(base: [ScenarioFigures], new: [ScenarioFigures], thresholds: Thresholds = .defaults) {
        var changes: [Change] = []
        var unchanged = 0
        var compared = 0
        let single = base.count == 1 && new.count == 1
        for old in base {
            guard let current = single ? new.first : new.first(where: { $0.id == old.id }) else {
                changes.append(Change(scenario: old.id, figure: "status", base: nil, new: nil, verdict: .regressed, rule: nil))
                continue
            }
            compared += 1
            if old.status == .passed && current.status != .passed {
                changes.append(Change(scenario: old.id, figure: "status", base: nil, new: nil, verdict: .regressed, rule: nil))
            }
            let (figureChanges, same) = Self.compare(old, current, thresholds: thresholds)
            changes += figureChanges
            unchanged += same
        }
        for current in new where !single && !base.contains(where: { $0.id == current.id }) {
            changes.append(Change(scenario: current.id, figure: "status", base: nil, new: nil, verdict: .added, rule: nil))
        }
        self.changes = changes
        self.unchanged = unchanged
        self.scenariosCompared = compared
    }

    static func compare(_ old: ScenarioFigures, _ current: ScenarioFigures,
                        thresholds: Thresholds) -> (changes: [Change], unchanged: Int) {
        var changes: [Change] = []
        var unchanged = 0
        var newValues: [String: Double] = [:]
        for figure in current.figures { newValues[figure.path] = figure.value }
        let oldPaths = Set(old.figures.map(\.path))
        let attackers = old.attackers + current.attackers.filter { !old.attackers.contains($0) }
        for figure in old.figures {
            let rule = thresholds.rule(for: figure.path, in: old.id, attackers: attackers)
            guard let value = newValues[figure.path] else {
                changes.append(Change(scenario: old.id, figure: figure.path, base: figure.value, new: nil, verdict: .removed,
                                      rule: rule))
                continue
            }
            if value == figure.value {
                unchanged += 1
                continue
            }
            changes.append(Change(scenario: old.id, figure: figure.path, base: figure.value, new: value,
                                  verdict: verdict(base: figure.value, new: value, rule: rule), rule: rule))
        }
        for figure in current.figures where !oldPaths.contains(figure.path) {
            changes.append(Change(scenario: old.id, figure: figure.path, base: nil, new: figure.value, verdict: .added,
                                  rule: thresholds.rule(for: figure.path, in: old.id, attackers: attackers)))
        }
        return (changes, unchanged)
    }

    static func verdict(base: Double, new: Double, rule: ThresholdRule?) -> Verdict {
        guard let rule, rule.worse != .none else { return .changed }
        let delta = new - base
        let tolerance = rule.tolerance(base: base)
        guard abs(delta) > tolerance else { return .changed }
        switch rule.worse {
        case .up: return delta > 0 ? .regressed : .improved
        case .down: return delta < 0 ? .regressed : .improved
        case .either: return .regressed
        case .none: return .changed
        }
    }

    /// The report for people: regressions first, then improvements, then other changes (all of them,
    /// or only the first `limit` of the ungated ones), then the totals.
    public func text(limit: Int = 40) -> String {
        var lines: [String] = []
        let order: [Verdict] = [.regressed, .improved, .changed, .removed, .added]
        var rows: [[String]] = [["verdict", "scenario", "figure", "base", "new", "change", "rule"]]
        var hidden = 0
        for verdict in order {
            let group = changes.filter { $0.verdict == verdict }
            for (position, change) in group.enumerated() {
                if verdict != .regressed && verdict != .improved && position >= limit {
                    hidden += 1
                    continue
                }
                rows.append([verdict.rawValue.uppercased(), change.scenario, change.figure, Self.value(change.base),
                             Self.value(change.new), Self.relativeChange(change), Self.describe(change.rule)])
            }
        }
        var widths = rows[0].map { _ in 0 }
        for row in rows { for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) } }
        for row in rows where rows.count > 1 {
            var line = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            lines.append(line)
        }
        if hidden > 0 { lines.append("… and \(hidden) more changes without a verdict (--all lists them)") }
        if !lines.isEmpty { lines.append("") }
        let count = { (verdict: Verdict) in self.changes.count { $0.verdict == verdict } }
        lines.append("\(scenariosCompared) scenarios compared: \(count(.regressed)) regressions, \(count(.improved)) improvements, "
                     + "\(count(.changed)) other changes, \(count(.removed)) removed, \(count(.added)) added, "
                     + "\(unchanged) figures unchanged")
        lines.append(passed ? "compare: no regression beyond the thresholds" : "compare: REGRESSION beyond the thresholds")
        return lines.joined(separator: "\n") + "\n"
    }

    static func value(_ value: Double?) -> String { value.map { Markup.number($0) } ?? "-" }

    static func relativeChange(_ change: Change) -> String {
        guard let base = change.base, let new = change.new else { return "" }
        let delta = new - base
        let sign = delta > 0 ? "+" : ""
        if base == 0 { return sign + Markup.number(delta) }
        return sign + Markup.number(delta / abs(base) * 100, decimals: 1) + "%"
    }

    static func describe(_ rule: ThresholdRule?) -> String {
        guard let rule, rule.worse != .none else { return "" }
        var parts = ["\(rule.figure): \(rule.worse.rawValue) is worse"]
        if rule.relative > 0 { parts.append(Markup.number(rule.relative * 100, decimals: 1) + "%") }
        if rule.absolute > 0 || rule.relative == 0 { parts.append("abs " + Markup.number(rule.absolute)) }
        return parts.joined(separator: ", ")
    }
}
