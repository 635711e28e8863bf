import HTTPWire
import Reports

/// What a suite needs from one `report.json` (schema `ddnslab.report/1`, docs/report.md): the
/// scenario's name and seed, its expectations, and its figures for `compare`.
public struct ReportSummary: Sendable, Equatable {
    /// One expectation as the run judged it (the report's own type).
    public typealias Expectation = RunReport.ExpectationResult

    public var name: String
    public var seed: UInt64
    public var passed: Bool
    public var expectations: [Expectation]
    /// Figure path to value, sorted by path (the names `expect:` uses).
    public var figures: [FigureValue]
    /// Populations that are attacks: their own figures move the "wrong" way when defences work.
    public var attackers: [String]

    public init(name: String, seed: UInt64, passed: Bool, expectations: [Expectation], figures: [FigureValue],
                attackers: [String]) {
        self.name = name
        self.seed = seed
        self.passed = passed
        self.expectations = expectations
        self.figures = figures.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        self.attackers = attackers
    }

    /// Reads a report; a document that is not a ddnslab report is an error naming what is missing.
    public static func parse(_ text: String) throws(RegressionInputError) -> ReportSummary {
        let json: JSON
        do {
            json = try JSON.parse(text)
        } catch {
            throw RegressionInputError("not JSON: \(error.reason) at byte \(error.offset)")
        }
        return try parse(json)
    }

    static func parse(_ json: JSON) throws(RegressionInputError) -> ReportSummary {
        guard let schema = json["schema"]?.stringValue, schema.hasPrefix("ddnslab.report/") else {
            throw RegressionInputError("not a ddnslab report (no \"schema\": \"ddnslab.report/1\")")
        }
        guard let name = json["scenario"]?["name"]?.stringValue, let seed = json["seed"]?.intValue,
              let passed = json["passed"]?.boolValue
        else { throw RegressionInputError("the report lacks scenario.name, seed or passed") }
        var expectations: [Expectation] = []
        for entry in json["expectations"]?.arrayValue ?? [] {
            guard let figure = entry["figure"]?.stringValue, let passed = entry["passed"]?.boolValue else {
                throw RegressionInputError("an expectation lacks figure or passed")
            }
            expectations.append(Expectation(
                figure: figure, comparison: entry["op"]?.stringValue ?? "", threshold: entry["threshold"]?.doubleValue ?? 0,
                text: entry["text"]?.stringValue ?? "", value: entry["value"]?.doubleValue, passed: passed))
        }
        let figures = try FigureValue.parseObject(json["figures"])
        let attackers = (json["attack"]?["attackers"]?.arrayValue ?? []).compactMap(\.stringValue)
        return ReportSummary(name: name, seed: UInt64(bitPattern: seed), passed: passed, expectations: expectations,
                             figures: figures, attackers: attackers)
    }
}

/// One figure of a report: its path (`legit.latency.p99`) and value in the figure's unit.
public struct FigureValue: Sendable, Equatable {
    public var path: String
    public var value: Double

    public init(_ path: String, _ value: Double) {
        self.path = path
        self.value = value
    }

    /// `{"path": number, …}`; absent means no figures (a report from before figures were written).
    static func parseObject(_ json: JSON?) throws(RegressionInputError) -> [FigureValue] {
        guard let json, !json.isNull else { return [] }
        guard let members = json.objectMembers else { throw RegressionInputError("\"figures\" is not an object") }
        var result: [FigureValue] = []
        for member in members {
            guard let value = member.value.doubleValue else {
                throw RegressionInputError("figure \(member.key) is not a number")
            }
            result.append(FigureValue(member.key, value))
        }
        return result
    }
}

/// A report, suite index or thresholds file that cannot be used; the CLI prints it and exits 2.
public struct RegressionInputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
