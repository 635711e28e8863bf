import HTTPWire

/// The figures of one scenario as `compare` sees them.
public struct ScenarioFigures: Sendable, Equatable {
    /// The suite id (`attacks/botnet`), or the scenario name for a single report.
    public var id: String
    public var status: ScenarioResult.Status
    public var figures: [FigureValue]
    public var attackers: [String]

    public init(id: String, status: ScenarioResult.Status, figures: [FigureValue], attackers: [String] = []) {
        self.id = id
        self.status = status
        self.figures = figures
        self.attackers = attackers
    }
}

/// Reads what `compare` compares: a suite's `index.json` (`ddnslab.suite/1`) or one `report.json`.
public enum SuiteIndex {
    public static let schema = "ddnslab.suite/1"

    /// The scenarios of either kind of document, in document order.
    public static func scenarios(from text: String) throws(RegressionInputError) -> [ScenarioFigures] {
        let json: JSON
        do {
            json = try JSON.parse(text)
        } catch {
            throw RegressionInputError("not JSON: \(error.reason) at byte \(error.offset)")
        }
        let schemaName = json["schema"]?.stringValue ?? ""
        if schemaName.hasPrefix("ddnslab.report/") {
            let report = try ReportSummary.parse(json)
            return [ScenarioFigures(id: report.name, status: report.passed ? .passed : .failed, figures: report.figures,
                                    attackers: report.attackers)]
        }
        guard schemaName == schema, let entries = json["scenarios"]?.arrayValue else {
            throw RegressionInputError("neither a suite index (\(schema)) nor a report (ddnslab.report/1)")
        }
        var result: [ScenarioFigures] = []
        for entry in entries {
            guard let id = entry["id"]?.stringValue,
                  let status = entry["status"]?.stringValue.flatMap(ScenarioResult.Status.init(rawValue:))
            else { throw RegressionInputError("a suite entry lacks id or status") }
            let figures = try FigureValue.parseObject(entry["figures"])
            let attackers = (entry["attackers"]?.arrayValue ?? []).compactMap(\.stringValue)
            result.append(ScenarioFigures(id: id, status: status,
                                          figures: figures.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) },
                                          attackers: attackers))
        }
        return result
    }
}
