import Yams

/// `expect`: thresholds on report figures that decide pass or fail.
extension ScenarioReader {
    static let expectationSyntax =
        "expected OP VALUE such as '>= 99.9%' or '< 60ms' (OP is <, <=, >, >=, == or !=)"

    /// `figure: "OP VALUE"` pairs in file order; figures must be in the scenario's catalog.
    mutating func readExpectations(_ field: Field?) -> [Expectation] {
        guard let field else { return [] }
        guard case .mapping(let mapping) = field.value else {
            reportExpected("a mapping of figures to thresholds", found: field.value, key: field.keyNode)
            return []
        }
        let catalog = ReportFigure.catalog(
            populations: populationNames, nameservers: hostNames,
            primaries: hostNames.filter { hostRoles[$0] == .primary },
            secondaries: hostNames.filter { hostRoles[$0] == .secondary }, balancers: balancerNames,
            attack: hasAttackPopulation, edge: hasEdge, web: !webNames.isEmpty, updaters: updaterSpecs.map(\.name),
            replays: replayNames, backups: backupsDeclared,
            restores: databaseStepsDeclared)
        var expectations: [Expectation] = []
        for (keyNode, value) in mapping {
            guard let path = scalar(keyNode, key: nil, expected: "a figure name") else { continue }
            let figure = catalog.first { $0.path == path }
            if figure == nil, !populationsUsable || !hostsUsable || (!rolesUsable && path.hasPrefix("replication.")) {
                continue  // the figures are unknown because a section they come from was unusable
            }
            if figure == nil {
                let suggestion = Suggestion.closest(to: path, in: catalog.map(\.path))
                report("unknown figure '\(path)'" + (suggestion.map { "; did you mean '\($0)'?" }
                    ?? " (see docs/scenarios.md for the figures)"), at: keyNode)
            }
            guard let text = scalar(value, key: keyNode, expected: "a threshold like \">= 99.9%\""),
                let figure
            else { continue }
            switch Self.threshold(text, unit: figure.unit) {
            case .success(let (comparison, threshold)):
                expectations.append(Expectation(figure: path, comparison: comparison, threshold: threshold, text: text,
                                                position: keyNode.position))
            case .failure(let complaint):
                report("malformed expectation '\(text)' for \(path): \(complaint.reason)", at: value)
            }
        }
        return expectations
    }

    /// Why a threshold could not be read.
    struct ThresholdComplaint: Error {
        let reason: String
    }

    /// `">= 99.9%"` -> (>=, 99.9); the value is converted to `unit` (`"< 0.5s"` -> 500 for milliseconds).
    static func threshold(
        _ text: String, unit: FigureUnit
    ) -> Result<(Expectation.Comparison, Double), ThresholdComplaint> {
        let whole = Substring(text).trimmed
        let operators = Expectation.Comparison.allCases.sorted { $0.rawValue.count > $1.rawValue.count }
        guard let comparison = operators.first(where: { whole.hasPrefix($0.rawValue) }) else {
            return .failure(ThresholdComplaint(reason: expectationSyntax))
        }
        let operand = whole.dropFirst(comparison.rawValue.count).trimmed
        guard let (_, suffix) = ValueText.leadingDecimal(operand),
            let value = ValueText.number(operand.dropLast(suffix.count))
        else { return .failure(ThresholdComplaint(reason: expectationSyntax)) }
        switch (unit, String(suffix)) {
        case (.count, ""): return .success((comparison, value))
        case (.count, _): return .failure(ThresholdComplaint(reason: "a count is a plain number"))
        case (.percent, "%"): return .success((comparison, value))
        case (.percent, _): return .failure(ThresholdComplaint(reason: "a percentage needs '%'"))
        case (.milliseconds, "ns"): return .success((comparison, value / 1_000_000))
        case (.milliseconds, "us"): return .success((comparison, value / 1_000))
        case (.milliseconds, "ms"): return .success((comparison, value))
        case (.milliseconds, "s"): return .success((comparison, value * 1_000))
        case (.milliseconds, _): return .failure(ThresholdComplaint(reason: "a latency needs a unit (ns, us, ms or s)"))
        }
    }
}
